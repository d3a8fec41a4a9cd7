import re

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .complaint_common import ComplaintCase


@tagged("post_install", "-at_install")
class TestComplaintPortal(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Suzhou Silk Ltd", "is_company": True}
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="cx_portal_silk",
            groups="base.group_portal",
            name="Chen Jing",
        )
        cls.portal_user.partner_id.write(
            {"parent_id": cls.customer.id, "email": "chen.jing@silk.example"}
        )
        cls.other_portal = new_test_user(
            cls.env, login="cx_portal_other", groups="base.group_portal"
        )
        cls.agent = new_test_user(
            cls.env,
            login="cx_portal_agent",
            groups="crm_customerism.group_crm_customerism_manager",
        )
        cls.team = cls.env["crm.team"].create({"name": "Silk Desk"})
        cls.foreign = cls.env["crm.complaint"].create(
            {
                "subject": "Someone else's complaint",
                "partner_id": cls.other_portal.partner_id.id,
            }
        )

    def _csrf(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)

    def test_portal_complaint_and_rating(self):
        self.authenticate("cx_portal_silk", "cx_portal_silk")
        token = self._csrf("/my/complaints/new")
        # bad input: the form comes back with the errors, nothing is created
        response = self.url_open(
            "/my/complaints/new", data={"csrf_token": token, "subject": " "}
        )
        self.assertIn("Give a subject", response.text)
        self.assertFalse(self.env["crm.complaint"].search([("channel", "=", "portal")]))
        response = self.url_open(
            "/my/complaints/new",
            data={
                "csrf_token": token,
                "subject": "丝绸颜色不对",
                "description": "收到的丝绸颜色与样品不同。",
            },
        )
        complaint = self.env["crm.complaint"].search([("channel", "=", "portal")])
        self.assertEqual(len(complaint), 1)
        self.assertTrue(response.url.endswith(f"/my/complaints/{complaint.id}"))
        self.assertEqual(complaint.partner_id, self.portal_user.partner_id)
        self.assertEqual(complaint.commercial_partner_id, self.customer)
        self.assertIn("颜色", response.text)
        listing = self.url_open("/my/complaints").text
        self.assertIn(complaint.name, listing)
        self.assertNotIn(self.foreign.name, listing)
        response = self.url_open(f"/my/complaints/{self.foreign.id}")
        self.assertNotIn(self.foreign.subject, response.text)

        # closure sends a satisfaction request; the customer rates 1-5 once
        complaint.write(
            {
                "user_id": self.agent.id,
                "team_id": self.team.id,
                "root_cause_type": "product",
                "resolution": "<p>New roll sent</p>",
            }
        )
        complaint.with_user(self.agent).action_resolve()
        complaint.with_user(self.agent).action_close()
        rating = complaint.rating_ids
        self.assertEqual(len(rating), 1)
        self.assertFalse(rating.consumed)
        request_mail = self.env["mail.mail"].search(
            [("model", "=", "crm.complaint"), ("res_id", "=", complaint.id)]
        )
        self.assertIn(
            f"/complaint/rate/{rating.access_token}",
            "".join(request_mail.mapped("body_html")),
        )
        page = self.url_open(f"/my/complaints/{complaint.id}").text
        self.assertIn(f"/complaint/rate/{rating.access_token}", page)

        self.authenticate(None, None)
        url = f"/complaint/rate/{rating.access_token}"
        token = self._csrf(url)
        response = self.url_open(url, data={"csrf_token": token, "score": "9"})
        self.assertIn("from 1 to 5", response.text)
        self.assertFalse(rating.consumed)
        response = self.url_open(
            url, data={"csrf_token": token, "score": "4", "comment": "处理及时"}
        )
        self.assertIn("Thank you", response.text)
        self.assertTrue(rating.consumed)
        self.assertEqual(complaint.rating_last_value, 4)
        self.assertEqual(rating.feedback, "处理及时")
        response = self.url_open(url, data={"csrf_token": token, "score": "1"})
        self.assertIn("already used", response.text)
        self.assertEqual(complaint.rating_last_value, 4)
        self.assertIn("not valid", self.url_open("/complaint/rate/not-a-token").text)
        # the rating shows on the customer and on the team
        self.assertEqual(self.customer.customerism_complaint_rating, 4)
        self.team.invalidate_recordset()
        self.assertEqual(self.team.complaint_rating, 4)

    def test_portal_entry_for_every_customer(self):
        """A customer without any complaint finds where to file one."""
        new_test_user(self.env, login="cx_portal_first", groups="base.group_portal")
        self.authenticate("cx_portal_first", "cx_portal_first")
        home = self.url_open("/my").text
        card = re.search(
            r'<div class="(o_portal_index_card[^"]*)">\s*<a href="/my/complaints"', home
        )
        self.assertTrue(card, "no complaint entry on /my")
        self.assertNotIn("d-none", card.group(1))
        self.assertIn("/crm_customerism/static/src/img/portal-complaint.svg", home)
        self.assertIn("File a complaint", home)

    def _order(self, partner, products):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 1})
                    for product in products
                ],
            }
        )
        order.action_confirm()
        return order

    def test_portal_form_order_product_attachments(self):
        Product = self.env["product.product"]
        silk, satin, secret = (
            Product.create({"name": name, "type": "consu"})
            for name in ("Silk roll", "Satin roll", "Someone else's brocade")
        )
        order = self._order(self.customer, silk | satin)
        other_order = self._order(self.other_portal.partner_id, secret)
        self.authenticate("cx_portal_silk", "cx_portal_silk")
        form = self.url_open("/my/complaints/new").text
        self.assertIn(order.name, form)
        self.assertIn("Satin roll", form)
        self.assertNotIn(other_order.name, form)
        self.assertNotIn("brocade", form)
        token = self._csrf("/my/complaints/new")
        base = {"csrf_token": token, "subject": "Wrong colour", "description": "x"}

        def submit(files=None, **values):
            return self.url_open(
                "/my/complaints/new", data={**base, **values}, files=files
            )

        # what the customer may not see, or that is not on the order, is refused
        for values, message in (
            ({"sale_order_id": str(other_order.id)}, "Choose one of your orders"),
            ({"product_id": str(secret.id)}, "Choose a product you ordered"),
            (
                {"sale_order_id": str(order.id), "product_id": str(secret.id)},
                f"This product is not on order {order.name}",
            ),
            ({"sale_order_id": "abc"}, "Choose one of your orders"),
        ):
            self.assertIn(message, submit(**values).text)
        too_many = [("attachments", (f"p{i}.jpg", b"jpeg")) for i in range(6)]
        self.assertIn("Attach at most 5 files", submit(files=too_many).text)
        too_big = [("attachments", ("big.jpg", b"0" * (10 * 1024 * 1024 + 1)))]
        self.assertIn("big.jpg is too large", submit(files=too_big).text)
        self.assertFalse(self.env["crm.complaint"].search([("channel", "=", "portal")]))
        # the customer's own order and product, with photos
        files = [
            ("attachments", ("photo.jpg", b"\xff\xd8jpeg")),
            ("attachments", ("x.svg", b"<svg onload='alert(1)'/>")),
        ]
        submit(files=files, sale_order_id=str(order.id), product_id=str(satin.id))
        complaint = self.env["crm.complaint"].search([("channel", "=", "portal")])
        self.assertEqual(complaint.sale_order_id, order)
        self.assertEqual(complaint.product_id, satin)
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "crm.complaint"), ("res_id", "=", complaint.id)]
        )
        self.assertEqual(sorted(attachments.mapped("name")), ["photo.jpg", "x.svg"])
        self.assertEqual(
            attachments.filtered(lambda a: a.name == "x.svg").mimetype, "text/plain"
        )
        note = complaint.message_ids.filtered("attachment_ids")
        self.assertEqual(note.attachment_ids, attachments)
        page = self.url_open(f"/my/complaints/{complaint.id}").text
        self.assertIn(order.name, page)
        self.assertIn("Satin roll", page)

    def test_portal_page_shows_deadlines(self):
        complaint = self.env["crm.complaint"].create(
            {
                "subject": "Late delivery",
                "partner_id": self.portal_user.partner_id.id,
                "team_id": self.team.id,
            }
        )
        self.assertTrue(complaint.response_deadline)
        self.assertTrue(complaint.resolution_deadline)
        self.authenticate("cx_portal_silk", "cx_portal_silk")
        page = self.url_open(f"/my/complaints/{complaint.id}").text
        self.assertIn("o_complaint_response_deadline", page)
        self.assertIn("We answer by", page)
        self.assertIn("We aim to resolve it by", page)
        complaint.action_acknowledge()
        page = self.url_open(f"/my/complaints/{complaint.id}").text
        self.assertNotIn("We answer by", page)
        self.assertIn("Answered On", page)
        self.assertIn("We aim to resolve it by", page)

    def test_portal_category_must_be_offered(self):
        Category = self.env["crm.complaint.category"]
        other_company = self.env["res.company"].create({"name": "Silk Road West"})
        shared = Category.create({"name": "包装问题"})
        foreign = Category.create({"name": "West only", "company_id": other_company.id})
        archived = Category.create({"name": "Old category", "active": False})
        self.authenticate("cx_portal_silk", "cx_portal_silk")
        form = self.url_open("/my/complaints/new").text
        self.assertIn("包装问题", form)
        self.assertNotIn("West only", form)
        self.assertNotIn("Old category", form)
        token = self._csrf("/my/complaints/new")

        def submit(category):
            return self.url_open(
                "/my/complaints/new",
                data={
                    "csrf_token": token,
                    "subject": "丝绸起皱",
                    "description": "丝绸到货时起皱。",
                    "category_id": category,
                },
            )

        for bad in (str(foreign.id), str(archived.id), "999999", "abc"):
            response = submit(bad)
            self.assertEqual(response.status_code, 200, bad)
            self.assertIn("Choose a category from the list", response.text, bad)
            # what the customer wrote comes back with the form
            self.assertIn("丝绸到货时起皱", response.text, bad)
        self.assertFalse(self.env["crm.complaint"].search([("channel", "=", "portal")]))
        response = submit(str(shared.id))
        complaint = self.env["crm.complaint"].search([("channel", "=", "portal")])
        self.assertEqual(len(complaint), 1)
        self.assertEqual(complaint.category_id, shared)
        self.assertTrue(response.url.endswith(f"/my/complaints/{complaint.id}"))


