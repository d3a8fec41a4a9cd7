from odoo import fields, models

from .crm_customer_profile import STAGE_SELECTION


class CrmCustomerStageHistory(models.Model):
    """One line per change of the lifecycle stage of a customer profile, written
    in bulk by the recompute (automatic rule) or after a user action."""

    _name = "crm.customer.stage.history"
    _description = "Customer Lifecycle Stage History"
    _order = "date desc, id desc"
    _check_company_auto = True

    profile_id = fields.Many2one(
        "crm.customer.profile",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True
    )
    date = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    stage_from = fields.Selection(STAGE_SELECTION, string="From Stage", readonly=True)
    stage_to = fields.Selection(
        STAGE_SELECTION, string="To Stage", required=True, readonly=True
    )
    reason = fields.Text(
        readonly=True, help="The rule and its figures, or the user and their reason."
    )
    user_id = fields.Many2one(
        "res.users",
        readonly=True,
        help="User whose action changed the stage; empty for the automatic rules.",
    )
    is_automatic = fields.Boolean(compute="_compute_is_automatic")

    def _compute_is_automatic(self):
        for line in self:
            line.is_automatic = not line.user_id
