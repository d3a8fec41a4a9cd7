from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._customerism_recompute()
        return posted

    def button_draft(self):
        refunds = self.filtered(lambda move: move.state == "posted")
        res = super().button_draft()
        refunds._customerism_recompute()
        return res

    def _customerism_recompute(self):
        """Incremental recompute of the customers of posted customer invoices and
        credit notes (the credit notes lower the value), per company."""
        moves = self.filtered(
            lambda move: move.move_type in ("out_invoice", "out_refund")
        )
        Profile = self.env["crm.customer.profile"]
        for company, company_moves in moves.grouped("company_id").items():
            Profile._recompute_partners(
                company_moves.commercial_partner_id.ids, company=company
            )
