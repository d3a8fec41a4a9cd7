from odoo import api, fields, models

from .res_company import SERVICE_TIERS

# company thresholds edited together: the settings write them in one go, as the
# constraints (shares adding up to 100%, at-risk before lapse...) hold only
# once all of them are written
THRESHOLD_FIELDS = [
    "customerism_vip_pct",
    "customerism_major_pct",
    "customerism_ordinary_pct",
    "customerism_small_pct",
    "customerism_tier_vip",
    "customerism_tier_major",
    "customerism_tier_ordinary",
    "customerism_tier_small",
    "customerism_discount_rate",
    "customerism_margin_rate",
    "customerism_default_retention",
    "customerism_trend_months",
    "customerism_growth_rate",
    "customerism_decline_rate",
    "customerism_new_days",
    "customerism_at_risk_factor",
    "customerism_at_risk_days",
    "customerism_lapse_days",
]


def _threshold(field_type, *args, **kwargs):
    return field_type(
        *args,
        compute="_compute_customerism_thresholds",
        inverse="_inverse_customerism_thresholds",
        readonly=False,
        **kwargs,
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    customerism_vip_pct = _threshold(fields.Float, string="VIP Customers (%)")
    customerism_major_pct = _threshold(fields.Float, string="Major Customers (%)")
    customerism_ordinary_pct = _threshold(fields.Float, string="Ordinary Customers (%)")
    customerism_small_pct = _threshold(fields.Float, string="Small Customers (%)")
    customerism_tier_vip = _threshold(
        fields.Selection, SERVICE_TIERS, string="VIP Service Tier"
    )
    customerism_tier_major = _threshold(
        fields.Selection, SERVICE_TIERS, string="Major Service Tier"
    )
    customerism_tier_ordinary = _threshold(
        fields.Selection, SERVICE_TIERS, string="Ordinary Service Tier"
    )
    customerism_tier_small = _threshold(
        fields.Selection, SERVICE_TIERS, string="Small Service Tier"
    )
    customerism_discount_rate = _threshold(
        fields.Float, string="Annual Discount Rate", digits=(16, 4)
    )
    customerism_margin_rate = _threshold(
        fields.Float, string="Assumed Margin Rate", digits=(16, 4)
    )
    customerism_default_retention = _threshold(
        fields.Float, string="Default Retention Rate", digits=(16, 4)
    )
    customerism_trend_months = _threshold(
        fields.Integer, string="Trend Period (Months)"
    )
    customerism_growth_rate = _threshold(
        fields.Float, string="Growth Threshold", digits=(16, 4)
    )
    customerism_decline_rate = _threshold(
        fields.Float, string="Decline Threshold", digits=(16, 4)
    )
    customerism_new_days = _threshold(fields.Integer, string="New Customer Days")
    customerism_at_risk_factor = _threshold(
        fields.Float, string="At-Risk Interval Factor"
    )
    customerism_at_risk_days = _threshold(fields.Integer, string="At-Risk Days")
    customerism_lapse_days = _threshold(fields.Integer, string="Lapse Days")
    customerism_retention_vip = fields.Float(
        related="company_id.customerism_retention_vip"
    )
    customerism_retention_major = fields.Float(
        related="company_id.customerism_retention_major"
    )
    customerism_retention_ordinary = fields.Float(
        related="company_id.customerism_retention_ordinary"
    )
    customerism_retention_small = fields.Float(
        related="company_id.customerism_retention_small"
    )

    @api.depends("company_id")
    def _compute_customerism_thresholds(self):
        for settings in self:
            for fname in THRESHOLD_FIELDS:
                settings[fname] = settings.company_id[fname]

    def _inverse_customerism_thresholds(self):
        for settings in self:
            vals = {
                fname: settings[fname]
                for fname in THRESHOLD_FIELDS
                if settings[fname] != settings.company_id[fname]
            }
            if vals:
                settings.company_id.write(vals)

    def action_customerism_recompute_all(self):
        return self.env["crm.customer.profile"].action_recompute_all()

    customerism_complaint_repeat_count = fields.Integer(
        related="company_id.customerism_complaint_repeat_count", readonly=False
    )
    customerism_complaint_repeat_days = fields.Integer(
        related="company_id.customerism_complaint_repeat_days", readonly=False
    )
    customerism_gesture_limit = fields.Float(
        related="company_id.customerism_gesture_limit", readonly=False
    )
    customerism_contact_cap = fields.Integer(
        related="company_id.customerism_contact_cap", readonly=False
    )
    customerism_contact_cap_days = fields.Integer(
        related="company_id.customerism_contact_cap_days", readonly=False
    )
