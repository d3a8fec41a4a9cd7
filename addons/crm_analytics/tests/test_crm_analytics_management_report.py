"""The printable management report: a real PDF printed by wkhtmltopdf
through Odoo's report action, read back with pdftotext, in Chinese and in
English, with the figures of the small data set; bad periods and a company
without data. A past period's pyramid and lifecycle come from the month-end
snapshots, today's from the live profiles, and churn and recovery from the
snapshots: the stage history (which says otherwise here) is not read for
them."""

import base64
import io
import subprocess
import unicodedata
from datetime import timedelta

import openpyxl

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import config

from .reports_common import ReportData

REPORT = "crm_analytics.crm_analytics_management_report_action"


@tagged("post_install", "-at_install")
class TestCrmAnalyticsManagementReport(ReportData):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            ["crm_customerism", "crm_analytics"], ["zh_CN"], overwrite=True
        )
        # the lifecycle of June, as dated stage changes: two customers lapse,
        # one of them comes back
        History = cls.env["crm.customer.stage.history"]
        partners = cls.alpha | cls.beta | cls.gamma
        History.search([("partner_id", "in", partners.ids)]).unlink()
        changes = [
            (cls.alpha, "2025-06-05", "growth", "at_risk"),
            (cls.alpha, "2025-06-10", "at_risk", "lapsed"),
            (cls.beta, "2025-06-12", "maturity", "lapsed"),
            (cls.alpha, "2025-06-20", "lapsed", "recovered"),
            (cls.gamma, "2025-05-20", "growth", "lapsed"),
        ]
        History.create(
            [
                {
                    "profile_id": cls.Profile.search(
                        [
                            ("partner_id", "=", partner.id),
                            ("company_id", "=", cls.company.id),
                        ]
                    ).id,
                    "partner_id": partner.id,
                    "company_id": cls.company.id,
                    "date": date,
                    "stage_from": stage_from,
                    "stage_to": stage_to,
                }
                for partner, date, stage_from, stage_to in changes
            ]
        )
        # the month-end snapshots of May and June: (stage, grade, 12-month
        # value). In June alpha lapses and comes back within the month (no
        # churn between the two month ends), beta lapses (1 churned of the 2
        # buying and not lapsed in May), gamma stays lapsed (0 recovered of
        # 1); the pyramid of June 30 differs from today's profiles
        month_ends = {
            cls.alpha: (("growth", "major", 5000), ("recovered", "vip", 7500)),
            cls.beta: (("maturity", "vip", 200), ("lapsed", "major", 200)),
            cls.gamma: (("lapsed", "small", 700), ("lapsed", "small", 700)),
        }
        cls.env["crm.customer.snapshot"].create(
            [
                {
                    "date": day,
                    "company_id": cls.company.id,
                    "partner_id": partner.id,
                    "lifecycle_stage": stage,
                    "grade": grade,
                    "current_value": value,
                }
                for partner, rows in month_ends.items()
                for day, (stage, grade, value) in zip(
                    ("2025-05-31", "2025-06-30"), rows, strict=True
                )
            ]
        )
        # wkhtmltopdf loads the report's styles from the test server
        cls.env["ir.config_parameter"].set_param(
            "report.url", f"http://127.0.0.1:{config['http_port']}"
        )
        cls.Wizard = cls.env["crm.analytics.management.report.wizard"].with_user(
            cls.report_manager
        )

    def _wizard(self, date_from="2025-06-01", date_to="2025-06-30", **vals):
        return self.Wizard.create(
            {"date_from": date_from, "date_to": date_to, "lang": "zh_CN", **vals}
        )

    def _pdf_text(self, wizard):
        pdf, report_type = (
            self.env["ir.actions.report"]
            .with_user(self.report_manager)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(REPORT, wizard.ids)
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        result = subprocess.run(
            ["pdftotext", "-layout", "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        )
        # NFKC: pdftotext reads some ideographs of the CJK font as their
        # Kangxi radical twins (U+2F29 for 小)
        text = unicodedata.normalize("NFKC", result.stdout.decode())
        return " ".join(text.split())

    def test_figures(self):
        figures = self._wizard()._report_figures()
        net = {row["key"]: row for row in figures["key_figures"]}["net_value"]
        # June: alpha 3000 - 500 credit note, beta 200; the 30 days before: 5000
        self.assertEqual((net["value"], net["previous"]), (2700, 5000))
        self.assertAlmostEqual(net["change"], -46.0)
        # June is past: the pyramid and the lifecycle of its last day, from
        # the snapshots (today's profiles have alpha major and beta VIP)
        pyramid = {row["grade"]: row for row in figures["pyramid"]}
        self.assertEqual(
            [row["grade"] for row in figures["pyramid"]],
            ["vip", "major", "ordinary", "small"],
        )
        self.assertEqual(
            [(row["customers"], row["value"]) for row in figures["pyramid"]],
            [(1, 7500), (1, 200), (0, 0), (1, 700)],
        )
        self.assertAlmostEqual(pyramid["vip"]["value_share"], 7500 / 8400 * 100)
        self.assertAlmostEqual(pyramid["small"]["customer_share"], 100 / 3)
        lifecycle = {row["stage"]: row["customers"] for row in figures["lifecycle"]}
        self.assertEqual(
            {stage: count for stage, count in lifecycle.items() if count},
            {"recovered": 1, "lapsed": 2},
        )
        self.assertIn("2025-06-30", figures["as_of"])
        # churn and recovery between the month ends (the stage history says
        # 2 lapsed and 1 recovered in June)
        self.assertEqual(
            figures["churn"],
            [
                {
                    "month": "2025-06",
                    "active": 2,
                    "churned": 1,
                    "churn_rate": 50.0,
                    "lapsed": 1,
                    "recovered": 0,
                    "recovery_rate": 0.0,
                }
            ],
        )
        self.assertEqual(figures["complaints"]["complaint_count"], 3)
        self.assertEqual(figures["complaints"]["remedy_cost"], 500)
        [supplier] = figures["suppliers"]
        self.assertEqual(
            (supplier["complaint_count"], supplier["over_sla_count"]), (2, 1)
        )

    def test_pyramid_today_and_months_without_snapshots(self):
        today = fields.Date.context_today(self.report_manager)
        wizard = self._wizard(
            date_from=today - timedelta(days=40), date_to=today, lang="en_US"
        )
        figures = wizard._report_figures()
        # the period reaches today: the live profiles (grades overridden:
        # alpha major, beta VIP, gamma small; 12-month values of 2025-06-30)
        self.assertEqual(
            [(row["customers"], row["value"]) for row in figures["pyramid"]],
            [(1, 200), (1, 7500), (0, 0), (1, 700)],
        )
        self.assertEqual(
            figures["as_of"],
            f"Customers today ({today}), from the live customer profiles.",
        )
        # no snapshots at these month ends: no figure, not a zero
        self.assertEqual(
            len(figures["churn"]),
            len({today.month, (today - timedelta(days=40)).month}),
        )
        self.assertEqual(
            {row["churned"] for row in figures["churn"]}
            | {row["churn_rate"] for row in figures["churn"]},
            {None},
        )
        # a past period without snapshots says so
        figures = self._wizard(
            date_from="2025-03-01", date_to="2025-03-20", lang="en_US"
        )._report_figures()
        self.assertEqual(sum(row["customers"] for row in figures["pyramid"]), 0)
        self.assertIn("No monthly snapshot at 2025-02-28", figures["as_of"])

    def test_pdf_in_chinese_and_english(self):
        text = self._pdf_text(self._wizard())
        for heading in (
            "客户管理报告",
            "客户金字塔",
            "生命周期与转换",
            "流失与挽回",
            "投诉与满意度",
            "供应商质量",
        ):
            self.assertIn(heading, text)
        self.assertIn("2,700.00 5,000.00 -46.00", text)
        self.assertIn("报表供应商 2 1 500.00", text)
        self.assertIn("2025-06 2 1 50.00 1 0 0.00", text)
        self.assertIn("2025-06-30", text)
        english = self._pdf_text(self._wizard(lang="en_US"))
        self.assertIn("Customer Pyramid", english)
        self.assertIn("Supplier Quality", english)
        self.assertNotIn("客户金字塔", english)

    def test_bad_period_and_empty_reports(self):
        count = self.Wizard.search_count([])
        # Odoo's assertRaises rolls back to a savepoint, as a request would
        with self.assertRaises(UserError) as english:
            self._wizard(date_from="2025-06-30", date_to="2025-06-01", lang="en_US")
        self.assertEqual(
            str(english.exception),
            "The period ends on 2025-06-01, before it starts on 2025-06-30.",
        )
        with self.assertRaises(UserError) as chinese:
            self.Wizard.with_context(lang="zh_CN").create(
                {"date_from": "2025-06-30", "date_to": "2025-06-01"}
            )
        self.assertEqual(
            str(chinese.exception), "期间结束日期 2025-06-01 早于开始日期 2025-06-30。"
        )
        self.assertEqual(self.Wizard.search_count([]), count)
        # an empty period: zeros, no traceback
        empty = self._wizard(date_from="2030-01-01", date_to="2030-01-31", lang="en_US")
        text = self._pdf_text(empty)
        self.assertIn("No stage change in this period.", text)
        self.assertIn("2030-01 — — — — — —", text)
        # a company without data
        bare = self.env["res.company"].create({"name": "Bare Co"})
        self.report_manager.company_ids = [Command.link(bare.id)]
        figures = self._wizard(company_id=bare.id)._report_figures()
        self.assertEqual(figures["complaints"]["complaint_count"], 0)
        self.assertEqual(sum(row["customers"] for row in figures["pyramid"]), 0)
        self.assertIn(
            "No complaint traced to a supplier",
            self._pdf_text(self._wizard(company_id=bare.id, lang="en_US")),
        )

    def test_mixed_currencies(self):
        """An order in a foreign currency counts at its rate in the company's
        currency; each company reports in its own currency."""
        eur = self.env.ref("base.EUR")
        eur.active = True
        currency = self.company.currency_id
        self.assertNotEqual(currency, eur)
        self.env["res.currency.rate"].create(
            {
                "currency_id": eur.id,
                "rate": 2.0,
                "name": "2025-01-01",
                "company_id": self.company.id,
            }
        )
        pricelist = self.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": eur.id}
        )
        delta = self._partner("报表欧元客户")
        self._order(delta, "2025-08-10", 1000, pricelist=pricelist)  # 500
        self._order(delta, "2025-08-20", 300)
        wizard = self._wizard(
            date_from="2025-08-01", date_to="2025-08-31", lang="en_US"
        )
        net = wizard._report_figures()["key_figures"][0]
        self.assertEqual(net["label"], f"Net value ({currency.name})")
        self.assertAlmostEqual(net["value"], 500 + 300)
        # a company in euros: its figures and units in euros
        euro_co = self.env["res.company"].create(
            {"name": "Report Euro Co", "currency_id": eur.id}
        )
        self.report_manager.company_ids = [Command.link(euro_co.id)]
        wizard = self._wizard(company_id=euro_co.id, lang="en_US")
        self.assertEqual(
            wizard._report_figures()["key_figures"][0]["label"], "Net value (EUR)"
        )
        wizard.action_export_xlsx()
        pyramid = self._read_xlsx(wizard.xlsx_file)["Customer Pyramid"]
        self.assertEqual(pyramid[0][3], "Value, 12 Months (EUR)")
        self.assertIn("Value, 12 Months (EUR)", self._pdf_text(wizard))

    def test_managers_only(self):
        analyst = new_test_user(
            self.env,
            login="mr_analyst",
            groups="crm_analytics.group_crm_analytics_user",
        )
        wizards = self.env["crm.analytics.management.report.wizard"].with_user(analyst)
        with self.assertRaises(AccessError):
            wizards.create({"date_from": "2025-06-01", "date_to": "2025-06-30"})

    def test_xlsx_export_with_units(self):
        wizard = self._wizard(lang="en_US")
        action = wizard.action_export_xlsx()
        self.assertIn("xlsx_file", action["url"])
        sheets = self._read_xlsx(wizard.xlsx_file)
        currency = self.company.currency_id.name
        pyramid = sheets["Customer Pyramid"]
        self.assertEqual(
            pyramid[0],
            [
                "Grade",
                "Customers",
                "Customers (%)",
                f"Value, 12 Months ({currency})",
                "Value (%)",
            ],
        )
        self.assertEqual(pyramid[2][:2], ["Major", 1])
        self.assertEqual(pyramid[2][3], 200)
        self.assertEqual(
            pyramid[-1],
            ["Customers at the month end 2025-06-30, from the monthly snapshots."]
            + [None] * 4,
        )
        suppliers = sheets["Supplier Quality"]
        self.assertIn(f"Cost of Remedies ({currency})", suppliers[0])
        self.assertEqual(suppliers[1][:3], ["报表供应商", 2, 1])
        self.assertEqual(
            sheets["Churn and Recovery"][1], ["2025-06", 2, 1, 50, 1, 0, 0]
        )
        chinese = self._wizard()
        chinese.action_export_xlsx()
        self.assertIn("客户金字塔", self._read_xlsx(chinese.xlsx_file))

    def _read_xlsx(self, data):
        """Sheet title -> rows of values of the file the user downloads."""
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(data)))
        return {
            sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets
        }
