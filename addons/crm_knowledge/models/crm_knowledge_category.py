from odoo import api, fields, models


class CrmKnowledgeCategory(models.Model):
    """A node of the knowledge category tree (e.g. 售后服务 / 退换货)."""

    _name = "crm.knowledge.category"
    _description = "Knowledge Category"
    _parent_store = True
    _rec_name = "complete_name"
    _order = "complete_name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    complete_name = fields.Char(
        compute="_compute_complete_name", recursive=True, store=True
    )
    parent_id = fields.Many2one(
        "crm.knowledge.category",
        string="Parent Category",
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many(
        "crm.knowledge.category", "parent_id", string="Subcategories"
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to share the category between companies."
    )
    article_ids = fields.One2many("crm.knowledge.article", "category_id")

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for category in self:
            if category.parent_id:
                category.complete_name = (
                    f"{category.parent_id.complete_name} / {category.name}"
                )
            else:
                category.complete_name = category.name
