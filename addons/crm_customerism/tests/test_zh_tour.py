from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "customerism")
class TestZhTour(HttpCase):
    """A user and a portal customer reading Simplified Chinese walk the
    customer pyramid, a complaint (its stage reason and notes) and the
    complaint's portal page: every label they meet is Chinese."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            ["base", "web", "mail", "portal", "crm_customerism"],
            ["zh_CN"],
            overwrite=True,
        )

    def test_zh_cn_tour(self):
        user = new_test_user(
            self.env,
            login="cx_zh_tour",
            groups="crm_customerism.group_crm_customerism_manager,"
            "sales_team.group_sale_salesman",
            lang="zh_CN",
        )
        product = self.env["product.product"].create(
            {"name": "Tour pump", "type": "service"}
        )
        customer = self.env["res.partner"].create(
            {"name": "中文巡检贸易有限公司", "is_company": True}
        )
        contact = self.env["res.partner"].create(
            {
                "name": "王小明",
                "parent_id": customer.id,
                "email": "wang@zh-tour.example",
            }
        )
        portal = new_test_user(
            self.env,
            login="cx_zh_portal",
            groups="base.group_portal",
            partner_id=contact.id,
            lang="zh_CN",
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
        complaint = self.env["crm.complaint"].create(
            {
                "subject": "水泵漏水",
                "partner_id": contact.id,
                "channel": "portal",
                "severity": "critical",
            }
        )
        complaint._post_portal_filing_note(contact)
        self.env["crm.customer.profile"]._recompute_all(company=self.env.company)
        self.assertEqual(customer.customer_profile_id.lifecycle_stage, "at_risk")
        self.start_tour(
            "/odoo/action-crm_customerism.crm_customer_profile_action_list",
            "crm_customerism_zh_tour",
            login=user.login,
        )
        self.assertEqual(complaint.stage, "acknowledged")
        self.start_tour(
            f"/my/complaints/{complaint.id}",
            "crm_customerism_zh_portal_tour",
            login=portal.login,
        )
