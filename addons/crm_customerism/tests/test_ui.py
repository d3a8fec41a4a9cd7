from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "customerism")
class TestUi(HttpCase):
    def test_customerism_tour(self):
        new_test_user(
            self.env,
            login="cv_tour",
            groups="crm_customerism.group_crm_customerism_manager,sales_team.group_sale_salesman",
        )
        product = self.env["product.product"].create(
            {"name": "Tour service", "type": "service"}
        )
        customer = self.env["res.partner"].create(
            {"name": "Tour Customer Co", "is_company": True}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "price_unit": 5000, "tax_id": False}
                    )
                ],
            }
        )
        order.action_confirm()
        self.env["crm.customer.profile"]._recompute_all(company=self.env.company)
        self.start_tour("/odoo", "crm_customerism_tour", login="cv_tour")
