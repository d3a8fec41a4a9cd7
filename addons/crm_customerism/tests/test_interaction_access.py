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

    # ------------------------------------------------------------------
    # calendar meetings
    # ------------------------------------------------------------------

    def _meeting(self, organizer, name, partners, **vals):
        return self.env["calendar.event"].create(
            {
                "name": name,
                "start": datetime(2026, 3, 5, 9, 0),
                "stop": datetime(2026, 3, 5, 10, 0),
                "user_id": organizer.id,
                "partner_ids": [Command.set(partners.ids)],
                **vals,
            }
        )

    def test_meeting_rows(self):
        """A calendar meeting shows once on the timeline of each customer whose
        contacts attend; the organizer, the colleagues and the own company do
        not count as customers."""
        buyer = self.env["res.partner"].create(
            {"name": "Zhao Lei", "parent_id": self.customer.id}
        )
        other_customer = self.env["res.partner"].create(
            {"name": "Suzhou Silk Co.", "is_company": True}
        )
        colleague = self.env["res.partner"].create(
            {"name": "Office Assistant", "parent_id": self.company.partner_id.id}
        )
        meeting = self._meeting(
            self.agent,
            "Tasting of the spring harvest",
            self.agent.partner_id
            | self.outsider.partner_id
            | self.contact
            | buyer
            | other_customer
            | colleague,
        )
        self.assertEqual(len(meeting.attendee_ids), 6)
        rows = self.Interaction.search([("calendar_event_id", "=", meeting.id)])
        self.assertEqual(rows.partner_id, self.customer | other_customer)
        for user in (self.agent, self.outsider, self.manager):
            row = self._timeline(user, [("kind", "=", "meeting")])
            self.assertRecordValues(
                row,
                [
                    {
                        "date": datetime(2026, 3, 5, 9, 0),
                        "kind": "meeting",
                        "channel": "meeting",
                        "direction": "outbound",
                        "marketing": False,
                        "summary": "Tasting of the spring harvest",
                        "user_id": self.agent.id,
                        "res_model": "calendar.event",
                        "res_id": meeting.id,
                        "calendar_event_id": meeting.id,
                        "complaint_id": False,
                    }
                ],
            )
            self.assertTrue(row.with_user(user).has_access("read"))
        self.customer.invalidate_recordset()
        self.assertEqual(
            self.customer.with_user(self.agent).customerism_interaction_count,
            len(self._timeline(self.agent)),
        )
        # an attendee who leaves takes the row of their customer along
        meeting.partner_ids -= other_customer
        rows = self.Interaction.search([("calendar_event_id", "=", meeting.id)])
        self.assertEqual(rows.partner_id, self.customer)
        # an archived (deleted) event leaves the timeline
        meeting.active = False
        self.assertFalse(self._timeline(self.manager, [("kind", "=", "meeting")]))

    def test_meeting_activity_not_twice(self):
        """The meeting activity tied to a calendar event is the meeting row;
        a planned activity without a meeting stays a planned row."""
        meeting = self._meeting(
            self.agent, "Contract review", self.agent.partner_id | self.contact
        )
        with freeze_time("2026-03-02 09:00:00"):
            self.customer.activity_schedule(
                "mail.mail_activity_data_meeting",
                date_deadline=date(2026, 3, 5),
                summary="Contract review",
                user_id=self.agent.id,
                calendar_event_id=meeting.id,
            )
            self.customer.activity_schedule(
                "mail.mail_activity_data_call",
                date_deadline=date(2026, 3, 4),
                summary="Confirm the agenda",
                user_id=self.agent.id,
            )
        timeline = self._timeline(self.agent, [("kind", "in", ("planned", "meeting"))])
        self.assertEqual(
            sorted(timeline.mapped(lambda row: (row.kind, row.summary))),
            [("meeting", "Contract review"), ("planned", "Confirm the agenda")],
        )

    def test_private_meeting(self):
        """Odoo 18 lets every employee read a private event of someone else
        (the private-event rule does not apply to reading) but blanks its name
        and attendees ("Busy"). The timeline follows: the private meetings a
        user neither organizes nor attends give them no row, by search, by id,
        in counts; the organizer and the attendees see them."""
        private = self._meeting(
            self.outsider,
            "Confidential price talks",
            self.outsider.partner_id | self.manager.partner_id | self.contact,
            privacy="private",
        )
        public = self._meeting(
            self.outsider,
            "Factory visit",
            self.outsider.partner_id | self.contact,
            privacy="public",
        )
        # what Odoo does: readable, but hidden fields (the cache is shared by
        # the users of a transaction, as in Odoo's own calendar tests)
        self.env.invalidate_all()
        as_agent = private.with_user(self.agent)
        self.assertTrue(as_agent.has_access("read"))
        self.assertEqual(as_agent.name, "Busy")
        self.assertFalse(as_agent.partner_ids)
        self.assertEqual(public.with_user(self.agent).name, "Factory visit")

        row = self.Interaction.search([("calendar_event_id", "=", private.id)])
        self.assertEqual(len(row), 1)
        meetings = self._timeline(self.agent, [("kind", "=", "meeting")])
        self.assertEqual(meetings.calendar_event_id, public)
        self.assertNotIn("Confidential", self._summaries(self._timeline(self.agent)))
        self.assertFalse(row.with_user(self.agent).has_access("read"))
        with self.assertRaises(AccessError):
            row.with_user(self.agent).read(["summary"])
        groups = self.Interaction.with_user(self.agent).read_group(
            [("partner_id", "=", self.customer.id)], ["kind"], ["kind"]
        )
        self.assertEqual(
            sum(g["kind_count"] for g in groups), len(self._timeline(self.agent))
        )
        # the organizer and an attendee see it
        for user in (self.outsider, self.manager):
            meetings = self._timeline(user, [("kind", "=", "meeting")])
            self.assertEqual(meetings.calendar_event_id, private | public, user.login)
            self.assertIn("Confidential price talks", self._summaries(meetings))
            self.assertTrue(row.with_user(user).has_access("read"))

        # no privacy on the event: the organizer's calendar default decides
        default = self._meeting(
            self.outsider, "Quarterly review", self.outsider.partner_id | self.contact
        )
        self.assertFalse(default.privacy)
        self.assertEqual(
            self._timeline(self.agent, [("kind", "=", "meeting")]).calendar_event_id,
            public | default,
        )
        self.outsider.with_user(self.outsider).calendar_default_privacy = "private"
        self.env.invalidate_all()
        self.assertEqual(default.with_user(self.agent).name, "Busy")
        self.assertEqual(
            self._timeline(self.agent, [("kind", "=", "meeting")]).calendar_event_id,
            public,
        )
        default_row = self.Interaction.search([("calendar_event_id", "=", default.id)])
        self.assertFalse(default_row.with_user(self.agent).has_access("read"))
        self.assertEqual(
            self._timeline(self.outsider, [("kind", "=", "meeting")]).calendar_event_id,
            private | public | default,
        )
