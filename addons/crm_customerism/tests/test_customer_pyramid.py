from lxml import etree

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import CustomerismCase

VALUES = [5000, 4000, 3000, 2000, 1000]


@tagged("post_install", "-at_install", "customerism")
class TestCustomerPyramid(CustomerismCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pyramid_company = cls.env["res.company"].create(
            {"name": "Pyramid Screen Co", "currency_id": cls.env.ref("base.USD").id}
        )
        cls.customers = cls.env["res.partner"]
        for index, amount in enumerate(VALUES):
            partner = cls._partner(f"Pyramid Screen {index}")
            cls._order(partner, "2025-06-01", amount, company=cls.pyramid_company)
            cls.customers |= partner
        cls.prospect = cls._partner("Pyramid Screen Prospect")
        contact = cls.env["res.partner"].create(
            {"name": "Buyer", "parent_id": cls.prospect.id}
        )
        cls.env["crm.lead"].create(
            [
                {
                    "name": "Tea sets",
                    "type": "opportunity",
                    "partner_id": contact.id,
                    "company_id": cls.pyramid_company.id,
                    "expected_revenue": 8000,
                },
                {
                    "name": "Cups",
                    "type": "opportunity",
                    "partner_id": cls.prospect.id,
                    "company_id": cls.pyramid_company.id,
                    "expected_revenue": 2000,
                },
                {
                    "name": "Won already",
                    "type": "opportunity",
                    "partner_id": cls.prospect.id,
                    "company_id": cls.pyramid_company.id,
                    "expected_revenue": 500,
                    "probability": 100,
                },
            ]
        )

    def test_pyramid_figures(self):
        self._recompute(self.pyramid_company)
        data = (
            self.env["crm.customer.pyramid"]
            .with_company(self.pyramid_company)
            .get_pyramid_data()
        )
        levels = data["levels"]
        # 1% VIP, then up to 20%, 50% of the 5 graded customers
        self.assertEqual(
            [(level["grade"], level["count"], level["value"]) for level in levels],
            [
                ("vip", 1, 5000),
                ("major", 0, 0),
                ("ordinary", 2, 7000),
                ("small", 2, 3000),
            ],
        )
        self.assertEqual(levels[0]["label"], "VIP")
        self.assertAlmostEqual(levels[0]["count_share"], 0.2)
        self.assertAlmostEqual(levels[0]["value_share"], 5000 / 15000)
        self.assertAlmostEqual(levels[2]["value_share"], 7000 / 15000)
        self.assertAlmostEqual(levels[0]["target_share"], 0.01)
        self.assertEqual(levels[0]["service_tier"], "Expert")
        self.assertEqual((data["total_count"], data["total_value"]), (5, 15000))
        self.assertEqual(data["ungraded_count"], 1)

    def test_prospect_shows_its_pipeline(self):
        self._recompute(self.pyramid_company)
        profile = self._profile(self.prospect, self.pyramid_company)
        self.assertEqual(profile.lifecycle_stage, "prospect")
        self.assertEqual(profile.open_opportunity_count, 2)
        self.assertEqual(profile.pipeline_value, 10000)
        customer = self._profile(self.customers[0], self.pyramid_company)
        self.assertEqual(customer.open_opportunity_count, 0)
        # the card shows the pipeline instead of an empty RFM and a zero value
        arch = self.Profile.get_views([(False, "kanban")])["views"]["kanban"]["arch"]
        card = etree.fromstring(arch).xpath("//t[@t-name='card']")[0]
        rfm = card.xpath(".//field[@name='rfm_code']/ancestor::div[1]")[0]
        self.assertEqual(rfm.get("invisible"), "not rfm_code")
        value = card.xpath(".//field[@name='current_value']")[0]
        self.assertEqual(value.get("invisible"), "not order_count")
        self.assertTrue(card.xpath(".//field[@name='pipeline_value']"))

    def test_menus(self):
        pyramid = self.env.ref("crm_customerism.crm_customer_profile_menu")
        self.assertEqual(
            pyramid.action, self.env.ref("crm_customerism.crm_customer_pyramid_action")
        )
        board = self.env.ref("crm_customerism.crm_customer_profile_menu_lifecycle")
        self.assertEqual(
            board.action, self.env.ref("crm_customerism.crm_customer_profile_action")
        )
        kanban = self.Profile.get_views([(False, "kanban")])["views"]["kanban"]["arch"]
        self.assertEqual(
            etree.fromstring(kanban).get("default_group_by"), "lifecycle_stage"
        )


@tagged("post_install", "-at_install", "customerism")
class TestCustomerPyramidTour(HttpCase):
    def test_customer_pyramid_tour(self):
        user = new_test_user(
            self.env,
            login="cv_pyramid",
            groups="crm_customerism.group_crm_customerism_manager,sales_team.group_sale_salesman",
        )
        product = self.env["product.product"].create(
            {"name": "Pyramid tour service", "type": "service"}
        )
        for index, amount in enumerate(VALUES):
            customer = self.env["res.partner"].create(
                {"name": f"Pyramid Tour {index}", "is_company": True}
            )
            order = self.env["sale.order"].create(
                {
                    "partner_id": customer.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "price_unit": amount,
                                "tax_id": False,
                            }
                        )
                    ],
                }
            )
            order.action_confirm()
        prospect = self.env["res.partner"].create(
            {"name": "Pyramid Tour Prospect", "is_company": True}
        )
        self.env["crm.lead"].create(
            {
                "name": "Tour opportunity",
                "type": "opportunity",
                "partner_id": prospect.id,
                "expected_revenue": 8000,
                "user_id": user.id,
            }
        )
        self.env["crm.customer.profile"]._recompute_all(company=self.env.company)
        self.start_tour("/odoo", "crm_customer_pyramid_tour", login="cv_pyramid")
