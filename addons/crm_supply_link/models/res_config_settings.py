from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    supply_demand_horizon_days = fields.Integer(
        related="company_id.supply_demand_horizon_days", readonly=False
    )
    supply_quotation_probability = fields.Float(
        related="company_id.supply_quotation_probability", readonly=False
    )
    supply_priority_vip = fields.Boolean(
        related="company_id.supply_priority_vip", readonly=False
    )
    supply_priority_major = fields.Boolean(
        related="company_id.supply_priority_major", readonly=False
    )
    supply_priority_expert = fields.Boolean(
        related="company_id.supply_priority_expert", readonly=False
    )
    supply_quality_rate_threshold = fields.Float(
        related="company_id.supply_quality_rate_threshold", readonly=False
    )
    supply_quality_min_complaints = fields.Integer(
        related="company_id.supply_quality_min_complaints", readonly=False
    )
    supply_quality_user_id = fields.Many2one(
        related="company_id.supply_quality_user_id", readonly=False
    )
