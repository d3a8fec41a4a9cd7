from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .complaint_common import ComplaintCase


@tagged("post_install", "-at_install")
class TestInteractionConsent(ComplaintCase):
    def _log(self, user, **vals):
        values = {
            "partner_id": self.customer.id,
            "channel": "phone",
            "direction": "outbound",
            "summary": "Called about the new catalogue",
        }
        values.update(vals)
        wizard = self.env["crm.interaction.log.wizard"].with_user(user).create(values)
        return wizard.action_log()

    def test_timeline(self):
        with freeze_time("2026-03-02 09:00:00"):
            self._log(
                self.agent, channel="wechat", direction="inbound", summary="微信咨询"
            )
            complaint = self._complaint()
            self.env["crm.complaint"].browse(complaint.id).message_post(
                body="Your replacement ships today",
                message_type="email",
                author_id=self.agent.partner_id.id,
            )
            product = self.env["product.product"].create({"name": "Tea set"})
            order = self.env["sale.order"].create(
                {
                    "partner_id": self.contact.id,
                    # a salesperson sees the contacts of their own orders only
                    "user_id": self.agent.id,
                    "order_line": [Command.create({"product_id": product.id})],
                }
            )
            order.action_confirm()
            self.customer.activity_schedule(
                "mail.mail_activity_data_call", user_id=self.agent.id
            ).action_feedback(feedback="Discussed the complaint")
        timeline = (
            self.env["crm.interaction"]
            .with_user(self.agent)
            .search([("partner_id", "=", self.customer.id)])
        )
        kinds = {(line.kind, line.channel, line.direction) for line in timeline}
        self.assertIn(("message", "wechat", "inbound"), kinds)
        self.assertIn(("complaint", "phone", "inbound"), kinds)
        self.assertIn(("message", "email", "outbound"), kinds)
        self.assertIn(("order", "sale", "inbound"), kinds)
        self.assertIn(("activity", "phone", "outbound"), kinds)
        self.customer.invalidate_recordset()
        self.assertEqual(
            self.customer.with_user(self.agent).customerism_interaction_count,
            len(timeline),
        )
        complaint_line = timeline.filtered(lambda line: line.kind == "complaint")
        action = complaint_line.action_open_document()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("crm.complaint", complaint.id)
        )

    def test_consent_blocks_marketing(self):
        self.env["crm.contact.consent"].create(
            {
                "partner_id": self.contact.id,
                "channel": "wechat",
                "status": "refused",
                "source": "call",
            }
        )
        consent = self.customer.customerism_consent_ids
        self.assertEqual(consent.partner_id, self.customer)
        with self.assertRaisesRegex(UserError, "refused marketing contacts by WeChat"):
            self._log(self.agent, channel="wechat", marketing=True)
        # a service contact (not marketing) is fine, as is another channel
        self._log(self.agent, channel="wechat")
        self._log(self.agent, channel="email", marketing=True)
        form = Form(self.env["crm.interaction.log.wizard"].with_user(self.agent))
        form.partner_id = self.customer
        form.summary = "Promotion"
        form.channel = "wechat"
        form.marketing = True  # the onchange warns; logging is refused

    def test_frequency_cap(self):
        self.assertEqual(self.company.customerism_contact_cap, 4)
        self.assertEqual(self.company.customerism_contact_cap_days, 30)
        for day in (1, 5, 10, 15):
            with freeze_time(f"2026-03-{day:02d} 10:00:00"):
                self._log(self.agent, marketing=True, summary=f"Promotion {day}")
        with freeze_time("2026-03-20 10:00:00"):
            with self.assertRaisesRegex(UserError, "cap: 4"):
                self._log(self.agent, marketing=True)
            self._log(self.agent, summary="Service call")  # not marketing
        with freeze_time("2026-04-02 10:00:00"):
            # the first contact left the 30-day window
            self._log(self.agent, marketing=True)
        self.company.customerism_contact_cap = 0
        with freeze_time("2026-04-03 10:00:00"):
            self._log(self.agent, marketing=True)

    def test_consent_on_commercial_partner_at_write(self):
        consent = self.env["crm.contact.consent"].create(
            {"partner_id": self.customer.id, "channel": "email", "status": "refused"}
        )
        other = self.env["res.partner"].create(
            {"name": "Suzhou Silk Co.", "is_company": True}
        )
        buyer = self.env["res.partner"].create({"name": "Li Na", "parent_id": other.id})
        consent.with_user(self.agent).write({"partner_id": buyer.id})
        self.assertEqual(consent.partner_id, other)
        self.assertEqual(other.customerism_consent_ids, consent)
        self.assertFalse(self.customer.customerism_consent_ids)
        self.assertEqual(
            set(buyer._customerism_marketing_block_reasons("email")), {buyer}
        )

    def test_consent_company_rule(self):
        Consent = self.env["crm.contact.consent"]
        partners = {
            company: self.env["res.partner"].create(
                {
                    "name": f"Customer of {company.name if company else 'all'}",
                    "is_company": True,
                    "company_id": company.id,
                }
            )
            for company in (self.company, self.company2, self.env["res.company"])
        }
        consents = {
            company: Consent.create({"partner_id": partner.id, "channel": "phone"})
            for company, partner in partners.items()
        }
        all_ids = [consent.id for consent in consents.values()]
        self.assertEqual(
            Consent.with_user(self.agent).search([("id", "in", all_ids)]),
            consents[self.company] | consents[self.env["res.company"]],
        )
        both = new_test_user(
            self.env,
            login="cx_consent_both",
            groups="crm_customerism.group_crm_customerism_user",
            company_id=self.company2.id,
            company_ids=[Command.set((self.company | self.company2).ids)],
        )
        self.assertEqual(
            Consent.with_user(both).search([("id", "in", all_ids)]),
            Consent.browse(all_ids),
        )

    def test_mass_mail_to_contacts_within_consent_and_cap(self):
        """Odoo's mass mail from the contacts list leaves out the contacts of a
        customer who refused mail and of one at the marketing cap, like
        blacklisted addresses; unchecking the exclusion list sends to all."""
        self.env["crm.contact.consent"].create(
            {"partner_id": self.customer.id, "channel": "email", "status": "refused"}
        )
        busy = self.env["res.partner"].create(
            {"name": "Busy Buyer", "is_company": True, "email": "busy@example.com"}
        )
        self.company.customerism_contact_cap = 2
        for summary in ("Spring offer", "Summer offer"):
            busy._customerism_log_interaction(
                "phone", "outbound", summary, marketing=True
            )
        free = self.env["res.partner"].create(
            {"name": "Free Buyer", "is_company": True, "email": "free@example.com"}
        )
        recipients = self.contact | busy | free

        def send(use_exclusion_list):
            composer = (
                self.env["mail.compose.message"]
                .with_context(
                    default_model="res.partner",
                    default_composition_mode="mass_mail",
                    active_ids=recipients.ids,
                )
                .create(
                    {
                        "subject": "New catalogue",
                        "body": "<p>Our new catalogue</p>",
                        "use_exclusion_list": use_exclusion_list,
                    }
                )
            )
            composer._action_send_mail()
            # left out: failure "mail_bl", as for a blacklisted address
            return {
                mail.res_id: mail.failure_type
                for mail in self.env["mail.mail"].search(
                    [("model", "=", "res.partner"), ("res_id", "in", recipients.ids)]
                )
            }

        self.assertEqual(
            send(True),
            {self.contact.id: "mail_bl", busy.id: "mail_bl", free.id: False},
        )
        self.env["mail.mail"].search([("res_id", "in", recipients.ids)]).unlink()
        self.assertEqual(
            send(False),
            dict.fromkeys(recipients.ids, False),
            "exclusion list unchecked",
        )
