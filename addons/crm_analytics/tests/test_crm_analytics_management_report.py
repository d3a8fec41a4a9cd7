"""The printable management report: a real PDF printed by wkhtmltopdf
through Odoo's report action, read back with pdftotext, in Chinese and in
English, with the figures of the small data set; bad periods and a company
without data."""

import base64
import io
import subprocess
import unicodedata

import openpyxl

from odoo import Command
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
        pyramid = {row["grade"]: row for row in figures["pyramid"]}
        self.assertEqual(
            [row["grade"] for row in figures["pyramid"]],
            ["vip", "major", "ordinary", "small"],
        )
        self.assertEqual(pyramid["major"]["customers"], 1)
        self.assertAlmostEqual(pyramid["major"]["value_share"], 2500 / 2700 * 100)
        self.assertEqual(pyramid["small"]["value"], 0)
        churn = {row["month"]: row for row in figures["churn"]}
        self.assertEqual(list(churn), ["2025-06"])
        self.assertEqual(
            (churn["2025-06"]["churned"], churn["2025-06"]["recovered"]), (2, 1)
        )
        self.assertEqual(figures["complaints"]["complaint_count"], 3)
        self.assertEqual(figures["complaints"]["remedy_cost"], 500)
        [supplier] = figures["suppliers"]
        self.assertEqual(
            (supplier["complaint_count"], supplier["over_sla_count"]), (2, 1)
        )

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
        self.assertIn("2030-01 0 0", text)
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
                f"Net Value ({currency})",
                "Value (%)",
            ],
        )
        self.assertEqual(pyramid[2][:2], ["Major", 1])
        self.assertEqual(pyramid[2][3], 2500)
        suppliers = sheets["Supplier Quality"]
        self.assertIn(f"Cost of Remedies ({currency})", suppliers[0])
        self.assertEqual(suppliers[1][:3], ["报表供应商", 2, 1])
        self.assertEqual(sheets["Churn and Recovery"][1], ["2025-06", 2, 1])
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
