from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero, float_round

WIZARD_REMEDY_TYPES = [
    ("return", "Return"),
    ("credit_note", "Credit Note"),
    ("replacement", "Replacement"),
    ("supplier_claim", "Supplier Claim"),
]
# the kinds of remedy records a request may not duplicate while one is open
OPEN_REMEDY_TYPES = {
    "return": ("return",),
    "credit_note": ("credit_note",),
    "replacement": ("replacement",),
    "supplier_claim": ("supplier_return", "supplier_credit"),
}


class CrmComplaintRemedyWizard(models.TransientModel):
    """One remedy of a complaint, made with Odoo's own wizards: a return
    (``stock.return.picking``), a replacement (its return-and-exchange), a
    credit note (``account.move.reversal``) or a supplier claim (a return to
    vendor and a draft vendor credit note).

    A complaint user asks for the remedy; the documents are made as
    superuser in the complaint's company, after the checks below, and are
    left for stock users to validate and accounting users to post."""

    _name = "crm.complaint.remedy.wizard"
    _description = "Complaint Remedy"

    complaint_id = fields.Many2one("crm.complaint", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="complaint_id.company_id")
    remedy_type = fields.Selection(WIZARD_REMEDY_TYPES, required=True)
    picking_id = fields.Many2one(
        "stock.picking",
        string="Transfer",
        compute="_compute_documents",
        store=True,
        precompute=True,
        help="The delivery returned or replaced; for a supplier claim, the "
        "supplier's receipt the goods came in with.",
    )
    invoice_id = fields.Many2one(
        "account.move",
        compute="_compute_documents",
        store=True,
        precompute=True,
    )
    supplier_id = fields.Many2one(related="complaint_id.supplier_id")
    to_refund = fields.Boolean(
        string="Refund",
        default=True,
        help="Lower the delivered quantity of the sales order, so that the "
        "returned goods can be credited from it (Odoo's 'Update quantities on "
        "SO/PO').",
    )
    credit_mode = fields.Selection(
        [("full", "Full"), ("partial", "Partial")],
        string="Credit",
        default="full",
        required=True,
    )
    reason = fields.Char()
    line_ids = fields.One2many(
        "crm.complaint.remedy.wizard.line",
        "wizard_id",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
        precompute=True,
    )

    @api.depends("complaint_id", "remedy_type")
    def _compute_documents(self):
        # as superuser: the complaint user may read neither stock nor invoices
        for wizard in self.sudo():
            complaint = wizard.complaint_id
            wizard.picking_id = (
                complaint._remedy_supplier_receipt()
                if wizard.remedy_type == "supplier_claim"
                else complaint.picking_id
            )
            invoice = complaint.invoice_id
            if not invoice and complaint.sale_order_id:
                invoices = complaint.sale_order_id.invoice_ids.filtered(
                    lambda m: m.move_type == "out_invoice" and m.state == "posted"
                )
                invoice = invoices if len(invoices) == 1 else invoice
            wizard.invoice_id = (
                invoice if wizard.remedy_type == "credit_note" else False
            )

    @api.depends("picking_id", "invoice_id", "remedy_type")
    def _compute_line_ids(self):
        for wizard in self.sudo():
            if wizard.remedy_type == "credit_note":
                values = wizard._invoice_line_values()
            else:
                values = wizard._stock_line_values()
            wizard.line_ids = [Command.clear()] + [Command.create(v) for v in values]

    def _is_complained(self, product):
        return (
            not self.complaint_id.product_id or product == self.complaint_id.product_id
        )

    def _stock_line_values(self):
        values = []
        customer_returned = self._customer_returned_quantities()
        for move in self.picking_id.move_ids:
            if move.state != "done" or move.scrapped:
                continue
            available = self._returnable_quantity(move)
            quantity = available if self._is_complained(move.product_id) else 0.0
            if (
                self.remedy_type == "supplier_claim"
                and move.product_id in customer_returned
            ):
                quantity = min(available, customer_returned[move.product_id])
            values.append(
                {
                    "move_id": move.id,
                    "product_id": move.product_id.id,
                    "available_quantity": available,
                    "quantity": quantity,
                }
            )
        return values

    def _customer_returned_quantities(self):
        """What the customer sent back for this complaint, per product: the
        default quantity claimed from the supplier."""
        quantities = defaultdict(float)
        returns = self.complaint_id.remedy_ids.filtered(
            lambda r: r.remedy_type in ("return", "replacement") and r.state != "cancel"
        ).picking_id.filtered(lambda p: p.picking_type_code == "incoming")
        for move in returns.move_ids.filtered(lambda m: m.state != "cancel"):
            quantities[move.product_id] += move.product_qty
        return quantities

    @api.model
    def _returnable_quantity(self, move):
        """Done quantity of ``move`` minus what was already returned (returns
        on the way count: they are not to be asked for twice)."""
        uom = move.product_id.uom_id
        done = move.product_uom._compute_quantity(move.quantity, uom)
        returned = sum(
            move.returned_move_ids.filtered(lambda m: m.state != "cancel").mapped(
                "product_qty"
            )
        )
        return max(float_round(done - returned, precision_rounding=uom.rounding), 0.0)

    def _invoice_line_values(self):
        invoice = self.invoice_id
        if not invoice:
            return []
        credited = self._credited_quantities(invoice)
        return [
            {
                "invoice_line_id": line.id,
                "product_id": line.product_id.id,
                "available_quantity": credited[line],
                "quantity": credited[line]
                if self._is_complained(line.product_id)
                else 0.0,
            }
            for line in self._invoice_product_lines(invoice)
        ]

    @api.model
    def _invoice_product_lines(self, move):
        # in creation order: a reversal copies the lines in this order
        return move.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        ).sorted("id")

    @api.model
    def _credited_quantities(self, invoice):
        """Per product line of ``invoice``, the quantity not credited yet by
        its credit notes (the complaint's or any other, not cancelled); a
        product credited on several lines is taken off them in order."""
        credit_notes = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("reversed_entry_id", "=", invoice.id),
                    ("move_type", "=", "out_refund"),
                    ("state", "!=", "cancel"),
                ]
            )
        )
        credited = defaultdict(float)
        for line in self._invoice_product_lines(credit_notes):
            credited[line.product_id] += line.quantity
        remaining = {}
        for line in self._invoice_product_lines(invoice):
            taken = min(line.quantity, credited[line.product_id])
            credited[line.product_id] -= taken
            remaining[line] = line.quantity - taken
        return remaining

    # ------------------------------------------------------------------
    # Confirmation
    # ------------------------------------------------------------------

    def action_confirm(self):
        self.ensure_one()
        complaint = self.complaint_id
        complaint.check_access("write")
        complaint._remedy_lock(OPEN_REMEDY_TYPES[self.remedy_type])
        self._check_lines()
        # the documents are made as superuser in the complaint's company: a
        # complaint user asks for them, stock and accounting users handle them
        wizard = self.sudo().with_company(complaint.company_id)
        documents = getattr(wizard, f"_make_{self.remedy_type}")()
        names = ", ".join(doc.display_name for docs in documents for doc in docs)
        complaint.message_post(
            body=self.env._(
                "%(remedy)s requested by %(user)s: %(documents)s",
                remedy=dict(
                    self._fields["remedy_type"]._description_selection(self.env)
                )[self.remedy_type],
                user=self.env.user.name,
                documents=names,
            ),
            subtype_xmlid="mail.mt_note",
        )
        document = documents[0].with_env(self.env)
        if len(documents) == 1 and len(document) == 1 and document.has_access("read"):
            return document.get_formview_action()
        return {"type": "ir.actions.act_window_close"}

    def _check_lines(self):
        complaint = self.complaint_id
        if self.remedy_type == "credit_note":
            invoice = self.invoice_id.sudo()
            if not invoice:
                raise UserError(
                    self.env._(
                        "Complaint %(name)s has no customer invoice to credit: "
                        "link its invoice first.",
                        name=complaint.name,
                    )
                )
            if invoice.move_type != "out_invoice" or invoice.state != "posted":
                raise UserError(
                    self.env._(
                        "Invoice %(invoice)s is not a posted customer invoice: only "
                        "a posted invoice can be credited.",
                        invoice=invoice.display_name,
                    )
                )
            if not any(
                not float_is_zero(line.available_quantity, precision_digits=6)
                for line in self.line_ids
            ):
                raise UserError(
                    self.env._(
                        "Invoice %(invoice)s is already fully credited.",
                        invoice=invoice.display_name,
                    )
                )
        elif self.remedy_type == "supplier_claim":
            if complaint.root_cause_type != "supplier" or not complaint.supplier_id:
                raise UserError(
                    self.env._(
                        "Complaint %(name)s is not caused by a supplier: set its root "
                        "cause to the supplier first.",
                        name=complaint.name,
                    )
                )
            if not self.picking_id:
                raise UserError(
                    self.env._(
                        "No receipt from %(supplier)s is traced for complaint "
                        "%(name)s: link the lot or the delivery first.",
                        supplier=complaint.supplier_id.display_name,
                        name=complaint.name,
                    )
                )
        elif not self.picking_id or self.picking_id.sudo().state != "done":
            raise UserError(
                self.env._(
                    "Complaint %(name)s has no done delivery to return from: link "
                    "its delivery first.",
                    name=complaint.name,
                )
            )
        # lines come from the documents: quantities are all that may change
        for line in self.line_ids:
            digits = line.product_id.uom_id.rounding
            if float_compare(line.quantity, 0.0, precision_rounding=digits) < 0:
                raise UserError(self.env._("Quantities cannot be negative."))
            if self.remedy_type == "credit_note" and self.credit_mode == "full":
                continue
            if (
                float_compare(
                    line.quantity, line.available_quantity, precision_rounding=digits
                )
                > 0
            ):
                raise UserError(
                    self.env._(
                        "%(product)s: %(quantity)s asked, only %(available)s left "
                        "(delivered or invoiced, minus what was already returned or "
                        "credited).",
                        product=line.product_id.display_name,
                        quantity=line.quantity,
                        available=line.available_quantity,
                    )
                )
        partial = self.remedy_type != "credit_note" or self.credit_mode == "partial"
        if partial and all(
            float_is_zero(
                line.quantity, precision_rounding=line.product_id.uom_id.rounding
            )
            for line in self.line_ids
        ):
            raise UserError(self.env._("Give a quantity on at least one line."))

    def _remedy(self, remedy_type, document):
        field = "picking_id" if document._name == "stock.picking" else "move_id"
        document.customerism_complaint_id = self.complaint_id
        return self.env["crm.complaint.remedy"].create(
            {
                "complaint_id": self.complaint_id.id,
                "remedy_type": remedy_type,
                field: document.id,
            }
        )

    def _stock_return_wizard(self, to_refund):
        """Odoo's return wizard on the transfer, with the quantities of this
        one."""
        picking = self.picking_id
        quantities = {line.move_id: line.quantity for line in self.line_ids}
        returns = (
            self.env["stock.return.picking"]
            .with_context(
                active_model="stock.picking",
                active_id=picking.id,
                active_ids=picking.ids,
            )
            .create({"picking_id": picking.id})
        )
        for return_line in returns.product_return_moves:
            return_line.write(
                {
                    "quantity": quantities.get(return_line.move_id, 0.0),
                    "to_refund": to_refund,
                }
            )
        return returns

    def _make_return(self):
        return_picking = self._stock_return_wizard(self.to_refund)._create_return()
        self._remedy("return", return_picking)
        return [return_picking]

    def _make_replacement(self):
        """Odoo 18's return-and-exchange: the goods come back and the same
        goods leave again through the sales order's procurement (same route,
        same sales line). The return updates the sales order's delivered
        quantity and the new delivery restores it: the customer is not invoiced
        twice."""
        Move = self.env["stock.move"]
        last_move = Move.search([], order="id desc", limit=1).id
        action = self._stock_return_wizard(True).action_create_exchanges()
        return_picking = self.env["stock.picking"].browse(action["res_id"])
        sent = Move.search(
            [
                ("id", ">", last_move),
                ("picking_id", "!=", return_picking.id),
                ("picking_code", "=", "outgoing"),
                ("product_id", "in", self.line_ids.product_id.ids),
            ]
        ).picking_id
        for picking in return_picking | sent:
            self._remedy("replacement", picking)
        return [return_picking | sent]

    def _make_credit_note(self):
        invoice = self.invoice_id
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "move_ids": [Command.set(invoice.ids)],
                    "journal_id": invoice.journal_id.id,
                    "reason": self.reason
                    or self.env._("Complaint %(name)s", name=self.complaint_id.name),
                    "date": fields.Date.context_today(self),
                }
            )
        )
        reversal.refund_moves()
        credit_note = reversal.new_move_ids
        # the reversal credits the whole invoice: keep the quantities asked
        # (partial) or not credited yet (full)
        wanted = {
            line.invoice_line_id: (
                line.available_quantity if self.credit_mode == "full" else line.quantity
            )
            for line in self.line_ids
        }
        commands = []
        for invoice_line, credit_line in zip(
            self._invoice_product_lines(invoice),
            self._invoice_product_lines(credit_note),
            strict=True,
        ):
            quantity = wanted.get(invoice_line, 0.0)
            rounding = invoice_line.product_uom_id.rounding or 0.01
            if float_is_zero(quantity, precision_rounding=rounding):
                commands.append(Command.unlink(credit_line.id))
            elif float_compare(
                quantity, credit_line.quantity, precision_rounding=rounding
            ):
                commands.append(Command.update(credit_line.id, {"quantity": quantity}))
        if commands:
            credit_note.write({"invoice_line_ids": commands})
        self._remedy("credit_note", credit_note)
        return [credit_note]

    def _make_supplier_claim(self):
        return_picking = self._stock_return_wizard(True)._create_return()
        self._remedy("supplier_return", return_picking)
        vendor_credit = self.env["account.move"].create(self._vendor_credit_values())
        self._remedy("supplier_credit", vendor_credit)
        return [return_picking, vendor_credit]

    def _vendor_credit_values(self):
        """A draft vendor credit note for the claimed goods, at the price of
        their purchase (the purchase line is kept, so that the purchase order
        counts it as credited); without a purchase, at the supplier's price."""
        supplier = self.complaint_id.supplier_id.commercial_partner_id
        lines = self.line_ids.filtered("quantity")
        purchase = lines.move_id.purchase_line_id.order_id[:1]
        values = (
            purchase.with_context(default_move_type="in_refund")._prepare_invoice()
            if purchase
            else {
                "move_type": "in_refund",
                "partner_id": supplier.id,
                "company_id": self.complaint_id.company_id.id,
            }
        )
        invoice_lines = []
        for line in lines:
            purchase_line = line.move_id.purchase_line_id
            if purchase_line:
                line_values = purchase_line._prepare_account_move_line()
            else:
                seller = line.product_id._select_seller(
                    partner_id=supplier, quantity=line.quantity
                )
                line_values = {
                    "product_id": line.product_id.id,
                    "price_unit": seller.price or line.product_id.standard_price,
                }
            line_values["quantity"] = line.quantity
            invoice_lines.append(Command.create(line_values))
        values.update(
            invoice_line_ids=invoice_lines,
            customerism_complaint_id=self.complaint_id.id,
            ref=self.env._(
                "Supplier claim: complaint %(name)s", name=self.complaint_id.name
            ),
        )
        return values


class CrmComplaintRemedyWizardLine(models.TransientModel):
    _name = "crm.complaint.remedy.wizard.line"
    _description = "Complaint Remedy Line"

    wizard_id = fields.Many2one(
        "crm.complaint.remedy.wizard", required=True, ondelete="cascade"
    )
    move_id = fields.Many2one("stock.move", string="Stock Move")
    invoice_line_id = fields.Many2one("account.move.line")
    product_id = fields.Many2one("product.product", required=True)
    uom_id = fields.Many2one(related="product_id.uom_id")
    available_quantity = fields.Float(
        string="Available",
        digits="Product Unit of Measure",
        help="Delivered, received or invoiced, minus what was already returned "
        "or credited.",
    )
    quantity = fields.Float(digits="Product Unit of Measure")
