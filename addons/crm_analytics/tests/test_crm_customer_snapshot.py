"""Monthly snapshots copy the live profiles exactly, once per month, and the
transition report turns two consecutive months into the stage matrix,
grade migration and churn and recovery rates."""

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.crm_customerism.tests.common import TODAY, CustomerismCase


@tagged("post_install", "-at_install")
class TestCrmCustomerSnapshot(CustomerismCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Snapshot = cls.env["crm.customer.snapshot"]
        cls.Transition = cls.env["crm.customer.transition.report"]
        cls.alpha = cls._partner("Snapshot Alpha")
        cls.beta = cls._partner("Snapshot Beta")
        cls._order(cls.alpha, "2025-05-10", 5000)
        cls._order(cls.alpha, "2025-06-05", 3000)
        cls._order(cls.beta, "2023-01-20", 200)

    def _snapshot(self, date="2025-06-30"):
        return self.Snapshot._take_snapshot(self.company, fields.Date.to_date(date))

    def test_snapshot_copies_the_profiles_once(self):
        self._recompute()
        with freeze_time(f"{TODAY} 09:00:00"):
            complaint = self.env["crm.complaint"].create(
                {"subject": "Late delivery", "partner_id": self.alpha.id}
            )
        profiles = self.Profile.search([("company_id", "=", self.company.id)])
        self.assertEqual(self._snapshot("2025-06-15"), len(profiles))
        rows = self.Snapshot.search([("date", "=", "2025-06-30")])
        self.assertEqual(len(rows), len(profiles))  # dated on the month end
        alpha = rows.filtered(lambda row: row.partner_id == self.alpha)
        profile = self._profile(self.alpha)
        for name in (
            "grade",
            "lifecycle_stage",
            "service_tier",
            "current_value",
            "historical_value",
            "order_count",
            "recency_score",
            "frequency_score",
            "monetary_score",
            "is_key_account",
        ):
            self.assertEqual(alpha[name], profile[name], name)
        self.assertAlmostEqual(alpha.lifetime_value, profile.lifetime_value, places=2)
        self.assertEqual(alpha.complaint_count, 1)
        self.assertEqual(alpha.open_complaint_count, 1)
        self.assertTrue(alpha.rfm_segment)
        value_before = alpha.current_value
        # a second run of the month changes nothing, even after new figures
        complaint.unlink()
        self._order(self.alpha, "2025-06-20", 999)
        self.assertEqual(self._snapshot(), 0)
        alpha.invalidate_recordset()
        self.assertEqual(alpha.complaint_count, 1)
        self.assertEqual(alpha.current_value, value_before)
        self.assertEqual(
            self.Snapshot.search_count([("date", "=", "2025-06-30")]), len(profiles)
        )

    def test_cron_snapshots_the_last_month_end_once(self):
        self._recompute()
        with freeze_time("2025-07-01 03:00:00"):
            self.Snapshot._cron_take_snapshots()
            self.Snapshot._cron_take_snapshots()
        dates = set(self.Snapshot.search([]).mapped("date"))
        self.assertEqual(dates, {fields.Date.to_date("2025-06-30")})

    def _row(self, partner, date, stage, grade, key=False):
        return self.Snapshot.create(
            {
                "date": date,
                "company_id": self.company.id,
                "partner_id": partner.id,
                "lifecycle_stage": stage,
                "grade": grade,
                "is_key_account": key,
            }
        )

    def test_transition_matrix_and_rates(self):
        partners = [self._partner(f"Move {i}") for i in range(5)]
        # May -> June
        moves = [
            ("maturity", "vip", True, "maturity", "vip", True),
            ("maturity", "major", True, "at_risk", "ordinary", False),
            ("growth", "ordinary", False, "lapsed", "small", False),
            ("lapsed", "small", False, "recovered", "major", True),
            ("lapsed", "small", False, "lapsed", "small", False),
        ]
        for partner, (s1, g1, k1, s2, g2, k2) in zip(partners, moves, strict=True):
            self._row(partner, "2025-05-31", s1, g1, k1)
            self._row(partner, "2025-06-30", s2, g2, k2)
        # April is not consecutive with June: no transition April -> June
        self._row(partners[0], "2025-04-30", "growth", "major")
        domain = [("partner_id", "in", [p.id for p in partners])]
        rows = self.Transition.search(domain + [("date", "=", "2025-06-30")])
        self.assertEqual(len(rows), 5)
        matrix = {
            (stage_from, stage_to): count
            for stage_from, stage_to, count in self.Transition._read_group(
                domain + [("date", "=", "2025-06-30")],
                ["stage_from", "stage_to"],
                ["customer_count:sum"],
            )
        }
        self.assertEqual(
            matrix,
            {
                ("maturity", "maturity"): 1,
                ("maturity", "at_risk"): 1,
                ("growth", "lapsed"): 1,
                ("lapsed", "recovered"): 1,
                ("lapsed", "lapsed"): 1,
            },
        )
        [(churn, recovery)] = self.Transition._read_group(
            domain + [("date", "=", "2025-06-30")],
            [],
            ["churn_rate:avg", "recovery_rate:avg"],
        )
        self.assertAlmostEqual(churn, 1 / 3)  # 1 of the 3 not lapsed in May
        self.assertAlmostEqual(recovery, 1 / 2)  # 1 of the 2 lapsed in May
        moves_by_partner = {row.partner_id: row for row in rows}
        self.assertEqual(moves_by_partner[partners[0]].grade_move, "same")
        self.assertEqual(moves_by_partner[partners[1]].grade_move, "down")
        self.assertEqual(moves_by_partner[partners[1]].key_account_move, "left")
        self.assertEqual(moves_by_partner[partners[3]].grade_move, "up")
        self.assertEqual(moves_by_partner[partners[3]].key_account_move, "entered")
        # stages group in lifecycle order, not alphabetically
        groups = self.Transition._read_group(domain, ["stage_to"], ["__count"])
        self.assertEqual(
            [stage for stage, _count in groups],
            ["maturity", "at_risk", "lapsed", "recovered"],
        )

    def test_access(self):
        self._recompute()
        self._snapshot()
        analyst = new_test_user(
            self.env,
            login="snapshot_analyst",
            groups="crm_analytics.group_crm_analytics_user",
            company_ids=[Command.link(self.company.id)],
        )
        self.assertTrue(self.Snapshot.with_user(analyst).search_count([]))
        with self.assertRaises(AccessError):
            self.Snapshot.with_user(analyst).search([], limit=1).write({"grade": "vip"})
        other = self.env["res.company"].create({"name": "Snapshot Other Co"})
        outsider = new_test_user(
            self.env,
            login="snapshot_outsider",
            groups="crm_analytics.group_crm_analytics_user",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.assertFalse(self.Snapshot.with_user(outsider).search_count([]))
        self.assertFalse(self.Transition.with_user(outsider).search_count([]))
        employee = new_test_user(
            self.env, login="snapshot_plain", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            self.Snapshot.with_user(employee).search([])
