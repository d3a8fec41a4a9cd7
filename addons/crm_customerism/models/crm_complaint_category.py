from odoo import fields, models


class CrmComplaintCategory(models.Model):
    """What a complaint is about (product quality, delivery, billing...)."""

    _name = "crm.complaint.category"
    _description = "Complaint Category"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to share the category between companies."
    )
    description = fields.Text(translate=True)
    default_team_id = fields.Many2one(
        "crm.team",
        help="Team that gets the complaints of this category when none is given.",
    )
