from odoo import fields, models


class CrmKnowledgeArticle(models.Model):
    _name = "crm.knowledge.article"
    _description = "Knowledge Article"
    _inherit = ["mail.thread"]
    _order = "sequence, name"

    name = fields.Char(string="Title", required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    article_type = fields.Selection(
        [
            ("solution", "Solution"),
            ("faq", "FAQ"),
            ("product", "Product Information"),
            ("competitor", "Competitor Information"),
            ("policy", "Policy / Process"),
            ("training", "Training Material"),
        ],
        string="Type",
        required=True,
        default="solution",
        tracking=True,
    )
    body = fields.Html()
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
