from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from .common import TODAY, CustomerismCase

# figures of the live profiles and the columns of the engine's figures
COMPARED = {
    "order_count": "order_count",
    "current_order_count": "current_order_count",
    "first_order_date": "first_order_date",
    "last_order_date": "last_order_date",
    "historical_value": "historical_value",
    "current_value": "current_value",
    "previous_value": "previous_value",
    "refund_value": "refund_value",
    "annual_margin": "annual_margin",
    "computed_grade": "computed_grade",
    "grade": "grade",
    "recency_score": "r",
    "frequency_score": "f",
    "monetary_score": "m",
    "value_trend": "trend",
    "average_order_interval": "itv",
    "receivable_amount": "receivable_amount",
    "overdue_amount": "overdue_amount",
    "overdue_days": "overdue_days",
    "lifecycle_stage": "new_stage",
}


@tagged("post_install", "-at_install", "customerism")
class TestValueEngineAsOf(CustomerismCase):
    """The value engine as of a date: on today it finds what the live
    recompute writes; on an earlier day it reads only the orders, credit
    notes, complaints and payments known then."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Engine = cls.env["crm.customer.value.engine"]
        cls.company.write(
            {"customerism_overdue_amount": 100.0, "customerism_overdue_days": 5}
        )
        cls.steady = cls._partner("As-of Steady")
        cls._order(cls.steady, "2024-01-10", 5000)
        refunded = cls._order(cls.steady, "2025-05-10", 3000)
        cls._refund(cls.steady, "2025-06-01", 500, refunded)
        cls.lapsed = cls._partner("As-of Lapsed")
        cls._order(cls.lapsed, "2023-01-20", 200)
        cls.newcomer = cls._partner("As-of Newcomer")
        cls._order(cls.newcomer, "2025-06-20", 1000)
        # a debtor: 1,000 due 2025-06-10, 400 of it paid on 2025-06-12
        cls.debtor = cls._partner("As-of Debtor")
        cls._order(cls.debtor, "2024-06-01", 800)
        cls._order(cls.debtor, "2025-06-01", 900)
        invoice = cls._invoice(cls.debtor, "2025-06-01", "2025-06-10", 1000.0)
        with freeze_time("2025-06-12 10:00:00"):
            cls.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"amount": 400.0, "payment_date": "2025-06-12"})._create_payments()
        # settled after 2025-06-11: 300 due 2025-06-05, paid in full on
        # 2025-06-20; 500 paid in advance on 2025-06-08 for an invoice of
        # 2025-06-20 (that reconciliation dates from 2025-06-20)
        cls.settled = cls._partner("As-of Settled")
        cls._order(cls.settled, "2025-05-01", 100)
        late = cls._invoice(cls.settled, "2025-06-01", "2025-06-05", 300.0)
        cls._pay(late, 300.0, "2025-06-20", "2025-06-20")
        advance = cls._invoice(cls.settled, "2025-06-20", "2025-06-20", 500.0)
        cls._pay(advance, 500.0, "2025-06-08", "2025-06-21")
        # a serious complaint received on 2025-06-10, still open
        cls.complainer = cls._partner("As-of Complainer")
        cls._order(cls.complainer, "2024-05-01", 700)
        cls._order(cls.complainer, "2025-05-01", 600)
        with freeze_time("2025-06-10 09:00:00"):
            cls.env["crm.complaint"].create(
                {
                    "subject": "Broken parts",
                    "partner_id": cls.complainer.id,
                    "severity": "high",
                }
            )

    @classmethod
    def _pay(cls, invoice, amount, date, on):
        """Register a payment dated ``date``, on the day ``on``."""
        with freeze_time(f"{on} 10:00:00"):
            cls.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"amount": amount, "payment_date": date})._create_payments()

    def _as_of(self, date):
        """The engine's figures as of ``date``, per partner id."""
        rows = {}

        def write(figures):
            self.env.cr.execute(SQL("SELECT * FROM (%s) f", figures))
            found = self.env.cr.dictfetchall()
            rows.update((row["partner_id"], row) for row in found)
            return len(found)

        written = self.Engine._compute_as_of(
            self.company, fields.Date.to_date(date), write
        )
        self.assertEqual(written, len(rows))
        return rows

    def test_as_of_today_equals_the_live_recompute(self):
        self._recompute()
        rows = self._as_of(TODAY)
        profiles = self.Profile.search(
            [("company_id", "=", self.company.id), ("order_count", ">", 0)]
        )
        self.assertEqual(set(rows), set(profiles.partner_id.ids))
        # the data covers every stage rule the documents drive
        self.assertEqual(
            set(profiles.mapped("lifecycle_stage")),
            {"lapsed", "new", "at_risk", "recovered"},
        )
        for profile in profiles:
            row = rows[profile.partner_id.id]
            for field, column in COMPARED.items():
                expected = profile[field]
                found = row[column]
                if isinstance(expected, float):
                    self.assertAlmostEqual(float(found or 0), expected, 2, field)
                else:
                    self.assertEqual(found or False, expected, field)
        # the live profiles are untouched by the as-of run
        self.assertEqual(self._profile(self.newcomer).lifecycle_stage, "new")

    def test_as_of_before_a_document_ignores_it(self):
        self._recompute()
        may = self._as_of("2025-05-31")
        steady = may[self.steady.id]
        # the order of 2025-05-10 counts, the credit note of 2025-06-01 not yet
        self.assertEqual(steady["order_count"], 2)
        self.assertAlmostEqual(float(steady["historical_value"]), 8000)
        self.assertAlmostEqual(float(steady["refund_value"]), 0)
        self.assertEqual(steady["gap"], 21)
        self.assertEqual(steady["new_stage"], "recovered")
        # the newcomer (first order 2025-06-20, created later) is not there yet
        self.assertNotIn(self.newcomer.id, may)
        before = self._as_of("2025-05-09")
        self.assertEqual(before[self.steady.id]["order_count"], 1)
        self.assertAlmostEqual(float(before[self.steady.id]["current_value"]), 0)
        # without it, no order for more than the lapse limit (365 days)
        self.assertEqual(before[self.steady.id]["new_stage"], "lapsed")
        june = self._as_of(TODAY)
        self.assertAlmostEqual(float(june[self.steady.id]["refund_value"]), 500)

    def test_as_of_payments_and_complaints_known_then(self):
        self._recompute()
        # 2025-06-11: the invoice is one day overdue, nothing paid yet
        eleventh = self._as_of("2025-06-11")
        debtor = eleventh[self.debtor.id]
        self.assertAlmostEqual(float(debtor["overdue_amount"]), 1000)
        self.assertEqual(debtor["overdue_days"], 1)
        self.assertEqual(debtor["new_stage"], "maturity")
        self.assertEqual(eleventh[self.complainer.id]["new_stage"], "at_risk")
        # 2025-06-30: 600 left, 20 days overdue: at risk
        end = self._as_of(TODAY)[self.debtor.id]
        self.assertAlmostEqual(float(end["overdue_amount"]), 600)
        self.assertEqual(end["overdue_days"], 20)
        self.assertEqual(end["new_stage"], "at_risk")
        # the settled customer on 2025-06-11: the invoice paid on 2025-06-20
        # open and 6 days overdue, the advance paid on 2025-06-08 open too
        # (lowering the receivable); both were reconciled after that day
        settled = eleventh[self.settled.id]
        self.assertAlmostEqual(float(settled["receivable_amount"]), -200)
        self.assertAlmostEqual(float(settled["overdue_amount"]), 300)
        self.assertEqual(settled["overdue_days"], 6)
        # on 2025-06-30 everything is settled, as the live recompute finds
        settled = self._as_of(TODAY)[self.settled.id]
        self.assertAlmostEqual(float(settled["receivable_amount"]), 0)
        self.assertAlmostEqual(float(settled["overdue_amount"]), 0)
        self.assertAlmostEqual(self._profile(self.settled).receivable_amount, 0)
        # before the complaint was received, the complainer is not at risk
        ninth = self._as_of("2025-06-09")
        self.assertIsNone(ninth[self.complainer.id]["complaint_risk"])
        self.assertEqual(ninth[self.complainer.id]["new_stage"], "maturity")
