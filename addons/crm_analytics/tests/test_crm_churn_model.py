"""The churn model fitted on the monthly snapshots scores the customers'
profiles with a probability and its reasons, searchable and usable as a
win-back target."""

from datetime import date, timedelta
from unittest.mock import patch

import pandas as pd
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.crm_analytics.models import crm_churn_model
from odoo.addons.crm_customerism.tests.common import CustomerismCase


def month_ends(first_year, first_month, count):
    ends = []
    year, month = first_year, first_month
    for __ in range(count):
        following = date(year + month // 12, month % 12 + 1, 1)
        ends.append(following - timedelta(days=1))
        year, month = following.year, following.month
    return ends


@tagged("post_install", "-at_install")
class TestCrmChurnModel(CustomerismCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Snapshot = cls.env["crm.customer.snapshot"]
        cls.ChurnModel = cls.env["crm.churn.model"]
        cls.months = month_ends(2024, 9, 10)  # 2024-09-30 .. 2025-06-30
        # 30 customers: those with complaints go quiet and lapse 2 months
        # later, the others keep buying; one complaining customer and one
        # quiet one are still active at the last month end
        cls.partners = [cls._partner(f"Churn {i}", customer_rank=1) for i in range(30)]
        with freeze_time("2025-06-30 12:00:00"):
            cls.Profile._recompute_all(company=cls.company)

    def _history(self, partner, complaints, quiet_from=None):
        for index, day in enumerate(self.months):
            quiet = quiet_from is not None and index >= quiet_from
            recency = 30 * (index - quiet_from + 1) if quiet else 10 + index % 3
            self.Snapshot.create(
                {
                    "date": day,
                    "company_id": self.company.id,
                    "partner_id": partner.id,
                    "lifecycle_stage": "lapsed" if recency > 60 else "maturity",
                    "grade": "ordinary",
                    "days_since_last_order": recency,
                    "current_order_count": 6 + index % 2,
                    "complaint_count": complaints,
                    "overdue_days": (index * 7 + partner.id) % 5,
                }
            )

    def _build(self):
        for i, partner in enumerate(self.partners):
            if i < 10:
                # complaints, quiet from a month that lets them lapse in time
                self._history(partner, complaints=3, quiet_from=1 + i % 5)
            elif i < 28:
                self._history(partner, complaints=i % 2)
        # at the last month end: a customer with complaints, one without
        self._history(self.partners[28], complaints=3)
        self._history(self.partners[29], complaints=0)

    def _profile(self, partner):
        return self.Profile.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )

    def test_read_snapshots_in_chunks(self):
        """The snapshots read through the server-side cursor in chunks of 7
        rows (a short last chunk) give the same frame as one read, with the
        stage and grade as categories."""
        self._build()
        whole = self.ChurnModel._read_snapshots(self.company)
        with patch.object(crm_churn_model, "READ_CHUNK", 7):
            chunked = self.ChurnModel._read_snapshots(self.company)
        count = self.Snapshot.search_count([("company_id", "=", self.company.id)])
        self.assertNotEqual(count % 7, 0)
        self.assertEqual(len(whole), count)
        pd.testing.assert_frame_equal(chunked, whole)
        self.assertEqual(str(chunked["stage"].dtype), "category")
        self.assertEqual(str(chunked["grade"].dtype), "category")
        row = chunked[
            (chunked["partner_id"] == self.partners[0].id)
            & (chunked["date"] == self.months[3])
        ].iloc[0]
        self.assertEqual(row["stage"], "lapsed")
        self.assertEqual(row["recency"], 90)
        self.assertEqual(row["grade"], "ordinary")
        # the cursor is closed: a second read in the transaction works
        self.assertEqual(len(self.ChurnModel._read_snapshots(self.company)), count)

    def test_fit_scores_the_profiles_with_reasons(self):
        self._build()
        fit = self.ChurnModel._fit_company(self.company)
        self.assertEqual(fit.date, self.months[-1])
        self.assertEqual(fit.backtest_date, self.months[-4])
        self.assertGreater(fit.training_rows, 100)
        self.assertGreater(fit.coefficients["complaints"], 0)
        self.assertGreater(fit.backtest_auc, 0.5)
        self.assertTrue(0 <= fit.recency_auc <= 1)
        # scored: the 20 customers active at the last month end
        self.assertEqual(fit.scored_count, 20)
        risky, safe = self._profile(self.partners[28]), self._profile(self.partners[29])
        self.assertEqual(risky.churn_scored_date, self.months[-1])
        # a third of the complaining customers' quiet-free months preceded a
        # lapse within 90 days, none of the others'
        self.assertGreater(risky.churn_probability, 0.15)
        self.assertLess(safe.churn_probability, 0.05)
        self.assertIn("complaints", risky.churn_reason_codes.split(","))
        self.assertIn("Complaints", risky.churn_reasons)
        # lapsed customers get no probability
        lapsed = self._profile(self.partners[0])
        self.assertFalse(lapsed.churn_probability)
        self.assertFalse(lapsed.churn_reason_codes)
        # searchable: the filter of the profiles, and a win-back target
        high = self.Profile.search([("churn_probability", ">=", 0.15)])
        self.assertIn(risky, high)
        self.assertNotIn(safe, high)
        campaign = self.env["crm.winback.campaign"].create(
            {
                "name": "Likely to lapse",
                "target_stage": "at_risk",
                "min_churn_probability": 0.15,
            }
        )
        self.assertIn(("churn_probability", ">=", 0.15), campaign._target_domain())
        # the reasons in Chinese for a Chinese reader
        self.env["res.lang"]._activate_lang("zh_CN")
        chinese = risky.with_context(lang="zh_CN")
        self.assertIn("投诉", chinese.churn_reasons)

    def test_refit_cron_and_too_few_months(self):
        for day in self.months[:3]:
            self.Snapshot.create(
                {
                    "date": day,
                    "company_id": self.company.id,
                    "partner_id": self.partners[0].id,
                    "lifecycle_stage": "maturity",
                }
            )
        with self.assertRaises(UserError):
            self.ChurnModel._fit_company(self.company)
        self.assertFalse(self.ChurnModel.search_count([]))
        self.ChurnModel._cron_refit()  # logs, fits nothing
        self.assertFalse(self.ChurnModel.search_count([]))
        self.Snapshot.search([]).unlink()
        self._build()
        with freeze_time("2025-07-01 04:00:00"):
            self.ChurnModel._cron_refit()
        self.assertEqual(self.ChurnModel.search_count([]), 1)

    def test_access(self):
        self._build()
        self.ChurnModel._fit_company(self.company)
        analyst = new_test_user(
            self.env,
            login="churn_analyst",
            groups="crm_analytics.group_crm_analytics_user",
            company_ids=[Command.link(self.company.id)],
        )
        self.assertEqual(self.ChurnModel.with_user(analyst).search_count([]), 1)
        with self.assertRaises(UserError):
            self.ChurnModel.with_user(analyst).action_refit()
        other = self.env["res.company"].create({"name": "Churn Other Co"})
        outsider = new_test_user(
            self.env,
            login="churn_outsider",
            groups="crm_analytics.group_crm_analytics_user",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.assertFalse(self.ChurnModel.with_user(outsider).search_count([]))
