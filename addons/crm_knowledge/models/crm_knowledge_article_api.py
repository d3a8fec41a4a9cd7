from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

# longest query and most articles one search returns
MAX_QUERY = 200
MAX_RESULTS = 50


class CrmKnowledgeArticle(models.Model):
    _inherit = "crm.knowledge.article"

    @api.model
    def customerism_search(self, text, limit=10):
        """Published articles matching ``text`` (substring search that works
        for Chinese, see knowledge_bigram_index), as the caller may read them
        (access rights and record rules apply), for external help desks.

        :return: list of {id, name, article_type, summary, body, published_date}
        """
        if not isinstance(text, str) or not text.strip():
            raise UserError(
                self.env._("Field %(field)s must be a non-empty text.", field="text")
            )
        if len(text) > MAX_QUERY:
            raise UserError(
                self.env._(
                    "Field %(field)s is longer than %(max)s characters.",
                    field="text",
                    max=MAX_QUERY,
                )
            )
        if (
            isinstance(limit, bool)
            or not isinstance(limit, int)
            or not (1 <= limit <= MAX_RESULTS)
        ):
            raise UserError(
                self.env._(
                    "Field %(field)s must be an integer from 1 to %(max)s.",
                    field="limit",
                    max=MAX_RESULTS,
                )
            )
        self.check_access("read")
        articles = self.search(
            [("state", "=", "published"), ("text_search", "ilike", text.strip())],
            limit=limit,
        )
        return [
            {
                "id": article.id,
                "name": article.name,
                "article_type": article.article_type,
                "summary": article.summary or False,
                "body": html2plaintext(article.body or "") or False,
                "published_date": article.published_date
                and article.published_date.strftime("%Y-%m-%d %H:%M:%S"),
            }
            for article in articles
        ]
