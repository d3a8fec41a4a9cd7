from odoo import fields, models


class StockRule(models.Model):
    _inherit = "stock.rule"

    def _update_purchase_order_line(
        self, product_id, product_qty, product_uom, company_id, values, line
    ):
        """An RFQ line that takes in more customer demand names those customer
        orders too."""
        res = super()._update_purchase_order_line(
            product_id, product_qty, product_uom, company_id, values, line
        )
        if values.get("customer_order_ids"):
            res["customer_order_ids"] = [
                fields.Command.link(order.id) for order in values["customer_order_ids"]
            ]
        return res
