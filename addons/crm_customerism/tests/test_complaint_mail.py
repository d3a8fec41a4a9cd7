from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr
from pathlib import Path

from odoo.tests import tagged
from odoo.tools import mute_logger

from .complaint_common import ComplaintCase

DATA = Path(__file__).parent / "data"


@tagged("post_install", "-at_install")
class TestComplaintMail(ComplaintCase):
    def _process(self, message):
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            res_id = self.env["mail.thread"].message_process(
                "crm.complaint",
                message.as_bytes() if hasattr(message, "as_bytes") else message,
            )
        return self.Complaint.browse(res_id)

    def _mime(self, sender, subject, body, charset="utf-8", msg_id="1", attach=None):
        message = MIMEMultipart()
        message["From"] = sender
        message["To"] = "complaint@customerism.example"
        message["Subject"] = subject
        message["Message-ID"] = f"<cx-complaint-{msg_id}@example.com>"
        message.attach(MIMEText(body, "plain", charset))
        if attach:
            part = MIMEApplication(attach[1], Name=attach[0])
            part["Content-Disposition"] = f'attachment; filename="{attach[0]}"'
            message.attach(part)
        return message

    def test_alias_exists(self):
        alias = self.env.ref("crm_customerism.mail_alias_crm_complaint")
        self.assertEqual(alias.alias_model_id.model, "crm.complaint")

    def test_gbk_mail_from_known_contact(self):
        complaint = self._process((DATA / "complaint_gbk.eml").read_bytes())
        self.assertEqual(complaint.partner_id, self.contact)
        self.assertEqual(complaint.commercial_partner_id, self.customer)
        self.assertEqual(complaint.channel, "email")
        self.assertEqual(complaint.subject, "投诉：茶杯破损")
        self.assertIn("茶杯有一半是破的", complaint.description)
        message = complaint.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(message.author_id, self.contact)
        self.assertEqual(message.attachment_ids.mapped("name"), ["cup.png"])
        # a reply lands on the same complaint
        reply = self._mime(
            "Wang Fang <wang.fang@tea.example>",
            "Re: 投诉：茶杯破损",
            "补充：照片见附件。",
            charset="gb2312",
            msg_id="reply",
        )
        reply["In-Reply-To"] = "<gbk-complaint-0001@tea.example>"
        self.assertEqual(self._process(reply), complaint)
        self.assertEqual(
            self.Complaint.search_count([("partner_id", "=", self.contact.id)]), 1
        )
        self.assertIn("照片见附件", complaint.message_ids[0].body)

    def test_unknown_sender_gb2312_with_attachment(self):
        sender = formataddr(("李雷", "li.lei@unknown.example"), charset="gb2312")
        message = self._mime(
            sender,
            "发票金额错误",
            "发票上的金额比订单多了100元。",
            charset="gb2312",
            msg_id="unknown",
            attach=("invoice.pdf", b"%PDF-1.4 fake"),
        )
        complaint = self._process(message)
        partner = complaint.partner_id
        self.assertTrue(partner)
        self.assertTrue(partner.customerism_to_qualify)
        self.assertEqual(partner.email, "li.lei@unknown.example")
        self.assertEqual(partner.name, "李雷")
        self.assertEqual(complaint.subject, "发票金额错误")
        self.assertIn("100元", complaint.description)
        self.assertTrue(complaint.partner_to_qualify)
        message = complaint.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(message.author_id, partner)
        self.assertEqual(message.attachment_ids.mapped("name"), ["invoice.pdf"])
        # a second mail of the same sender does not create a second contact
        again = self._process(
            self._mime(sender, "又一个问题", "第二封", charset="gbk", msg_id="again")
        )
        self.assertEqual(again.partner_id, partner)

    def test_empty_and_huge_bodies(self):
        empty = self._process(self._mime("nobody@void.example", "", "", msg_id="empty"))
        self.assertTrue(empty.subject)
        self.assertIn("no text", empty.description)
        huge_text = "质量问题。" * 40000
        huge = self._process(
            self._mime(
                "Big Writer <big@void.example>", "Long story", huge_text, msg_id="huge"
            )
        )
        self.assertIn("too long", huge.description)
        message = huge.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertGreater(len(message.body), 200000)

    def test_sender_of_another_company(self):
        other = self.env["res.partner"].create(
            {
                "name": "South Contact",
                "email": "south@tea.example",
                "company_id": self.company2.id,
            }
        )
        complaint = self._process(
            self._mime(
                "South Contact <south@tea.example>", "Late", "Late", msg_id="south"
            )
        )
        self.assertTrue(complaint.partner_id)
        self.assertNotEqual(complaint.partner_id, other)
        self.assertEqual(complaint.company_id, self.company)

    def test_mail_without_sender_address(self):
        """A mail whose sender gives no usable address still makes a ticket, on a
        contact "to qualify" named from the display name when there is one."""
        anonymous = self._mime("", "货物损坏", "箱子到的时候是湿的。", msg_id="nofrom")
        del anonymous["From"]
        complaint = self._process(anonymous)
        self.assertTrue(complaint)
        self.assertRegex(complaint.name, r"^TS/\d{4}/\d{5}$")
        self.assertEqual(complaint.subject, "货物损坏")
        self.assertIn("箱子到的时候是湿的", complaint.description)
        partner = complaint.partner_id
        self.assertEqual(partner.name, "Unknown sender")
        self.assertTrue(partner.customerism_to_qualify)
        self.assertFalse(partner.email)
        message = complaint.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(message.author_id, partner)
        self.assertIn("箱子到的时候是湿的", message.body)

        named = self._mime(
            "", "发票错误", "金额不对。", charset="gb2312", msg_id="name"
        )
        named.replace_header("From", Header("李雷", "gb2312").encode())
        complaint = self._process(named)
        self.assertEqual(complaint.partner_id.name, "李雷")
        self.assertTrue(complaint.partner_id.customerism_to_qualify)
        self.assertTrue(complaint.partner_to_qualify)

        empty_address = self._mime('"Zhang Wei" <>', "Late", "Late", msg_id="empty")
        complaint = self._process(empty_address)
        self.assertEqual(complaint.partner_id.name, "Zhang Wei")
        self.assertTrue(complaint.partner_id.customerism_to_qualify)

    def test_reply_on_merged_duplicate(self):
        sender = "Wang Fang <wang.fang@tea.example>"
        first = self._process(self._mime(sender, "茶杯破损", "一半破了。", msg_id="m1"))
        second = self._process(
            self._mime(sender, "又是茶杯", "还是破的。", charset="gbk", msg_id="m2")
        )
        self.assertNotEqual(first, second)
        first._merge_from(second)
        self.assertEqual(second.merged_into_id, first)
        # an agent still writes to the customer from the duplicate
        sent = second.message_post(
            body="我们已合并您的投诉。",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        reply = self._mime(
            sender, "Re: 又是茶杯", "请尽快换货。", charset="gbk", msg_id="m3"
        )
        reply["In-Reply-To"] = sent.message_id
        reply["Cc"] = "Li Na <li.na@tea.example>"
        self._process(reply)
        # the reply lives on the survivor, with a note naming the duplicate
        bodies = "".join(first.message_ids.mapped("body"))
        self.assertIn("请尽快换货", bodies)
        self.assertNotIn("请尽快换货", "".join(second.message_ids.mapped("body")))
        mail = first.message_ids.filtered(
            lambda m: m.message_type == "email" and "请尽快换货" in m.body
        )
        self.assertEqual(mail.author_id, self.contact)
        self.assertIn("answers the merged complaint", bodies)
        self.assertIn(second.name, bodies)
        self.assertIn("li.na@tea.example", first.email_cc or "")
        self.assertEqual(second.stage, "cancelled")
