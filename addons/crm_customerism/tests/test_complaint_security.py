"""The holes found by probing the suite as a portal customer, an employee
without Customerism rights and a Customerism user (issue: security)."""

import json
import xmlrpc.client

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .complaint_common import ComplaintCase

# what a customer may read of their own complaint; everything else of the
# model (root cause, actions, supplier, tier, SLA policy, risk, escalation,
# team, ...) is for internal users only
CUSTOMER_FIELDS = {
    "name",
    "subject",
    "active",
    "company_id",
    "partner_id",
    "commercial_partner_id",
    "email_from",
    "channel",
    "category_id",
    "description",
    "sale_order_id",
    "invoice_id",
    "product_id",
    "delivery_reference",
    "lot_reference",
    "user_id",
    "stage",
    "acknowledged_date",
    "resolved_date",
    "closed_date",
    "sla_start",
    "response_deadline",
    "resolution_deadline",
    "sla_status",
    "resolution",
    # crm_supply_link: the delivery and lot the complaint is about
    "picking_id",
    "lot_id",
}
# fields that Odoo's mixins give every portal document (chatter, portal
# link, rating summary): Odoo decides their groups
MIXINS = ("portal.mixin", "mail.thread.cc", "mail.activity.mixin", "rating.mixin")


class SecurityCase(ComplaintCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env, login="cx_sec_portal", groups="base.group_portal"
        )
        cls.portal_user.partner_id.write(
            {"parent_id": cls.customer.id, "email": "li.na@tea.example"}
        )
        cls.employee = new_test_user(
            cls.env, login="cx_sec_employee", groups="base.group_user"
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Xiamen Porcelain", "is_company": True}
        )


