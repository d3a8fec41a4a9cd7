from odoo import fields, models
from odoo.exceptions import AccessError


class AccountMove(models.Model):
    _inherit = "account.move"

    customerism_complaint_id = fields.Many2one(
        "crm.complaint",
        string="Complaint",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Complaint this credit note or vendor credit note remedies.",
    )

    def action_post(self):
        # a complaint's user asks for the credit note; only an accounting user
        # (Billing) posts it, even one who may otherwise write journal entries
        if (
            not self.env.su
            and self.filtered("customerism_complaint_id")
            and not self.env.user.has_group("account.group_account_invoice")
        ):
            raise AccessError(
                self.env._(
                    "Only accounting users (Billing) may post the credit note of a "
                    "complaint."
                )
            )
        return super().action_post()
