from freezegun import freeze_time

from odoo.tests import tagged

from .common import CustomerismCase


@tagged("post_install", "-at_install")
class TestComplaintLifecycle(CustomerismCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._partner("Ningbo Ceramics")
        cls._order(cls.customer, "2025-06-01", 1000)
        cls.Complaint = cls.env["crm.complaint"]

    def _complaint(self, severity="normal", subject="Glaze cracked"):
        return self.Complaint.create(
            {"subject": subject, "partner_id": self.customer.id, "severity": severity}
        )

    def test_serious_complaint_puts_at_risk(self):
        profile = self._profile(self.customer)
        with freeze_time("2025-06-30 12:00:00"):
            self.assertEqual(profile.lifecycle_stage, "new")
            complaint = self._complaint(severity="high")
        self.assertTrue(complaint.lifecycle_risk)
        self.assertEqual(profile.lifecycle_stage, "at_risk")
        self.assertIn(complaint.name, profile.stage_reason)
        history = profile.stage_history_ids[0]
        self.assertEqual(history.stage_to, "at_risk")
        self.assertIn(complaint.name, history.reason)
        # the full recompute keeps the flag
        self._recompute(date="2025-07-01")
        self.assertEqual(profile.lifecycle_stage, "at_risk")
        # resolved: the flag goes, the stage follows the purchases again
        with freeze_time("2025-07-02 12:00:00"):
            complaint.write(
                {
                    "user_id": self.user.id,
                    "root_cause_type": "product",
                    "resolution": "<p>Replaced</p>",
                }
            )
            complaint.action_resolve()
        self.assertFalse(complaint.lifecycle_risk)
        self.assertEqual(profile.lifecycle_stage, "new")

    def test_repeated_complaints(self):
        self.company.customerism_complaint_repeat_count = 3
        self.company.customerism_complaint_repeat_days = 30
        profile = self._profile(self.customer)
        with freeze_time("2025-06-10 12:00:00"):
            self._complaint(subject="First")
        with freeze_time("2025-06-20 12:00:00"):
            self._complaint(subject="Second")
        self.assertEqual(profile.lifecycle_stage, "new")
        with freeze_time("2025-06-25 12:00:00"):
            third = self._complaint(subject="Third")
        self.assertTrue(third.lifecycle_risk)
        self.assertEqual(profile.lifecycle_stage, "at_risk")
        self.assertIn("3", third.lifecycle_risk_reason)
        # a month later the first complaints leave the window: the daily cron
        # clears the flag
        with freeze_time("2025-07-15 12:00:00"):
            self.Complaint._cron_update_lifecycle_risk()
        self.assertFalse(third.lifecycle_risk)
        self.assertNotEqual(profile.lifecycle_stage, "at_risk")

    def test_prospect_is_not_moved(self):
        prospect = self._partner("Prospect Co")
        with freeze_time("2025-06-30 12:00:00"):
            complaint = self.Complaint.create(
                {"subject": "Rude", "partner_id": prospect.id, "severity": "critical"}
            )
        self.assertTrue(complaint.lifecycle_risk)
        profile = self._profile(prospect)
        self.assertNotEqual(profile.lifecycle_stage, "at_risk")
