from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TODAY, CustomerismCase


@tagged("post_install", "-at_install", "customerism")
class TestLifecycle(CustomerismCase):
    """One customer per stage, recomputed on 2025-06-30 with the default
    thresholds (trend 12 months, growth 20%, decline 30%, new 90 days, at risk
    past 2 x the usual interval or 180 days, lapsed past 365 days)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        histories = {
            "prospect": [],
            "new": [("2025-05-01", 500)],
            "growth": [("2024-04-01", 100), ("2025-03-01", 300), ("2025-06-01", 300)],
            "maturity": [
                (f"{year}-{month:02d}-15", 200)
                for year, month in [
                    (2023, 8),
                    (2023, 10),
                    (2023, 12),
                    (2024, 2),
                    (2024, 4),
                    (2024, 6),
                    (2024, 8),
                    (2024, 10),
                    (2024, 12),
                    (2025, 2),
                    (2025, 4),
                    (2025, 6),
                ]
            ],
            "at_risk_rhythm": [
                (f"{year}-{month:02d}-15", 100)
                for year, month in [
                    (2024, 7),
                    (2024, 8),
                    (2024, 9),
                    (2024, 10),
                    (2024, 11),
                    (2024, 12),
                    (2025, 1),
                    (2025, 2),
                    (2025, 3),
                ]
            ],
            "at_risk_days": [("2024-12-01", 800)],
            "at_risk_decline": [
                ("2023-09-01", 1000),
                ("2024-01-01", 1000),
                ("2024-05-01", 1000),
                ("2024-09-01", 500),
                ("2025-01-01", 500),
                ("2025-05-01", 500),
            ],
            "lapsed": [("2024-01-10", 700)],
            "recovered": [
                ("2023-01-10", 400),
                ("2023-03-10", 400),
                ("2025-05-20", 400),
            ],
        }
        cls.partners = {}
        for key, orders in histories.items():
            partner = cls._partner(f"Lifecycle {key}", customer_rank=1)
            for date, amount in orders:
                cls._order(partner, date, amount)
            cls.partners[key] = partner

    def _stage(self, key):
        return self._profile(self.partners[key]).lifecycle_stage

    def test_every_automatic_stage(self):
        self._recompute()
        expected = {
            "prospect": "prospect",
            "new": "new",
            "growth": "growth",
            "maturity": "maturity",
            "at_risk_rhythm": "at_risk",
            "at_risk_days": "at_risk",
            "at_risk_decline": "at_risk",
            "lapsed": "lapsed",
            "recovered": "recovered",
        }
        self.assertEqual({key: self._stage(key) for key in expected}, expected)
        reasons = {
            key: self._profile(self.partners[key]).stage_reason for key in expected
        }
        self.assertIn("537 days", reasons["lapsed"])
        self.assertIn("365 days", reasons["lapsed"])
        self.assertIn("107 days", reasons["at_risk_rhythm"])
        self.assertIn("211 days", reasons["at_risk_days"])
        self.assertIn("-50.0%", reasons["at_risk_decline"])
        # the reason is the one of the last change: the growth started with
        # the order of 2025-03-01
        self.assertIn(
            "Value in the last 12 months and none in the 12 months before",
            reasons["growth"],
        )
        self.assertEqual(self._profile(self.partners["growth"]).value_trend, 5.0)
        self.assertIn("2025-05-20", reasons["recovered"])
        self.assertIn("2025-05-01", reasons["new"])
        maturity = self._profile(self.partners["maturity"])
        self.assertEqual(maturity.value_trend, 0)
        self.assertEqual(maturity.order_count, 12)

    def test_history_and_chatter(self):
        self._recompute()
        partner = self.partners["lapsed"]
        profile = self._profile(partner)
        # confirmed on 2024-01-10: new; lapsed at the recompute of 2025-06-30
        lines = profile.stage_history_ids.sorted("id")
        self.assertEqual(
            [(line.stage_from, line.stage_to) for line in lines][-1], ("new", "lapsed")
        )
        self.assertEqual(str(lines[-1].date), TODAY)
        self.assertFalse(lines[-1].user_id)
        self.assertEqual(partner.customerism_stage_history_count, len(lines))
        body = partner.message_ids.filtered(lambda m: "Lapsed" in (m.body or ""))[
            :1
        ].body
        self.assertIn("No order for 537 days", body)
        # the order that ended the lapse moved the customer to recovered at once
        recovered = self._profile(
            self.partners["recovered"]
        ).stage_history_ids.filtered(lambda line: line.stage_to == "recovered")
        self.assertEqual(str(recovered.date), "2025-05-20")

    def test_recovered_then_new_cycle(self):
        self._recompute()
        self._recompute(date="2025-09-30")
        # 133 days after the order that ended the lapse: no longer recovered
        self.assertNotEqual(self._stage("recovered"), "recovered")
        self.assertEqual(self._stage("lapsed"), "lapsed")

    def test_recovery_date_kept_then_cleared(self):
        """The recovery is found while its order is within the new customer
        days, kept once older, and cleared when that order is cancelled."""
        self._recompute()
        profile = self._profile(self.partners["recovered"])
        self.assertEqual(str(profile.recovery_date), "2025-05-20")
        self._recompute(date="2025-09-30")
        self.assertEqual(str(profile.recovery_date), "2025-05-20")
        self.assertNotEqual(profile.lifecycle_stage, "recovered")
        # a customer without a lapse has none
        self.assertFalse(self._profile(self.partners["maturity"]).recovery_date)
        # the order that ended the lapse is cancelled while still recent
        self._recompute()
        order = self.env["sale.order"].search(
            [("partner_id", "=", self.partners["recovered"].id)],
            order="date_order desc",
            limit=1,
        )
        self.assertEqual(str(order.date_order.date()), "2025-05-20")
        with freeze_time(f"{TODAY} 12:00:00"):
            order._action_cancel()
        self.assertFalse(profile.recovery_date)
        self.assertEqual(profile.lifecycle_stage, "lapsed")

    def test_termination_notice_and_withdrawal(self):
        self._recompute()
        profile = self._profile(self.partners["maturity"])
        with freeze_time("2025-07-01"):
            wizard = (
                self.env["crm.customer.termination.wizard"]
                .with_user(self.user)
                .create(
                    {"profile_ids": [profile.id], "reason": "Moving to a competitor"}
                )
            )
            wizard.action_confirm()
        self.assertEqual(profile.lifecycle_stage, "terminating")
        self.assertTrue(profile.termination_notice)
        line = profile.stage_history_ids.sorted("id")[-1]
        self.assertEqual(
            (line.stage_from, line.stage_to, line.user_id),
            ("maturity", "terminating", self.user),
        )
        self.assertIn("Moving to a competitor", line.reason)
        self.assertIn(self.user.name, line.reason)
        # the nightly recompute keeps the notice
        self._recompute(date="2025-07-02")
        self.assertEqual(profile.lifecycle_stage, "terminating")
        with freeze_time("2025-07-03"):
            profile.with_user(self.user).action_withdraw_termination()
        self.assertEqual(profile.lifecycle_stage, "maturity")
        self.assertFalse(profile.termination_notice)
        line = profile.stage_history_ids.sorted("id")[-1]
        self.assertEqual(
            (line.stage_from, line.stage_to, line.user_id),
            ("terminating", "maturity", self.user),
        )
        self.assertIn("withdrawn", line.reason)
        with self.assertRaises(UserError):
            profile.action_withdraw_termination()

    def test_terminating_ends_in_lapse(self):
        self._recompute()
        profile = self._profile(self.partners["at_risk_days"])
        with freeze_time(TODAY):
            profile._record_termination_notice(
                profile.last_order_date, "Contract not renewed"
            )
        self.assertEqual(profile.lifecycle_stage, "terminating")
        self._recompute(date="2026-01-15")
        self.assertEqual(profile.lifecycle_stage, "lapsed")
        self.assertFalse(profile.termination_notice)

    def test_notice_refused_for_prospect(self):
        self._recompute()
        with self.assertRaises(UserError):
            self._profile(self.partners["prospect"])._record_termination_notice(
                "2025-06-30", "x"
            )