@tagged("post_install", "-at_install")
class TestComplaintSecurity(SecurityCase):
    def test_merge_refuses_another_customers_target(self):
        mine = self._complaint(subject="Mine", description="<p>X's secret</p>")
        theirs = self._complaint(subject="Theirs", partner_id=self.other_customer.id)
        # the target outside complaint_ids, as a crafted RPC call would give it
        wizard = (
            self.env["crm.complaint.merge.wizard"]
            .with_user(self.manager)
            .create({"complaint_ids": [Command.set(mine.ids)], "target_id": theirs.id})
        )
        with self.assertRaisesRegex(UserError, "one and the same customer"):
            wizard.action_merge()
        self.assertEqual(mine.stage, "new")
        self.assertNotIn("secret", theirs.description or "")
        self.assertNotIn(self.contact, theirs.message_partner_ids)
        # same customer, another company
        south = self._complaint(
            subject="South",
            company_id=self.company2.id,
            team_id=False,
            category_id=False,
        )
        with self.assertRaisesRegex(UserError, "same company"):
            mine._merge_from(south)
        self.assertEqual(south.stage, "new")

    def test_reopen_voids_the_rating_link(self):
        complaint = self._closed_complaint()
        token = complaint.rating_ids.access_token
        self.assertTrue(token)
        complaint.action_reopen()
        self.assertFalse(complaint.rating_ids)
        with self.assertRaisesRegex(UserError, "not closed"):
            complaint.rating_apply(5, token=token)
        # closed again: a new link, the old one stays dead
        complaint.action_resolve()
        complaint.action_close()
        new_token = complaint.rating_ids.access_token
        self.assertNotEqual(new_token, token)
        with self.assertRaisesRegex(UserError, "not valid"):
            complaint.rating_apply(5, token=token)
        complaint.rating_apply(2, token=new_token)
        self.assertEqual(complaint.rating_last_value, 2)

    def test_rating_only_when_closed(self):
        complaint = self._complaint()
        # a request made before closure (e.g. by an earlier version)
        token = complaint._rating_get_access_token()
        with self.assertRaisesRegex(UserError, "not closed"):
            complaint.rating_apply(4, token=token)
        self.assertFalse(complaint.rating_ids.consumed)

    def test_no_rating_with_a_message(self):
        complaint = self._closed_complaint()
        for user in (self.agent, self.manager):
            with self.assertRaisesRegex(UserError, "satisfaction link"):
                complaint.with_user(user).message_post(
                    body="Great", message_type="comment", rating_value=5
                )
        self.assertNotIn("rating_value", complaint._get_allowed_message_post_params())
        self.assertFalse(complaint.rating_ids.filtered("consumed"))

    def test_ratings_and_followers_follow_the_complaint(self):
        complaint = self._closed_complaint()
        complaint.rating_apply(5, token=complaint.rating_ids.access_token)
        rating = complaint.rating_ids
        in_complaint = [
            ("res_model", "=", "crm.complaint"),
            ("res_id", "=", complaint.id),
        ]
        # an employee without Customerism rights sees neither
        Rating = self.env["rating.rating"].with_user(self.employee)
        self.assertFalse(Rating.search(in_complaint))
        with self.assertRaises(AccessError):
            rating.with_user(self.employee).read(["rating", "access_token"])
        with self.assertRaises(AccessError):
            rating.with_user(self.employee).write({"rating": 1})
        Followers = self.env["mail.followers"].with_user(self.employee)
        self.assertFalse(Followers.search(in_complaint))
        # a Customerism user of another team neither
        self.assertFalse(
            self.env["rating.rating"].with_user(self.outsider).search(in_complaint)
        )
        self.assertFalse(
            self.env["mail.followers"].with_user(self.outsider).search(in_complaint)
        )
        # the complaint's handler reads both, but cannot rewrite the customer's word
        self.assertEqual(
            self.env["rating.rating"].with_user(self.agent).search(in_complaint), rating
        )
        self.assertIn(
            self.contact,
            self.env["mail.followers"]
            .with_user(self.agent)
            .search(in_complaint)
            .partner_id,
        )
        for vals in ({"rating": 1}, {"feedback": "bad"}, {"res_id": complaint.id + 1}):
            with self.assertRaises(AccessError):
                rating.with_user(self.agent).write(vals)
        with self.assertRaises(AccessError):
            self.env["rating.rating"].with_user(self.agent).create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("crm.complaint"),
                    "res_id": complaint.id,
                    "rating": 1,
                    "consumed": True,
                }
            )
        self.assertEqual(rating.rating, 5)
        self.assertEqual(complaint.rating_last_value, 5)
        # ratings and followers of other documents are untouched by the rules
        partner = self.env["res.partner"].create({"name": "Follow me"})
        partner.message_subscribe(partner_ids=self.employee.partner_id.ids)
        self.assertTrue(
            Followers.search(
                [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
            )
        )

    def _gesture_program(self, **vals):
        return self.env["loyalty.program"].create(
            {"name": "Sorry card", "program_type": "gift_card", **vals}
        )

    def _gesture(self, user, complaint, program, points, **vals):
        return (
            self.env["crm.complaint.gesture.wizard"]
            .with_user(user)
            .create(
                {
                    "complaint_id": complaint.id,
                    "program_id": program.id,
                    "points": points,
                    **vals,
                }
            )
        )

    def test_gesture_to_own_customer_within_limit(self):
        self.company.customerism_gesture_limit = 50
        program = self._gesture_program()
        complaint = self._complaint()
        Card = self.env["loyalty.card"]
        # the partner given is not the one served: the complaint's customer is
        wizard = self._gesture(
            self.agent, complaint, program, 30, partner_id=self.other_customer.id
        )
        wizard.action_apply()
        card = complaint.gesture_card_ids
        self.assertEqual(card.partner_id, self.contact)
        self.assertFalse(Card.search([("partner_id", "=", self.other_customer.id)]))
        self.assertIn("granted by Complaint Agent", complaint.message_ids[0].body)
        # above the limit: a manager's decision
        with self.assertRaisesRegex(UserError, "approval of a Customerism manager"):
            self._gesture(self.agent, complaint, program, 51).action_apply()
        self.assertEqual(len(complaint.gesture_card_ids), 1)
        self._gesture(self.manager, complaint, program, 500).action_apply()
        self.assertEqual(sorted(complaint.gesture_card_ids.mapped("points")), [30, 500])
        # a program of another company or of another kind is refused
        foreign = self._gesture_program(company_id=self.company2.id)
        promo = self._gesture_program(program_type="promotion")
        for other in (foreign, promo):
            with self.assertRaisesRegex(UserError, "cannot give an apology gesture"):
                self._gesture(self.manager, complaint, other, 1).action_apply()
        self.assertEqual(len(complaint.gesture_card_ids), 2)
        # a complaint the user may not change gives nothing
        hidden = self._complaint(team_id=self.other_team.id)
        with self.assertRaises(AccessError):
            self._gesture(self.agent, hidden, program, 1).action_apply()
        self.assertFalse(hidden.gesture_card_ids)

    def test_gesture_limit_setting(self):
        settings = Form(self.env["res.config.settings"])
        settings.customerism_gesture_limit = 80
        settings.save().execute()
        self.assertEqual(self.company.customerism_gesture_limit, 80)
        with self.assertRaises(ValidationError):
            self.company.customerism_gesture_limit = -1


@tagged("post_install", "-at_install")
class TestComplaintSecurityHttp(SecurityCase, HttpCase):
    """The same rules through the doors an outsider uses: XML-RPC, JSON-RPC and
    the portal pages."""

    def _portal_complaint(self, **vals):
        return self._complaint(partner_id=self.portal_user.partner_id.id, **vals)

    def _post(self, complaint, post_data, **kwargs):
        return self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "crm.complaint",
                "thread_id": complaint.id,
                "post_data": {"message_type": "comment", **post_data},
                **kwargs,
            },
        )

    def test_portal_chatter_cannot_rate(self):
        complaint = self._portal_complaint()
        self.authenticate("cx_sec_portal", "cx_sec_portal")
        self._post(complaint, {"body": "Rated through the chatter", "rating_value": 1})
        self._post(complaint, {"body": "Again", "rating_value": "0.5"})
        self.assertFalse(complaint.rating_ids)
        self.assertFalse(complaint.rating_last_value)
        # the messages themselves are posted, as on any portal document
        bodies = "".join(complaint.message_ids.mapped("body"))
        self.assertIn("Rated through the chatter", bodies)

    def test_post_with_another_complaints_token(self):
        mine = self._portal_complaint()
        other = self._complaint(subject="Not yours")
        token = mine._portal_ensure_token()
        self.authenticate(None, None)
        for target in (other, self.Complaint.browse(999999)):
            with mute_logger("odoo.http"):
                response = self.url_open(
                    "/mail/message/post",
                    data=json.dumps(
                        {
                            "params": {
                                "thread_model": "crm.complaint",
                                "thread_id": target.id,
                                "post_data": {"body": "hi", "message_type": "comment"},
                                "token": token,
                            }
                        }
                    ),
                    headers={"Content-Type": "application/json"},
                )
            error = response.json().get("error", {})
            self.assertEqual(
                error.get("data", {}).get("name"), "werkzeug.exceptions.NotFound"
            )
        self.assertNotIn("hi", "".join(other.message_ids.mapped("body")))

    def test_portal_reads_only_customer_fields(self):
        complaint = self._closed_complaint(
            partner_id=self.portal_user.partner_id.id,
            corrective_action="Refund",
            preventive_action="Thicker boxes",
            lifecycle_risk=True,
        )
        Complaint = self.env["crm.complaint"]
        mixin_fields = set().union(*(self.env[m]._fields for m in MIXINS))
        magic = {name for name, field in Complaint._fields.items() if field.automatic}
        allowed = CUSTOMER_FIELDS | mixin_fields | magic | {"display_name"}
        uid = self.portal_user.id
        readable = set()
        for fname in Complaint._fields:
            try:
                self.xmlrpc_object.execute_kw(
                    self.env.cr.dbname,
                    uid,
                    "cx_sec_portal",
                    "crm.complaint",
                    "read",
                    [[complaint.id]],
                    {"fields": [fname]},
                )
            except xmlrpc.client.Fault as fault:
                # Odoo's fault code of an AccessError
                self.assertEqual(fault.faultCode, 4, f"{fname}: {fault.faultString}")
                continue
            readable.add(fname)
        self.assertFalse(readable - allowed, "internal fields readable by the customer")
        for fname in ("root_cause", "supplier_id", "service_tier", "lifecycle_risk"):
            self.assertNotIn(fname, readable)
        self.assertIn("resolution", readable)
        # JSON-RPC: the same refusal, and fields_get hides them
        self.authenticate("cx_sec_portal", "cx_sec_portal")
        with (
            self.assertRaisesRegex(JsonRpcException, "AccessError"),
            mute_logger("odoo.http"),
        ):
            self.make_jsonrpc_request(
                "/web/dataset/call_kw/crm.complaint/read",
                {
                    "model": "crm.complaint",
                    "method": "read",
                    "args": [[complaint.id], ["preventive_action"]],
                    "kwargs": {},
                },
            )
        described = Complaint.with_user(self.portal_user).fields_get()
        self.assertNotIn("preventive_action", described)
        # the portal page still shows the complaint
        page = self.url_open(f"/my/complaints/{complaint.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(complaint.name, page.text)
        self.assertNotIn("Thicker boxes", page.text)

    def _csrf(self, url):
        response = self.url_open(url)
        return response.text.split('name="csrf_token" value="')[1].split('"')[0]

    def test_portal_form_hostile_text(self):
        self.authenticate("cx_sec_portal", "cx_sec_portal")
        token = self._csrf("/my/complaints/new")
        # a NUL byte does not cut the text short
        self.url_open(
            "/my/complaints/new",
            data={
                "csrf_token": token,
                "subject": "Broken\x00 lid",
                "description": "The lid\x00 was cracked on arrival.",
            },
        )
        complaint = self.Complaint.search([("channel", "=", "portal")])
        self.assertEqual(complaint.subject, "Broken lid")
        self.assertIn("was cracked on arrival", complaint.description)
        # a description far too long is refused, and not echoed back whole
        huge = "x" * 1_000_000
        response = self.url_open(
            "/my/complaints/new",
            data={"csrf_token": token, "subject": "Too long", "description": huge},
            timeout=60,
        )
        self.assertIn("too long", response.text)
        self.assertLess(len(response.text), 200_000)
        response = self.url_open(
            "/my/complaints/new",
            data={"csrf_token": token, "subject": "S" * 500, "description": "x"},
        )
        self.assertIn("The subject is too long", response.text)
        self.assertEqual(self.Complaint.search_count([("channel", "=", "portal")]), 1)