@tagged("post_install", "-at_install")
class TestComplaintAccess(ComplaintCase):
    def test_team_rules(self):
        mine = self._complaint()
        other = self._complaint(team_id=self.other_team.id)
        unassigned = self._complaint(team_id=False)
        Agent = self.Complaint.with_user(self.agent)
        self.assertEqual(
            Agent.search([("id", "in", (mine | other | unassigned).ids)]),
            mine | unassigned,
        )
        with self.assertRaises(AccessError):
            other.with_user(self.agent).read(["subject"])
        Outsider = self.Complaint.with_user(self.outsider)
        self.assertIn(other, Outsider.search([]))
        self.assertNotIn(mine, Outsider.search([]))
        Manager = self.Complaint.with_user(self.manager)
        self.assertEqual(
            Manager.search([("id", "in", (mine | other | unassigned).ids)]),
            mine | other | unassigned,
        )
        with self.assertRaises(UserError):
            mine.with_user(self.agent).write({"stage": "investigating"})
        mine.with_user(self.agent).action_investigate()
        with self.assertRaises(UserError):
            mine.with_user(self.agent).unlink()

    def test_multi_company(self):
        south = self.Complaint.with_company(self.company2).create(
            {
                "subject": "South complaint",
                "partner_id": self.customer.id,
                "company_id": self.company2.id,
            }
        )
        self.assertTrue(south.name.startswith("TS/"))
        Manager = self.Complaint.with_user(self.manager)
        self.assertNotIn(south, Manager.search([]))
        self.manager.company_ids = [Command.link(self.company2.id)]
        self.assertIn(
            south,
            Manager.with_context(
                allowed_company_ids=[self.company.id, self.company2.id]
            ).search([]),
        )

    def test_portal_rule(self):
        portal = new_test_user(
            self.env, login="cx_rule_portal", groups="base.group_portal"
        )
        portal.partner_id.parent_id = self.customer
        own = self._complaint()
        foreign = self._complaint(
            partner_id=self.env["res.partner"].create({"name": "Elsewhere"}).id
        )
        found = self.Complaint.with_user(portal).search([])
        self.assertIn(own, found)
        self.assertNotIn(foreign, found)
        with self.assertRaises(AccessError):
            self.Complaint.with_user(portal).create(
                {"subject": "x", "partner_id": portal.partner_id.id}
            )

    def test_company_users(self):
        """A complaint user (not manager) of one company sees none of the other
        company's complaints, not even the unassigned ones that the team rule
        opens to every complaint user."""
        south_user = new_test_user(
            self.env,
            login="cx_south_agent",
            groups="crm_customerism.group_crm_customerism_user",
            company_id=self.company2.id,
            company_ids=[Command.set(self.company2.ids)],
        )
        south_team = self.env["crm.team"].create(
            {
                "name": "South Desk",
                "company_id": self.company2.id,
                "member_ids": [Command.link(south_user.id)],
            }
        )
        north = self._complaint() | self._complaint(team_id=False)
        south = self.Complaint.with_company(self.company2).create(
            [
                {
                    "subject": subject,
                    "partner_id": self.customer.id,
                    "company_id": self.company2.id,
                    "team_id": team.id,
                }
                for subject, team in (
                    ("South, team", south_team),
                    ("South, unassigned", self.env["crm.team"]),
                )
            ]
        )
        self.assertFalse(south[1].team_id)
        self.assertFalse(south[1].user_id)
        everything = [("id", "in", (north | south).ids)]
        for user, own, other in (
            (self.agent, north, south),
            (south_user, south, north),
        ):
            Complaint = self.Complaint.with_user(user)
            self.assertEqual(Complaint.search(everything), own, user.login)
            self.assertEqual(Complaint.search_count(everything), len(own))
            # (browsed without the company context the records were created in)
            for complaint in Complaint.browse(other.ids):
                with self.assertRaises(AccessError):
                    complaint.read(["subject"])
                self.assertFalse(complaint.has_access("read"))
            groups = Complaint.read_group(everything, ["company_id"], ["company_id"])
            self.assertEqual([g["company_id"][0] for g in groups], own.company_id.ids)


