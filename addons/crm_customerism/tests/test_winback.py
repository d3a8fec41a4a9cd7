import operator
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import CustomerismCase

GRADES = (False, "small", "ordinary", "major", "vip")


@tagged("post_install", "-at_install")
class TestWinback(CustomerismCase, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.price = cls.env.ref("crm_customerism.crm_churn_reason_price")
        cls.unknown = cls.env.ref("crm_customerism.crm_churn_reason_unknown")
        cls.owner = cls.env["res.users"].browse(cls.user.id)
        cls.big = cls._partner("Lost Big Buyer", email="big@lost.example")
        cls.small = cls._partner("Lost Small Buyer", email="small@lost.example")
        cls.refusing = cls._partner("Lost No-Mail Buyer", email="nomail@lost.example")
        cls.active_one = cls._partner("Loyal Buyer", email="loyal@example.com")
        cls.big.user_id = cls.owner
        cls._order(cls.big, "2023-05-01", 50000)
        cls._order(cls.small, "2023-05-02", 100)
        cls._order(cls.refusing, "2023-05-03", 20000)
        cls._order(cls.active_one, "2025-06-01", 3000)
        (cls.big | cls.refusing).customerism_churn_reason_id = cls.price
        cls.small.customerism_churn_reason_id = cls.unknown
        cls.env["crm.contact.consent"].create(
            {"partner_id": cls.refusing.id, "channel": "email", "status": "refused"}
        )
        cls.program = cls.env["loyalty.program"].create(
            {
                "name": "Welcome back 10%",
                "program_type": "coupons",
                # Odoo mails each coupon at its creation
                "communication_plan_ids": [
                    Command.create(
                        {
                            "trigger": "create",
                            "mail_template_id": cls.env.ref(
                                "loyalty.mail_template_loyalty_card"
                            ).id,
                        }
                    )
                ],
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount": 10,
                            "discount_mode": "percent",
                            "discount_applicability": "order",
                        }
                    )
                ],
            }
        )

    def test_campaign_end_to_end(self):
        self._recompute()
        self.assertEqual(self._profile(self.big).lifecycle_stage, "lapsed")
        campaign_form = Form(self.env["crm.winback.campaign"].with_user(self.manager))
        campaign_form.name = "Lapsed on price"
        campaign_form.target_stage = "lapsed"
        campaign_form.churn_reason_ids.add(self.price)
        campaign_form.mode = "both"
        campaign_form.mail_template_id = self.env.ref(
            "crm_customerism.mail_template_winback"
        )
        campaign_form.loyalty_program_id = self.program
        campaign = campaign_form.save()
        self.assertEqual(
            campaign.activity_plan_id,
            self.env.ref("crm_customerism.mail_activity_plan_customerism_lapsed"),
        )
        with self.assertRaises(UserError):
            campaign.action_launch()
        campaign.action_generate_targets()
        self.assertEqual(campaign.line_ids.partner_id, self.big | self.refusing)
        with freeze_time("2025-07-01 09:00:00"):
            campaign.action_launch()
        self.assertEqual(campaign.state, "running")
        big_line = campaign.line_ids.filtered(lambda line: line.partner_id == self.big)
        refusing_line = campaign.line_ids - big_line
        # the account owner gets the lapsed playbook
        self.assertEqual(big_line.user_id, self.owner)
        activities = self.big.activity_ids
        self.assertEqual(len(activities), 3)
        self.assertEqual(activities.user_id, self.owner)
        # offer and mail within consent
        self.assertEqual(big_line.card_id.program_id, self.program)
        self.assertEqual(big_line.card_id.partner_id, self.big)
        # logged in the card's history, without the campaign's internal name
        self.assertEqual(
            [
                (h.description, h.issued, h.order_id)
                for h in big_line.card_id.history_ids
            ],
            [("Welcome back offer", campaign.offer_points, 0)],
        )
        mail = self.big.message_ids.filtered("customerism_marketing")
        self.assertEqual(len(mail), 1)
        self.assertEqual(big_line.state, "contacted")
        self.assertIn("refused", refusing_line.blocked_reason)
        self.assertFalse(refusing_line.card_id)
        self.assertFalse(self.refusing.message_ids.filtered("customerism_marketing"))
        # outcomes: a new order recovers, a refusal declines
        self._order(self.big, "2025-07-10", 8000)
        refusing_line.action_mark_declined()
        campaign.action_check_recoveries()
        self.assertEqual(big_line.state, "recovered")
        self.assertTrue(big_line.order_id)
        self.assertEqual(campaign.recovered_count, 1)
        self.assertEqual(campaign.declined_count, 1)
        self.assertAlmostEqual(campaign.recovery_rate, 50.0)
        campaign.action_done()
        self.assertEqual(campaign.state, "done")
        # the interaction timeline shows the campaign mail
        timeline = self.env["crm.interaction"].search(
            [("partner_id", "=", self.big.id), ("marketing", "=", True)]
        )
        self.assertEqual(timeline.channel, "email")

    def test_mail_only_campaign_blocks(self):
        self._recompute()
        campaign = self.env["crm.winback.campaign"].create(
            {
                "name": "Mail only",
                "target_stage": "lapsed",
                "target_grade": False,
                "mode": "mail",
                "mail_template_id": self.env.ref(
                    "crm_customerism.mail_template_winback"
                ).id,
            }
        )
        campaign.action_generate_targets()
        self.assertEqual(
            campaign.line_ids.partner_id, self.big | self.small | self.refusing
        )
        campaign.action_launch()
        blocked = campaign.line_ids.filtered(lambda line: line.state == "blocked")
        self.assertEqual(blocked.partner_id, self.refusing)
        self.assertEqual(campaign.contacted_count, 2)
        self.assertEqual(campaign.blocked_count, 1)

    def _mails_to(self, partner):
        """Mails created for ``partner`` within mock_mail_gateway."""
        return self._new_mails.filtered(
            lambda mail: (
                partner in mail.recipient_ids or partner.email in (mail.email_to or "")
            )
        )

    def _messages_to(self, partner):
        return (
            self.env["mail.message"].sudo().search([("partner_ids", "in", partner.ids)])
        )

    def _offer_campaign(self, mode, **vals):
        self._recompute()
        self.assertEqual(self.program.communication_plan_ids.trigger, "create")
        campaign = self.env["crm.winback.campaign"].create(
            {
                "name": f"Offer by {mode}",
                "target_stage": "lapsed",
                "mode": mode,
                "loyalty_program_id": self.program.id,
                **vals,
            }
        )
        campaign.action_generate_targets()
        self.assertEqual(
            campaign.line_ids.partner_id, self.big | self.small | self.refusing
        )
        return campaign

    def test_offer_activity_mode_not_mailed(self):
        """Activities only: the coupons are handed over by the account owners,
        Odoo's coupon mail is not sent (not even to a customer who refused)."""
        campaign = self._offer_campaign("activity")
        with self.mock_mail_gateway():
            campaign.action_launch()
        for line in campaign.line_ids:
            partner = line.partner_id
            self.assertEqual(line.state, "contacted")
            self.assertEqual(line.card_id.program_id, self.program)
            self.assertEqual(line.card_id.partner_id, partner)
            self.assertFalse(self._mails_to(partner), partner.name)
            self.assertFalse(self._messages_to(partner), partner.name)
            notes = "".join(str(note) for note in partner.activity_ids.mapped("note"))
            self.assertIn(line.card_id.code, notes)
            self.assertIn("not mailed", notes)
            self.assertFalse(
                partner._customerism_marketing_counts(self.company), partner.name
            )

    def test_offer_in_winback_mail(self):
        """Mail: the code is in the win-back mail, the one contact counted by the
        cap; a customer who refused mail gets neither offer nor mail."""
        campaign = self._offer_campaign(
            "mail",
            mail_template_id=self.env.ref("crm_customerism.mail_template_winback").id,
        )
        with self.mock_mail_gateway():
            campaign.action_launch()
        lines = {line.partner_id: line for line in campaign.line_ids}
        self.assertEqual(lines[self.refusing].state, "blocked")
        self.assertFalse(lines[self.refusing].card_id)
        self.assertFalse(self._mails_to(self.refusing))
        self.assertFalse(self._messages_to(self.refusing))
        for partner in (self.big, self.small):
            line = lines[partner]
            self.assertEqual(line.state, "contacted")
            self.assertTrue(line.card_id)
            mail = self._mails_to(partner)
            self.assertEqual(len(mail), 1, partner.name)
            self.assertIn(line.card_id.code, mail.body_html)
            self.assertIn(self.program.name, mail.body_html)
            self.assertEqual(
                partner._customerism_marketing_counts(self.company), {partner.id: 1}
            )
            self.assertFalse(partner.activity_ids)

    def test_offer_template_must_show_code(self):
        template = self.env["mail.template"].create(
            {
                "name": "Plain win-back",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "subject": "We miss you",
                "body_html": "<p>We miss you.</p>",
            }
        )
        campaign = self._offer_campaign("both", mail_template_id=template.id)
        with self.assertRaisesRegex(UserError, "must show the offer code"):
            campaign.action_launch()
        self.assertFalse(campaign.line_ids.card_id)
        # without an offer, any template will do
        campaign.loyalty_program_id = False
        campaign.action_launch()
        self.assertEqual(campaign.state, "running")

    def test_apology_gesture_not_mailed(self):
        """An apology coupon is not mailed by the loyalty program: its code is an
        internal note on the complaint."""
        complaint = self.env["crm.complaint"].create(
            {"subject": "Late delivery", "partner_id": self.refusing.id}
        )
        wizard = self.env["crm.complaint.gesture.wizard"].create(
            {"complaint_id": complaint.id, "program_id": self.program.id}
        )
        with self.mock_mail_gateway():
            wizard.action_apply()
        card = complaint.gesture_card_ids
        self.assertEqual(card.partner_id, self.refusing)
        self.assertFalse(self._mails_to(self.refusing))
        note = complaint.message_ids.filtered(lambda m: card.code in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))

    def test_stage_playbook(self):
        self._recompute()
        with freeze_time("2025-07-01 09:00:00"):
            self.big.with_user(self.manager).action_apply_customerism_playbook()
        self.assertEqual(len(self.big.activity_ids), 3)
        self.assertEqual(self.big.activity_ids.user_id, self.owner)
        # the steps are due after the playbook is applied, not before
        self.assertEqual(
            sorted(self.big.activity_ids.mapped("date_deadline")),
            [date(2025, 7, 3), date(2025, 7, 6), date(2025, 7, 16)],
        )
        with self.assertRaises(UserError):
            self._partner("No Profile").action_apply_customerism_playbook()

    def test_terminating_playbook(self):
        """A customer who gave notice (解约期) is offered the terminating
        playbook: ask why, a retention meeting, prepare the handover."""
        self._recompute()
        profile = self._profile(self.active_one)
        with freeze_time("2025-07-01 09:00:00"):
            self.env["crm.customer.termination.wizard"].with_user(self.user).create(
                {"profile_ids": [profile.id], "reason": "Moving to a competitor"}
            ).action_confirm()
        self.assertEqual(profile.lifecycle_stage, "terminating")
        plan = self.env.ref(
            "crm_customerism.mail_activity_plan_customerism_terminating"
        )
        self.assertEqual(
            self.env["mail.activity.plan"]._customerism_playbook("terminating"), plan
        )
        self.active_one.user_id = self.owner
        self.active_one.invalidate_recordset()
        with freeze_time("2025-07-01 09:00:00"):
            self.active_one.with_user(self.manager).action_apply_customerism_playbook()
        activities = self.active_one.activity_ids.sorted("date_deadline")
        self.assertEqual(
            [
                (activity.activity_type_id, activity.date_deadline)
                for activity in activities
            ],
            [
                (self.env.ref("mail.mail_activity_data_call"), date(2025, 7, 2)),
                (self.env.ref("mail.mail_activity_data_meeting"), date(2025, 7, 6)),
                (self.env.ref("mail.mail_activity_data_todo"), date(2025, 7, 11)),
            ],
        )
        self.assertEqual(
            activities.mapped("summary"),
            plan.template_ids.sorted("sequence").mapped("summary"),
        )
        self.assertIn("reason", activities[0].summary)
        self.assertIn("final invoice", activities[2].summary)
        self.assertEqual(activities.user_id, self.owner)
        # a campaign for terminating customers runs the same playbook
        campaign = self.env["crm.winback.campaign"].create(
            {"name": "Keep them", "target_stage": "terminating", "mode": "activity"}
        )
        self.assertEqual(campaign.activity_plan_id, plan)

    def test_campaign_mail_within_cap(self):
        """A customer already at the marketing contact cap is not mailed by a
        win-back campaign; its line says why. Activities still go to the owner."""
        self._recompute()
        self.assertEqual(self.company.customerism_contact_cap, 4)
        for day in (5, 10, 15, 25):
            with freeze_time(f"2025-06-{day:02d} 10:00:00"):
                self.small._customerism_log_interaction(
                    "phone", "outbound", f"Promotion {day}", marketing=True
                )
        template = self.env.ref("crm_customerism.mail_template_winback")
        campaigns = self.env["crm.winback.campaign"].create(
            [
                {
                    "name": f"Lapsed by {mode}",
                    "target_stage": "lapsed",
                    "mode": mode,
                    "mail_template_id": template.id,
                }
                for mode in ("mail", "both")
            ]
        )
        campaigns.action_generate_targets()
        with freeze_time("2025-07-01 09:00:00"), self.mock_mail_gateway():
            campaigns.action_launch()
            counts = self.small._customerism_marketing_counts(self.company)
        self.assertEqual(counts, {self.small.id: 4})
        self.assertFalse(self._mails_to(self.small))
        self.assertEqual(len(self._mails_to(self.big)), 2)
        for campaign in campaigns:
            lines = {line.partner_id: line for line in campaign.line_ids}
            self.assertEqual(lines[self.big].state, "contacted")
            self.assertFalse(lines[self.big].blocked_reason)
            capped = lines[self.small]
            self.assertIn(
                "Lost Small Buyer already had 4 marketing contacts in the last 30 "
                "days (cap: 4).",
                capped.blocked_reason,
            )
            activities = self.small.activity_ids.filtered(
                lambda activity, campaign=campaign: campaign.name in activity.summary
            )
            if campaign.mode == "mail":
                self.assertEqual(capped.state, "blocked")
                self.assertFalse(activities)
            else:
                # the account owner still calls; nothing is mailed
                self.assertEqual(capped.state, "contacted")
                self.assertTrue(activities)

    def test_key_account_points(self):
        program = self.env["loyalty.program"].create(
            {
                "name": "Points",
                "program_type": "loyalty",
                "trigger": "auto",
                "applies_on": "both",
                "customerism_key_account_factor": 2.0,
                "rule_ids": [
                    Command.create(
                        {"reward_point_mode": "money", "reward_point_amount": 1}
                    )
                ],
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "discount",
                            "required_points": 1000,
                            "discount": 5,
                        }
                    )
                ],
            }
        )
        vip = self._partner("VIP Buyer")
        plain = self._partner("Plain Buyer")
        self.Profile.sudo().create(
            {
                "partner_id": vip.id,
                "company_id": self.company.id,
                "grade_override": "vip",
                "grade_override_reason": "Strategic",
            }
        )
        points = {}
        for partner in (vip, plain):
            order = self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "product_uom_qty": 1,
                                "price_unit": 100,
                                "tax_id": False,
                            }
                        )
                    ],
                }
            )
            order._update_programs_and_rewards()
            points[partner] = sum(
                order.coupon_point_ids.filtered(
                    lambda p, program=program: p.coupon_id.program_id == program
                ).mapped("points")
            )
        self.assertEqual(points[plain], 100)
        self.assertEqual(points[vip], 200)

    def _quotation(self, partner, amount, company=None):
        company = company or self.company
        return (
            self.env["sale.order"]
            .with_company(company)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "product_uom_qty": 1,
                                "price_unit": amount,
                                "tax_id": False,
                            }
                        )
                    ],
                }
            )
        )

    def test_recovery_at_confirmation(self):
        self._recompute()
        campaign = self.env["crm.winback.campaign"].create(
            {"name": "Lapsed", "target_stage": "lapsed", "mode": "activity"}
        )
        campaign.action_generate_targets()
        lines = {line.partner_id: line for line in campaign.line_ids}
        self.assertEqual(set(lines), {self.big, self.small, self.refusing})
        # confirmed before the launch: not a recovery
        self._order(self.small, "2025-06-30", 500)
        with freeze_time("2025-07-01 09:00:00"):
            campaign.action_launch()
        # confirmed in another company: not a recovery of this campaign
        other = self.env["res.company"].create({"name": "Win-back Other Co"})
        self._order(self.refusing, "2025-07-05", 700, company=other)
        self.assertEqual(set(campaign.line_ids.mapped("state")), {"contacted"})
        # nor for the catch-up
        campaign.action_check_recoveries()
        self.assertEqual(set(campaign.line_ids.mapped("state")), {"contacted"})
        self.assertFalse(campaign.line_ids.order_id)
        # a contact of a target and another target confirm together: won back at
        # once, without the cron
        contact = self.env["res.partner"].create(
            {"name": "Buyer at Big", "parent_id": self.big.id}
        )
        big_order = self._quotation(contact, 8000)
        small_order = self._quotation(self.small, 300)
        with freeze_time("2025-07-10 10:00:00"):
            (big_order | small_order).action_confirm()
        self.assertEqual(lines[self.big].state, "recovered")
        self.assertEqual(lines[self.big].order_id, big_order)
        self.assertEqual(lines[self.big].outcome_date, date(2025, 7, 10))
        self.assertEqual(lines[self.small].state, "recovered")
        self.assertEqual(lines[self.small].order_id, small_order)
        self.assertEqual(lines[self.refusing].state, "contacted")
        self.assertEqual(campaign.recovered_count, 2)
        notes = campaign.message_ids.filtered(
            lambda message: big_order.name in message.body
        )
        self.assertEqual(len(notes), 1)
        self.assertIn(small_order.name, notes.body)
        # a later order keeps the first one
        self._order(self.big, "2025-07-20", 900)
        campaign.action_check_recoveries()
        self.assertEqual(lines[self.big].order_id, big_order)
        # a draft campaign wins nothing back
        draft = self.env["crm.winback.campaign"].create(
            {"name": "Draft", "target_stage": "lapsed", "mode": "activity"}
        )
        draft.action_generate_targets()
        self._order(self.refusing, "2025-07-21", 400)
        self.assertEqual(set(draft.line_ids.mapped("state")), {"pending"})
        self.assertEqual(lines[self.refusing].state, "recovered")

    def test_recovery_catch_up(self):
        """Orders confirmed without the trigger are caught up by the cron."""
        self._recompute()
        campaign = self.env["crm.winback.campaign"].create(
            {"name": "Lapsed", "target_stage": "lapsed", "mode": "activity"}
        )
        campaign.action_generate_targets()
        self._order(self.small, "2025-06-30", 500)
        with freeze_time("2025-07-01 09:00:00"):
            campaign.action_launch()
        order = self._quotation(self.big, 8000)
        Order = type(self.env["sale.order"])
        with (
            patch.object(Order, "_customerism_winback_recover", autospec=True),
            freeze_time("2025-07-10 10:00:00"),
        ):
            order.action_confirm()
        big_line = campaign.line_ids.filtered(lambda line: line.partner_id == self.big)
        self.assertEqual(big_line.state, "contacted")
        self.env["crm.winback.campaign"]._cron_check_recoveries()
        self.assertEqual(big_line.state, "recovered")
        self.assertEqual(big_line.order_id, order)
        self.assertEqual(big_line.outcome_date, date(2025, 7, 10))
        self.assertEqual(campaign.recovered_count, 1)

    def test_min_potential_value(self):
        self._recompute()
        self.company.write(
            {
                "customerism_discount_rate": 0.1,
                **{f"customerism_retention_{grade}": 0.5 for grade in GRADES[1:]},
                **{f"customerism_avg_margin_{grade}": 10000 for grade in GRADES[1:]},
            }
        )
        margins = {self.big: 1000, self.refusing: 4000, self.small: 9000}
        for partner, margin in margins.items():
            self._profile(partner).annual_margin = margin
        # potential = (10000 - m) x 0.5 / 0.6
        self.assertEqual(
            {partner: self._profile(partner).potential_value for partner in margins},
            {self.big: 7500, self.refusing: 5000, self.small: 833.33},
        )
        campaign = self.env["crm.winback.campaign"].create(
            {
                "name": "Worth winning back",
                "target_stage": "lapsed",
                "mode": "activity",
                "min_potential_value": 5000,
            }
        )
        campaign.action_generate_targets()
        self.assertEqual(campaign.line_ids.partner_id, self.big | self.refusing)
        self.assertEqual(campaign.line_ids.mapped("potential_value"), [7500, 5000])
        campaign.min_potential_value = 5000.01
        campaign.action_generate_targets()
        self.assertEqual(campaign.line_ids.partner_id, self.big)
        campaign.min_potential_value = 0
        campaign.action_generate_targets()
        self.assertEqual(
            campaign.line_ids.mapped("partner_id"),
            self.big | self.refusing | self.small,
        )


