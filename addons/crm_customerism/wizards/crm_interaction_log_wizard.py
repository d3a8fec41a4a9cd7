from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.mail_message import DIRECTIONS, INTERACTION_CHANNELS


class CrmInteractionLogWizard(models.TransientModel):
    """Log a contact with a customer (call, visit, WeChat, fax...) in the
    customer's chatter, with its channel and direction."""

    _name = "crm.interaction.log.wizard"
    _description = "Log a Customer Contact"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    channel = fields.Selection(INTERACTION_CHANNELS, required=True, default="phone")
    direction = fields.Selection(DIRECTIONS, required=True, default="outbound")
    marketing = fields.Boolean(
        help="A marketing contact needs the customer's consent on the channel and "
        "counts toward the contact cap."
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    summary = fields.Char(required=True)
    note = fields.Html()

    @api.onchange("marketing", "channel", "partner_id")
    def _onchange_marketing(self):
        if self.marketing and self.partner_id and self.channel:
            reason = self.partner_id._customerism_marketing_block_reason(self.channel)
            if reason:
                return {
                    "warning": {"title": self.env._("Not allowed"), "message": reason}
                }

    def action_log(self):
        self.ensure_one()
        if self.direction == "outbound" and self.marketing:
            self.partner_id._customerism_check_marketing_contact(self.channel)
        if self.date > fields.Datetime.now():
            raise UserError(self.env._("A contact is logged once it took place."))
        self.partner_id._customerism_log_interaction(
            self.channel,
            self.direction,
            self.summary,
            body=self.note or Markup(""),
            marketing=self.marketing,
            date=self.date,
        )
        return {"type": "ir.actions.act_window_close"}
