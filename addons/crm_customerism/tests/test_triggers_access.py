from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CustomerismCase


@tagged("post_install", "-at_install", "customerism")
class TestTriggersAccess(CustomerismCase):
    def test_confirm_and_cancel_orders(self):
        customer = self._partner("Trigger Co")
        order = self._order(customer, "2025-06-01", 1200)
        profile = self._profile(customer)
        self.assertEqual((profile.order_count, profile.historical_value), (1, 1200))
        self.assertEqual(profile.lifecycle_stage, "new")
        self.assertEqual(profile.stage_history_ids.stage_to, "new")
        with freeze_time("2025-06-02 10:00:00"):
            order._action_cancel()
        self.assertEqual((profile.order_count, profile.historical_value), (0, 0))
        self.assertEqual(profile.lifecycle_stage, "prospect")

    def test_posted_refund(self):
        customer = self._partner("Refunded Co")
        order = self._order(customer, "2025-06-01", 1200)
        with freeze_time("2025-06-10 10:00:00"):
            self._refund(customer, "2025-06-10", 300, order)
        self.assertEqual(self._profile(customer).current_value, 900)

    def test_invoice_posting_keeps_value(self):
        customer = self._partner("Invoiced Co")
        order = self._order(customer, "2025-06-01", 1200)
        with freeze_time("2025-06-05 10:00:00"):
            invoice = order._create_invoices()
            invoice.action_post()
        profile = self._profile(customer)
        self.assertEqual(
            profile.historical_value, 1200, "invoices of orders are not counted twice"
        )
        self.assertEqual(profile.order_count, 1)

    def test_user_rights(self):
        customer = self._partner("Rights Co")
        self._order(customer, "2025-06-01", 1200)
        profile = self._profile(customer).with_user(self.user)
        self.assertEqual(profile.current_value, 1200)
        self.assertEqual(customer.with_user(self.user).customerism_grade, profile.grade)
        with self.assertRaises(AccessError):
            profile.write({"grade_override": "vip", "grade_override_reason": "friend"})
        with self.assertRaises(AccessError):
            profile.write({"historical_value": 1})
        with self.assertRaises(AccessError):
            self.Profile.with_user(self.user).action_recompute_all()
        with self.assertRaises(AccessError):
            profile.unlink()
        with self.assertRaises(AccessError):
            profile.stage_history_ids.with_user(self.user).write({"reason_code": "new"})

    def test_manager_rights(self):
        customer = self._partner("Managed Co")
        self._order(customer, "2025-06-01", 1200)
        profile = self._profile(customer).with_user(self.manager)
        profile.write(
            {
                "grade_override": "vip",
                "grade_override_reason": "Group headquarters",
                "account_manager_id": self.manager.id,
                "technical_manager_id": self.user.id,
            }
        )
        self.assertEqual(profile.grade, "vip")
        self.assertEqual(profile.grade_override_user_id, self.manager)
        action = self.Profile.with_user(self.manager).action_recompute_all()
        self.assertEqual(action["tag"], "display_notification")

    def test_other_company_hidden(self):
        other = self.env["res.company"].create({"name": "Hidden Co"})
        customer = self._partner("Hidden customer")
        self._order(customer, "2025-06-01", 500, company=other)
        hidden = self._profile(customer, other)
        self.assertTrue(hidden)
        self.assertFalse(
            self.Profile.with_user(self.manager).search([("id", "=", hidden.id)])
        )

    def test_salesman_without_customerism(self):
        salesman = self.env["res.users"].create(
            {
                "name": "Plain salesman",
                "login": "cv_salesman",
                "groups_id": [
                    (6, 0, [self.env.ref("sales_team.group_sale_salesman").id])
                ],
            }
        )
        with self.assertRaises(AccessError):
            self.Profile.with_user(salesman).search([])
