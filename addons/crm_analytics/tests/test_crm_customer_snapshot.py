"""Monthly snapshots hold the figures of the value engine as of each month
end (those of the live recompute on that day), once per month, rebuilt from
history for past months; the transition report and the movement methods
turn two months into the stage matrix, grade migration, key account moves
and churn and recovery rates."""

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
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
        profiles = self.Profile.search(
            [("company_id", "=", self.company.id), ("order_count", ">", 0)]
        )
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
            "previous_value",
            "value_trend",
            "overdue_amount",
        ):
            self.assertEqual(alpha[name], profile[name], name)
        self.assertEqual(alpha.days_since_last_order, 25)  # 2025-06-05
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
        partners = [self._partner(f"Move {i}") for i in range(6)]
        # May -> June
        moves = [
            ("maturity", "vip", True, "maturity", "vip", True),
            ("maturity", "major", True, "at_risk", "ordinary", False),
            ("growth", "ordinary", False, "lapsed", "small", False),
            ("lapsed", "small", False, "recovered", "major", True),
            ("lapsed", "small", False, "lapsed", "small", False),
            # a prospect has never bought: not in the base of the churn rate
            ("prospect", False, False, "new", "small", False),
        ]
        for partner, (s1, g1, k1, s2, g2, k2) in zip(partners, moves, strict=True):
            self._row(partner, "2025-05-31", s1, g1, k1)
            self._row(partner, "2025-06-30", s2, g2, k2)
        # April is not consecutive with June: no transition April -> June
        self._row(partners[0], "2025-04-30", "growth", "major")
        domain = [("partner_id", "in", [p.id for p in partners])]
        rows = self.Transition.search(domain + [("date", "=", "2025-06-30")])
        self.assertEqual(len(rows), 6)
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
                ("prospect", "new"): 1,
            },
        )
        [(churn, recovery, *counts)] = self.Transition._read_group(
            domain + [("date", "=", "2025-06-30")],
            [],
            [
                "churn_rate:avg",
                "recovery_rate:avg",
                "active_count:sum",
                "churned_count:sum",
                "lapsed_count:sum",
                "recovered_count:sum",
            ],
        )
        self.assertAlmostEqual(churn, 1 / 3)  # 1 of the 3 buying, not lapsed in May
        self.assertAlmostEqual(recovery, 1 / 2)  # 1 of the 2 lapsed in May
        self.assertEqual(counts, [3, 1, 2, 1])
        movements = dict(
            self.Transition._read_group(
                domain + [("movement", "!=", False)], ["movement"], ["__count"]
            )
        )
        self.assertEqual(movements, {"churned": 1, "recovered": 1})
        # the movement methods read the same definition
        [june] = self.Snapshot._monthly_rates(
            self.company,
            fields.Date.to_date("2025-05-31"),
            fields.Date.to_date("2025-06-30"),
        )
        self.assertEqual(
            (june["active"], june["churned"], june["lapsed"], june["recovered"]),
            (3, 1, 2, 1),
        )
        self.assertAlmostEqual(june["churn_rate"], churn)
        self.assertAlmostEqual(june["recovery_rate"], recovery)
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
            ["new", "maturity", "at_risk", "lapsed", "recovered"],
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

    def test_rebuild_past_months_from_history(self):
        self._recompute()
        with freeze_time("2025-07-15 08:00:00"):
            added = self.Snapshot._rebuild(
                self.company,
                fields.Date.to_date("2025-04-01"),
                fields.Date.to_date("2025-09-30"),
            )
        # months before today only, each from the documents known then
        self.assertEqual(
            [str(day) for day in added], ["2025-04-30", "2025-05-31", "2025-06-30"]
        )
        rows = {
            (str(row.date), row.partner_id): row
            for row in self.Snapshot.search(
                [("partner_id", "in", (self.alpha | self.beta).ids)]
            )
        }
        # alpha (created later, first order 2025-05-10) is not there in April
        self.assertNotIn(("2025-04-30", self.alpha), rows)
        may = rows["2025-05-31", self.alpha]
        self.assertEqual(may.order_count, 1)
        self.assertEqual(may.current_value, 5000)
        self.assertEqual(may.days_since_last_order, 21)
        self.assertEqual(may.lifecycle_stage, "new")
        june = rows["2025-06-30", self.alpha]
        self.assertEqual(june.order_count, 2)
        self.assertEqual(june.current_value, 8000)
        self.assertEqual(june.days_since_last_order, 25)
        for month in ("2025-04-30", "2025-05-31", "2025-06-30"):
            self.assertEqual(rows[month, self.beta].lifecycle_stage, "lapsed")
            self.assertEqual(rows[month, self.beta].order_count, 1)
        # again: nothing added; an order entered late for May, then a rebuild
        # replacing the months finds it
        with freeze_time("2025-07-15 08:00:00"):
            self.assertEqual(
                sum(self.Snapshot._rebuild_last_months(self.company, 3).values()), 0
            )
            self._order(self.beta, "2025-05-20", 400)
            replaced = self.Snapshot._rebuild_last_months(
                self.company, 24, replace=True
            )
        self.assertEqual(len(replaced), 24)
        self.assertEqual(min(replaced), fields.Date.to_date("2023-07-31"))
        beta_may = self.Snapshot.search(
            [("partner_id", "=", self.beta.id), ("date", "=", "2025-05-31")]
        )
        self.assertEqual(beta_may.order_count, 2)
        self.assertEqual(beta_may.lifecycle_stage, "recovered")
        self.assertEqual(
            self.Snapshot.search_count(
                [("partner_id", "=", self.alpha.id), ("date", "=", "2025-06-30")]
            ),
            1,
        )

    def test_cron_catches_up_the_missed_months(self):
        self._recompute()
        with freeze_time("2025-05-02 03:00:00"):
            self.Snapshot._cron_take_snapshots()
        # no run in June: the July run takes May's successor and June
        with freeze_time("2025-08-01 03:00:00"):
            self.Snapshot._cron_take_snapshots()
            self.Snapshot._cron_take_snapshots()
        dates = sorted({str(day) for day in self.Snapshot.search([]).mapped("date")})
        self.assertEqual(
            dates, ["2025-04-30", "2025-05-31", "2025-06-30", "2025-07-31"]
        )

    def test_rebuild_wizard_checks(self):
        Wizard = self.env["crm.customer.snapshot.rebuild"]
        with freeze_time("2025-07-15 08:00:00"):
            wizard = Wizard.create({})
            self.assertEqual(str(wizard.date_to), "2025-06-30")
            self.assertEqual(str(wizard.date_from), "2023-07-31")
            wizard.write({"date_from": "2025-06-01", "date_to": "2025-05-01"})
            with self.assertRaises(UserError):
                wizard.action_rebuild()
            wizard.write({"date_from": "2025-07-01", "date_to": "2025-08-31"})
            with self.assertRaises(UserError):
                wizard.action_rebuild()
            self.assertFalse(self.Snapshot.search_count([]))
            wizard.write({"date_from": "2025-05-01", "date_to": "2025-06-30"})
            wizard.action_rebuild()
        self.assertEqual(
            set(self.Snapshot.search([]).mapped("date")),
            {fields.Date.to_date("2025-05-31"), fields.Date.to_date("2025-06-30")},
        )
        analyst = new_test_user(
            self.env,
            login="snapshot_rebuild_user",
            groups="crm_analytics.group_crm_analytics_user",
            company_ids=[Command.link(self.company.id)],
        )
        with self.assertRaises(AccessError):
            Wizard.with_user(analyst).create({})

    def test_movements_between_any_two_months(self):
        partners = [self._partner(f"Movement {i}") for i in range(6)]
        # (March, April, May, June): stage, grade, key account
        history = [
            [("maturity", "vip", True)] * 4,
            [
                ("maturity", "major", True),
                ("maturity", "major", True),
                ("at_risk", "ordinary", False),
                ("lapsed", "small", False),
            ],
            [
                ("growth", "ordinary", False),
                ("lapsed", "small", False),
                ("recovered", "ordinary", False),
                ("maturity", "major", True),
            ],
            [("lapsed", "small", False)] * 3 + [("recovered", "small", False)],
            [None, None, ("new", "small", False), ("growth", "ordinary", False)],
            [("at_risk", "small", False), ("lapsed", "small", False), None, None],
        ]
        months = ["2025-03-31", "2025-04-30", "2025-05-31", "2025-06-30"]
        for partner, rows in zip(partners, history, strict=True):
            for month, row in zip(months, rows, strict=True):
                if row:
                    self._row(partner, month, *row)
        march, june = (fields.Date.to_date(day) for day in ("2025-03-15", "2025-06-30"))
        self.assertEqual(
            self.Snapshot._transition_matrix(self.company, march, june),
            {
                ("maturity", "maturity"): 1,
                ("maturity", "lapsed"): 1,
                ("growth", "maturity"): 1,
                ("lapsed", "recovered"): 1,
                (None, "growth"): 1,
                ("at_risk", None): 1,
            },
        )
        self.assertEqual(
            self.Snapshot._grade_migration(self.company, march, june),
            {
                ("vip", "vip"): 1,
                ("major", "small"): 1,
                ("ordinary", "major"): 1,
                ("small", "small"): 1,
                (None, "ordinary"): 1,
                ("small", None): 1,
            },
        )
        self.assertEqual(
            self.Snapshot._key_account_moves(self.company, march, june),
            {"entered": [partners[2].id], "left": [partners[1].id]},
        )
        rates = self.Snapshot._monthly_rates(self.company, march, june)
        self.assertEqual(
            [(str(r["date"]), r["active"], r["churned"]) for r in rates],
            [("2025-04-30", 4, 2), ("2025-05-31", 2, 0), ("2025-06-30", 4, 1)],
        )
        self.assertEqual(
            [(r["lapsed"], r["recovered"]) for r in rates], [(1, 0), (2, 1), (1, 1)]
        )
        self.assertAlmostEqual(rates[0]["churn_rate"], 0.5)
        self.assertEqual(rates[1]["churn_rate"], 0)
        self.assertAlmostEqual(rates[2]["churn_rate"], 0.25)
        self.assertAlmostEqual(rates[1]["recovery_rate"], 0.5)
        self.assertEqual(rates[0]["recovery_rate"], 0)
