from odoo.tests import HttpCase, new_test_user, tagged

from .remedy_common import RemedyData


@tagged("post_install", "-at_install", "customerism")
class TestComplaintRemedyTour(RemedyData, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_remedy_data()

    def test_complaint_to_credit_note(self):
        """An accounting user who handles complaints opens one, asks for a
        partial credit note of two of the five cups, and posts it."""
        accountant = new_test_user(
            self.env,
            login="remedy_tour",
            groups="crm_customerism.group_crm_customerism_user,"
            "account.group_account_invoice",
        )
        self.complaint.user_id = accountant
        self.start_tour(
            f"/odoo/action-crm_customerism.crm_complaint_action/{self.complaint.id}",
            "crm_complaint_remedy_tour",
            login="remedy_tour",
        )
        credit_note = self.complaint.remedy_ids.move_id
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.reversed_entry_id, self.invoice)
        self.assertEqual(credit_note.invoice_line_ids.product_id, self.cup)
        self.assertEqual(credit_note.invoice_line_ids.quantity, 2)
        self.assertEqual(credit_note.amount_total, 200)
        self.assertEqual(self.complaint.remedy_cost, 200)
