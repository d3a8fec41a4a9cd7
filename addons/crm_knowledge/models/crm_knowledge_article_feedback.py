"""What readers do with articles: find them (ranked search, unanswered
searches logged), read them (view log), vote on them (helpful or not, the
"needs update" flag) and use them in complaints."""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from . import knowledge_bigram_index

# a reader reopening an article within this time is not counted again
VIEW_DEDUP_MINUTES = 30
GROUP_EDITOR = "crm_knowledge.group_crm_knowledge_user"
# article fields whose reader value is the live revision's field of that name
LIVE_TEXT_FIELDS = ("name", "summary", "body", "search_text")
# search-only fields answered on the live revision for readers
LIVE_SEARCH_FIELDS = (*LIVE_TEXT_FIELDS, "text_search")
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

    def init(self):
        result = super().init()
        # the order of the suggestions among the live articles of a company
        # (see knowledge_suggestion): the best articles with a product or a
        # category are read from it without sorting them all
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS crm_knowledge_article_live_rank_idx "
            "ON crm_knowledge_article (company_id, "
            "(helpful_count - not_helpful_count) DESC, "
            "published_date DESC NULLS LAST, id DESC) "
            "WHERE live_revision_id IS NOT NULL"
        )
        return result

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
        if not self._reads_working_copy():
            domain = self._live_domain(domain)
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

    # ------------------------------------------------------------------
    # What a knowledge reader gets of an article: its published text.
    #
    # The article's own title, summary and body are the working copy, which an
    # editor may be changing while the published version stays live (see the
    # review workflow). Editors and reviewers read the working copy; a reader
    # (every internal user who is not an editor) is served the live revision's
    # values through every read path: read / search_read / web_read (hence
    # XML-RPC and the web client), export, the display name and name search,
    # search domains and the text search with its ranking, ordering, grouping and
    # the chatter's tracking of the title. Superuser code reads the working copy.
    # ------------------------------------------------------------------

    def _reads_working_copy(self, ignore_su=False):
        """True when the current user reads the working copy (superuser code,
        editors, reviewers); False for readers (the published text only).
        ``ignore_su``: decide by the user even in sudo mode (the display name,
        which Odoo reads as superuser to show a reader's messages)."""
        return (self.env.su and not ignore_su) or self.env.user.has_group(GROUP_EDITOR)

    def _live_domain(self, domain):
        """``domain`` with the conditions on the article's text moved to its
        live revision (what a reader searches)."""
        result = []
        for term in domain or []:
            if (
                isinstance(term, list | tuple)
                and len(term) == 3
                and isinstance(term[0], str)
                and term[0].split(".", 1)[0] in LIVE_SEARCH_FIELDS
            ):
                term = (f"live_revision_id.{term[0]}", term[1], term[2])
            result.append(term)
        return result

    def _live_revision_join(self, alias, query):
        """The alias of the live revision joined to the article ``alias``."""
        revision_alias = query.make_alias(alias, "live_revision_id")
        query.add_join(
            "LEFT JOIN",
            revision_alias,
            self.env["crm.knowledge.article.revision"]._table,
            SQL(
                "%s = %s",
                SQL.identifier(alias, "live_revision_id"),
                SQL.identifier(revision_alias, "id"),
            ),
        )
        return revision_alias

    def _rank_text_alias(self, query):
        """(alias, model) of the text a ranked search of ``query`` reads: the
        article's own, or its live revision's for a reader."""
        if self._reads_working_copy():
            return query.table, self
        return (
            self._live_revision_join(query.table, query),
            self.env["crm.knowledge.article.revision"],
        )

    # ------------------------------------------------------------------
    # Reading
    # ------------------------------------------------------------------

    def _read_format(self, fnames, load="_classic_read"):
        # read, search_read and web_read (XML-RPC, the web client) format here
        result = super()._read_format(fnames, load=load)
        live_fnames = [name for name in fnames if name in LIVE_TEXT_FIELDS]
        if not live_fnames or self._reads_working_copy():
            return result
        articles = self.sudo()
        live = {
            values["id"]: values
            for values in articles.live_revision_id.read(live_fnames, load=load)
        }
        for values in result:
            revision = articles.browse(values["id"]).live_revision_id
            published = live.get(revision.id, {})
            for name in live_fnames:
                values[name] = published.get(name, False)
        return result

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        if not self._reads_working_copy():
            fields = [
                ["live_revision_id", *path] if path[0] in LIVE_TEXT_FIELDS else path
                for path in fields
            ]
        return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)

    @api.depends("live_revision_id.name")
    @api.depends_context("uid")
    def _compute_display_name(self):
        if self._reads_working_copy(ignore_su=True):
            return super()._compute_display_name()
        for article in self:
            article.display_name = article.sudo().live_revision_id.name or ""

    def _track_filter_for_display(self, tracking_values):
        # the chatter of a reader: no tracked change of the working copy's text
        tracking_values = super()._track_filter_for_display(tracking_values)
        if self._reads_working_copy():
            return tracking_values
        return tracking_values.filtered(
            lambda tracking: tracking.field_id.name not in LIVE_TEXT_FIELDS
        )

    # ------------------------------------------------------------------
    # Searching, ordering, grouping
    # ------------------------------------------------------------------

    def _search_display_name(self, operator, value):
        domain = super()._search_display_name(operator, value)
        if self._reads_working_copy():
            return domain
        return self._live_domain(domain)

    def _order_field_to_sql(self, alias, field_name, direction, nulls, query):
        if field_name in LIVE_TEXT_FIELDS and not self._reads_working_copy():
            revision_alias = self._live_revision_join(alias, query)
            return SQL(
                "%s %s %s",
                SQL.identifier(revision_alias, field_name),
                direction,
                nulls,
            )
        return super()._order_field_to_sql(alias, field_name, direction, nulls, query)

    def _read_group(
        self,
        domain,
        groupby=(),
        aggregates=(),
        having=(),
        offset=0,
        limit=None,
        order=None,
    ):
        if not self._reads_working_copy():
            specs = [*groupby, *aggregates, *(term[0] for term in having or ())]
            for spec in specs:
                fname = spec.split(":", 1)[0].split(".", 1)[0]
                if fname in LIVE_TEXT_FIELDS:
                    raise AccessError(
                        self.env._(
                            "Knowledge readers cannot group or aggregate "
                            "articles by %(field)s.",
                            field=self._fields[fname]._description_string(self.env),
                        )
                    )
        return super()._read_group(
            domain,
            groupby=groupby,
            aggregates=aggregates,
            having=having,
            offset=offset,
            limit=limit,
            order=order,
        )
