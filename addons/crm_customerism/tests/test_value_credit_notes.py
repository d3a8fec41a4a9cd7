from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import CustomerismCase


@tagged("post_install", "-at_install", "customerism")
class TestValueCreditNotes(CustomerismCase):
    """A credit note lowers the value only where what it refunds was counted:
    the confirmed sale orders, not the invoices without order."""

    def _invoice(self, partner, date, amount):
        """A posted invoice without sale order."""
        with freeze_time(f"{date} 10:00:00"):
            invoice = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": date,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": False,
                            }
                        )
                    ],
                }
            )
            invoice.action_post()
        return invoice

    def _reverse(self, invoice, date):
        """The credit note of ``invoice``, as the Reverse button makes it."""
        with freeze_time(f"{date} 10:00:00"):
            refund = invoice._reverse_moves(
                [{"invoice_date": date, "date": date, "ref": "Reversal"}]
            )
            refund.action_post()
        return refund

    def test_refund_of_invoice_without_order_is_not_counted(self):
        prospect = self._partner("Direct Invoice Co")
        invoice = self._invoice(prospect, "2025-05-01", 4000)
        self._reverse(invoice, "2025-05-10")
        self._recompute()
        profile = self._profile(prospect)
        self.assertTrue(profile, "the invoiced partner is a customer to profile")
        self.assertEqual(profile.lifecycle_stage, "prospect")
        self.assertEqual(
            (profile.historical_value, profile.current_value, profile.refund_value),
            (0, 0, 0),
            "neither the invoice without order nor its credit note is counted",
        )
        # the prospects never add up to a negative value
        prospects = self.env["crm.customer.profile"]._read_group(
            [("company_id", "=", self.company.id), ("grade", "=", False)],
            aggregates=["current_value:sum", "historical_value:sum"],
        )
        self.assertEqual(prospects, [(0.0, 0.0)])

    def test_refund_of_order_invoice_lowers_value(self):
        customer = self._partner("Order Invoice Co")
        returned = self._order(customer, "2025-05-01", 3000)
        kept = self._order(customer, "2025-05-15", 1000)
        with freeze_time("2025-05-16 10:00:00"):
            invoices = (returned | kept)._create_invoices(grouped=True)
            invoices.action_post()
        returned_invoice = invoices.filtered(
            lambda m: returned in m.line_ids.sale_line_ids.order_id
        )
        kept_invoice = invoices - returned_invoice
        # the reversal keeps the link of its lines to the order
        self._reverse(returned_invoice, "2025-05-20")
        # a price allowance reversing an invoice, with lines of its own
        with freeze_time("2025-06-01 10:00:00"):
            allowance = self.env["account.move"].create(
                {
                    "move_type": "out_refund",
                    "partner_id": customer.id,
                    "invoice_date": "2025-06-01",
                    "reversed_entry_id": kept_invoice.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "quantity": 1,
                                "price_unit": 200,
                                "tax_ids": False,
                            }
                        )
                    ],
                }
            )
            allowance.action_post()
        self.assertFalse(allowance.invoice_line_ids.sale_line_ids)
        self._recompute()
        profile = self._profile(customer)
        self.assertEqual(profile.refund_value, 3200)
        self.assertEqual(profile.historical_value, 800)
        self.assertEqual(profile.current_value, 800)

    def test_refund_of_cancelled_order_is_not_counted(self):
        customer = self._partner("Cancelled Order Co")
        kept = self._order(customer, "2025-04-01", 1000)
        cancelled = self._order(customer, "2025-05-01", 800)
        with freeze_time("2025-05-02 10:00:00"):
            invoice = cancelled._create_invoices()
            invoice.action_post()
        self._reverse(invoice, "2025-05-03")
        with freeze_time("2025-05-04 10:00:00"):
            cancelled._action_cancel()
        self._refund(customer, "2025-05-05", 100, kept)
        self._recompute()
        profile = self._profile(customer)
        self.assertEqual(profile.order_count, 1)
        self.assertEqual(profile.refund_value, 100)
        self.assertEqual(profile.historical_value, 900)
