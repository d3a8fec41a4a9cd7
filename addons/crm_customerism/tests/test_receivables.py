from freezegun import freeze_time

from odoo.tests import Form, tagged
from odoo.tools.misc import formatLang

from .common import TODAY, CustomerismCase


@tagged("post_install", "-at_install", "customerism")
class TestReceivables(CustomerismCase):
    """Receivables in the customer recompute (财务风险): the figures from the
    open receivable lines, the at-risk flag of overdue customers with its
    reason, cleared by paying, and Odoo's credit warning on quotations."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "customerism_overdue_amount": 10000.0,
                "customerism_overdue_days": 30,
                "account_use_credit_limit": True,
            }
        )
        cls.currency = cls.company.currency_id
        cls.customer = cls._partner("华东逾期贸易公司")
        cls.customer.with_company(cls.company).credit_limit = 20000.0
        cls.contact = cls.env["res.partner"].create(
            {"name": "财务 李女士", "parent_id": cls.customer.id}
        )
        cls.order = cls._order(cls.customer, "2025-05-01", 20000.0)
        # due 2025-05-14: 47 days overdue on 2025-06-30
        cls.old = cls._invoice(cls.customer, "2025-05-01", "2025-05-14", 12300.0)
        # not yet due
        cls.recent = cls._invoice(cls.customer, "2025-06-20", "2025-07-20", 5000.0)
        # billed to the contact, 20 days overdue, 400 of it paid
        cls.small = cls._invoice(cls.contact, "2025-06-01", "2025-06-10", 1000.0)
        cls._pay(cls.small, 400.0, "2025-06-12")
        # another customer's receivables are not counted
        cls.other = cls._partner("无关客户")
        cls._invoice(cls.other, "2025-01-01", "2025-01-31", 99999.0)

    @classmethod
    def _pay(cls, invoice, amount, date):
        with freeze_time(f"{date} 10:00:00"):
            cls.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"amount": amount, "payment_date": date})._create_payments()

    def _money(self, amount):
        text = f"{amount:,.2f}"
        symbol = self.currency.symbol
        return (
            f"{text}\u00a0{symbol}"
            if self.currency.position == "after"
            else (f"{symbol}{text}")
        )

    def test_receivable_figures_and_overdue_flag(self):
        self._recompute()
        profile = self._profile(self.customer)
        # hand-computed: 12,300 + 5,000 + (1,000 - 400) open; 12,300 + 600
        # past due; the oldest due on 2025-05-14
        self.assertAlmostEqual(profile.receivable_amount, 17900.0)
        self.assertAlmostEqual(profile.overdue_amount, 12900.0)
        self.assertEqual(profile.overdue_days, 47)
        self.assertAlmostEqual(profile.credit_usage, 89.5)
        self.assertEqual(profile.lifecycle_stage, "at_risk")
        self.assertEqual(profile.stage_history_id.reason_code, "overdue")
        self.assertEqual(
            profile.stage_reason,
            f"Overdue 47 days, {self._money(12900)} (limits: 30 days, "
            f"{self._money(10000)}).",
        )
        # shown on the partner form (contacts read their company's profile)
        partner = self.contact.with_user(self.user)
        self.assertAlmostEqual(partner.customerism_overdue_amount, 12900.0)
        self.assertEqual(partner.customerism_overdue_days, 47)
        self.assertAlmostEqual(partner.customerism_receivable_amount, 17900.0)
        other = self._profile(self.other)
        self.assertAlmostEqual(other.receivable_amount, 99999.0)
        self.assertEqual(other.lifecycle_stage, "prospect", "no order: no lifecycle")

    def test_figures_without_credit_limits(self):
        # the company does not use credit limits: the same receivables, no
        # credit usage (the partners' limits are not read)
        self.company.account_use_credit_limit = False
        self._recompute()
        profile = self._profile(self.customer)
        self.assertAlmostEqual(profile.receivable_amount, 17900.0)
        self.assertAlmostEqual(profile.overdue_amount, 12900.0)
        self.assertEqual(profile.overdue_days, 47)
        self.assertFalse(profile.credit_usage)
        self.assertAlmostEqual(self._profile(self.other).receivable_amount, 99999.0)

    def test_reason_in_the_readers_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["crm_customerism"], ["zh_CN"], overwrite=True
        )
        self._recompute()
        profile = self._profile(self.customer)
        self.assertIn(
            "Overdue 47 days", profile.with_context(lang="en_US").stage_reason
        )
        self.assertIn("逾期 47 天", profile.with_context(lang="zh_CN").stage_reason)

    def test_paying_clears_the_flag(self):
        self._recompute()
        self.assertEqual(self._profile(self.customer).lifecycle_stage, "at_risk")
        self._pay(self.old, 12300.0, "2025-06-29")
        # the incremental recompute (of a contact) counts the payment
        with freeze_time(f"{TODAY} 12:00:00"):
            self.Profile._recompute_partners(self.contact.ids, company=self.company)
        profile = self._profile(self.customer)
        self.assertAlmostEqual(profile.receivable_amount, 5600.0)
        self.assertAlmostEqual(profile.overdue_amount, 600.0)
        self.assertEqual(profile.overdue_days, 20)
        self.assertAlmostEqual(profile.credit_usage, 28.0)
        self.assertNotEqual(profile.lifecycle_stage, "at_risk")

    def test_thresholds_are_both_needed(self):
        self.company.customerism_overdue_days = 47
        self._recompute()
        self.assertNotEqual(
            self._profile(self.customer).lifecycle_stage,
            "at_risk",
            "47 days overdue do not exceed a 47-day limit",
        )
        self.company.write(
            {"customerism_overdue_days": 30, "customerism_overdue_amount": 12900.0}
        )
        self._recompute()
        self.assertNotEqual(self._profile(self.customer).lifecycle_stage, "at_risk")

    def test_credit_warning_on_quotation(self):
        self._recompute()
        quotation = Form(self.env["sale.order"])
        quotation.partner_id = self.customer
        warning = quotation.partner_credit_warning
        amount = formatLang(self.env, 12900.0, currency_obj=self.currency)
        self.assertIn(f"overdue receivables of {amount}, the oldest 47 days", warning)
        self._pay(self.old, 12300.0, "2025-06-29")
        self._recompute()
        quotation = Form(self.env["sale.order"])
        quotation.partner_id = self.customer
        self.assertNotIn("overdue", quotation.partner_credit_warning or "")
        # no credit limits in the company: Odoo shows no warning, nor do we
        self._pay(self.recent, 5000.0, "2025-06-29")
        self.company.account_use_credit_limit = False
        quotation = Form(self.env["sale.order"])
        quotation.partner_id = self.customer
        self.assertFalse(quotation.partner_credit_warning)
