from odoo import models


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _get_blacklist_record_ids(self, mail_values_dict, recipients_info=None):
        """A mass mail to contacts with the exclusion list checked (Odoo's
        default) also leaves out those whose customer refused marketing mails
        or reached the marketing cap: their mails are cancelled like those
        to blacklisted addresses."""
        excluded = super()._get_blacklist_record_ids(
            mail_values_dict, recipients_info=recipients_info
        )
        if (
            self.use_exclusion_list
            and self.composition_mode == "mass_mail"
            and self.model == "res.partner"
        ):
            # sudo: the consents and the cap bind whoever sends the mass mail
            partners = self.env["res.partner"].sudo().browse(list(mail_values_dict))
            blocked = partners._customerism_marketing_block_reasons("email")
            excluded.update(partner.id for partner in blocked)
        return excluded
