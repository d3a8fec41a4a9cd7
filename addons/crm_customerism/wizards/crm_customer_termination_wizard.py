from odoo import fields, models


class CrmCustomerTerminationWizard(models.TransientModel):
    _name = "crm.customer.termination.wizard"
    _description = "Record a Termination Notice"

    profile_ids = fields.Many2many(
        "crm.customer.profile", string="Customers", required=True
    )
    date = fields.Date(
        string="Effective Date", required=True, default=fields.Date.context_today
    )
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.profile_ids._record_termination_notice(self.date, self.reason)
        return {"type": "ir.actions.act_window_close"}
