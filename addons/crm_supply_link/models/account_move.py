from odoo import models


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "crm.complaint.remedy.document.mixin"]

    def action_post(self):
        # a complaint's user asks for the credit note; only an accounting user
        # (Billing) posts it, even one who may otherwise write journal entries
        self._customerism_check_remedy_validator(
            "account.group_account_invoice",
            self.env._(
                "Only accounting users (Billing) may post the credit note of a "
                "complaint."
            ),
        )
        return super().action_post()
