from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import CustomerismCase


@tagged("post_install", "-at_install")
class TestWinback(CustomerismCase):
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

    def test_stage_playbook(self):
        self._recompute()
        self.big.with_user(self.manager).action_apply_customerism_playbook()
        self.assertEqual(len(self.big.activity_ids), 3)
        self.assertEqual(self.big.activity_ids.user_id, self.owner)
        with self.assertRaises(UserError):
            self._partner("No Profile").action_apply_customerism_playbook()

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
