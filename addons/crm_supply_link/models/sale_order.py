from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    supply_purchase_line_ids = fields.Many2many(
        "purchase.order.line",
        "crm_supply_purchase_line_sale_order_rel",
        "sale_order_id",
        "purchase_line_id",
        string="RFQ Lines for this Demand",
        readonly=True,
        copy=False,
        groups="purchase.group_purchase_user",
    )
    supply_purchase_count = fields.Integer(
        string="Purchases for this Demand",
        compute="_compute_supply_purchase_count",
        groups="purchase.group_purchase_user",
    )

    def unlink(self):
        # a deleted quotation leaves no write_date behind: refresh its customers
        customers = self.partner_id.commercial_partner_id
        result = super().unlink()
        self.env["crm.supplier.customer.report"]._refresh(customers.ids)
        return result

    def _compute_supply_purchase_count(self):
        for order in self:
            order.supply_purchase_count = len(order.supply_purchase_line_ids.order_id)

    def action_view_supply_purchases(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Purchases for %(order)s", order=self.name),
            "res_model": "purchase.order",
            "view_mode": "list,form",
            "domain": [("id", "in", self.supply_purchase_line_ids.order_id.ids)],
        }
