from odoo import api, fields, models

REMEDY_TYPES = [
    ("return", "Return"),
    ("credit_note", "Credit Note"),
    ("replacement", "Replacement"),
    ("supplier_return", "Return to Vendor"),
    ("supplier_credit", "Vendor Credit Note"),
]
# remedies whose amount is a cost of the complaint; the supplier's are recovered
COST_TYPES = ("credit_note", "replacement")
SUPPLIER_TYPES = ("supplier_return", "supplier_credit")


class CrmComplaintRemedy(models.Model):
    """One document made to remedy a complaint: a return or replacement
    transfer, a customer or vendor credit note. The document is Odoo's own;
    this record lets the complaint's users follow its state and amount without
    rights on stock or accounting (related fields read as superuser)."""

    _name = "crm.complaint.remedy"
    _description = "Complaint Remedy"
    _order = "id"
    _check_company_auto = True

    complaint_id = fields.Many2one(
        "crm.complaint", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="complaint_id.company_id", store=True, index=True
    )
    remedy_type = fields.Selection(REMEDY_TYPES, required=True, readonly=True)
    picking_id = fields.Many2one(
        "stock.picking", string="Transfer", readonly=True, ondelete="set null"
    )
    move_id = fields.Many2one(
        "account.move", string="Credit Note", readonly=True, ondelete="set null"
    )
    name = fields.Char(
        string="Document", compute="_compute_name", compute_sudo=True, store=True
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("open", "In Progress"),
            ("done", "Done"),
            ("cancel", "Cancelled"),
        ],
        compute="_compute_state",
        compute_sudo=True,
        store=True,
    )
    quantity = fields.Float(
        compute="_compute_amounts",
        compute_sudo=True,
        store=True,
        digits="Product Unit of Measure",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(
        compute="_compute_amounts",
        compute_sudo=True,
        store=True,
        help="Credit notes: their total. Replacements: the goods sent, at cost "
        "(their stock valuation once delivered, the product cost before).",
    )

    @api.depends("picking_id.name", "move_id.name")
    def _compute_name(self):
        for remedy in self:
            remedy.name = remedy.picking_id.name or remedy.move_id.name

    @api.depends("picking_id.state", "move_id.state")
    def _compute_state(self):
        for remedy in self:
            doc_state = remedy.picking_id.state or remedy.move_id.state
            if doc_state in ("draft", "cancel"):
                remedy.state = doc_state
            elif doc_state in ("done", "posted"):
                remedy.state = "done"
            else:
                remedy.state = "open"

    @api.depends(
        "picking_id.move_ids.state",
        "picking_id.move_ids.product_uom_qty",
        "picking_id.move_ids.quantity",
        "move_id.amount_total_signed",
        "move_id.invoice_line_ids.quantity",
    )
    def _compute_amounts(self):
        for remedy in self:
            moves = remedy.picking_id.move_ids.filtered(lambda m: m.state != "cancel")
            if remedy.move_id:
                remedy.quantity = sum(
                    remedy.move_id.invoice_line_ids.mapped("quantity")
                )
                remedy.amount = abs(remedy.move_id.amount_total_signed)
            else:
                remedy.quantity = sum(moves.mapped("product_qty"))
                remedy.amount = 0.0
            if (
                remedy.remedy_type == "replacement"
                and remedy.picking_id.picking_type_code == "outgoing"
            ):
                remedy.amount = sum(
                    -sum(move.stock_valuation_layer_ids.mapped("value"))
                    if move.state == "done" and move.stock_valuation_layer_ids
                    else move.product_qty * move.product_id.standard_price
                    for move in moves
                )

    def action_open_document(self):
        self.ensure_one()
        return (self.picking_id or self.move_id).get_formview_action()