@tagged("post_install", "-at_install")
class TestPotentialValueSearch(CustomerismCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.company"].create({"name": "Potential Co"})
        constants = {
            cls.company: {
                "discount": 0.1,
                "retention": {"vip": 0.8, "major": 0.7, "ordinary": 0.6, "small": 0.4},
                "margin": {
                    "vip": 50000,
                    "major": 20000,
                    "ordinary": 5000,
                    "small": 1000,
                },
            },
            # factor 0 for the major customers
            cls.other: {
                "discount": 0.2,
                "retention": {"vip": 0.9, "major": 0.0, "ordinary": 0.5, "small": 0.3},
                "margin": {
                    "vip": 80000,
                    "major": 30000,
                    "ordinary": 8000,
                    "small": 500,
                },
            },
        }
        for company, values in constants.items():
            company.write(
                {
                    "customerism_discount_rate": values["discount"],
                    **{
                        f"customerism_retention_{grade}": rate
                        for grade, rate in values["retention"].items()
                    },
                    **{
                        f"customerism_avg_margin_{grade}": margin
                        for grade, margin in values["margin"].items()
                    },
                }
            )
        margins = [None, 0, 300, 900, 4000, 7000, 19999.99, 25000, 60000]
        vals = []
        for grade in GRADES:
            for index, margin in enumerate(margins):
                partner = cls._partner(f"Potential {grade} {index}")
                for company in constants:
                    vals.append(
                        {
                            "partner_id": partner.id,
                            "company_id": company.id,
                            "computed_grade": grade,
                        }
                        | ({} if margin is None else {"annual_margin": margin})
                    )
        cls.profiles = cls.Profile.sudo().create(vals)

    def _check(self, op, value):
        compare = {
            ">=": operator.ge,
            ">": operator.gt,
            "<=": operator.le,
            "<": operator.lt,
            "=": operator.eq,
            "!=": operator.ne,
        }[op]
        expected = self.profiles.filtered(
            lambda profile: compare(profile.potential_value, value)
        )
        found = self.Profile.search(
            [("id", "in", self.profiles.ids), ("potential_value", op, value)]
        )
        self.assertEqual(
            found,
            expected,
            f"potential_value {op} {value}: "
            f"{sorted(found.mapped('potential_value'))} instead of "
            f"{sorted(expected.mapped('potential_value'))}",
        )
        return expected

    def test_search_matches_compute(self):
        potentials = sorted(set(self.profiles.mapped("potential_value")))
        self.assertIn(0, potentials)
        self.assertGreater(len(potentials), 20)
        thresholds = [-5, 0, 0.004, 0.005, 0.01, 250, 1234.567, 3000, 10**6]
        # the computed values themselves (rounded) and just around them
        thresholds += potentials[::3]
        thresholds += [value + 0.004 for value in potentials[1::4]]
        thresholds += [value - 0.006 for value in potentials[2::4]]
        for op in (">=", ">", "<=", "<", "=", "!="):
            for value in thresholds:
                self._check(op, value)
        selected = self._check(">=", 3000)
        # both companies count, each with its own constants
        self.assertEqual(selected.company_id, self.company | self.other)
        self.assertLess(len(selected), len(self.profiles))
        # same grade and margin, other company: another potential
        same = self.profiles.filtered(
            lambda p: p.grade == "small" and p.annual_margin == 300
        )
        # small: (5000 - 300) x 0.4 / 0.7 here, (8000 - 300) x 0.3 / 0.9 there
        self.assertEqual(sorted(same.mapped("potential_value")), [2566.67, 2685.71])
        self.assertEqual(
            self._check(">=", 2600) & same,
            same.filtered(lambda p: p.company_id == self.company),
        )
        # factor 0: no potential
        self.assertFalse(
            self._check(">", 0).filtered(
                lambda p: p.company_id == self.other and p.grade == "major"
            )
        )

    def test_search_in_and_not_in(self):
        values = sorted(set(self.profiles.mapped("potential_value")))[1:4]
        found = self.Profile.search(
            [("id", "in", self.profiles.ids), ("potential_value", "in", values)]
        )
        self.assertEqual(
            found, self.profiles.filtered(lambda p: p.potential_value in values)
        )
        self.assertTrue(found)
        found = self.Profile.search(
            [("id", "in", self.profiles.ids), ("potential_value", "not in", values)]
        )
        self.assertEqual(
            found, self.profiles.filtered(lambda p: p.potential_value not in values)
        )


@tagged("post_install", "-at_install")
class TestChurnReason(CustomerismCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.unknown = cls.env.ref("crm_customerism.crm_churn_reason_unknown")
        cls.price = cls.env.ref("crm_customerism.crm_churn_reason_price")
        cls.quality = cls.env.ref("crm_customerism.crm_churn_reason_quality")
        cls.lapsed = cls._partner("Gone Buyer")
        cls.fading = cls._partner("Fading Buyer")
        cls.priced_out = cls._partner(
            "Priced Out Buyer", customerism_churn_reason_id=cls.price.id
        )
        cls.loyal = cls._partner("Steady Buyer")
        cls._order(cls.lapsed, "2023-05-01", 1000)
        cls._order(cls.fading, "2024-11-01", 1000)
        cls._order(cls.priced_out, "2023-05-02", 1000)
        cls._order(cls.loyal, "2025-06-01", 1000)

    def test_unknown_reason_filled(self):
        self._recompute()
        stages = {
            partner: self._profile(partner).lifecycle_stage
            for partner in (self.lapsed, self.fading, self.priced_out, self.loyal)
        }
        self.assertEqual(
            stages,
            {
                self.lapsed: "lapsed",
                self.fading: "at_risk",
                self.priced_out: "lapsed",
                self.loyal: "new",
            },
        )
        self.assertEqual(self.lapsed.customerism_churn_reason_id, self.unknown)
        self.assertEqual(self.fading.customerism_churn_reason_id, self.unknown)
        # a reason given by hand is kept, a customer not at risk gets none
        self.assertEqual(self.priced_out.customerism_churn_reason_id, self.price)
        self.assertFalse(self.loyal.customerism_churn_reason_id)
        # the profile shows the reason; a customerism user sets it
        profile = self._profile(self.fading).with_user(self.user)
        self.assertEqual(profile.churn_reason_id, self.unknown)
        with Form(profile) as form:
            form.churn_reason_id = self.price
        self.assertEqual(self.fading.customerism_churn_reason_id, self.price)
        Profile = self.Profile.with_user(self.user)
        self.assertEqual(
            Profile.search([("churn_reason_id", "=", self.price.id)]).partner_id,
            self.fading | self.priced_out,
        )
        groups = dict(
            Profile._read_group(
                [
                    ("company_id", "=", self.company.id),
                    (
                        "partner_id",
                        "in",
                        (self.lapsed | self.fading | self.priced_out).ids,
                    ),
                ],
                ["churn_reason_id"],
                ["__count"],
            )
        )
        self.assertEqual(groups[self.price], 2)
        self.assertEqual(groups[self.unknown], 1)
        # back in business: the reason stays (nothing is cleared)
        self._order(self.lapsed, "2025-06-20", 500)
        self.assertNotEqual(self._profile(self.lapsed).lifecycle_stage, "lapsed")
        self.assertEqual(self.lapsed.customerism_churn_reason_id, self.unknown)

    def test_reason_given_on_entering_the_stage(self):
        self._recompute()
        self.assertEqual(self.fading.customerism_churn_reason_id, self.unknown)
        # removed by hand while the customer stays at risk: not given back
        self.fading.customerism_churn_reason_id = False
        self._recompute()
        self.assertEqual(self._profile(self.fading).lifecycle_stage, "at_risk")
        self.assertFalse(self.fading.customerism_churn_reason_id)

    def test_reason_from_complaint_root_cause(self):
        self._recompute()
        with freeze_time("2025-06-30 12:00:00"):
            complaint = self.env["crm.complaint"].create(
                {
                    "subject": "Cracked glaze",
                    "partner_id": self.loyal.id,
                    "severity": "high",
                    "root_cause_type": "product",
                }
            )
        self.assertTrue(complaint.lifecycle_risk)
        self.assertEqual(self._profile(self.loyal).lifecycle_stage, "at_risk")
        self.assertEqual(self.loyal.customerism_churn_reason_id, self.quality)
