"""The manager dashboard: a spreadsheet dashboard whose JSON names only
models, fields and menus that exist (Odoo's own check, which runs in test
mode), for managers only, opened in the Dashboards app by a Chromium tour;
its churn and recovery chart counts, through the ORM call the browser makes,
the snapshots' churn and recovery; its pyramid and funnel say "today"."""

import base64
import json

from odoo import fields
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

CHURN_CHART = "a1c0f000-0000-4000-8000-000000000012"


def dashboard_data(env):
    dashboard = env.ref("crm_analytics.spreadsheet_dashboard_customerism")
    return json.loads(base64.b64decode(dashboard.spreadsheet_binary_data))


def dashboard_figure(data, figure_id):
    [figure] = [
        figure
        for sheet in data["sheets"]
        for figure in sheet["figures"]
        if figure["id"] == figure_id
    ]
    return figure["data"]


@tagged("post_install", "-at_install")
class TestCrmAnalyticsDashboard(HttpCase):
    def setUp(self):
        super().setUp()
        self.dashboard = self.env.ref("crm_analytics.spreadsheet_dashboard_customerism")

    def test_dashboard_data_is_valid(self):
        # raises on a model, field or menu the JSON names that does not exist
        self.dashboard._check_spreadsheet_data()
        data = json.loads(base64.b64decode(self.dashboard.spreadsheet_binary_data))
        models = {pivot["model"] for pivot in data["pivots"].values()}
        self.assertEqual(
            models,
            {
                "crm.customer.value.report",
                "crm.complaint.report",
                "crm.customer.profile",
            },
        )
        charts = [
            figure["data"]["type"]
            for sheet in data["sheets"]
            for figure in sheet["figures"]
        ]
        self.assertEqual(charts.count("scorecard"), 5)
        self.assertIn("pyramid", charts)
        # every chart clicks through to a menu of its records
        figure_ids = {
            figure["id"] for sheet in data["sheets"] for figure in sheet["figures"]
        }
        self.assertEqual(set(data["chartOdooMenusReferences"]), figure_ids)
        # the live figures say they are today's
        cells = data["sheets"][0]["cells"]
        self.assertTrue(cells["A7"]["content"].startswith("[Customer pyramid today"))
        self.assertTrue(cells["A22"]["content"].startswith("[Lifecycle funnel today]"))
        titles = [
            figure["data"]["title"]["text"] for figure in data["sheets"][0]["figures"]
        ]
        self.assertIn("Customer pyramid today", titles)

    def test_managers_only(self):
        analyst = new_test_user(
            self.env,
            login="dash_analyst",
            groups="crm_analytics.group_crm_analytics_user",
        )
        Dashboard = self.env["spreadsheet.dashboard"]
        self.assertNotIn(self.dashboard, Dashboard.with_user(analyst).search([]))
        admin = self.env.ref("base.user_admin")
        self.assertIn(self.dashboard, Dashboard.with_user(admin).search([]))

    def test_dashboard_tour(self):
        self.start_tour(
            "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action",
            "crm_analytics_dashboard_tour",
            login="admin",
        )


@tagged("post_install", "-at_install")
class TestCrmAnalyticsDashboardFigures(TransactionCase):
    def _snapshots(self, partner, stages):
        self.env["crm.customer.snapshot"].create(
            [
                {
                    "date": day,
                    "company_id": self.env.company.id,
                    "partner_id": partner.id,
                    "lifecycle_stage": stage,
                }
                for day, stage in zip(
                    ("2025-05-31", "2025-06-30", "2025-07-31"), stages, strict=True
                )
                if stage
            ]
        )

    def test_churn_chart_counts_the_snapshots_movements(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Dashboard Customer {i}"} for i in range(5)]
        )
        for partner, stages in zip(
            partners,
            [
                ("maturity", "lapsed", "lapsed"),  # churned in June
                ("lapsed", "recovered", "growth"),  # recovered in June
                ("prospect", "prospect", "new"),  # first order: neither
                ("growth", "growth", "lapsed"),  # churned in July
                (None, "at_risk", "lapsed"),  # churned in July (no May row)
            ],
            strict=True,
        ):
            self._snapshots(partner, stages)
        chart = dashboard_figure(dashboard_data(self.env), CHURN_CHART)
        Model = self.env[chart["metaData"]["resModel"]]
        # the call of the browser, with the chart's period filter
        period = [("date", ">=", "2025-05-01"), ("date", "<=", "2025-07-31")]
        groups = Model.web_read_group(
            chart["searchParams"]["domain"]
            + [("partner_id", "in", partners.ids)]
            + period,
            ["__count"],
            chart["metaData"]["groupBy"],
            lazy=False,
        )["groups"]
        self.assertEqual(
            {
                (group["__range"]["date:month"]["from"], group["movement"]): group[
                    "__count"
                ]
                for group in groups
            },
            {
                ("2025-06-01", "churned"): 1,
                ("2025-06-01", "recovered"): 1,
                ("2025-07-01", "churned"): 2,
            },
        )
        # the figures of the management report and of the movement methods
        rates = self.env["crm.customer.snapshot"]._monthly_rates(
            self.env.company,
            fields.Date.to_date("2025-05-31"),
            fields.Date.to_date("2025-07-31"),
        )
        self.assertEqual(
            [(str(row["date"]), row["churned"], row["recovered"]) for row in rates],
            [("2025-06-30", 1, 1), ("2025-07-31", 2, 0)],
        )
