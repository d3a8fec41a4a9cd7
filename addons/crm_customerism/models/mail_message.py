from markupsafe import Markup

from odoo import fields, models

from .lifecycle_texts import PORTAL_FILED_NOTE, render_stage_note

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
    # notes written by the suite, shown to each reader in their own language
    customerism_note = fields.Selection(
        [
            ("stage_change", "Lifecycle Stage Change"),
            ("complaint_portal", "Complaint Filed on the Portal"),
        ],
        readonly=True,
    )
    customerism_stage_history_id = fields.Many2one(
        "crm.customer.stage.history",
        string="Lifecycle Stage Change",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )

    def _to_store(self, store, /, *, fields=None, **kwargs):
        """The body of the suite's notes rendered in the reader's language
        (the stored body is in the company's language, for e-mails and
        searches)."""
        super()._to_store(store, fields=fields, **kwargs)
        if fields is not None and "body" not in fields:
            return
        # sudo: the message is readable; its history line follows the same rules
        for message in self.sudo().filtered("customerism_note"):
            body = message._customerism_note_body()
            if body:
                store.add("mail.message", {"id": message.id, "body": body})

    def _customerism_note_body(self):
        """The body of this note in the language of the environment, or None."""
        self.ensure_one()
        if self.customerism_note == "complaint_portal":
            return Markup("<p>%s</p>") % self.env._(PORTAL_FILED_NOTE)
        line = self.customerism_stage_history_id
        if self.customerism_note == "stage_change" and line:
            return render_stage_note(
                self.env,
                line.company_id.name,
                line.stage_from,
                line.stage_to,
                line.reason,
            )
        return None
