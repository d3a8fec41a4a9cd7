import re
from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .complaint_common import ComplaintCase


@tagged("post_install", "-at_install")
class TestComplaintFlow(ComplaintCase):
    def test_manual_flow(self):
        with freeze_time("2026-03-02 09:00:00"):  # a Monday
            form = Form(self.Complaint.with_user(self.agent))
            form.subject = "Cups arrived broken"
            form.partner_id = self.contact
            form.channel = "phone"
            form.category_id = self.category
            form.team_id = self.team
            complaint = form.save()
        self.assertRegex(complaint.name, r"^TS/2026/\d{5}$")
        self.assertEqual(complaint.commercial_partner_id, self.customer)
        self.assertEqual(complaint.stage, "new")
        self.assertIn(self.contact, complaint.message_partner_ids)
        complaint = complaint.with_user(self.agent)
        with freeze_time("2026-03-02 10:00:00"):
            complaint.action_acknowledge()
            self.assertEqual(complaint.acknowledged_date, datetime(2026, 3, 2, 10))
            complaint.action_investigate()
        self.assertEqual(complaint.user_id, self.agent)
        with self.assertRaises(ValidationError):
            complaint.action_resolve()
        complaint.write(self._close_values(self.agent))
        with freeze_time("2026-03-03 10:00:00"):
            complaint.action_resolve()
            complaint.action_close()
        self.assertEqual(complaint.stage, "closed")
        self.assertEqual(complaint.closed_date, datetime(2026, 3, 3, 10))
        complaint.action_reopen()
        self.assertEqual(complaint.stage, "investigating")
        self.assertEqual(complaint.reopen_count, 1)
        self.assertFalse(complaint.closed_date)

    def test_every_manual_channel(self):
        channels = ["phone", "fax", "wechat", "visit", "api", "portal", "email"]
        complaints = self.Complaint.with_user(self.agent).create(
            [
                {
                    "subject": f"Complaint by {channel}",
                    "partner_id": self.contact.id,
                    "channel": channel,
                    "team_id": self.team.id,
                }
                for channel in channels
            ]
        )
        self.assertEqual(complaints.mapped("channel"), channels)
        self.assertEqual(len(set(complaints.mapped("name"))), len(channels))

    def test_validation(self):
        with self.assertRaises(ValidationError):
            self._complaint(subject="   ")
        with self.assertRaises(ValidationError):
            self._complaint(partner_id=False, email_from=False)
        complaint = self._complaint(**self._close_values(self.agent))
        with self.assertRaises(ValidationError):
            complaint.write({"root_cause_type": "supplier"})
        with self.assertRaises(ValidationError):
            self._complaint(stage="closed")

    def test_cancelled_cannot_reopen(self):
        complaint = self._complaint()
        complaint.action_cancel()
        with self.assertRaisesRegex(UserError, "cancelled"):
            complaint.action_reopen()
        with self.assertRaisesRegex(UserError, "cancelled"):
            complaint.write({"stage": "investigating"})
        self.assertEqual(complaint.stage, "cancelled")

    def test_closed_cannot_be_cancelled(self):
        complaint = self._complaint(**self._close_values(self.agent))
        complaint.action_resolve()
        complaint.action_close()
        with self.assertRaises(UserError):
            complaint.action_cancel()

    def test_merge_duplicates(self):
        first = self._complaint(subject="Cups broken")
        second = self._complaint(
            subject="Cups broken again",
            sale_order_id=False,
            product_id=self.env["product.product"]
            .create({"name": "Celadon cup", "type": "consu"})
            .id,
            severity="high",
        )
        second.message_post(body="Photo attached", message_type="comment")
        attachment = self.env["ir.attachment"].create(
            {
                "name": "photo.jpg",
                "raw": b"jpeg",
                "res_model": "crm.complaint",
                "res_id": second.id,
            }
        )
        other_customer = self._complaint(
            partner_id=self.env["res.partner"].create({"name": "Someone"}).id
        )
        with self.assertRaises(UserError):
            (first | other_customer).action_open_merge()
        action = (first | second).with_user(self.agent).action_open_merge()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.agent)
            .with_context(**action["context"])
        ).save()
        self.assertEqual(wizard.target_id, first)
        wizard.action_merge()
        self.assertEqual(second.stage, "cancelled")
        self.assertEqual(second.merged_into_id, first)
        self.assertEqual(first.product_id, second.product_id)
        self.assertEqual(first.severity, "high")
        self.assertIn("Photo attached", "".join(first.message_ids.mapped("body")))
        self.assertEqual(attachment.res_id, first.id)
        with self.assertRaisesRegex(UserError, "cancelled"):
            second.action_reopen()

    @staticmethod
    def _link_re(model, record):
        quote = "[\"']"
        return (
            rf"data-oe-model={quote}{re.escape(model)}{quote} "
            rf"data-oe-id={quote}{record.id}{quote}"
        )

    def test_merge_keeps_every_link(self):
        Order = self.env["sale.order"]
        Product = self.env["product.product"]
        order_a, order_b = Order.create(
            [{"partner_id": self.customer.id}, {"partner_id": self.customer.id}]
        )
        cup, saucer = Product.create(
            [{"name": "Celadon cup"}, {"name": "Celadon <saucer>"}]
        )
        first = self._complaint(subject="Cups broken", sale_order_id=order_a.id)
        second = self._complaint(
            subject="Cups broken again",
            sale_order_id=order_b.id,
            product_id=cup.id,
            delivery_reference="WB-001",
        )
        third = self._complaint(
            subject="And the saucers",
            product_id=saucer.id,
            delivery_reference="<b>WB-002</b>",
        )
        # a satisfaction link already sent for a duplicate
        token = second._rating_get_access_token()
        rating = second.rating_ids
        first._merge_from(second | third)
        # the survivor takes the links it has none of
        self.assertEqual(first.sale_order_id, order_a)
        self.assertEqual(first.product_id, cup)
        self.assertEqual(first.delivery_reference, "WB-001")
        # the differing ones are named in the merge note, as links
        note = first.message_ids.filtered(lambda m: "Merged duplicates" in m.body)
        self.assertEqual(len(note), 1)
        body = note.body
        self.assertRegex(body, self._link_re("sale.order", order_b))
        self.assertIn(order_b.name, body)
        self.assertRegex(body, self._link_re("product.product", saucer))
        self.assertIn("Celadon &lt;saucer&gt;", body)
        self.assertIn("&lt;b&gt;WB-002&lt;/b&gt;", body)
        self.assertNotIn("<b>WB-002", body)
        self.assertRegex(body, self._link_re("crm.complaint", third))
        # the rating follows the survivor: the link rates the survivor
        self.assertEqual(rating.res_id, first.id)
        self.assertEqual(first.rating_ids, rating)
        self.assertFalse(second.rating_ids)
        # once the survivor is closed (its request reuses the pending link)
        first.write(self._close_values(self.agent))
        first.action_resolve()
        first.action_close()
        self.assertEqual(first.rating_ids, rating)
        first.rating_apply(4, token=token, feedback="Solved")
        self.assertEqual(first.rating_last_value, 4)

    def test_apology_gesture(self):
        program = self.env["loyalty.program"].create(
            {
                "name": "Sorry coupon",
                "program_type": "coupons",
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount": 15,
                            "discount_mode": "percent",
                            "discount_applicability": "order",
                        }
                    )
                ],
            }
        )
        complaint = self._complaint()
        action = complaint.with_user(self.agent).action_open_gesture()
        wizard_form = Form(
            self.env[action["res_model"]]
            .with_user(self.agent)
            .with_context(**action["context"])
        )
        wizard_form.program_id = program
        wizard = wizard_form.save()
        wizard.points = 0
        with self.assertRaises(UserError):
            wizard.action_apply()
        wizard.points = 1
        wizard.action_apply()
        card = complaint.gesture_card_ids
        self.assertEqual(card.program_id, program)
        self.assertEqual(card.partner_id, self.contact)
        self.assertEqual(complaint.gesture_count, 1)
        self.assertIn(card.code, complaint.message_ids[0].body)
        # logged in the card's history, linked to the complaint on the portal
        history = card.history_ids
        self.assertEqual(history.issued, 1)
        self.assertEqual(history.description, f"Apology for complaint {complaint.name}")
        self.assertEqual(history._get_order_portal_url(), complaint.get_portal_url())
        self.assertEqual(history._get_order_description(), complaint.display_name)

    def test_supplier_traced_from_product(self):
        vendor = self.env["res.partner"].create({"name": "Jingdezhen Kiln"})
        product = self.env["product.product"].create(
            {
                "name": "Porcelain cup",
                "seller_ids": [Command.create({"partner_id": vendor.id})],
            }
        )
        complaint = self._complaint(product_id=product.id)
        self.assertFalse(complaint.supplier_id)
        complaint.root_cause_type = "supplier"
        self.assertEqual(complaint.supplier_id, vendor)
