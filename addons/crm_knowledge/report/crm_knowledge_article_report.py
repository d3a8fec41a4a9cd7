from odoo import fields, models
from odoo.tools import SQL


class CrmKnowledgeArticleReport(models.Model):
    """Per article: views, uses in complaints, votes, and whether it needs an
    update or a review; for the editors' most viewed, most used and least
    helpful lists, pivot and graph."""

    _name = "crm.knowledge.article.report"
    _description = "Knowledge Article Statistics"
    _auto = False
    _order = "view_count desc, id"
    _rec_name = "article_id"

    article_id = fields.Many2one("crm.knowledge.article", readonly=True)
    article_type = fields.Selection(
        lambda self: self._article_selection("article_type"),
        string="Type",
        readonly=True,
    )
    category_id = fields.Many2one("crm.knowledge.category", readonly=True)
    user_id = fields.Many2one("res.users", string="Owner", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    state = fields.Selection(
        lambda self: self._article_selection("state"), readonly=True
    )
    published_date = fields.Datetime(readonly=True)
    review_date = fields.Date(readonly=True)
    view_count = fields.Integer(string="Views", readonly=True)
    usage_count = fields.Integer(string="Uses in Complaints", readonly=True)
    complaint_count = fields.Integer(string="Complaints", readonly=True)
    helpful_count = fields.Integer(string="Helpful", readonly=True)
    not_helpful_count = fields.Integer(string="Not Helpful", readonly=True)
    vote_count = fields.Integer(string="Votes", readonly=True)
    not_helpful_share = fields.Float(
        string="Not Helpful (%)", readonly=True, aggregator="avg"
    )
    needs_update = fields.Boolean(readonly=True)
    needs_review = fields.Boolean(readonly=True)

    def _article_selection(self, name):
        return self.env["crm.knowledge.article"]._fields[name].selection

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT a.id, a.id AS article_id, a.article_type, a.state,
                   a.category_id, a.user_id,
                   a.company_id, a.published_date, a.review_date,
                   coalesce(v.view_count, 0) AS view_count,
                   coalesce(u.usage_count, 0) AS usage_count,
                   coalesce(u.complaint_count, 0) AS complaint_count,
                   a.helpful_count, a.not_helpful_count,
                   a.helpful_count + a.not_helpful_count AS vote_count,
                   a.not_helpful_share, a.needs_update,
                   a.state = 'published' AND a.review_date <= %(today)s
                       AS needs_review
              FROM crm_knowledge_article a
              LEFT JOIN (
                    SELECT article_id, count(*) AS view_count
                      FROM crm_knowledge_article_view GROUP BY article_id
              ) v ON v.article_id = a.id
              LEFT JOIN (
                    SELECT article_id, count(*) AS usage_count,
                           count(DISTINCT complaint_id) AS complaint_count
                      FROM crm_knowledge_usage GROUP BY article_id
              ) u ON u.article_id = a.id
            """,
            today=fields.Date.context_today(self),
        )
