from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .crm_customer_profile import GRADE_SELECTION, SERVICE_TIERS, STAGE_SELECTION

CUSTOMERISM_GROUP = "crm_customerism.group_crm_customerism_user"


class ResPartner(models.Model):
    _inherit = "res.partner"

    customer_profile_ids = fields.One2many(
        "crm.customer.profile",
        "partner_id",
        string="Value Profiles",
        groups=CUSTOMERISM_GROUP,
    )
    customer_profile_id = fields.Many2one(
        "crm.customer.profile",
        string="Value Profile",
        compute="_compute_customer_profile_id",
        search="_search_customer_profile_id",
        groups=CUSTOMERISM_GROUP,
        help="Value profile of the commercial partner in the current company.",
    )
    customerism_historical_value = fields.Monetary(
        related="customer_profile_id.historical_value",
        string="Historical Value",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_current_value = fields.Monetary(
        related="customer_profile_id.current_value",
        string="Current Value",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_currency_id = fields.Many2one(
        related="customer_profile_id.currency_id",
        string="Value Currency",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_order_count = fields.Integer(
        related="customer_profile_id.order_count",
        string="Orders (Company)",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_last_order_date = fields.Date(
        related="customer_profile_id.last_order_date",
        string="Last Order",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_lifetime_value = fields.Monetary(
        related="customer_profile_id.lifetime_value",
        string="Lifetime Value",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_potential_value = fields.Monetary(
        related="customer_profile_id.potential_value",
        string="Potential Value",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_recency_score = fields.Integer(
        related="customer_profile_id.recency_score",
        string="Recency Score",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_frequency_score = fields.Integer(
        related="customer_profile_id.frequency_score",
        string="Frequency Score",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_monetary_score = fields.Integer(
        related="customer_profile_id.monetary_score",
        string="Monetary Score",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_account_manager_id = fields.Many2one(
        related="customer_profile_id.account_manager_id",
        string="Account Manager",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_technical_manager_id = fields.Many2one(
        related="customer_profile_id.technical_manager_id",
        string="Technical Manager",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_receivable_amount = fields.Monetary(
        related="customer_profile_id.receivable_amount",
        string="Receivable (Customerism)",
        currency_field="customerism_currency_id",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_overdue_amount = fields.Monetary(
        related="customer_profile_id.overdue_amount",
        string="Overdue",
        currency_field="customerism_currency_id",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_overdue_days = fields.Integer(
        related="customer_profile_id.overdue_days",
        string="Days Overdue",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_credit_usage = fields.Float(
        related="customer_profile_id.credit_usage",
        string="Credit Limit Used (%)",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_stage_history_ids = fields.One2many(
        "crm.customer.stage.history",
        "partner_id",
        string="Lifecycle Stage History",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_grade = fields.Selection(
        GRADE_SELECTION,
        string="Customer Grade",
        compute="_compute_customer_profile_id",
        search="_search_customerism_grade",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_service_tier = fields.Selection(
        SERVICE_TIERS,
        string="Service Tier",
        compute="_compute_customer_profile_id",
        search="_search_customerism_service_tier",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_stage = fields.Selection(
        STAGE_SELECTION,
        string="Lifecycle Stage",
        compute="_compute_customer_profile_id",
        search="_search_customerism_stage",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_stage_history_count = fields.Integer(
        string="Stage Changes",
        compute="_compute_customerism_stage_history_count",
        groups=CUSTOMERISM_GROUP,
    )

    @api.depends("commercial_partner_id")
    @api.depends_context("company")
    def _compute_customer_profile_id(self):
        commercial = self.commercial_partner_id
        profiles = (
            self.env["crm.customer.profile"]
            .with_context(active_test=False)
            .search(
                [
                    ("partner_id", "in", commercial.ids),
                    ("company_id", "=", self.env.company.id),
                ]
            )
        )
        by_partner = {profile.partner_id.id: profile for profile in profiles}
        empty = self.env["crm.customer.profile"]
        for partner in self:
            profile = by_partner.get(partner.commercial_partner_id.id, empty)
            partner.customer_profile_id = profile
            partner.customerism_grade = profile.grade
            partner.customerism_service_tier = profile.service_tier
            partner.customerism_stage = profile.lifecycle_stage

    def _compute_customerism_stage_history_count(self):
        counts = dict(
            self.env["crm.customer.stage.history"]._read_group(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "=", self.env.company.id),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.customerism_stage_history_count = counts.get(
                partner.commercial_partner_id, 0
            )

    def _search_on_profile(self, field_name, operator, value):
        profiles = self.env["crm.customer.profile"]._search(
            [(field_name, operator, value), ("company_id", "=", self.env.company.id)]
        )
        return [("commercial_partner_id.customer_profile_ids", "any", profiles)]

    def _search_customer_profile_id(self, operator, value):
        return self._search_on_profile("id", operator, value)

    def _search_customerism_grade(self, operator, value):
        return self._search_on_profile("grade", operator, value)

    def _search_customerism_service_tier(self, operator, value):
        return self._search_on_profile("service_tier", operator, value)

    def _search_customerism_stage(self, operator, value):
        return self._search_on_profile("lifecycle_stage", operator, value)

    def action_view_customerism_stage_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_customerism.crm_customer_stage_history_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"create": False}
        return action

    def action_open_customer_profile(self):
        self.ensure_one()
        profile = self.customer_profile_id
        if not profile:
            self.env["crm.customer.profile"]._recompute_partners(
                self.ids, company=self.env.company
            )
            self.invalidate_recordset(["customer_profile_id"])
            profile = self.customer_profile_id
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.customer.profile",
            "res_id": profile.id,
            "view_mode": "form",
        }

    # complaints (客户投诉)
    customerism_to_qualify = fields.Boolean(
        string="To Qualify",
        copy=False,
        help="Contact created from an incoming complaint mail of an unknown sender: "
        "check who they are and link them to their company.",
    )
    customerism_complaint_count = fields.Integer(
        string="Complaints",
        compute="_compute_customerism_complaint_stats",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_complaint_rating = fields.Float(
        string="Complaint Satisfaction",
        compute="_compute_customerism_complaint_stats",
        groups=CUSTOMERISM_GROUP,
        help="Average satisfaction (1-5) given on the closed complaints.",
    )

    def _compute_customerism_complaint_stats(self):
        Complaint = self.env["crm.complaint"]
        domain = [("commercial_partner_id", "in", self.commercial_partner_id.ids)]
        counts = dict(
            Complaint._read_group(domain, ["commercial_partner_id"], ["__count"])
        )
        ratings = dict(
            Complaint._read_group(
                domain + [("rating_last_value", ">=", 1)],
                ["commercial_partner_id"],
                ["rating_last_value:avg"],
            )
        )
        for partner in self:
            partner.customerism_complaint_count = counts.get(
                partner.commercial_partner_id, 0
            )
            partner.customerism_complaint_rating = ratings.get(
                partner.commercial_partner_id, 0.0
            )

    def action_view_customerism_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_customerism.crm_complaint_action"
        )
        action["domain"] = [
            ("commercial_partner_id", "=", self.commercial_partner_id.id)
        ]
        action["context"] = {"default_partner_id": self.id}
        return action

    # interactions and consent (接触记录)
    customerism_consent_ids = fields.One2many(
        "crm.contact.consent",
        "partner_id",
        string="Contact Consents",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_interaction_count = fields.Integer(
        string="Interactions",
        compute="_compute_customerism_interaction_count",
        groups=CUSTOMERISM_GROUP,
    )

    @api.depends_context("uid")
    def _compute_customerism_interaction_count(self):
        counts = dict(
            self.env["crm.interaction"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.customerism_interaction_count = counts.get(
                partner.commercial_partner_id, 0
            )

    def action_view_customerism_interactions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_customerism.crm_interaction_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action

    def action_log_customerism_interaction(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a Contact"),
            "res_model": "crm.interaction.log.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def _customerism_marketing_counts(self, company):
        """Marketing contacts per commercial partner in the cap period."""
        since = fields.Datetime.now() - relativedelta(
            days=company.customerism_contact_cap_days
        )
        # sudo: a count of marketing contacts for the cap, whoever made them
        groups = (
            self.env["mail.message"]
            .sudo()
            ._read_group(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "in", self.commercial_partner_id.ids),
                    ("customerism_marketing", "=", True),
                    ("date", ">=", since),
                ],
                ["res_id"],
                ["__count"],
            )
        )
        return dict(groups)

    def _customerism_refused_channels(self):
        """{commercial partner id: set of refused channels}."""
        # sudo: a refusal binds every sender, even one who may not read it
        consents = (
            self.env["crm.contact.consent"]
            .sudo()
            .search_read(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("status", "=", "refused"),
                ],
                ["partner_id", "channel"],
            )
        )
        refused = {}
        for consent in consents:
            refused.setdefault(consent["partner_id"][0], set()).add(consent["channel"])
        return refused

    def _customerism_marketing_block_reasons(self, channel, company=None):
        """{partner: reason} for the partners that may not get a marketing
        contact on ``channel`` now (refused consent or cap reached)."""
        company = company or self.env.company
        refused = self._customerism_refused_channels()
        counts = self._customerism_marketing_counts(company)
        cap = company.customerism_contact_cap
        labels = dict(
            self.env["crm.contact.consent"]
            ._fields["channel"]
            ._description_selection(self.env)
        )
        reasons = {}
        for partner in self:
            customer = partner.commercial_partner_id
            if channel in refused.get(customer.id, ()):
                reasons[partner] = self.env._(
                    "%(customer)s refused marketing contacts by %(channel)s.",
                    customer=customer.display_name,
                    channel=labels.get(channel, channel),
                )
            elif cap and counts.get(customer.id, 0) >= cap:
                reasons[partner] = self.env._(
                    "%(customer)s already had %(count)s marketing contacts in the last "
                    "%(days)s days (cap: %(cap)s).",
                    customer=customer.display_name,
                    count=counts.get(customer.id, 0),
                    days=company.customerism_contact_cap_days,
                    cap=cap,
                )
        return reasons

    def _customerism_marketing_block_reason(self, channel, company=None):
        self.ensure_one()
        return self._customerism_marketing_block_reasons(channel, company).get(self)

    def _customerism_check_marketing_contact(self, channel, company=None):
        reasons = self._customerism_marketing_block_reasons(channel, company)
        if reasons:
            raise UserError("\n".join(reasons.values()))

    def _customerism_log_interaction(
        self, channel, direction, summary, body="", marketing=False, date=None
    ):
        """Post the contact in the chatter of the commercial partner, with its
        channel and direction; returns the messages."""
        messages = self.env["mail.message"]
        for partner in self:
            customer = partner.commercial_partner_id
            message = customer.message_post(
                subject=summary,
                body=body or summary,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
            values = {
                "customerism_channel": channel,
                "customerism_direction": direction,
                "customerism_marketing": marketing,
            }
            if date:
                values["date"] = date
            # sudo: the contact's marks on the message just posted
            message.sudo().write(values)
            messages |= message
        return messages

    # retention (客户挽回)
    customerism_churn_reason_id = fields.Many2one(
        "crm.churn.reason",
        string="Churn Reason",
        tracking=True,
        groups=CUSTOMERISM_GROUP,
        help="Why the customer is at risk or lapsed.",
    )

    def action_apply_customerism_playbook(self):
        """Schedule the activities of the playbook of the customer's stage."""
        for partner in self:
            customer = partner.commercial_partner_id
            stage = customer.customerism_stage
            plan = self.env["mail.activity.plan"]._customerism_playbook(stage)
            if not plan:
                raise UserError(
                    self.env._(
                        "No playbook for the lifecycle stage of %(customer)s.",
                        customer=customer.display_name,
                    )
                )
            owner = (
                customer.customerism_account_manager_id
                or customer.user_id
                or self.env.user
            )
            plan._customerism_schedule(customer, user=owner)
        return True
