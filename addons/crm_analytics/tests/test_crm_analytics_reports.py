"""The SQL report models against figures computed by hand on a small data
set: customer value, complaints, knowledge usage and supply-link figures;
grades and stages group in pyramid and lifecycle order; managers only, and
only their companies' rows."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools.sql import index_exists

from odoo.addons.crm_customerism.models.crm_customer_profile import STAGE_SELECTION

from .reports_common import ReportData


@tagged("post_install", "-at_install")
class TestCrmAnalyticsReports(ReportData):
    def _groups(self, model, groupby, aggregates, domain=None):
        return (
            self.env[model]
            .with_user(self.report_manager)
            ._read_group(domain or [], groupby, aggregates)
        )

    def test_period_of_customer_value_filters_on_indexed_days(self):
        """The dashboard's key figures filter the value report by period:
        the day of its orders and credit notes is indexed (and so has
        statistics), and a period's figures are right at its edges."""
        Report = self.env["crm.customer.value.report"]
        for name, __, __ in Report._date_indexes:
            self.assertTrue(index_exists(self.env.cr, name), name)
        [(net, orders)] = Report.with_user(self.report_manager)._read_group(
            [("date", ">=", "2025-06-05"), ("date", "<=", "2025-06-25")],
            [],
            ["net_value:sum", "order_count:sum"],
        )
        # alpha's June order (3000) less its credit note of the 25th (500),
        # beta's order of the 20th (200)
        self.assertEqual((net, orders), (2700, 2))

    def test_customer_value_by_grade_and_month(self):
        rows = self._groups(
            "crm.customer.value.report",
            ["grade", "date:month"],
            [
                "net_value:sum",
                "order_value:sum",
                "refund_value:sum",
                "partner_id:count_distinct",
            ],
        )
        figures = {
            (grade, month.strftime("%Y-%m")): (net, orders, refunds, customers)
            for grade, month, net, orders, refunds, customers in rows
        }
        self.assertEqual(
            figures,
            {
                ("vip", "2025-06"): (200, 200, 0, 1),
                ("major", "2025-05"): (5000, 5000, 0, 1),
                ("major", "2025-06"): (2500, 3000, 500, 1),
                ("small", "2025-04"): (700, 700, 0, 1),
            },
        )
        # pyramid order, not alphabetical (major, small, vip)
        grades = [grade for grade, __, *__ in rows]
        self.assertEqual(list(dict.fromkeys(grades)), ["vip", "major", "small"])
        # the net value per customer is the profile's historical value
        by_partner = dict(
            self._groups("crm.customer.value.report", ["partner_id"], ["net_value:sum"])
        )
        self.assertEqual(by_partner[self.alpha], 7500)
        self.assertEqual(
            by_partner[self.alpha], self._profile(self.alpha).historical_value
        )

    def test_customer_value_by_region_salesperson_and_stage(self):
        by_state = dict(
            self._groups("crm.customer.value.report", ["state_id"], ["net_value:sum"])
        )
        self.assertEqual(by_state[self.shanghai], 7500)
        self.assertEqual(sum(by_state.values()), 8400)
        by_user = dict(
            self._groups("crm.customer.value.report", ["user_id"], ["net_value:sum"])
        )
        self.assertEqual(by_user[self.manager], 7500)
        stages = [
            stage
            for stage, __ in self._groups(
                "crm.customer.value.report", ["lifecycle_stage"], ["__count"]
            )
        ]
        order = [key for key, __ in STAGE_SELECTION]
        self.assertEqual(stages, sorted(stages, key=order.index))
        self.assertEqual(
            set(stages),
            {
                self._profile(p).lifecycle_stage
                for p in (self.alpha, self.beta, self.gamma)
            },
        )

    def test_complaints_by_root_cause_and_supplier(self):
        rows = self._groups(
            "crm.complaint.report",
            ["root_cause_type"],
            [
                "complaint_count:sum",
                "over_sla_count:sum",
                "response_met:avg",
                "resolution_met:avg",
                "first_response_hours:avg",
                "resolution_hours:avg",
                "satisfaction:avg",
                "rated_count:sum",
                "remedy_cost:sum",
                "open_count:sum",
            ],
        )
        figures = {row[0]: row[1:] for row in rows}
        self.assertEqual(
            figures["product"], (2, 1, 50.0, 50.0, 4.0, 72.0, 3.0, 2, 500.0, 0)
        )
        self.assertEqual(
            figures["delivery"], (1, 1, 0.0, False, False, False, False, 0, 0.0, 1)
        )
        self.assertEqual(set(figures), {"product", "delivery"})
        by_supplier = dict(
            self._groups(
                "crm.complaint.report", ["supplier_id"], ["complaint_count:sum"]
            )
        )
        self.assertEqual(by_supplier[self.supplier], 2)
        by_team = dict(
            self._groups("crm.complaint.report", ["team_id"], ["resolution_hours:avg"])
        )
        self.assertEqual(by_team[self.team], 72.0)
        by_category = dict(
            self._groups("crm.complaint.report", ["category_id"], ["satisfaction:avg"])
        )
        self.assertEqual(by_category[self.category], 3.0)

    def test_knowledge_usage_per_article(self):
        rows = self._groups(
            "crm.knowledge.usage.report",
            ["article_id"],
            [
                "view_count:sum",
                "helpful_count:sum",
                "unhelpful_count:sum",
                "helpful_rate:avg",
                "use_count:sum",
            ],
            [("article_id", "in", (self.article1 | self.article2).ids)],
        )
        figures = {article: rest for article, *rest in rows}
        self.assertEqual(figures[self.article1][:3], [3, 2, 1])
        self.assertAlmostEqual(figures[self.article1][3], 200 / 3)
        self.assertEqual(figures[self.article1][4], 2)
        self.assertEqual(figures[self.article2], [1, 0, 0, False, 0])
        by_category = dict(
            self._groups(
                "crm.knowledge.usage.report", ["category_id"], ["view_count:sum"]
            )
        )
        self.assertEqual(by_category[self.kb_category], 4)

    def test_supply_link_figures(self):
        rows = self._groups(
            "crm.supply.link.report",
            ["kind"],
            [
                "demand_qty:sum",
                "covered_qty:sum",
                "shortage_qty:sum",
                "purchase_id:count_distinct",
                "rfq_qty:sum",
                "rfq_amount:sum",
                "remedy_count:sum",
                "remedy_amount:sum",
            ],
        )
        figures = {kind: rest for kind, *rest in rows}
        self.assertEqual(figures["demand"], [17, 11, 6, 0, 0, 0, 0, 0])
        self.assertEqual(figures["rfq"], [0, 0, 0, 1, 4, 100, 0, 0])
        self.assertEqual(figures["remedy"], [0, 0, 0, 0, 0, 0, 2, 500])
        by_type = dict(
            self._groups(
                "crm.supply.link.report",
                ["remedy_type"],
                ["remedy_amount:sum"],
                [("kind", "=", "remedy")],
            )
        )
        self.assertEqual(by_type, {"credit_note": 500, "replacement": 0})

    def test_managers_only_and_own_companies_only(self):
        models = (
            "crm.customer.value.report",
            "crm.complaint.report",
            "crm.knowledge.usage.report",
            "crm.supply.link.report",
        )
        analyst = new_test_user(
            self.env,
            login="report_analyst",
            groups="crm_analytics.group_crm_analytics_user",
            company_ids=[Command.link(self.company.id)],
        )
        for model in models:
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(analyst).search([], limit=1)
        # the other company's order and complaint exist, but not for the manager
        value = self.env["crm.customer.value.report"]
        complaints = self.env["crm.complaint.report"]
        self.assertTrue(
            value.search_count([("company_id", "=", self.other_company.id)])
        )
        self.assertTrue(
            complaints.search_count([("complaint_id", "=", self.c_other.id)])
        )
        manager = self.report_manager
        self.assertFalse(
            value.with_user(manager).search([("partner_id", "=", self.outsider.id)])
        )
        self.assertFalse(
            complaints.with_user(manager).search(
                [("complaint_id", "=", self.c_other.id)]
            )
        )
        for model in models:
            companies = self.env[model].with_user(manager).search([]).company_id
            self.assertEqual(companies, self.company, model)
