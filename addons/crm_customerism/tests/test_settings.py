from lxml import etree

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import CustomerismCase


@tagged("post_install", "-at_install", "customerism")
class TestSettings(CustomerismCase):
    def test_defaults(self):
        company = self.env["res.company"].create({"name": "Defaults Co"})
        self.assertEqual(
            [
                company.customerism_vip_pct,
                company.customerism_major_pct,
                company.customerism_ordinary_pct,
                company.customerism_small_pct,
            ],
            [1, 19, 30, 50],
        )
        self.assertEqual(company.customerism_tier_major, "expert")

    def test_bad_thresholds_refused(self):
        company = self.company
        with (
            self.assertRaisesRegex(ValidationError, "add up to 100%"),
            self.env.cr.savepoint(),
        ):
            company.write({"customerism_vip_pct": 5})
        with (
            self.assertRaisesRegex(ValidationError, "between 0% and 100%"),
            self.env.cr.savepoint(),
        ):
            company.write({"customerism_vip_pct": -10, "customerism_major_pct": 30})
        with (
            self.assertRaisesRegex(ValidationError, "discount rate"),
            self.env.cr.savepoint(),
        ):
            company.write({"customerism_discount_rate": 1.5})
        with (
            self.assertRaisesRegex(ValidationError, "discount rate"),
            self.env.cr.savepoint(),
        ):
            company.write({"customerism_discount_rate": 0})
        with (
            self.assertRaisesRegex(ValidationError, "growth threshold"),
            self.env.cr.savepoint(),
        ):
            company.write({"customerism_growth_rate": -0.1})
        with (
            self.assertRaisesRegex(ValidationError, "must be positive"),
            self.env.cr.savepoint(),
        ):
            company.write({"customerism_lapse_days": -5})
        with (
            self.assertRaisesRegex(ValidationError, "shorter than the lapse limit"),
            self.env.cr.savepoint(),
        ):
            company.write({"customerism_at_risk_days": 400})
        # a consistent change is accepted
        company.write({"customerism_vip_pct": 5, "customerism_major_pct": 15})
        self.assertEqual(company.customerism_vip_pct, 5)

    def test_bad_complaint_and_contact_settings_refused(self):
        company = self.company
        bad_values = [
            ({"customerism_complaint_repeat_count": -1}, "repeated complaints"),
            ({"customerism_complaint_repeat_days": 0}, "period of the repeated"),
            ({"customerism_contact_cap": -2}, "contact cap cannot be negative"),
            ({"customerism_contact_cap_days": 0}, "period of the marketing"),
        ]
        for values, message in bad_values:
            with (
                self.subTest(values=values),
                self.assertRaisesRegex(ValidationError, message),
                self.env.cr.savepoint(),
            ):
                company.write(values)
        # the settings refuse them too
        settings = Form(self.env["res.config.settings"])
        settings.customerism_contact_cap_days = -30
        with self.assertRaisesRegex(ValidationError, "period of the marketing"):
            settings.save().execute()
        # 0 disables the repeated-complaint rule and the cap; 1 day is a period
        company.write(
            {
                "customerism_complaint_repeat_count": 0,
                "customerism_complaint_repeat_days": 1,
                "customerism_contact_cap": 0,
                "customerism_contact_cap_days": 1,
            }
        )
        self.assertEqual(company.customerism_contact_cap_days, 1)

    def test_settings_form(self):
        settings = Form(
            self.env["res.config.settings"].with_user(self.env.ref("base.user_admin"))
        )
        settings.customerism_vip_share = 0.02
        settings.customerism_major_share = 0.18
        settings.customerism_lapse_days = 400
        settings.save().execute()
        self.assertEqual(self.company.customerism_vip_pct, 2)
        self.assertEqual(self.company.customerism_major_pct, 18)
        self.assertEqual(self.company.customerism_lapse_days, 400)
        settings = Form(self.env["res.config.settings"])
        self.assertEqual(settings.customerism_ordinary_share, 0.3)
        settings.customerism_small_share = 0.6
        with self.assertRaisesRegex(ValidationError, "add up to 100%"):
            settings.save().execute()

    def test_settings_one_percent_convention(self):
        """Grade shares and rates are all 0-1 fractions shown as percentages
        by the same widget."""
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"][
            "form"
        ]["arch"]
        root = etree.fromstring(arch)
        app = root.xpath("//app[@name='crm_customerism']")[0]
        for fname in (
            "customerism_vip_share",
            "customerism_major_share",
            "customerism_ordinary_share",
            "customerism_small_share",
            "customerism_discount_rate",
            "customerism_margin_rate",
            "customerism_default_retention",
            "customerism_growth_rate",
            "customerism_decline_rate",
            "customerism_retention_vip",
        ):
            with self.subTest(field=fname):
                nodes = app.xpath(f".//field[@name='{fname}']")
                self.assertEqual(len(nodes), 1)
                self.assertEqual(nodes[0].get("widget"), "percentage")
        self.assertFalse(app.xpath(".//field[contains(@name, '_pct')]"))
        self.assertNotIn("(0-1)", etree.tostring(app, encoding="unicode"))
        # a rate out of range is told in percent, as it is entered
        settings = Form(self.env["res.config.settings"])
        settings.customerism_growth_rate = 1.5
        with self.assertRaisesRegex(ValidationError, "between 0% and 100%, not 150%"):
            settings.save().execute()

    def test_complaint_alias_in_settings(self):
        alias = self.env.ref("crm_customerism.mail_alias_crm_complaint")
        domain = self.env["mail.alias.domain"].create({"name": "customerism.example"})
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"][
            "form"
        ]["arch"]
        self.assertIn('name="customerism_complaint_alias_name"', arch)
        settings = Form(self.env["res.config.settings"])
        self.assertEqual(settings.customerism_complaint_alias_name, alias.alias_name)
        settings.customerism_complaint_alias_name = "tousu"
        settings.customerism_complaint_alias_domain_id = domain
        settings.save().execute()
        self.assertEqual(alias.alias_full_name, "tousu@customerism.example")
        self.assertEqual(alias.alias_model_id.model, "crm.complaint")
        # emptied: no complaint alias any more
        settings = Form(self.env["res.config.settings"])
        self.assertEqual(settings.customerism_complaint_alias_name, "tousu")
        settings.customerism_complaint_alias_name = False
        settings.save().execute()
        self.assertFalse(alias.alias_name)
        # deleted by hand, it is created again from the settings
        alias.unlink()
        settings = Form(self.env["res.config.settings"])
        settings.customerism_complaint_alias_name = "complaint"
        settings.save().execute()
        alias = self.env.ref("crm_customerism.mail_alias_crm_complaint")
        self.assertEqual(alias.alias_name, "complaint")
        self.assertEqual(alias.alias_model_id.model, "crm.complaint")
