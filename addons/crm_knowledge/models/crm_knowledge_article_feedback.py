"""What readers do with articles: find them (ranked search, unanswered
searches logged), read them (view log), vote on them (helpful or not, the
"needs update" flag) and use them in complaints."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from . import knowledge_bigram_index

# a reader reopening an article within this time is not counted again
VIEW_DEDUP_MINUTES = 30
# the columns knowledge_bigram_index.rank_order_sql reads
RANK_FIELDS = [
    "name",
    "search_text",
    "helpful_count",
    "not_helpful_count",
    "published_date",
]


def _text_query(domain):
    """The text of the first ``text_search ilike`` leaf of a domain, or None."""
    for leaf in domain or []:
        if (
            isinstance(leaf, list | tuple)
            and len(leaf) == 3
            and leaf[0] == "text_search"
            and leaf[1] == "ilike"
            and isinstance(leaf[2], str)
            and knowledge_bigram_index.normalize(leaf[2])
        ):
            return leaf[2]
    return None


class CrmKnowledgeArticle(models.Model):
    _inherit = "crm.knowledge.article"

    vote_ids = fields.One2many("crm.knowledge.vote", "article_id", string="Votes")
    helpful_count = fields.Integer(
        string="Helpful", compute="_compute_vote_counts", store=True
    )
    not_helpful_count = fields.Integer(
        string="Not Helpful", compute="_compute_vote_counts", store=True
    )
    not_helpful_share = fields.Float(
        string="Not Helpful (%)",
        compute="_compute_vote_counts",
        store=True,
        aggregator="avg",
    )
    needs_update = fields.Boolean(
        compute="_compute_needs_update",
        store=True,
        help="Readers found it not helpful: the share of not helpful votes passed "
        "the company's threshold (with at least its minimum number of votes).",
    )
    my_vote = fields.Selection(
        [("helpful", "Helpful"), ("not_helpful", "Not Helpful")],
        compute="_compute_my_vote",
    )
    view_count = fields.Integer(string="Views", compute="_compute_view_count")
    usage_ids = fields.One2many(
        "crm.knowledge.usage", "article_id", string="Uses in Complaints"
    )
    usage_count = fields.Integer(
        string="Used in Complaints", compute="_compute_usage_count"
    )
    source_complaint_id = fields.Many2one(
        "crm.complaint",
        string="From Complaint",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
        help="The resolved complaint this solution was written from.",
    )

    @api.depends("vote_ids.helpful")
    def _compute_vote_counts(self):
        # every vote counts, not only those the current user may read
        counts = {
            (article.id, helpful): count
            for article, helpful, count in self.env["crm.knowledge.vote"]
            .sudo()
            ._read_group(
                [("article_id", "in", self.ids)],
                ["article_id", "helpful"],
                ["__count"],
            )
        }
        for article in self:
            helpful = counts.get((article.id, True), 0)
            not_helpful = counts.get((article.id, False), 0)
            article.helpful_count = helpful
            article.not_helpful_count = not_helpful
            total = helpful + not_helpful
            article.not_helpful_share = 100.0 * not_helpful / total if total else 0.0

    @api.depends(
        "helpful_count",
        "not_helpful_count",
        "company_id.knowledge_not_helpful_threshold",
        "company_id.knowledge_min_votes",
    )
    def _compute_needs_update(self):
        for article in self:
            company = article.company_id
            total = article.helpful_count + article.not_helpful_count
            article.needs_update = (
                total > 0
                and total >= company.knowledge_min_votes
                and 100.0 * article.not_helpful_count / total
                > company.knowledge_not_helpful_threshold
            )

    @api.depends_context("uid")
    def _compute_my_vote(self):
        votes = {
            vote.article_id.id: vote.helpful
            for vote in self.env["crm.knowledge.vote"].search(
                [("article_id", "in", self.ids), ("user_id", "=", self.env.uid)]
            )
        }
        for article in self:
            helpful = votes.get(article.id)
            article.my_vote = (
                False if helpful is None else "helpful" if helpful else "not_helpful"
            )

    def _compute_view_count(self):
        counts = dict(
            self.env["crm.knowledge.article.view"]
            .sudo()
            ._read_group([("article_id", "in", self.ids)], ["article_id"], ["__count"])
        )
        for article in self:
            article.view_count = counts.get(article, 0)

    def _compute_usage_count(self):
        counts = dict(
            self.env["crm.knowledge.usage"]
            .sudo()
            ._read_group([("article_id", "in", self.ids)], ["article_id"], ["__count"])
        )
        for article in self:
            article.usage_count = counts.get(article, 0)

    # ------------------------------------------------------------------
    # Votes
    # ------------------------------------------------------------------

    def _vote(self, helpful, comment=False):
        self.ensure_one()
        if not self.live_revision_id:
            raise UserError(
                self.env._(
                    "Article %(name)s is not published: only published articles "
                    "get votes.",
                    name=self.name,
                )
            )
        self.env["crm.knowledge.vote"]._vote(self, helpful, comment)

    def action_vote_helpful(self):
        self._vote(True)

    def action_vote_not_helpful(self):
        """Ask for an optional comment, then vote."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Not Helpful"),
            "res_model": "crm.knowledge.vote.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_article_id": self.id},
        }

    # ------------------------------------------------------------------
    # Reading: a view is counted when one article's reading view loads it
    # (not when a list, a kanban or a save reads it)
    # ------------------------------------------------------------------

    def web_read(self, specification):
        # not read-only like the method it overrides: it logs the view (see
        # the attribute set below)
        result = super().web_read(specification)
        if (
            len(self) == 1
            # the reading view: editors read the body, readers its published text
            and ("body" in specification or "live_body" in specification)
            and not self.env.context.get("knowledge_no_view")
        ):
            self.env["crm.knowledge.article.view"]._log(self, VIEW_DEDUP_MINUTES)
        return result

    # The web client's call_kw route opens a read-only transaction for a
    # method whose nearest definition says ``_readonly``; without this the
    # base's web_read would answer, the insert of the view fail on the
    # read-only cursor (a warning and a SQL error in the log) and Odoo replay
    # the whole call on a read/write one.
    web_read._readonly = False

    def web_save(self, vals, specification, next_id=None):
        return super(
            CrmKnowledgeArticle, self.with_context(knowledge_no_view=True)
        ).web_save(vals, specification, next_id=next_id)

    # ------------------------------------------------------------------
    # Search: ranked when the text search gives the order, unanswered
    # searches logged
    # ------------------------------------------------------------------

    def _search(self, domain, offset=0, limit=None, order=None):
        query = super()._search(domain, offset=offset, limit=limit, order=order)
        rank_query = knowledge_bigram_index.normalize(
            self.env.context.get("knowledge_rank_query")
        )
        if rank_query and not query.is_empty():
            self.flush_model(RANK_FIELDS)
            # the article's text, or the live revision's for a reader
            text_alias, text_model = self._rank_text_alias(query)
            text_model.flush_model(["name", "search_text"])
            query.order = knowledge_bigram_index.rank_order_sql(
                text_alias, query.table, rank_query
            )
            if limit:
                knowledge_bigram_index.restrict_to_first_page(
                    self.env.cr,
                    query,
                    text_alias,
                    text_model._table,
                    rank_query,
                    (offset or 0) + limit,
                )
        return query

    @api.model
    def _search_by_text(self, text, domain=None, limit=None):
        """Articles containing ``text`` (see knowledge_bigram_index), ranked."""
        return self.with_context(knowledge_rank_query=text).search(
            [("text_search", "ilike", text), *(domain or [])], limit=limit
        )

    @api.model
    def web_search_read(
        self, domain, specification, offset=0, limit=None, order=None, count_limit=None
    ):
        # not @api.readonly like the method it overrides: it logs searches
        text = _text_query(domain)
        this = self.with_context(knowledge_no_view=True)
        if text and not order:
            this = this.with_context(knowledge_rank_query=text)
        result = super(CrmKnowledgeArticle, this).web_search_read(
            domain,
            specification,
            offset=offset,
            limit=limit,
            order=order,
            count_limit=count_limit,
        )
        if text and not offset and not result["length"]:
            self.env["crm.knowledge.search.log"]._log_unanswered(text)
        return result

    @api.model
    def web_read_group(
        self, domain, fields, groupby, limit=None, offset=0, orderby=False, lazy=True
    ):
        # not @api.readonly like the method it overrides: it logs searches
        result = super().web_read_group(
            domain,
            fields,
            groupby,
            limit=limit,
            offset=offset,
            orderby=orderby,
            lazy=lazy,
        )
        text = _text_query(domain)
        if text and not offset and not result["groups"]:
            self.env["crm.knowledge.search.log"]._log_unanswered(text)
        return result

    # ------------------------------------------------------------------
    # Complaints
    # ------------------------------------------------------------------

    def action_insert_in_complaint_reply(self):
        """Insert this article into the reply to the customer of the complaint
        in the context (a button of the complaint's suggested articles)."""
        self.ensure_one()
        complaint = self.env["crm.complaint"].browse(
            self.env.context.get("knowledge_complaint_id")
        )
        if not complaint.exists():
            raise UserError(self.env._("Open the article from a saved complaint."))
        return complaint._insert_article_in_reply(self)

    def action_open_source_complaint(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.complaint",
            "res_id": self.source_complaint_id.id,
            "view_mode": "form",
        }
