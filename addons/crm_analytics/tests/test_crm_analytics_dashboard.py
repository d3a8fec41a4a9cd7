"""The manager dashboard: a spreadsheet dashboard whose JSON names only
models, fields and menus that exist (Odoo's own check, which runs in test
mode), for managers only, opened in the Dashboards app by a Chromium tour."""

import base64
import json

from odoo.tests import HttpCase, new_test_user, tagged


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
