from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from .crm_customer_profile import GRADE_SELECTION, STAGE_SELECTION

LINE_STATES = [
    ("pending", "Pending"),
    ("contacted", "Contacted"),
    ("recovered", "Won Back"),
    ("declined", "Declined"),
    ("blocked", "Not Contacted"),
]
TARGET_STAGES = ("at_risk", "terminating", "lapsed")


class CrmWinbackCampaign(models.Model):
    """Win-back campaign (客户挽回): lost or at-risk customers selected by worth
    get activities for their account owners and/or a mail within consent and
    contact cap, with an offer from a loyalty program; outcomes are recorded."""

    _name = "crm.winback.campaign"
    _description = "Win-back Campaign"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        string="Campaign Manager",
        default=lambda self: self.env.user,
        check_company=True,
    )
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("done", "Done")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    # target
    target_stage = fields.Selection(
        [(key, label) for key, label in STAGE_SELECTION if key in TARGET_STAGES],
        string="Lifecycle Stage",
        required=True,
        default="lapsed",
    )
    target_grade = fields.Selection(
        GRADE_SELECTION, string="Grade", help="Empty for every grade."
    )
    churn_reason_ids = fields.Many2many(
        "crm.churn.reason", string="Churn Reasons", help="Empty for every reason."
    )
    min_potential_value = fields.Monetary(
        string="Minimum Potential Value",
        currency_field="currency_id",
        help="Only customers worth winning back: potential value at least this.",
    )
    # means
    mode = fields.Selection(
        [
            ("activity", "Activities for the Account Owners"),
            ("mail", "Mail to the Customers"),
            ("both", "Activities and Mail"),
        ],
        required=True,
        default="activity",
    )
    activity_plan_id = fields.Many2one(
        "mail.activity.plan",
        string="Playbook",
        compute="_compute_activity_plan_id",
        store=True,
        readonly=False,
        domain="[('res_model', '=', 'res.partner')]",
        help="Activities scheduled for the account owner of each customer; defaults "
        "to the playbook of the target stage.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        domain="[('model', '=', 'res.partner')]",
    )
    loyalty_program_id = fields.Many2one(
        "loyalty.program",
        string="Offer",
        check_company=True,
        domain="[('program_type', 'in',"
        " ('coupons', 'gift_card', 'loyalty', 'ewallet'))]",
        help="Loyalty program giving each targeted customer a coupon or points.",
    )
    offer_points = fields.Float(default=1.0)
    date_start = fields.Datetime(string="Launched On", readonly=True, copy=False)
    line_ids = fields.One2many(
        "crm.winback.campaign.line", "campaign_id", string="Customers", copy=False
    )
    # results
    target_count = fields.Integer(string="Targets", compute="_compute_results")
    contacted_count = fields.Integer(string="Contacted", compute="_compute_results")
    recovered_count = fields.Integer(string="Recovered", compute="_compute_results")
    declined_count = fields.Integer(string="Declined", compute="_compute_results")
    blocked_count = fields.Integer(string="Not Contacted", compute="_compute_results")
    recovery_rate = fields.Float(
        string="Recovery Rate (%)",
        compute="_compute_results",
        help="Recovered customers over the customers contacted, declined or recovered.",
    )

    @api.depends("target_stage", "company_id")
    def _compute_activity_plan_id(self):
        Plan = self.env["mail.activity.plan"]
        for campaign in self:
            campaign.activity_plan_id = Plan._customerism_playbook(
                campaign.target_stage, campaign.company_id
            )

    @api.depends("line_ids.state")
    def _compute_results(self):
        groups = self.env["crm.winback.campaign.line"]._read_group(
            [("campaign_id", "in", self.ids)], ["campaign_id", "state"], ["__count"]
        )
        counts = {}
        for campaign, state, count in groups:
            counts.setdefault(campaign.id, {})[state] = count
        for campaign in self:
            by_state = counts.get(campaign.id, {})
            campaign.target_count = sum(by_state.values())
            campaign.contacted_count = by_state.get("contacted", 0)
            campaign.recovered_count = by_state.get("recovered", 0)
            campaign.declined_count = by_state.get("declined", 0)
            campaign.blocked_count = by_state.get("blocked", 0)
            reached = (
                campaign.contacted_count
                + campaign.recovered_count
                + campaign.declined_count
            )
            campaign.recovery_rate = (
                100.0 * campaign.recovered_count / reached if reached else 0.0
            )

    def _target_domain(self):
        self.ensure_one()
        domain = [
            ("company_id", "=", self.company_id.id),
            ("lifecycle_stage", "=", self.target_stage),
            ("active", "=", True),
        ]
        if self.target_grade:
            domain.append(("grade", "=", self.target_grade))
        if self.churn_reason_ids:
            domain.append(
                (
                    "partner_id.customerism_churn_reason_id",
                    "in",
                    self.churn_reason_ids.ids,
                )
            )
        return domain

    def action_generate_targets(self):
        """(Re)build the target list from the value profiles, in one search."""
        for campaign in self:
            if campaign.state != "draft":
                raise UserError(
                    self.env._(
                        "Campaign %(name)s is launched: its targets are fixed.",
                        name=campaign.name,
                    )
                )
            campaign.line_ids.unlink()
            profiles = (
                self.env["crm.customer.profile"]
                .sudo()
                .search(campaign._target_domain(), order="id")
            )
            # the potential value is computed (not stored): filter the selected
            # stage's profiles, worth first
            if campaign.min_potential_value:
                profiles = profiles.filtered(
                    lambda p, c=campaign: p.potential_value >= c.min_potential_value
                )
            profiles = profiles.sorted("potential_value", reverse=True)
            self.env["crm.winback.campaign.line"].create(
                [
                    {
                        "campaign_id": campaign.id,
                        "partner_id": profile.partner_id.id,
                        "user_id": (
                            profile.account_manager_id
                            or profile.partner_id.user_id
                            or campaign.user_id
                        ).id,
                        "grade": profile.grade,
                        "lifecycle_stage": profile.lifecycle_stage,
                        "potential_value": profile.potential_value,
                        "churn_reason_id": (
                            profile.partner_id.customerism_churn_reason_id.id
                        ),
                    }
                    for profile in profiles
                ]
            )
        return True

    def action_launch(self):
        for campaign in self:
            if campaign.state != "draft":
                raise UserError(
                    self.env._(
                        "Campaign %(name)s is already launched.", name=campaign.name
                    )
                )
            if campaign.mode in ("mail", "both") and not campaign.mail_template_id:
                raise UserError(
                    self.env._(
                        "Campaign %(name)s sends mail: choose a mail template.",
                        name=campaign.name,
                    )
                )
            if not campaign.line_ids:
                raise UserError(
                    self.env._(
                        "Campaign %(name)s has no target customer: generate the "
                        "targets first.",
                        name=campaign.name,
                    )
                )
            campaign.write({"state": "running", "date_start": fields.Datetime.now()})
            campaign.line_ids._launch()
        return True

    def action_check_recoveries(self):
        """Mark as recovered the targets that confirmed an order since the launch."""
        lines = self.line_ids.filtered(
            lambda line: line.state in ("pending", "contacted", "declined")
        )
        if not lines:
            return True
        orders = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("state", "=", "sale"),
                    ("partner_id", "child_of", lines.partner_id.ids),
                    ("company_id", "in", self.company_id.ids),
                ],
                order="date_order",
            )
        )
        for line in lines:
            order = orders.filtered(
                lambda o, line=line: (
                    o.partner_id.commercial_partner_id == line.partner_id
                    and o.company_id == line.campaign_id.company_id
                    and o.date_order >= line.campaign_id.date_start
                )
            )[:1]
            if order:
                line.write(
                    {
                        "state": "recovered",
                        "order_id": order.id,
                        "outcome_date": fields.Date.context_today(self),
                    }
                )
        return True

    @api.model
    def _cron_check_recoveries(self):
        self.search([("state", "=", "running")]).action_check_recoveries()

    def action_done(self):
        self.action_check_recoveries()
        self.write({"state": "done"})


