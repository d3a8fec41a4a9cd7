from odoo import api, fields, models


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    customer_order_ids = fields.Many2many(
        "sale.order",
        "crm_supply_purchase_line_sale_order_rel",
        "purchase_line_id",
        "sale_order_id",
        string="For Customer Orders",
        readonly=True,
        copy=False,
        help="The customer orders and quotations whose demand this line covers.",
    )

    @api.model
    def _prepare_purchase_order_line_from_procurement(
        self,
        product_id,
        product_qty,
        product_uom,
        location_dest_id,
        name,
        origin,
        company_id,
        values,
        po,
    ):
        res = super()._prepare_purchase_order_line_from_procurement(
            product_id,
            product_qty,
            product_uom,
            location_dest_id,
            name,
            origin,
            company_id,
            values,
            po,
        )
        if values.get("customer_order_ids"):
            res["customer_order_ids"] = [
                fields.Command.set(values["customer_order_ids"].ids)
            ]
        return res
