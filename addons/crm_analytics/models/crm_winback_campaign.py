from odoo import fields, models


class CrmWinbackCampaign(models.Model):
    """Win-back campaigns can target the customers most likely to lapse:
    those whose churn probability reaches a minimum."""

    _inherit = "crm.winback.campaign"

    min_churn_probability = fields.Float(
        string="Minimum Churn Probability",
        help="Only customers whose churn probability (next 90 days) is at "
        "least this (0.5 = 50%); 0 for every customer.",
    )

    def _target_domain(self):
        domain = super()._target_domain()
        if self.min_churn_probability:
            domain.append(("churn_probability", ">=", self.min_churn_probability))
        return domain
