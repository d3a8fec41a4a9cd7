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

    def test_policy_change_keeps_history(self):
        policy = self.env["crm.complaint.sla.policy"].create(
            {
                "name": "Normal (desk)",
                "company_id": self.company.id,
                "severity": "normal",
                "response_hours": 2,
                "resolution_hours": 16,
            }
        )
        with freeze_time("2026-03-02 09:00:00"):  # Monday
            open_one = self._complaint()
            closed = self._complaint(**self._close_values(self.agent))
            cancelled = self._complaint()
            waited = self._complaint(user_id=self.agent.id)
        self.assertEqual(closed.sla_policy_id, policy)
        with freeze_time("2026-03-02 10:00:00"):
            closed.action_resolve()
            closed.action_close()
            cancelled.action_cancel()
            waited.action_investigate()
            waited.action_wait_customer()
        # resolved straight from waiting: the last pause (Mon 10-12, 13-17 and
        # Tue 8-10: 8 h) still extends the deadline before it is kept
        waited.write(self._close_values(self.agent))
        with freeze_time("2026-03-03 10:00:00"):
            waited.action_resolve()
        self.assertAlmostEqual(waited.paused_hours, 8.0)
        # 24 h: Mon 9-17, Tue, Wed, then Thu 8-9
        self.assertEqual(waited.resolution_deadline, datetime(2026, 3, 5, 9))
        for complaint in (open_one, closed, cancelled):
            self.assertEqual(complaint.response_deadline, datetime(2026, 3, 2, 11))
            self.assertEqual(complaint.resolution_deadline, datetime(2026, 3, 4, 9))

        policy.write({"response_hours": 4, "resolution_hours": 24})
        # the open ticket follows the policy (Mon 9-12 and 13-14; as above)
        self.assertEqual(open_one.response_deadline, datetime(2026, 3, 2, 14))
        self.assertEqual(open_one.resolution_deadline, datetime(2026, 3, 5, 9))
        # the handled ones keep the deadlines they were held to
        for complaint in (closed, cancelled):
            self.assertEqual(complaint.response_deadline, datetime(2026, 3, 2, 11))
            self.assertEqual(complaint.resolution_deadline, datetime(2026, 3, 4, 9))
        self.assertEqual(waited.response_deadline, datetime(2026, 3, 2, 11))
        self.assertEqual(waited.resolution_deadline, datetime(2026, 3, 5, 9))
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(closed.resolution_deadline, datetime(2026, 3, 4, 9))
        # a reopened ticket is worked again: it follows the policy again
        closed.action_reopen()
        policy.write({"resolution_hours": 16})
        self.assertEqual(closed.resolution_deadline, datetime(2026, 3, 4, 9))
        policy.write({"resolution_hours": 24})
        self.assertEqual(closed.resolution_deadline, datetime(2026, 3, 5, 9))

    def test_escalation_without_manager(self):
        """The escalation note says what was done: the complaint managers of the
        company are told when the policy and the team name no one, and the note
        says so when there is no one at all."""
        Policy = self.env["crm.complaint.sla.policy"]
        west = self.env["res.company"].create({"name": "Customerism West"})
        for company in (self.company, west):
            Policy.create(
                [
                    {
                        "name": "Normal (notify)",
                        "company_id": company.id,
                        "severity": "normal",
                        "response_hours": 2,
                        "resolution_hours": 16,
                        "escalation_action": "notify",
                    },
                    {
                        "name": "High (reassign)",
                        "company_id": company.id,
                        "severity": "high",
                        "response_hours": 2,
                        "resolution_hours": 16,
                        "escalation_action": "reassign",
                    },
                ]
            )
        with freeze_time("2026-03-02 09:00:00"):
            no_team = self._complaint(team_id=False)
            reassign = self._complaint(
                team_id=False, severity="high", user_id=self.agent.id
            )
            nobody = self.Complaint.create(
                {
                    "subject": "Late delivery in the west",
                    "partner_id": self.customer.id,
                    "company_id": west.id,
                }
            )
        self.assertFalse(nobody.team_id)
        with freeze_time("2026-03-20 12:00:00"):
            escalated = self.Complaint._cron_escalate()
        self.assertEqual(escalated, no_team | reassign | nobody)
        # no team: the complaint managers of the company are told, no one else
        note = no_team.message_ids[0]
        self.assertIn("Escalation", note.body)
        self.assertIn("complaint managers notified", note.body)
        self.assertIn(self.manager.name, note.body)
        self.assertNotIn("no manager", note.body)
        self.assertIn(self.manager.partner_id, note.partner_ids)
        self.assertNotIn(self.agent.partner_id, note.partner_ids)
        self.assertFalse(no_team.activity_ids)
        # reassign without a manager: the responsible stays, and the note says so
        self.assertEqual(reassign.user_id, self.agent)
        self.assertIn("not reassigned", reassign.message_ids[0].body)
        # no manager anywhere: nothing pretends that one was notified
        note = nobody.message_ids[0]
        self.assertIn("Escalation", note.body)
        self.assertIn("no manager could be notified", note.body)
        self.assertNotIn("manager notified", note.body)
        self.assertFalse(note.partner_ids)
        self.assertFalse(nobody.activity_ids)
        self.assertEqual(nobody.escalation_level, 2)
