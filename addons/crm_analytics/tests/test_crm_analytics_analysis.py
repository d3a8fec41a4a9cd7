"""The pandas analyses run from Odoo on a company's real records: the
tables shown and the XLSX exported hold the figures of the data."""

import base64
import io

import openpyxl
import pandas as pd
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.crm_customerism.tests.common import TODAY, CustomerismCase

from ..analysis.churn_drivers import churn_drivers


@tagged("post_install", "-at_install")
class TestCrmAnalyticsAnalysis(CustomerismCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # two January cohort customers, one of whom buys again in March, and
        # a February one
        cls.alpha = cls._partner("Alpha")
        cls.beta = cls._partner("Beta")
        cls.gamma = cls._partner("Gamma")
        cls._order(cls.alpha, "2025-01-10", 1000)
        cls._order(cls.alpha, "2025-03-05", 500)
        cls._order(cls.beta, "2025-01-20", 200)
        cls._order(cls.gamma, "2025-02-14", 300)
        cls.analyst = new_test_user(
            cls.env,
            login="analyst",
            groups="crm_analytics.group_crm_analytics_user,"
            "sales_team.group_sale_salesman_all_leads",
            company_ids=[Command.link(cls.company.id)],
        )

    def _run(self, analysis, **vals):
        wizard = (
            self.env["crm.analytics.analysis"]
            .with_user(self.analyst)
            .create({"analysis": analysis, "date_to": TODAY, **vals})
        )
        wizard.action_run()
        return wizard

    def _sheet(self, wizard):
        action = wizard.action_export_xlsx()
        self.assertEqual(action["target"], "download")
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.xlsx_file)))
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]

    def test_cohort_retention(self):
        wizard = self._run("cohort_retention", date_to="2025-03-31")
        self.assertIn("2025-01", wizard.result_html)
        rows = self._sheet(wizard)
        self.assertEqual(
            rows[0],
            [
                "First Purchase",
                "Customers",
                "Month 0 (%)",
                "Month 1 (%)",
                "Month 2 (%)",
            ],
        )
        self.assertEqual(rows[1], ["2025-01", 2, 100, 0, 50])
        self.assertEqual(rows[2], ["2025-02", 1, 100, 0, None])  # April is future
        self.assertTrue(wizard.xlsx_filename.endswith(".xlsx"))

    def test_rfm_segments_from_the_profiles(self):
        self._recompute()
        wizard = self._run("rfm_segments")
        rows = self._sheet(wizard)
        self.assertEqual(rows[0][:3], ["Segment", "Customers", "Customers (%)"])
        self.assertEqual(len(rows), 11)  # the header and the ten segments
        profiles = self.Profile.search([("recency_score", ">", 0)])
        self.assertEqual(sum(row[1] for row in rows[1:]), len(profiles))
        self.assertAlmostEqual(sum(row[2] for row in rows[1:]), 100.0, places=1)

    def test_clv_distribution(self):
        self._recompute()
        wizard = self._run("clv_distribution")
        rows = self._sheet(wizard)
        everyone = rows[1]
        self.assertEqual(everyone[0], "All Customers")
        values = self.Profile.search([("lifetime_value", ">", 0)]).mapped(
            "lifetime_value"
        )
        self.assertEqual(everyone[1], len(values))
        self.assertAlmostEqual(everyone[2], round(sum(values), 2))

    def test_churn_drivers_on_lapsed_and_active_customers(self):
        """The table is the regression of the lapse on the figures read from
        the profiles: built here by hand from the orders made."""
        # (lapsed, [(date, amount), ...]): lapsed = no order for 365 days
        histories = [
            (1, [("2023-03-01", 100)]),
            (1, [("2023-02-01", 300), ("2023-09-01", 200)]),
            (1, [("2023-05-10", 900)]),
            (1, [("2022-11-01", 400), ("2023-01-15", 80), ("2023-06-01", 120)]),
            (1, [("2024-04-04", 250)]),
            (1, [("2024-01-01", 60), ("2024-03-01", 500)]),
            (0, [("2023-03-03", 500), ("2025-05-01", 300)]),
            (0, [("2025-04-01", 90)]),
            (0, [("2023-01-20", 60), ("2024-10-01", 70), ("2025-06-01", 80)]),
            (0, [("2024-12-12", 1000)]),
            (0, [("2023-07-07", 150), ("2025-02-02", 200)]),
            (0, [("2022-12-01", 100), ("2025-03-03", 100)]),
            (0, [("2024-03-01", 300), ("2024-09-09", 100), ("2025-06-10", 50)]),
        ]
        expected = []
        for index, (lapsed, orders) in enumerate(histories):
            partner = self._partner(f"Churn {index}")
            for date, amount in orders:
                self._order(partner, date, amount)
            first = pd.Timestamp(orders[0][0])
            expected.append(
                {
                    "lapsed": lapsed,
                    "orders": len(orders),
                    "average_order": sum(a for _d, a in orders) / len(orders),
                    "tenure": (pd.Timestamp(TODAY) - first).days,
                }
            )
        # the three customers of the class: active, first orders in 2025
        for amounts in ([1000, 500], [200], [300]):
            expected.append(
                {
                    "lapsed": 0,
                    "orders": len(amounts),
                    "average_order": sum(amounts) / len(amounts),
                    "tenure": (pd.Timestamp(TODAY) - pd.Timestamp("2025-01-10")).days,
                }
            )
        expected[-2]["tenure"] = (pd.Timestamp(TODAY) - pd.Timestamp("2025-01-20")).days
        expected[-1]["tenure"] = (pd.Timestamp(TODAY) - pd.Timestamp("2025-02-14")).days
        self._recompute()
        lapsed = self.Profile.search([("lifecycle_stage", "=", "lapsed")])
        self.assertEqual(len(lapsed), 6)
        with freeze_time(f"{TODAY} 12:00:00"):
            rows = self._sheet(self._run("churn_drivers"))
        self.assertEqual(rows[0][0], "Factor (per standard deviation)")
        reference = churn_drivers(
            pd.DataFrame(expected).assign(complaints=0),
            "lapsed",
            ["complaints", "orders", "average_order", "tenure"],
        )
        labels = {
            "orders": "Orders",
            "average_order": "Average Order Value",
            "tenure": "Days Since First Order",
        }
        # no complaint at all: the factor does not vary and is left out
        self.assertEqual(
            [row[0] for row in rows[1:]], [labels[f] for f in reference["factor"]]
        )
        for row, (_i, ref) in zip(rows[1:], reference.iterrows(), strict=True):
            self.assertAlmostEqual(row[2], round(ref["odds_ratio"], 4), places=4)
            self.assertAlmostEqual(row[6], round(ref["p_value"], 4), places=4)

    def test_churn_drivers_need_lapsed_customers(self):
        self._recompute()
        with self.assertRaisesRegex(UserError, "both lapsed and active"):
            self._run("churn_drivers")

    def test_empty_period_and_other_company(self):
        with self.assertRaisesRegex(UserError, "No confirmed order"):
            self._run("cohort_retention", date_to="2024-01-31")
        other = self.env["res.company"].create({"name": "Other Analytics Co"})
        with self.assertRaises(AccessError):
            self._run("rfm_segments", company_id=other.id)

    def test_company_without_customers(self):
        """The RFM segments and the lifetime value of a company without any
        customer: tables of zeros, exported; the others say why not."""
        bare = self.env["res.company"].create({"name": "Bare Analytics Co"})
        self.analyst.company_ids = [Command.link(bare.id)]
        rows = self._sheet(self._run("rfm_segments", company_id=bare.id))
        self.assertEqual(rows[0][:2], ["Segment", "Customers"])
        self.assertEqual(len(rows), 11)  # the ten segments, all empty
        self.assertEqual({row[1] for row in rows[1:]}, {0})
        rows = self._sheet(self._run("clv_distribution", company_id=bare.id))
        self.assertEqual(rows[1][:2], ["All Customers", 0])
        with self.assertRaisesRegex(UserError, "both lapsed and active"):
            self._run("churn_drivers", company_id=bare.id)
        with self.assertRaisesRegex(UserError, "No confirmed order of Bare"):
            self._run("cohort_retention", company_id=bare.id)

    def test_a_plain_employee_cannot_run_analyses(self):
        employee = new_test_user(
            self.env, login="no_analytics", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            self.env["crm.analytics.analysis"].with_user(employee).create(
                {"analysis": "rfm_segments"}
            )
