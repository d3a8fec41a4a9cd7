from odoo import api, fields, models
from odoo.tools import SQL

from . import knowledge_bigram_index

# longest query kept in the log (the search itself takes any length)
MAX_LOGGED_CHARS = 200


class CrmKnowledgeSearchLog(models.Model):
    """Searches that found no article, for the editors: what readers looked
    for and the knowledge base does not answer yet. One row per query, user,
    company and day, counting the searches."""

    _name = "crm.knowledge.search.log"
    _description = "Unanswered Knowledge Search"
    _order = "date desc, count desc, id desc"
    _log_access = False

    query = fields.Char(required=True, readonly=True)
    user_id = fields.Many2one("res.users", required=True, readonly=True, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    date = fields.Date(required=True, readonly=True, index=True)
    count = fields.Integer(
        string="Searches", required=True, readonly=True, default=1, aggregator="sum"
    )

    _sql_constraints = [
        (
            "query_user_company_date_uniq",
            "unique(query, user_id, company_id, date)",
            "One line per query, user, company and day.",
        )
    ]

    @api.model
    def _log_unanswered(self, query):
        """Count one unanswered search of ``query`` (one statement, no read
        first, so concurrent searches of the same words just add up)."""
        query = knowledge_bigram_index.normalize(query)[:MAX_LOGGED_CHARS]
        if not query:
            return
        self.env.cr.execute(
            SQL(
                "INSERT INTO crm_knowledge_search_log "
                "(query, user_id, company_id, date, count) "
                "VALUES (%s, %s, %s, %s, 1) "
                "ON CONFLICT (query, user_id, company_id, date) "
                "DO UPDATE SET count = crm_knowledge_search_log.count + 1",
                query,
                self.env.uid,
                self.env.company.id,
                fields.Date.context_today(self),
            )
        )