class CrmWinbackCampaignLine(models.Model):
    _name = "crm.winback.campaign.line"
    _description = "Win-back Campaign Target"
    _order = "campaign_id, potential_value desc, id"

    campaign_id = fields.Many2one(
        "crm.winback.campaign", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="campaign_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True
    )
    user_id = fields.Many2one("res.users", string="Account Owner")
    grade = fields.Selection(GRADE_SELECTION, readonly=True)
    lifecycle_stage = fields.Selection(STAGE_SELECTION, readonly=True)
    potential_value = fields.Monetary(currency_field="currency_id", readonly=True)
    churn_reason_id = fields.Many2one("crm.churn.reason")
    state = fields.Selection(LINE_STATES, default="pending", required=True)
    blocked_reason = fields.Char(readonly=True)
    card_id = fields.Many2one("loyalty.card", string="Offer", readonly=True)
    order_id = fields.Many2one("sale.order", string="New Order", readonly=True)
    outcome_date = fields.Date(readonly=True)
    note = fields.Char()

    _sql_constraints = [
        (
            "campaign_partner_uniq",
            "unique(campaign_id, partner_id)",
            "A customer is targeted once per campaign.",
        )
    ]

    def _launch(self):
        """Activities, offers and mails of the targets, within consent and cap."""
        for campaign, lines in self.grouped("campaign_id").items():
            blocked = {}
            if campaign.mode in ("mail", "both"):
                blocked = lines.partner_id._customerism_marketing_block_reasons(
                    "email", campaign.company_id
                )
            for line in lines:
                values = {"outcome_date": fields.Date.context_today(self)}
                contacted = False
                if campaign.mode in ("activity", "both"):
                    line._schedule_activities()
                    contacted = True
                reason = blocked.get(line.partner_id)
                if (
                    not reason
                    and campaign.mode in ("mail", "both")
                    and not line.partner_id.email
                ):
                    reason = self.env._("No email address.")
                if campaign.loyalty_program_id and not reason:
                    values["card_id"] = campaign.loyalty_program_id._customerism_grant(
                        line.partner_id, campaign.offer_points
                    ).id
                if campaign.mode in ("mail", "both") and not reason:
                    line._send_mail()
                    contacted = True
                if reason:
                    values["blocked_reason"] = reason
                values["state"] = "contacted" if contacted else "blocked"
                line.write(values)

    def _schedule_activities(self):
        self.ensure_one()
        campaign = self.campaign_id
        partner = self.partner_id
        summary = self.env._("Win-back: %(campaign)s", campaign=campaign.name)
        if campaign.activity_plan_id:
            activities = campaign.activity_plan_id._customerism_schedule(
                partner, user=self.user_id
            )
            activities.write({"summary": summary})
            return activities
        return partner.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.user_id.id, summary=summary
        )

    def _send_mail(self):
        self.ensure_one()
        partner = self.partner_id
        message = partner.message_post_with_source(
            self.campaign_id.mail_template_id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=partner.ids,
        )
        message.sudo().write(
            {
                "customerism_channel": "email",
                "customerism_direction": "outbound",
                "customerism_marketing": True,
            }
        )
        return message

    def action_mark_declined(self):
        self.write(
            {"state": "declined", "outcome_date": fields.Date.context_today(self)}
        )
        for line in self:
            line.partner_id.message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Declined the win-back offer of campaign %(campaign)s.",
                    campaign=line.campaign_id.name,
                ),
                subtype_xmlid="mail.mt_note",
            )

    def action_mark_contacted(self):
        self.filtered(lambda line: line.state in ("pending", "blocked")).write(
            {"state": "contacted", "outcome_date": fields.Date.context_today(self)}
        )
