from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import html2plaintext

# longest query and most articles one external search returns
MAX_API_QUERY = 200
MAX_API_RESULTS = 50

GROUP_EDITOR = "crm_knowledge.group_crm_knowledge_user"
GROUP_REVIEWER = "crm_knowledge.group_crm_knowledge_reviewer"

# (from, to) -> the group allowed to move an article along that edge
STATE_TRANSITIONS = {
    ("draft", "in_review"): GROUP_EDITOR,
    ("in_review", "draft"): GROUP_EDITOR,
    ("in_review", "published"): GROUP_REVIEWER,
    # a new edit of a published article: its last published revision stays
    # what readers see until a reviewer publishes the edit
    ("published", "draft"): GROUP_EDITOR,
    ("published", "archived"): GROUP_REVIEWER,
    ("archived", "draft"): GROUP_REVIEWER,
}

# What readers see of an article: only a reviewer changes it once the article
# is in review, published or archived (editors bring it back to draft first).
REVIEWED_FIELDS = {
    "name",
    "summary",
    "body",
    "article_type",
    "category_id",
    "tag_ids",
    "product_ids",
    "complaint_category_ids",
    "lang",
    "company_id",
    "review_date",
    "visibility",
    "is_major_change",
}

# Written by publishing only, never by a caller (not even a reviewer)
PUBLICATION_FIELDS = {"live_revision_id", "published_date", "published_by_id"}

# What a published revision keeps of the article (see crm.knowledge.article.revision)
REVISION_FIELDS = ("name", "summary", "body", "visibility", "category_id")

DEFAULT_REVIEW_DAYS = 180


