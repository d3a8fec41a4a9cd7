from odoo import fields, models


class CrmChurnReason(models.Model):
    """Why a customer is at risk or lapsed (price, quality, competitor...)."""

    _name = "crm.churn.reason"
    _description = "Churn Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
