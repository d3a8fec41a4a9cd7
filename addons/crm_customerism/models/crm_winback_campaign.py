from odoo import api, fields, models
from odoo.exceptions import UserError

from .crm_customer_profile import GRADE_SELECTION, STAGE_SELECTION
from .crm_winback_campaign_line import RECOVERABLE_STATES

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
        help="Mail to the customers. With an offer, the template must show its "
        "code, given as ctx.get('customerism_offer_code') (see the default "
        "win-back template): Odoo's coupon mail is not sent.",
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
        if self.min_potential_value:
            domain.append(("potential_value", ">=", self.min_potential_value))
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
        # the targets are chosen among every profile (as superuser): only
        # those who may change the campaign (managers) generate them
        self.check_access("write")
        for campaign in self:
            if campaign.state != "draft":
                raise UserError(
                    self.env._(
                        "Campaign %(name)s is launched: its targets are fixed.",
                        name=campaign.name,
                    )
                )
            campaign.line_ids.unlink()
            # sudo: every profile of the company is a candidate, whoever the
            # account owner (the campaign's manager checked above)
            profiles = (
                self.env["crm.customer.profile"]
                .sudo()
                .search(campaign._target_domain(), order="id")
            )
            # the potential value is computed (not stored, searched through the
            # margin): worth first among the selected profiles
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
        # the offers are granted as superuser (loyalty cards): only those who
        # may change the campaign (managers) launch it
        self.check_access("write")
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
            if (
                campaign.mode in ("mail", "both")
                and campaign.loyalty_program_id
                and "customerism_offer_code"
                not in (campaign.mail_template_id.body_html or "")
            ):
                raise UserError(
                    self.env._(
                        "Campaign %(name)s mails an offer: its mail template must "
                        "show the offer code, as the default win-back template "
                        "does, or the customers would never get it.",
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
        """Catch-up of the recoveries, which are marked when an order is confirmed:
        the targets that confirmed an order since the launch."""
        lines = self.filtered("date_start").line_ids.filtered(
            lambda line: line.state in RECOVERABLE_STATES
        )
        if not lines:
            return True
        # sudo: only whether the targets ordered is read, not the orders
        orders = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("state", "=", "sale"),
                    ("partner_id", "child_of", lines.partner_id.ids),
                    ("company_id", "in", lines.company_id.ids),
                    ("date_order", ">=", min(lines.campaign_id.mapped("date_start"))),
                ],
                order="date_order, id",
            )
        )
        lines._recover(orders)
        return True

    @api.model
    def _cron_check_recoveries(self):
        self.search([("state", "=", "running")]).action_check_recoveries()

    def action_done(self):
        self.action_check_recoveries()
        self.write({"state": "done"})
