from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    knowledge_not_helpful_threshold = fields.Float(
        related="company_id.knowledge_not_helpful_threshold", readonly=False
    )
    knowledge_min_votes = fields.Integer(
        related="company_id.knowledge_min_votes", readonly=False
    )
