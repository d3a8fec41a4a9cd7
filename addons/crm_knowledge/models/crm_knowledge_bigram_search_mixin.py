from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from . import knowledge_bigram_index


class CrmKnowledgeBigramSearchMixin(models.AbstractModel):
    """Substring search (Chinese included) on the title, summary and HTML body
    of a model: the normalized text ``search_text``, its bigram index (the
    ``search_vector`` column and its GIN index, see knowledge_bigram_index)
    and the search-only field ``text_search`` that domains use
    (``[("text_search", "ilike", "退货")]``).

    The model using it has the fields ``name``, ``summary`` and ``body``."""

    _name = "crm.knowledge.bigram.search.mixin"
    _description = "Knowledge Bigram Search"

    # Normalized title, summary and body text; the bigram index
    # (search_vector, see knowledge_bigram_index) is generated from it.
    search_text = fields.Text(compute="_compute_search_text", store=True)
    text_search = fields.Char(
        string="Title, Summary or Text",
        compute="_compute_text_search",
        search="_search_text_search",
    )

    def init(self):
        if not self._abstract:
            knowledge_bigram_index.create_index(self.env.cr, self._table)

    @api.depends("name", "summary", "body")
    def _compute_search_text(self):
        for record in self:
            record.search_text = knowledge_bigram_index.normalize(
                "\n".join(
                    [
                        record.name or "",
                        record.summary or "",
                        knowledge_bigram_index.html_to_text(record.body),
                    ]
                )
            )

    def _search(self, domain, offset=0, limit=None, order=None):
        # A text search that the whole domain requires (no "or", no "not")
        # becomes a condition on the searched table itself, which the GIN
        # index answers; elsewhere in a domain it is a subquery on the ids
        # (see _search_text_search).
        texts = []
        domain = list(domain or [])
        if not any(term in ("|", "!") for term in domain):
            for i, term in enumerate(domain):
                if (
                    isinstance(term, list | tuple)
                    and len(term) == 3
                    and term[0] == "text_search"
                    and term[1] == "ilike"
                    and isinstance(term[2], str)
                    and knowledge_bigram_index.normalize(term[2])
                ):
                    texts.append(knowledge_bigram_index.normalize(term[2]))
                    domain[i] = expression.TRUE_LEAF
        query = super()._search(domain, offset=offset, limit=limit, order=order)
        if texts and not query.is_empty():
            self.flush_model(["search_text"])
            for text in texts:
                query.add_where(knowledge_bigram_index.match_sql(query.table, text))
        return query

    def _compute_text_search(self):
        # search-only field: its value is never shown
        self.text_search = False

    def _search_text_search(self, operator, value):
        if operator not in ("ilike", "not ilike") or not isinstance(value, str):
            raise UserError(
                self.env._(
                    "%(records)s are searched by text only (got %(operator)s "
                    "%(value)s).",
                    records=self.env["ir.model"]._get(self._name).name,
                    operator=operator,
                    value=value,
                )
            )
        query = knowledge_bigram_index.normalize(value)
        if not query:
            return (
                expression.TRUE_DOMAIN
                if operator == "ilike"
                else expression.FALSE_DOMAIN
            )
        self.flush_model(["search_text"])
        ids_sql = knowledge_bigram_index.matching_ids_sql(self._table, query)
        return [("id", "in" if operator == "ilike" else "not in", ids_sql)]
