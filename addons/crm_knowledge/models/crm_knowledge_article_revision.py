from odoo import api, fields, models


class CrmKnowledgeArticleRevision(models.Model):
    """A published version of an article, kept for good: who published it,
    when, with which number. Readers (the portal, training plans) read the
    article's live revision, so an edit in progress never shows before a
    reviewer publishes it. Revisions are written only by publishing
    (``crm.knowledge.article._publish_revisions``), never edited or deleted
    by users."""

    _name = "crm.knowledge.article.revision"
    # the same bigram index as the articles', so that a search on the portal
    # finds what readers see, never the text of a pending edit
    _inherit = ["crm.knowledge.bigram.search.mixin"]
    _description = "Knowledge Article Revision"
    _order = "article_id, number desc"
    _check_company_auto = True

    article_id = fields.Many2one(
        "crm.knowledge.article",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    number = fields.Integer(required=True, readonly=True)
    name = fields.Char(string="Title", required=True, readonly=True)
    summary = fields.Text(readonly=True)
    body = fields.Html(readonly=True, sanitize=True, sanitize_overridable=False)
    visibility = fields.Selection(
        [("internal", "Internal"), ("public", "Public")],
        required=True,
        readonly=True,
    )
    category_id = fields.Many2one("crm.knowledge.category", readonly=True)
    published_by_id = fields.Many2one("res.users", required=True, readonly=True)
    published_date = fields.Datetime(required=True, readonly=True)
    is_major_change = fields.Boolean(
        string="Major Change",
        readonly=True,
        help="Readers of training plans must confirm this revision again. "
        "The first revision always counts as a major change.",
    )
    company_id = fields.Many2one(
        related="article_id.company_id", store=True, index=True
    )
    is_live = fields.Boolean(
        string="Live",
        compute="_compute_is_live",
        store=True,
        help="The revision readers see now.",
    )

    _sql_constraints = [
        (
            "number_unique",
            "UNIQUE(article_id, number)",
            "A revision number is used once per article.",
        )
    ]

    @api.depends("article_id.live_revision_id")
    def _compute_is_live(self):
        for revision in self:
            revision.is_live = revision.article_id.live_revision_id == revision

    @api.depends("number", "name")
    def _compute_display_name(self):
        for revision in self:
            revision.display_name = self.env._(
                "Revision %(number)s: %(title)s",
                number=revision.number,
                title=revision.name,
            )

    @api.model
    def _create_from(self, articles):
        """One new revision per article, numbered after its last one, from
        the article's current text; returned in the order of ``articles``."""
        last = dict(
            self._read_group(
                [("article_id", "in", articles.ids)], ["article_id"], ["number:max"]
            )
        )
        now = fields.Datetime.now()
        return self.create(
            [
                {
                    "article_id": article.id,
                    "number": last.get(article, 0) + 1,
                    "name": article.name,
                    "summary": article.summary,
                    "body": article.body,
                    "visibility": article.visibility,
                    "category_id": article.category_id.id,
                    "published_by_id": self.env.uid,
                    "published_date": now,
                    "is_major_change": article.is_major_change or not last.get(article),
                }
                for article in articles
            ]
        )

    def _article_values(self):
        """The article values that bring this revision back as its text."""
        self.ensure_one()
        return {
            "name": self.name,
            "summary": self.summary,
            "body": self.body,
            "visibility": self.visibility,
            "category_id": self.category_id.id,
        }

    def action_restore(self):
        self.ensure_one()
        self.article_id.action_restore_revision(self.id)
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.knowledge.article",
            "res_id": self.article_id.id,
            "view_mode": "form",
        }

    def action_compare(self):
        """Compare this revision with the one before it."""
        self.ensure_one()
        previous = self.search(
            [("article_id", "=", self.article_id.id), ("number", "<", self.number)],
            limit=1,
        )
        return self.env["crm.knowledge.revision.compare"].action_open(
            previous or self, self
        )
