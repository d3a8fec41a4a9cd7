from odoo import api, fields, models

from .crm_churn_model import reason_text


class CrmCustomerProfile(models.Model):
    """The churn probability of a customer (流失概率): the chance of lapsing
    in the next 90 days given by the last fit of the company's churn model
    (crm.churn.model), with its main reasons. Stored, so that it can be
    searched, filtered, sorted and used as a win-back target."""

    _inherit = "crm.customer.profile"

    churn_probability = fields.Float(
        readonly=True,
        index=True,
        aggregator="avg",
        digits=(3, 4),
        help="Chance that the customer lapses in the next 90 days, from the "
        "churn model fitted on the monthly snapshots (empty for prospects and "
        "lapsed customers).",
    )
    churn_reason_codes = fields.Char(readonly=True)
    churn_reasons = fields.Char(
        string="Churn Risk Reasons",
        compute="_compute_churn_reasons",
        help="The factors adding most to the churn probability.",
    )
    churn_scored_date = fields.Date(
        string="Churn Scored On",
        readonly=True,
        help="The month end of the snapshots the churn probability was scored on.",
    )

    @api.depends("churn_reason_codes")
    @api.depends_context("lang")
    def _compute_churn_reasons(self):
        for profile in self:
            profile.churn_reasons = reason_text(self.env, profile.churn_reason_codes)
