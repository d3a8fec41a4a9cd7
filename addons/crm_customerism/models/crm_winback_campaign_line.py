from collections import defaultdict

from markupsafe import Markup

from odoo import fields, models

from .crm_customer_profile import GRADE_SELECTION, STAGE_SELECTION

LINE_STATES = [
    ("pending", "Pending"),
    ("contacted", "Contacted"),
    ("recovered", "Won Back"),
    ("declined", "Declined"),
    ("blocked", "Not Contacted"),
]
# targets a confirmed order still wins back
RECOVERABLE_STATES = ("pending", "contacted", "declined")


class CrmWinbackCampaignLine(models.Model):
    _name = "crm.winback.campaign.line"
    _inherit = ["crm.customerism.ordered.selection.mixin"]
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
        """Activities, offers and mails of the targets, within consent and cap.

        The offer (a loyalty card) is created without Odoo's coupon mail: its
        code reaches the customer once, in the win-back mail (consent and cap
        checked, counted as one marketing contact) or from the account owner,
        whose activity names it."""
        for campaign, lines in self.grouped("campaign_id").items():
            by_mail = campaign.mode in ("mail", "both")
            by_activity = campaign.mode in ("activity", "both")
            blocked = {}
            if by_mail:
                blocked = lines.partner_id._customerism_marketing_block_reasons(
                    "email", campaign.company_id
                )
            for line in lines:
                values = {"outcome_date": fields.Date.context_today(self)}
                reason = blocked.get(line.partner_id)
                if not reason and by_mail and not line.partner_id.email:
                    reason = self.env._("No email address.")
                mailed = by_mail and not reason
                card = self.env["loyalty.card"]
                if campaign.loyalty_program_id and not reason:
                    card = campaign.loyalty_program_id._customerism_grant(
                        line.partner_id,
                        campaign.offer_points,
                        # on the customer's portal, in their language: not
                        # the campaign's internal name
                        self.with_context(lang=line.partner_id.lang).env._(
                            "Welcome back offer"
                        ),
                    )
                    values["card_id"] = card.id
                if by_activity:
                    line._schedule_activities(card=card, mailed=mailed)
                if mailed:
                    line._send_mail(card=card)
                if reason:
                    values["blocked_reason"] = reason
                values["state"] = "contacted" if by_activity or mailed else "blocked"
                line.write(values)

    def _offer_values(self, card):
        """Rendering values of the offer ``card`` (its code, program, amount)."""
        self.ensure_one()
        return {
            "customerism_offer_code": card.code,
            "customerism_offer_program": card.program_id.name,
            "customerism_offer_points": card._format_points(
                self.campaign_id.offer_points
            ),
        }

    def _schedule_activities(self, card=None, mailed=False):
        """Activities of the account owner; with an offer ``card``, each names
        its code: to hand over, or already in the win-back mail (``mailed``)."""
        self.ensure_one()
        campaign = self.campaign_id
        partner = self.partner_id
        summary = self.env._("Win-back: %(campaign)s", campaign=campaign.name)
        if campaign.activity_plan_id:
            activities = campaign.activity_plan_id._customerism_schedule(
                partner, user=self.user_id
            )
            activities.write({"summary": summary})
        else:
            activities = partner.activity_schedule(
                "mail.mail_activity_data_call",
                user_id=self.user_id.id,
                summary=summary,
            )
        if card:
            offer = {
                key.removeprefix("customerism_offer_"): value
                for key, value in self._offer_values(card).items()
            }
            if mailed:
                text = self.env._(
                    "Offer of the campaign: %(points)s on %(program)s, code "
                    "%(code)s, sent to the customer in the win-back mail.",
                    **offer,
                )
            else:
                text = self.env._(
                    "Hand the offer over to the customer: %(points)s on "
                    "%(program)s, code %(code)s. It is not mailed to them.",
                    **offer,
                )
            paragraph = Markup("<p>%s</p>") % text
            for activity in activities:
                activity.note = Markup("%s%s") % (activity.note or "", paragraph)
        return activities

    def _send_mail(self, card=None):
        """The campaign's mail to the customer, a marketing contact (counted by
        the cap); with an offer ``card``, the template shows its code through
        ``ctx['customerism_offer_code']`` (and ``customerism_offer_program``,
        ``customerism_offer_points``)."""
        self.ensure_one()
        partner = self.partner_id
        if card:
            partner = partner.with_context(**self._offer_values(card))
        message = partner.message_post_with_source(
            self.campaign_id.mail_template_id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=partner.ids,
        )
        # sudo: the contact's marks on the message just posted (not writable
        # by its author through the ORM)
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

    def _recover(self, orders):
        """Mark the targets won back by ``orders`` (confirmed): the first order of
        the customer in the campaign's company since the launch, noted in the
        campaign's chatter."""
        orders_by_customer = defaultdict(list)
        for order in orders.sorted(lambda order: (order.date_order, order.id)):
            key = (order.partner_id.commercial_partner_id, order.company_id)
            orders_by_customer[key].append(order)
        recovered = self.browse()
        for line in self:
            campaign = line.campaign_id
            if line.state not in RECOVERABLE_STATES or not campaign.date_start:
                continue
            order = next(
                (
                    order
                    for order in orders_by_customer[
                        (line.partner_id, campaign.company_id)
                    ]
                    if order.date_order >= campaign.date_start
                ),
                None,
            )
            if order:
                line.write(
                    {
                        "state": "recovered",
                        "order_id": order.id,
                        "outcome_date": fields.Date.context_today(
                            line, order.date_order
                        ),
                    }
                )
                recovered |= line
        for campaign, lines in recovered.grouped("campaign_id").items():
            campaign.message_post(
                body=Markup("<p>%s</p><ul>%s</ul>")
                % (
                    self.env._("Customers won back by a confirmed order:"),
                    Markup().join(
                        Markup("<li>%s: %s</li>")
                        % (
                            line.partner_id._get_html_link(),
                            line.order_id._get_html_link(),
                        )
                        for line in lines
                    ),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return recovered
