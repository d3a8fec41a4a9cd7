from odoo import api, fields, models

from .crm_customer_profile import STAGE_SELECTION
from .lifecycle_texts import render_reason


class CrmCustomerStageHistory(models.Model):
    """One line per change of the lifecycle stage of a customer profile, written
    in bulk by the recompute (automatic rule) or after a user action."""

    _name = "crm.customer.stage.history"
    _inherit = ["crm.customerism.ordered.selection.mixin"]
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
    # the reason is kept as the rule's code and figures (and the user's action)
    # and rendered in the reader's language
    reason_code = fields.Char(readonly=True)
    reason_values = fields.Json(readonly=True)
    reason_legacy = fields.Text(
        readonly=True, help="Reason stored as text before the reason codes."
    )
    reason = fields.Text(
        compute="_compute_reason",
        help="The rule and its figures, or the user and their reason.",
    )
    user_id = fields.Many2one(
        "res.users",
        readonly=True,
        help="User whose action changed the stage (an order, a complaint, a "
        "termination notice); empty for the nightly recompute.",
    )
    is_automatic = fields.Boolean(compute="_compute_is_automatic")

    @api.depends("reason_code", "reason_values", "reason_legacy")
    @api.depends_context("lang")
    def _compute_reason(self):
        for line in self:
            line.reason = (
                render_reason(self.env, line.reason_code, line.reason_values)
                if line.reason_code
                else line.reason_legacy
            )

    def _compute_is_automatic(self):
        for line in self:
            line.is_automatic = not line.user_id
