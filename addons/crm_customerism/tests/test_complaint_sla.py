from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .complaint_common import ComplaintCase


@tagged("post_install", "-at_install")
class TestComplaintSla(ComplaintCase):
    def test_deadline_across_weekend(self):
        # Friday 15:00, normal severity, standard tier: 8 h response, 40 h resolution
        with freeze_time("2026-03-06 15:00:00"):
            complaint = self._complaint()
        self.assertEqual(complaint.service_tier, "standard")
        self.assertEqual(
            complaint.sla_policy_id,
            self.env.ref("crm_customerism.crm_complaint_sla_normal"),
        )
        # Fri 15-17 (2 h) + Mon 8-12 (4 h) + Mon 13-15 (2 h)
        self.assertEqual(complaint.response_deadline, datetime(2026, 3, 9, 15))
        # 2 + 4 x 8 = 34 h to Thursday evening, then 6 h on Friday
        self.assertEqual(complaint.resolution_deadline, datetime(2026, 3, 13, 15))
        with freeze_time("2026-03-09 08:00:00"):
            self.assertEqual(complaint.sla_status, "ontime")
        with freeze_time("2026-03-09 14:00:00"):
            complaint.invalidate_recordset(["sla_status"])
            self.assertEqual(complaint.sla_status, "soon")
        with freeze_time("2026-03-09 16:00:00"):
            complaint.invalidate_recordset(["sla_status"])
            self.assertEqual(complaint.sla_status, "overdue")
            self.assertIn(
                complaint, self.Complaint.search([("sla_status", "=", "overdue")])
            )

    def test_waiting_pauses_the_clock(self):
        with freeze_time("2026-03-06 15:00:00"):
            complaint = self._complaint(user_id=self.agent.id)
        with freeze_time("2026-03-09 10:00:00"):
            complaint.action_investigate()
            complaint.action_wait_customer()
            self.assertEqual(complaint.sla_status, "paused")
        with freeze_time("2026-03-10 10:00:00"):
            complaint.action_resume()
        # Mon 10-12, 13-17 and Tue 8-10: 8 working hours paused
        self.assertAlmostEqual(complaint.paused_hours, 8.0)
        self.assertFalse(complaint.pause_start)
        self.assertEqual(complaint.resolution_deadline, datetime(2026, 3, 16, 15))
        # the response deadline does not move
        self.assertEqual(complaint.response_deadline, datetime(2026, 3, 9, 15))

    def test_tier_from_grade(self):
        self.env["crm.customer.profile"].sudo().create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "grade_override": "vip",
                "grade_override_reason": "Strategic account",
            }
        )
        with freeze_time("2026-03-02 09:00:00"):
            complaint = self._complaint(severity="critical")
        self.assertEqual(complaint.service_tier, "expert")
        self.assertEqual(
            complaint.sla_policy_id,
            self.env.ref("crm_customerism.crm_complaint_sla_critical_expert"),
        )
        self.assertEqual(complaint.response_deadline, datetime(2026, 3, 2, 10))
        # raising the severity recomputes the policy and the deadlines
        with freeze_time("2026-03-02 09:00:00"):
            other = self._complaint(severity="normal")
        self.assertEqual(other.response_deadline, datetime(2026, 3, 2, 14))
        other.severity = "critical"
        self.assertEqual(other.response_deadline, datetime(2026, 3, 2, 10))

    def test_escalation_cron(self):
        Policy = self.env["crm.complaint.sla.policy"]
        Policy.create(
            {
                "name": "Critical (notify)",
                "company_id": self.company.id,
                "severity": "critical",
                "response_hours": 2,
                "resolution_hours": 16,
                "escalation_action": "notify",
            }
        )
        Policy.create(
            {
                "name": "High (reassign)",
                "company_id": self.company.id,
                "severity": "high",
                "response_hours": 2,
                "resolution_hours": 16,
                "escalation_action": "reassign",
                "escalation_user_id": self.manager.id,
            }
        )
        Policy.create(
            {
                "name": "Low (raise)",
                "company_id": self.company.id,
                "severity": "low",
                "response_hours": 2,
                "resolution_hours": 16,
                "escalation_action": "raise_severity",
            }
        )
        with freeze_time("2026-03-02 09:00:00"):  # Monday
            critical = self._complaint(severity="critical")
            high = self._complaint(severity="high", user_id=self.agent.id)
            low = self._complaint(severity="low")
            answered = self._complaint(severity="critical")
            answered.action_acknowledge()
        self.assertEqual(critical.response_deadline, datetime(2026, 3, 2, 11))
        with freeze_time("2026-03-02 12:00:00"):
            escalated = self.Complaint._cron_escalate()
            self.assertEqual(escalated, critical | high | low)
            self.assertFalse(self.Complaint._cron_escalate())
        self.assertEqual(critical.escalation_level, 1)
        self.assertEqual(critical.activity_ids.user_id, self.manager)
        self.assertIn("Escalation", critical.message_ids[0].body)
        self.assertEqual(high.user_id, self.manager)
        self.assertEqual(low.severity, "normal")
        self.assertEqual(answered.escalation_level, 0)
        # resolution deadline: Mon 9-17 (7 h), Tue (8 h), Wed 8-9
        self.assertEqual(critical.resolution_deadline, datetime(2026, 3, 4, 9))
        with freeze_time("2026-03-04 10:00:00"):
            escalated = self.Complaint._cron_escalate()
        self.assertIn(critical, escalated)
        self.assertIn(answered, escalated)
        self.assertEqual(critical.escalation_level, 2)
