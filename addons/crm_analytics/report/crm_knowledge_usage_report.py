from odoo import api, fields, models
from odoo.tools import SQL


class CrmKnowledgeUsageReport(models.Model):
    """Knowledge usage (知识库) per article and category: its views, its
    helpful and unhelpful votes and its uses in complaints. One row per view,
    vote (dated by its last change) or use, so that any period can be read."""

    _name = "crm.knowledge.usage.report"
    _description = "Knowledge Usage Analysis"
    _auto = False
    _order = "date desc"
    _rec_name = "article_id"

    date = fields.Datetime(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    article_id = fields.Many2one("crm.knowledge.article", readonly=True)
    category_id = fields.Many2one("crm.knowledge.category", readonly=True)
    article_type = fields.Selection(
        selection="_selection_article_type", string="Type", readonly=True
    )
    user_id = fields.Many2one("res.users", readonly=True)
    complaint_id = fields.Many2one("crm.complaint", readonly=True)
    view_count = fields.Integer(string="Views", readonly=True)
    helpful_count = fields.Integer(string="Helpful Votes", readonly=True)
    unhelpful_count = fields.Integer(string="Unhelpful Votes", readonly=True)
    helpful_rate = fields.Float(
        string="Helpful (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the votes that found the article helpful.",
    )
    use_count = fields.Integer(string="Uses in Complaints", readonly=True)

    @api.model
    def _selection_article_type(self):
        return (
            self.env["crm.knowledge.article"]
            ._fields["article_type"]
            ._description_selection(self.env)
        )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH events AS (
                SELECT v.id * 3 AS id, v.date, v.article_id, v.user_id,
                       NULL::integer AS complaint_id, 1 AS view_count,
                       0 AS helpful_count, 0 AS unhelpful_count,
                       NULL::float AS helpful_rate, 0 AS use_count
                  FROM crm_knowledge_article_view v
                UNION ALL
                SELECT v.id * 3 + 1, COALESCE(v.write_date, v.create_date),
                       v.article_id, v.user_id, NULL, 0,
                       COALESCE(v.helpful, FALSE)::int,
                       (NOT COALESCE(v.helpful, FALSE))::int,
                       CASE WHEN COALESCE(v.helpful, FALSE) THEN 100.0 ELSE 0.0 END, 0
                  FROM crm_knowledge_vote v
                UNION ALL
                SELECT u.id * 3 + 2, u.date, u.article_id, u.user_id,
                       u.complaint_id, 0, 0, 0, NULL, 1
                  FROM crm_knowledge_usage u
            )
            SELECT e.id, e.date, a.company_id, e.article_id, a.category_id,
                   a.article_type, e.user_id, e.complaint_id, e.view_count,
                   e.helpful_count, e.unhelpful_count, e.helpful_rate, e.use_count
              FROM events e
              JOIN crm_knowledge_article a ON a.id = e.article_id
            """
        )
