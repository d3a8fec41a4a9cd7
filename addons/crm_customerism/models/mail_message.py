from odoo import fields, models

INTERACTION_CHANNELS = [
    ("phone", "Phone"),
    ("email", "Email"),
    ("portal", "Portal / Web"),
    ("fax", "Fax"),
    ("wechat", "WeChat"),
    ("visit", "Visit"),
    ("meeting", "Meeting"),
    ("sms", "SMS"),
    ("other", "Other"),
]
DIRECTIONS = [("inbound", "Inbound"), ("outbound", "Outbound")]


class MailMessage(models.Model):
    """Logged contacts are chatter messages: the channel, the direction and the
    marketing nature of a contact are kept on the message itself."""

    _inherit = "mail.message"

    customerism_channel = fields.Selection(
        INTERACTION_CHANNELS, string="Contact Channel", readonly=True
    )
    customerism_direction = fields.Selection(
        DIRECTIONS, string="Contact Direction", readonly=True
    )
    customerism_marketing = fields.Boolean(
        string="Marketing Contact",
        readonly=True,
        index="btree_not_null",
        help="Counted by the marketing contact cap.",
    )
