from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .complaint_common import ComplaintCase


@tagged("post_install", "-at_install")
class TestInteractionAccess(ComplaintCase):
    """The timeline obeys the record rules of the documents it shows: the
    complaint, the order, the lead or the partner of each row."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Interaction = cls.env["crm.interaction"]
        cls.complaint_a = cls._complaint(subject="Cracked teapot")
        cls.complaint_b = cls._complaint(
            subject="Late delivery", team_id=cls.other_team.id
        )
        for complaint, body in (
            (cls.complaint_a, "Team A: replacement on its way"),
            (cls.complaint_b, "Team B: carrier investigating"),
        ):
            complaint.message_post(
                body=body, message_type="email", author_id=cls.contact.id
            )

    def _timeline(self, user, domain=()):
        return self.Interaction.with_user(user).search(
            [("partner_id", "=", self.customer.id), *domain]
        )

    def _summaries(self, rows):
        return " | ".join(rows.mapped("summary"))

    def test_complaint_team_rows(self):
        # the complaint rules split the two teams
        self.assertTrue(self.complaint_a.with_user(self.agent).has_access("read"))
        self.assertFalse(self.complaint_b.with_user(self.agent).has_access("read"))
        self.assertFalse(self.complaint_a.with_user(self.outsider).has_access("read"))
        # without rules the timeline holds both complaints and their messages
        everything = self._timeline(self.env.user)
        self.assertEqual(everything.complaint_id, self.complaint_a | self.complaint_b)
        for user, own, other in (
            (self.agent, self.complaint_a, self.complaint_b),
            (self.outsider, self.complaint_b, self.complaint_a),
        ):
            timeline = self._timeline(user)
            self.assertEqual(timeline.complaint_id, own, user.login)
            own_rows = timeline.filtered(lambda row, own=own: row.complaint_id == own)
            self.assertEqual(set(own_rows.mapped("kind")), {"complaint", "message"})
            summaries = self._summaries(timeline)
            self.assertIn(own.subject, summaries)
            self.assertNotIn(other.subject, summaries)
            self.assertNotIn(other.name, summaries)
            # no row of the other team's complaint, whatever the domain
            self.assertFalse(
                self.Interaction.with_user(user).search(
                    [("res_model", "=", "crm.complaint"), ("res_id", "=", other.id)]
                )
            )
            # counts and grouped reads agree with the search
            self.customer.invalidate_recordset()
            self.assertEqual(
                self.customer.with_user(user).customerism_interaction_count,
                len(timeline),
            )
            groups = self.Interaction.with_user(user).read_group(
                [("partner_id", "=", self.customer.id)], ["kind"], ["kind"]
            )
            self.assertEqual(sum(g["kind_count"] for g in groups), len(timeline))
        self.assertIn(
            "Team A: replacement", self._summaries(self._timeline(self.agent))
        )
        self.assertNotIn("Team B", self._summaries(self._timeline(self.agent)))
        # a manager sees both complaints and both messages
        timeline = self._timeline(self.manager)
        self.assertEqual(timeline.complaint_id, self.complaint_a | self.complaint_b)
        self.assertIn("Team A: replacement", self._summaries(timeline))
        self.assertIn("Team B: carrier", self._summaries(timeline))

    def test_forbidden_row_by_id(self):
        """Reading a row by its id checks the document too, not only search."""
        message_b = self.Interaction.search(
            [("complaint_id", "=", self.complaint_b.id), ("kind", "=", "message")]
        )
        self.assertEqual(len(message_b), 1)
        self.assertEqual(
            message_b.with_user(self.outsider).read(["kind"])[0]["kind"], "message"
        )
        self.assertEqual(
            message_b.with_user(self.manager).summary.strip()[:6], "Team B"
        )
        with self.assertRaises(AccessError):
            message_b.with_user(self.agent).read(["summary"])
        # check_access() evaluates the rules in Python (document_readable)
        self.assertFalse(message_b.with_user(self.agent).has_access("read"))
        self.assertTrue(message_b.with_user(self.outsider).has_access("read"))
        self.assertTrue(message_b.with_user(self.manager).has_access("read"))
        with self.assertRaises(AccessError):
            message_b.with_user(self.agent).check_access("read")

    def test_order_and_lead_rows(self):
        # salespersons with "own documents only" read their own orders and leads
        self.assertTrue(self.agent.has_group("sales_team.group_sale_salesman"))
        self.assertFalse(
            self.agent.has_group("sales_team.group_sale_salesman_all_leads")
        )
        sales_manager = new_test_user(
            self.env,
            login="cx_sales_manager",
            groups="crm_customerism.group_crm_customerism_user,"
            "sales_team.group_sale_manager",
            company_ids=[Command.link(self.company.id)],
        )
        product = self.env["product.product"].create({"name": "Tea set"})
        orders = self.env["sale.order"]
        for user in (self.agent, self.outsider):
            orders |= self.env["sale.order"].create(
                {
                    "partner_id": self.contact.id,
                    "user_id": user.id,
                    "order_line": [Command.create({"product_id": product.id})],
                }
            )
        with freeze_time("2026-03-02 09:00:00"):
            orders.action_confirm()
        own_order, other_order = orders
        other_order.message_post(
            body="Can you deliver on Friday?",
            message_type="email",
            author_id=self.contact.id,
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "Tea ceremony sets",
                "partner_id": self.contact.id,
                "user_id": self.outsider.id,
            }
        )
        lead.message_post(
            body="Interested in 200 sets",
            message_type="email",
            author_id=self.contact.id,
        )
        self.assertFalse(other_order.with_user(self.agent).has_access("read"))
        self.assertFalse(lead.with_user(self.agent).has_access("read"))

        timeline = self._timeline(self.agent)
        self.assertEqual(timeline.order_id, own_order)
        self.assertFalse(timeline.lead_id)
        self.assertNotIn("deliver on Friday", self._summaries(timeline))
        self.assertNotIn("200 sets", self._summaries(timeline))

        timeline = self._timeline(self.outsider)
        self.assertEqual(timeline.order_id, other_order)
        self.assertEqual(
            set(timeline.filtered("order_id").mapped("kind")), {"order", "message"}
        )
        self.assertEqual(timeline.lead_id, lead)

        timeline = self._timeline(sales_manager)
        self.assertEqual(timeline.order_id, orders)
        self.assertEqual(timeline.lead_id, lead)
        # the lost lead is archived: its contacts stay on the timeline
        lead.action_set_lost()
        self.assertFalse(lead.active)
        self.assertEqual(self._timeline(self.outsider).lead_id, lead)

    def test_planned_activity(self):
        with freeze_time("2026-03-02 09:00:00"):
            activity = self.customer.activity_schedule(
                "mail.mail_activity_data_call",
                date_deadline=date(2026, 3, 10),
                summary="Call back about the refund",
                user_id=self.agent.id,
            )
            self.complaint_b.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=date(2026, 3, 5),
                summary="Check with the carrier",
                user_id=self.outsider.id,
            )
        planned = self._timeline(self.agent, [("kind", "=", "planned")])
        self.assertRecordValues(
            planned,
            [
                {
                    "date": datetime(2026, 3, 10),
                    "date_deadline": date(2026, 3, 10),
                    "summary": "Call back about the refund",
                    "user_id": self.agent.id,
                    "channel": "phone",
                    "direction": "outbound",
                    "marketing": False,
                    "res_model": "res.partner",
                    "res_id": self.customer.id,
                    "complaint_id": False,
                }
            ],
        )
        # the activity of the other team's complaint is theirs only
        planned_b = self._timeline(self.outsider, [("kind", "=", "planned")])
        self.assertEqual(len(planned_b), 2)
        self.assertEqual(
            planned_b.filtered("complaint_id").summary, "Check with the carrier"
        )
        self.assertEqual(planned_b.filtered("complaint_id").channel, "other")
        self.assertEqual(
            len(self._timeline(self.manager, [("kind", "=", "planned")])), 2
        )

        # once done, the planned row gives way to the logged activity
        with freeze_time("2026-03-09 15:00:00"):
            activity.with_user(self.agent).action_feedback(feedback="Refund confirmed")
        self.assertFalse(self._timeline(self.agent, [("kind", "=", "planned")]))
        logged = self._timeline(
            self.agent, [("kind", "=", "activity"), ("res_model", "=", "res.partner")]
        )
        self.assertEqual(len(logged), 1)
        self.assertEqual(
            (logged.channel, logged.direction, logged.user_id),
            ("phone", "outbound", self.agent),
        )
        self.assertEqual(logged.date, datetime(2026, 3, 9, 15, 0))
