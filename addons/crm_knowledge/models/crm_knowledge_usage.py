from odoo import fields, models


class CrmKnowledgeUsage(models.Model):
    """An article inserted into the reply to a complaint's customer."""

    _name = "crm.knowledge.usage"
    _description = "Knowledge Article Usage"
    _order = "date desc, id desc"
    _check_company_auto = True

    article_id = fields.Many2one(
        "crm.knowledge.article",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    complaint_id = fields.Many2one(
        "crm.complaint",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    user_id = fields.Many2one(
        "res.users", required=True, default=lambda self: self.env.user
    )
    company_id = fields.Many2one(
        related="complaint_id.company_id", store=True, index=True
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now)
