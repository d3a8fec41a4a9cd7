from odoo import api, fields, models
from odoo.tools import SQL


class CrmKnowledgeArticleView(models.Model):
    """A reading of an article: one row per opening of its reading view.

    Views are counted here, one insert each, rather than by incrementing a
    counter on the article: a write on the article row per reading would
    lock it against its editors and every other reader."""

    _name = "crm.knowledge.article.view"
    _description = "Knowledge Article View"
    _order = "id desc"
    _log_access = False

    article_id = fields.Many2one(
        "crm.knowledge.article", required=True, index=True, ondelete="cascade"
    )
    user_id = fields.Many2one("res.users", required=True, index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)

    @api.model
    def _log(self, articles, dedup_minutes):
        """Record one view of each of ``articles`` by the current user, unless
        the user viewed it in the last ``dedup_minutes`` (a reload after a
        button is the same reading)."""
        if not articles:
            return
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO crm_knowledge_article_view
                       (article_id, user_id, company_id, date)
                SELECT a.id, %(uid)s, a.company_id, %(now)s
                  FROM crm_knowledge_article a
                 WHERE a.id = ANY(%(ids)s)
                   AND NOT EXISTS (
                        SELECT 1 FROM crm_knowledge_article_view v
                         WHERE v.article_id = a.id AND v.user_id = %(uid)s
                           AND v.date > %(now)s - make_interval(mins => %(minutes)s))
                """,
                uid=self.env.uid,
                ids=list(articles.ids),
                now=fields.Datetime.now(),
                minutes=dedup_minutes,
            )
        )
