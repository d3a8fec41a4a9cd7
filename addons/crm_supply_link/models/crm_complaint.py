from odoo import api, fields, models


class CrmComplaint(models.Model):
    """Links a complaint to the delivery and the lot it is about, and traces the
    supplier of a supplier-caused complaint back through stock and purchase."""

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