@tagged("post_install", "-at_install")
class TestComplaintRating(ComplaintCase):
    def test_rating_refused_by_the_model(self):
        """Out-of-range scores and the token of another complaint are refused by
        the model itself, whatever the caller (portal, mail link or RPC)."""
        first = self._closed_complaint(subject="Cracked teapot")
        second = self._closed_complaint(subject="Late delivery")
        first_token = first._rating_get_access_token()
        second_token = second._rating_get_access_token()
        for rate in (0, 6, -1, 4.5):
            with self.assertRaisesRegex(UserError, rf"goes from 1 to 5, not {rate}\.$"):
                first.rating_apply(rate, token=first_token)
        for token in (second_token, "no-such-token"):
            with self.assertRaisesRegex(
                UserError, r"^This satisfaction link is not valid\.$"
            ):
                first.rating_apply(4, token=token)
        # a rating record passed without a token is checked the same way
        with self.assertRaisesRegex(
            UserError, r"^This satisfaction link is not valid\.$"
        ):
            first.rating_apply(4, rating=second.rating_ids)
        # nothing was recorded, on either complaint
        ratings = (first | second).rating_ids
        self.assertEqual(len(ratings), 2)
        self.assertFalse(ratings.filtered("consumed"))
        self.assertFalse(first.rating_last_value)
        self.assertFalse(second.rating_last_value)
        # the complaint's own token rates it, once
        first.rating_apply(5, token=first_token, feedback="Solved quickly")
        self.assertEqual(first.rating_last_value, 5)
        self.assertFalse(second.rating_ids.consumed)
        with self.assertRaisesRegex(UserError, "already used"):
            first.rating_apply(1, token=first_token)
        with self.assertRaisesRegex(UserError, "already used"):
            first.rating_apply(1, rating=first.rating_ids)
        self.assertEqual(first.rating_last_value, 5)
        self.assertEqual(first.rating_ids.feedback, "Solved quickly")
