from odoo import fields, models


class CrmKnowledgeTag(models.Model):
    _name = "crm.knowledge.tag"
    _description = "Knowledge Tag"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    color = fields.Integer()
    company_id = fields.Many2one(
        "res.company", help="Leave empty to share the tag between companies."
    )
