import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .crm_complaint_remedy import COST_TYPES, SUPPLIER_TYPES

# amounts of these programs are money; coupon and loyalty points are not
MONEY_GESTURE_PROGRAMS = ("gift_card", "ewallet")


class CrmComplaint(models.Model):
    """Links a complaint to the delivery and the lot it is about, and traces the
    supplier of a supplier-caused complaint back through stock and purchase.

    Its remedies (补救措施) are Odoo's own documents, made by the remedy
    wizard: the complaint lists them with their state and amount, and sums
    its cost for the analytics."""

    _inherit = "crm.complaint"

    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        check_company=True,
        domain="[('picking_type_code', '=', 'outgoing'),"
        " ('partner_id', 'child_of', commercial_partner_id)]",
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Lot / Serial",
        check_company=True,
        domain="[('product_id', '=?', product_id)]",
    )

    remedy_ids = fields.One2many(
        "crm.complaint.remedy",
        "complaint_id",
        string="Remedies",
        readonly=True,
        groups="base.group_user",
    )
    remedy_return_count = fields.Integer(
        compute="_compute_remedy_counts", groups="base.group_user"
    )
    remedy_credit_note_count = fields.Integer(
        compute="_compute_remedy_counts", groups="base.group_user"
    )
    remedy_replacement_count = fields.Integer(
        compute="_compute_remedy_counts", groups="base.group_user"
    )
    remedy_supplier_claim_count = fields.Integer(
        compute="_compute_remedy_counts", groups="base.group_user"
    )
    remedy_currency_id = fields.Many2one(
        related="company_id.currency_id", groups="base.group_user"
    )
    remedy_credit_amount = fields.Monetary(
        string="Credit Notes Amount",
        currency_field="remedy_currency_id",
        compute="_compute_remedy_cost",
        store=True,
        groups="base.group_user",
    )
    remedy_replacement_cost = fields.Monetary(
        string="Replacements at Cost",
        currency_field="remedy_currency_id",
        compute="_compute_remedy_cost",
        store=True,
        groups="base.group_user",
    )
    remedy_gesture_amount = fields.Monetary(
        string="Gestures Amount",
        currency_field="remedy_currency_id",
        compute="_compute_remedy_cost",
        store=True,
        help="Gift cards and eWallet amounts given as apology gestures (coupons "
        "and loyalty points have no amount of their own).",
        groups="base.group_user",
    )
    remedy_cost = fields.Monetary(
        currency_field="remedy_currency_id",
        compute="_compute_remedy_cost",
        store=True,
        help="Credit notes, replacements at cost and apology gestures of the "
        "complaint; cancelled documents do not count.",
        groups="base.group_user",
    )
    remedy_supplier_claim_amount = fields.Monetary(
        string="Claimed from Supplier",
        currency_field="remedy_currency_id",
        compute="_compute_remedy_cost",
        store=True,
        help="Vendor credit notes of the complaint's supplier claims.",
        groups="base.group_user",
    )

    def _merge_link_fields(self):
        return super()._merge_link_fields() + ["picking_id", "lot_id"]

    @api.onchange("lot_id")
    def _onchange_lot_id(self):
        if self.lot_id and not self.product_id:
            self.product_id = self.lot_id.product_id

    @api.depends("lot_id", "picking_id", "sale_order_id")
    def _compute_supplier_id(self):
        return super()._compute_supplier_id()

    def _trace_supplier(self):
        """The vendor of the receipt that brought the complained lot in; else the
        vendor of the purchase the delivered goods were bought on (make to
        order: the delivery, or without one the deliveries of the sales order,
        back through its chain of moves); else the product's first vendor."""
        self.ensure_one()
        if self.lot_id:
            receipt_line = self.env["stock.move.line"].search(
                [
                    ("lot_id", "=", self.lot_id.id),
                    ("state", "=", "done"),
                    ("picking_code", "=", "incoming"),
                ],
                order="date desc",
                limit=1,
            )
            vendor = (
                receipt_line.move_id.purchase_line_id.partner_id
                or receipt_line.picking_id.partner_id
            )
            if vendor:
                return vendor.commercial_partner_id
        delivery_moves = self.picking_id.move_ids
        if not self.picking_id:
            delivery_moves = self.sale_order_id.order_line.move_ids.filtered(
                lambda m: m.picking_code == "outgoing"
            )
        if self.product_id:
            delivery_moves = delivery_moves.filtered(
                lambda m: m.product_id == self.product_id
            )
        # pick, pack, ship: the purchase is at the start of the chain
        origin_moves = self.env["stock.move"].browse(
            delivery_moves.move_orig_ids._rollup_move_origs()
        )
        purchase_line = origin_moves.purchase_line_id[:1]
        if purchase_line:
            return purchase_line.partner_id.commercial_partner_id
        return super()._trace_supplier()

    # ------------------------------------------------------------------
    # Remedies
    # ------------------------------------------------------------------

    def _compute_remedy_counts(self):
        counts = {
            (complaint.id, remedy_type): count
            for complaint, remedy_type, count in self.env[
                "crm.complaint.remedy"
            ]._read_group(
                [("complaint_id", "in", self.ids)],
                ["complaint_id", "remedy_type"],
                ["__count"],
            )
        }
        for complaint in self:
            cid = complaint.id
            complaint.remedy_return_count = counts.get((cid, "return"), 0)
            complaint.remedy_credit_note_count = counts.get((cid, "credit_note"), 0)
            complaint.remedy_replacement_count = counts.get((cid, "replacement"), 0)
            complaint.remedy_supplier_claim_count = counts.get(
                (cid, "supplier_return"), 0
            ) + counts.get((cid, "supplier_credit"), 0)

    @api.depends(
        "remedy_ids.amount",
        "remedy_ids.state",
        "remedy_ids.remedy_type",
        "gesture_card_ids",
    )
    def _compute_remedy_cost(self):
        gestures = {
            complaint_id: issued
            for complaint_id, issued in self.env["loyalty.history"]
            .sudo()
            ._read_group(
                [
                    ("order_model", "=", "crm.complaint"),
                    ("order_id", "in", self.ids),
                    ("card_id.program_type", "in", MONEY_GESTURE_PROGRAMS),
                ],
                ["order_id"],
                ["issued:sum"],
            )
        }
        for complaint in self:
            remedies = complaint.remedy_ids.filtered(lambda r: r.state != "cancel")
            complaint.remedy_credit_amount = sum(
                remedies.filtered(lambda r: r.remedy_type == "credit_note").mapped(
                    "amount"
                )
            )
            complaint.remedy_replacement_cost = sum(
                remedies.filtered(lambda r: r.remedy_type == "replacement").mapped(
                    "amount"
                )
            )
            complaint.remedy_gesture_amount = gestures.get(complaint.id, 0.0)
            complaint.remedy_cost = (
                sum(
                    remedies.filtered(lambda r: r.remedy_type in COST_TYPES).mapped(
                        "amount"
                    )
                )
                + complaint.remedy_gesture_amount
            )
            complaint.remedy_supplier_claim_amount = sum(
                remedies.filtered(lambda r: r.remedy_type == "supplier_credit").mapped(
                    "amount"
                )
            )

    # ------------------------------------------------------------------
    # Remedy requests
    # ------------------------------------------------------------------

    def _remedy_lock(self, remedy_types):
        """Serialize the remedy requests of this complaint: the row is locked
        until the end of the transaction and a second request (another click,
        another user) is refused at once instead of making a second document;
        then an open remedy of the same kind is refused too."""
        self.ensure_one()
        self.flush_recordset()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM crm_complaint WHERE id = %s FOR UPDATE NOWAIT",
                        self.id,
                    )
                )
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "A remedy is being made for complaint %(name)s by another "
                    "request: wait for it and look at the complaint's remedies.",
                    name=self.name,
                )
            ) from None
        open_remedy = (
            self.env["crm.complaint.remedy"]
            .sudo()
            .search(
                [
                    ("complaint_id", "=", self.id),
                    ("remedy_type", "in", remedy_types),
                    ("state", "in", ("draft", "open")),
                ],
                limit=1,
            )
        )
        if open_remedy:
            raise UserError(
                self.env._(
                    "Complaint %(name)s already has an open %(remedy)s: "
                    "%(document)s. Finish or cancel it before making another one.",
                    name=self.name,
                    remedy=dict(
                        open_remedy._fields["remedy_type"]._description_selection(
                            self.env
                        )
                    )[open_remedy.remedy_type],
                    document=open_remedy.name,
                )
            )

    def _action_open_remedy_wizard(self, remedy_type):
        self.ensure_one()
        self.check_access("write")
        titles = {
            "return": self.env._("Return"),
            "credit_note": self.env._("Credit Note"),
            "replacement": self.env._("Replacement"),
            "supplier_claim": self.env._("Supplier Claim"),
        }
        return {
            "type": "ir.actions.act_window",
            "name": titles[remedy_type],
            "res_model": "crm.complaint.remedy.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_complaint_id": self.id,
                "default_remedy_type": remedy_type,
            },
        }

    def action_remedy_return(self):
        return self._action_open_remedy_wizard("return")

    def action_remedy_credit_note(self):
        return self._action_open_remedy_wizard("credit_note")

    def action_remedy_replacement(self):
        return self._action_open_remedy_wizard("replacement")

    def action_remedy_supplier_claim(self):
        return self._action_open_remedy_wizard("supplier_claim")

    def _action_view_remedy_documents(self, remedy_types):
        self.ensure_one()
        remedies = self.remedy_ids.filtered(lambda r: r.remedy_type in remedy_types)
        pickings, moves = remedies.picking_id, remedies.move_id
        model, records = (
            ("stock.picking", pickings) if pickings else ("account.move", moves)
        )
        if moves and pickings:
            # a supplier claim: its transfers and its vendor credit notes
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Remedies"),
                "res_model": "crm.complaint.remedy",
                "view_mode": "list",
                "domain": [("id", "in", remedies.ids)],
            }
        if len(records) == 1:
            return records.get_formview_action()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Remedies"),
            "res_model": model,
            "view_mode": "list,form",
            "domain": [("id", "in", records.ids)],
            "context": {"create": False},
        }

    def action_view_remedy_returns(self):
        return self._action_view_remedy_documents(("return",))

    def action_view_remedy_credit_notes(self):
        return self._action_view_remedy_documents(("credit_note",))

    def action_view_remedy_replacements(self):
        return self._action_view_remedy_documents(("replacement",))

    def action_view_remedy_supplier_claims(self):
        return self._action_view_remedy_documents(SUPPLIER_TYPES)

    def _remedy_supplier_receipt(self):
        """The done receipt from the complaint's supplier that brought the
        complained goods in: the receipt of the lot; else the purchase receipt
        at the start of the delivery's chain; else the supplier's latest
        receipt of the product."""
        self.ensure_one()
        supplier = self.supplier_id.commercial_partner_id
        if not supplier:
            return self.env["stock.picking"]
        receipt_domain = [
            ("state", "=", "done"),
            ("picking_code", "=", "incoming"),
            ("picking_id.partner_id", "child_of", supplier.id),
            ("company_id", "=", self.company_id.id),
        ]
        MoveLine = self.env["stock.move.line"]
        if self.lot_id:
            line = MoveLine.search(
                [*receipt_domain, ("lot_id", "=", self.lot_id.id)],
                order="date desc, id desc",
                limit=1,
            )
            if line:
                return line.picking_id
        delivery_moves = self.picking_id.move_ids
        if self.product_id:
            delivery_moves = delivery_moves.filtered(
                lambda m: m.product_id == self.product_id
            )
        origins = self.env["stock.move"].browse(
            delivery_moves.move_orig_ids._rollup_move_origs()
        )
        receipt = origins.filtered(
            lambda m: (
                m.state == "done"
                and m.picking_code == "incoming"
                and m.picking_id.partner_id.commercial_partner_id == supplier
            )
        ).picking_id[:1]
        if receipt or not self.product_id:
            return receipt
        return MoveLine.search(
            [*receipt_domain, ("product_id", "=", self.product_id.id)],
            order="date desc, id desc",
            limit=1,
        ).picking_id
