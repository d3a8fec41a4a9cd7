from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "customerism")
class TestSupplyDemandTour(HttpCase):
    def test_customer_demand_to_draft_rfq(self):
        """A purchase user opens Customer Demand, selects a key account's
        shortage and gets a draft RFQ whose line names the quotation."""
        new_test_user(
            self.env,
            login="sd_tour_buyer",
            groups="purchase.group_purchase_user,sales_team.group_sale_salesman_all_leads,"
            "stock.group_stock_user",
        )
        vendor = self.env["res.partner"].create(
            {"name": "Tour Valve Vendor", "is_company": True}
        )
        customer = self.env["res.partner"].create(
            {"name": "Tour Key Account", "is_company": True}
        )
        self.env["crm.customer.profile"].sudo().create(
            {
                "partner_id": customer.id,
                "company_id": self.env.company.id,
                "grade_override": "vip",
                "grade_override_reason": "Tour",
            }
        )
        product = self.env["product.product"].create(
            {
                "name": "Tour Valve",
                "is_storable": True,
                "seller_ids": [
                    Command.create({"partner_id": vendor.id, "price": 7, "delay": 2})
                ],
            }
        )
        quotation = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 30})
                ],
            }
        )
        self.start_tour(
            "/odoo/action-crm_supply_link.crm_supply_demand_action_server",
            "crm_supply_demand_tour",
            login="sd_tour_buyer",
        )
        line = self.env["purchase.order.line"].search([("product_id", "=", product.id)])
        self.assertEqual(line.order_id.partner_id, vendor)
        self.assertEqual(line.order_id.state, "draft")
        # 30 quoted, weighted by the company default of 20%
        self.assertAlmostEqual(line.product_qty, 6)
        self.assertEqual(line.customer_order_ids, quotation)