class CrmKnowledgeArticle(models.Model):
    _name = "crm.knowledge.article"
    _description = "Knowledge Article"
    _inherit = ["mail.thread", "crm.knowledge.bigram.search.mixin"]
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(string="Title", required=True, tracking=True)
    sequence = fields.Integer(default=10)
    article_type = fields.Selection(
        [
            ("solution", "Solution"),
            ("faq", "FAQ"),
            ("product", "Product Information"),
            ("competitor", "Competitor Information"),
            ("policy", "Policy / Process"),
            ("training", "Training Material"),
        ],
        string="Type",
        required=True,
        default="solution",
        tracking=True,
    )
    summary = fields.Text(help="A few lines shown in lists and search results.")
    body = fields.Html(sanitize=True, sanitize_overridable=False)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("in_review", "In Review"),
            ("published", "Published"),
            ("archived", "Archived"),
        ],
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    category_id = fields.Many2one(
        "crm.knowledge.category", index=True, tracking=True, check_company=True
    )
    tag_ids = fields.Many2many("crm.knowledge.tag", string="Tags")
    product_ids = fields.Many2many(
        "product.product",
        string="Products",
        check_company=True,
        help="Products this article applies to.",
    )
    complaint_category_ids = fields.Many2many(
        "crm.complaint.category",
        string="Complaint Categories",
        check_company=True,
        help="Complaint categories this article applies to.",
    )
    author_id = fields.Many2one(
        "res.users",
        default=lambda self: self.env.user,
        readonly=True,
        copy=False,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        default=lambda self: self.env.user,
        tracking=True,
        help="Who keeps this article correct and up to date.",
    )
    lang = fields.Selection(
        "_lang_get",
        string="Language",
        default=lambda self: self.env.lang,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    published_date = fields.Datetime(readonly=True, copy=False)
    published_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    review_date = fields.Date(
        tracking=True,
        copy=False,
        help="When a reviewer should check the article again; set to "
        f"{DEFAULT_REVIEW_DAYS} days after publishing.",
    )
    needs_review = fields.Boolean(
        compute="_compute_needs_review",
        search="_search_needs_review",
        help="Published and its review date has come.",
    )
    visibility = fields.Selection(
        [("internal", "Internal"), ("public", "Public")],
        required=True,
        default="internal",
        tracking=True,
        help="Public articles are also shown to portal users once published.",
    )
    # Revisions: the article holds the working copy; readers (portal, training)
    # see its live revision, the last one a reviewer published.
    revision_ids = fields.One2many(
        "crm.knowledge.article.revision", "article_id", string="Revisions"
    )
    live_revision_id = fields.Many2one(
        "crm.knowledge.article.revision",
        string="Published Revision",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="What readers see; empty while the article has never been "
        "published or is archived.",
    )
    live_body = fields.Html(related="live_revision_id.body", string="Published Text")
    is_major_change = fields.Boolean(
        string="Major Change",
        copy=False,
        help="Set by the reviewer before publishing: the readers of training "
        "plans must confirm this revision again.",
    )

    @api.model
    def _lang_get(self):
        return self.env["res.lang"].get_installed()

    @api.constrains("name")
    def _check_name(self):
        for article in self:
            if not (article.name or "").strip():
                raise ValidationError(self.env._("An article needs a title."))

    @api.depends("state", "review_date")
    def _compute_needs_review(self):
        today = fields.Date.context_today(self)
        for article in self:
            article.needs_review = (
                article.state == "published"
                and bool(article.review_date)
                and article.review_date <= today
            )

    def _search_needs_review(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search 'needs review' with = or != only."))
        domain = [
            ("state", "=", "published"),
            ("review_date", "<=", fields.Date.context_today(self)),
        ]
        if (operator == "=") == value:
            return domain
        return ["!", *expression.normalize_domain(domain)]

    # ------------------------------------------------------------------
    # Review workflow: checked in create/write so that no caller (form,
    # action, XML-RPC write of ``state``) can go around it.
    # ------------------------------------------------------------------

    def _check_transition(self, old_state, new_state):
        if old_state == new_state:
            return
        group = STATE_TRANSITIONS.get((old_state, new_state))
        labels = dict(self._fields["state"]._description_selection(self.env))
        if not group:
            raise UserError(
                self.env._(
                    "An article cannot go from %(old)s to %(new)s.",
                    old=labels[old_state],
                    new=labels[new_state],
                )
            )
        if self.env.user.has_group(group):
            return
        if group == GROUP_REVIEWER:
            message = self.env._(
                "Only a knowledge reviewer may move an article "
                "from %(old)s to %(new)s.",
                old=labels[old_state],
                new=labels[new_state],
            )
        else:
            message = self.env._(
                "Only a knowledge editor may move an article from %(old)s to %(new)s.",
                old=labels[old_state],
                new=labels[new_state],
            )
        raise AccessError(message)

    def _check_reviewed_fields(self, vals):
        if PUBLICATION_FIELDS & set(vals):
            raise AccessError(
                self.env._("Only publishing an article sets its published revision.")
            )
        reviewer = self.env.user.has_group(GROUP_REVIEWER)
        if vals.get("is_major_change") and not reviewer:
            raise AccessError(
                self.env._("Only a knowledge reviewer marks a major change.")
            )
        if reviewer or not (REVIEWED_FIELDS & set(vals)):
            return
        locked = self.filtered(lambda a: a.state != "draft")
        if locked:
            raise AccessError(
                self.env._(
                    "Article %(name)s is no longer a draft: only a knowledge "
                    "reviewer may change it. Withdraw it, or ask a reviewer to "
                    "bring it back to draft.",
                    name=locked[0].name,
                )
            )

    def _publish_values(self, vals):
        today = fields.Date.context_today(self)
        return {
            "published_date": fields.Datetime.now(),
            "published_by_id": self.env.user.id,
            "review_date": today + timedelta(days=DEFAULT_REVIEW_DAYS),
            **vals,
        }

    @api.model_create_multi
    def create(self, vals_list):
        for i, vals in enumerate(vals_list):
            state = vals.get("state", "draft")
            if not self.env.su:
                self.browse()._check_reviewed_fields(vals)
                # created published: the reviewer publishes it in one step
                old_state = "in_review" if state == "published" else "draft"
                self._check_transition(old_state, state)
            if state == "published":
                vals_list[i] = self._publish_values(vals)
        articles = super().create(vals_list)
        articles.filtered(lambda a: a.state == "published")._publish_revisions()
        return articles

    def write(self, vals):
        if not self.env.su:
            self._check_reviewed_fields(vals)
            if "state" in vals:
                for old_state in set(self.mapped("state")):
                    self._check_transition(old_state, vals["state"])
        # published now: those arriving there, and those published already
        # whose text a reviewer edits (such an edit is published at once)
        content_changed = bool(set(REVISION_FIELDS) & set(vals))
        to_publish = self.filtered(
            lambda a: (
                vals.get("state", a.state) == "published"
                and (a.state != "published" or content_changed)
            )
        )
        if vals.get("state") == "published":
            vals = self._publish_values(vals)
        result = super().write(vals)
        if vals.get("state") == "archived":
            super().write({"live_revision_id": False})
        to_publish._publish_revisions()
        return result

    def _publish_revisions(self):
        """Keep the published text as a new numbered revision and make it live."""
        revisions = self.env["crm.knowledge.article.revision"].sudo()._create_from(self)
        for article, revision in zip(self, revisions, strict=True):
            article.sudo().write(
                {"live_revision_id": revision.id, "is_major_change": False}
            )

    def action_restore_revision(self, revision_id):
        """Bring an earlier revision back as the working copy (a new edit: it
        goes live when a reviewer publishes it; no revision is deleted)."""
        self.ensure_one()
        revision = self.env["crm.knowledge.article.revision"].browse(revision_id)
        # checked as superuser: another company's revision gets this error too
        if not revision.sudo().exists() or revision.sudo().article_id != self:
            raise UserError(
                self.env._(
                    "Only a revision of %(article)s can be restored into it.",
                    article=self.name,
                )
            )
        if self.state in ("published", "archived"):
            self.action_back_to_draft()
        self.write(revision._article_values())
        self.message_post(
            body=self.env._(
                "Revision %(number)s restored as the working draft.",
                number=revision.number,
            )
        )
        return True

    def action_submit(self):
        self.write({"state": "in_review"})

    def action_back_to_draft(self):
        self.write({"state": "draft"})

    def action_publish(self):
        self.write({"state": "published"})

    def action_archive_article(self):
        self.write({"state": "archived"})

    def action_confirm_read(self):
        self.env["crm.knowledge.read.confirmation"].confirm(self)

    @api.model
    def customerism_search(self, text, limit=10):
        """Articles whose published text contains ``text`` (substring search
        that works for Chinese, see knowledge_bigram_index), as the caller may
        read them
        (access rights and record rules apply), for external help desks.

        :return: list of {id, name, article_type, summary, body, published_date}
        """
        if not isinstance(text, str) or not text.strip():
            raise UserError(
                self.env._("Field %(field)s must be a non-empty text.", field="text")
            )
        if len(text) > MAX_API_QUERY:
            raise UserError(
                self.env._(
                    "Field %(field)s is longer than %(max)s characters.",
                    field="text",
                    max=MAX_API_QUERY,
                )
            )
        if (
            isinstance(limit, bool)
            or not isinstance(limit, int)
            or not (1 <= limit <= MAX_API_RESULTS)
        ):
            raise UserError(
                self.env._(
                    "Field %(field)s must be an integer from 1 to %(max)s.",
                    field="limit",
                    max=MAX_API_RESULTS,
                )
            )
        self.check_access("read")
        # the published text (the live revision), never a pending edit
        articles = self.search(
            [("live_revision_id.text_search", "ilike", text.strip())],
            limit=limit,
        )
        result = []
        for article in articles:
            live = article.live_revision_id.sudo()
            result.append(
                {
                    "id": article.id,
                    "name": live.name,
                    "article_type": article.article_type,
                    "summary": live.summary or False,
                    "body": html2plaintext(live.body or "") or False,
                    "published_date": live.published_date.strftime("%Y-%m-%d %H:%M:%S"),
                }
            )
        return result
