from odoo import api, fields, models

from .customerism_api import ItemError
from .mail_message import INTERACTION_CHANNELS

CONSENT_STATUSES = [("allowed", "Allowed"), ("refused", "Refused")]


class CrmContactConsent(models.Model):
    """Consent of a customer to be contacted for marketing on a channel."""

    _name = "crm.contact.consent"
    _description = "Customer Contact Consent"
    _inherit = ["mail.thread"]
    _order = "partner_id, channel"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        ondelete="cascade",
        index=True,
        domain="[('is_company', '=', True)]",
    )
    channel = fields.Selection(INTERACTION_CHANNELS, required=True, tracking=True)
    status = fields.Selection(
        CONSENT_STATUSES,
        required=True,
        default="allowed",
        tracking=True,
    )
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    source = fields.Selection(
        [
            ("customer", "Customer Request"),
            ("form", "Signed Form"),
            ("portal", "Portal / Web"),
            ("call", "Phone Call"),
            ("import", "Import"),
            ("other", "Other"),
        ],
        required=True,
        default="customer",
        tracking=True,
    )
    note = fields.Char()

    _sql_constraints = [
        (
            "partner_channel_uniq",
            "unique(partner_id, channel)",
            "A customer has one consent per channel: change the existing one.",
        )
    ]

    def _commercial_partner_vals(self, vals):
        """``vals`` with the consent on the commercial partner: a contact's
        consent is the customer's."""
        if vals.get("partner_id"):
            partner = self.env["res.partner"].browse(vals["partner_id"])
            vals = dict(vals, partner_id=partner.commercial_partner_id.id)
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._commercial_partner_vals(v) for v in vals_list])

    def write(self, vals):
        return super().write(self._commercial_partner_vals(vals))

    @api.model
    def _customerism_check_import(self, label, consents):
        """``consents`` (channel -> status) of an API item, checked."""
        channels = [code for code, __ in INTERACTION_CHANNELS]
        statuses = [code for code, __ in CONSENT_STATUSES]
        for channel, status in consents.items():
            if channel not in channels:
                raise ItemError(
                    self.env._(
                        "Item %(item)s: field %(field)s: unknown value %(value)s "
                        "(expected one of %(values)s).",
                        item=label,
                        field="consents",
                        value=str(channel)[:60],
                        values=", ".join(channels),
                    )
                )
            if status not in statuses:
                raise ItemError(
                    self.env._(
                        "Item %(item)s: field %(field)s: unknown value %(value)s "
                        "(expected one of %(values)s).",
                        item=label,
                        field="consents." + str(channel),
                        value=str(status)[:60],
                        values=", ".join(statuses),
                    )
                )
        return consents

    @api.model
    def _customerism_import(self, partner, consents):
        """Consent per channel of ``partner`` (an API item's); True when
        something changed."""
        if not consents:
            return False
        existing = {
            consent.channel: consent
            for consent in self.search([("partner_id", "=", partner.id)])
        }
        changed = False
        for channel, status in consents.items():
            consent = existing.get(channel)
            if not consent:
                self.create(
                    {
                        "partner_id": partner.id,
                        "channel": channel,
                        "status": status,
                        "source": "import",
                    }
                )
                changed = True
            elif consent.status != status:
                consent.write({"status": status, "source": "import"})
                changed = True
        return changed
