from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import UserError

from . import knowledge_bigram_index, knowledge_suggestion

SUGGESTED_ARTICLES = 5
# candidates fetched per complaint before the reader's access rules filter them
SUGGESTION_CANDIDATES = 20
SUMMARY_CHARS = 300
KNOWLEDGE_GROUP = "crm_knowledge.group_crm_knowledge_user"
# every internal user (base.group_user implies it)
READER_GROUP = "crm_knowledge.group_crm_knowledge_reader"


class CrmComplaint(models.Model):
    _inherit = "crm.complaint"

    suggested_article_ids = fields.Many2many(
        "crm.knowledge.article",
        string="Suggested Articles",
        compute="_compute_suggested_article_ids",
        groups=READER_GROUP,
        help="Published articles on the complaint's product or category, or "
        "whose text is close to its subject and description.",
    )
    knowledge_usage_ids = fields.One2many(
        "crm.knowledge.usage",
        "complaint_id",
        string="Articles Used",
        groups=READER_GROUP,
    )
    solution_article_ids = fields.One2many(
        "crm.knowledge.article",
        "source_complaint_id",
        string="Solution Articles",
        groups=KNOWLEDGE_GROUP,
    )
    solution_article_count = fields.Integer(
        compute="_compute_solution_article_count", groups=KNOWLEDGE_GROUP
    )

    @api.depends("subject", "description", "product_id", "category_id", "company_id")
    def _compute_suggested_article_ids(self):
        requests = [
            (
                index,
                complaint.company_id.id or self.env.company.id,
                complaint.product_id.id,
                complaint.category_id.id,
                knowledge_suggestion.text_terms(
                    complaint.subject, complaint.description
                ),
            )
            for index, complaint in enumerate(self)
        ]
        self.env["crm.knowledge.article"].flush_model()
        candidates = knowledge_suggestion.suggestions(
            self.env, requests, SUGGESTION_CANDIDATES
        )
        # the reader's access rules (company, visibility) on all of them at once
        readable = set(
            self.env["crm.knowledge.article"]
            .search([("id", "in", [i for ids in candidates.values() for i in ids])])
            .ids
        )
        for index, complaint in enumerate(self):
            complaint.suggested_article_ids = [
                article_id for article_id in candidates[index] if article_id in readable
            ][:SUGGESTED_ARTICLES]

    def _compute_solution_article_count(self):
        counts = dict(
            self.env["crm.knowledge.article"]._read_group(
                [("source_complaint_id", "in", self.ids)],
                ["source_complaint_id"],
                ["__count"],
            )
        )
        for complaint in self:
            complaint.solution_article_count = counts.get(complaint, 0)

    def _insert_article_in_reply(self, article):
        """Count the use of ``article`` and open the reply to the customer with
        the title, summary and text of its published version (never an edit
        waiting for review)."""
        self.ensure_one()
        self.check_access("write")
        article.check_access("read")
        live = article.live_revision_id.sudo()
        if not live:
            raise UserError(
                self.env._(
                    "Article %(name)s is not published: only a published "
                    "article goes into a reply to the customer.",
                    name=article.name,
                )
            )
        self.env["crm.knowledge.usage"].create(
            {"article_id": article.id, "complaint_id": self.id}
        )
        parts = [Markup("<p><strong>%s</strong></p>") % live.name]
        if live.summary:
            parts.append(Markup("<p>%s</p>") % live.summary)
        if not tools.is_html_empty(live.body):
            parts.append(live.body)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reply to the Customer"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_composition_mode": "comment",
                "default_body": Markup("").join(parts),
                "default_subject": self.subject,
            },
        }

    def action_create_solution_article(self):
        """A draft solution article from this resolved complaint: the problem
        from its description, the solution from its resolution."""
        self.ensure_one()
        if self.stage not in ("resolved", "closed"):
            raise UserError(
                self.env._(
                    "Complaint %(name)s is not resolved: write the solution "
                    "article once it is.",
                    name=self.name,
                )
            )
        article = self.solution_article_ids[:1]
        if not article:
            description = self.description or Markup("")
            article = self.env["crm.knowledge.article"].create(
                {
                    "name": self.subject,
                    "article_type": "solution",
                    "summary": knowledge_bigram_index.html_to_text(description).strip()[
                        :SUMMARY_CHARS
                    ]
                    or False,
                    "body": Markup("<h3>%s</h3>%s<h3>%s</h3>%s")
                    % (
                        self.env._("Problem"),
                        description,
                        self.env._("Solution"),
                        self.resolution or Markup(""),
                    ),
                    "product_ids": self.product_id.ids,
                    "complaint_category_ids": self.category_id.ids,
                    "company_id": self.company_id.id,
                    "source_complaint_id": self.id,
                }
            )
            self.message_post(
                body=Markup("%s %s")
                % (self.env._("Solution article written:"), article._get_html_link()),
                subtype_xmlid="mail.mt_note",
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.knowledge.article",
            "res_id": article.id,
            "view_mode": "form",
        }

    def action_view_solution_articles(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Solution Articles"),
            "res_model": "crm.knowledge.article",
            "view_mode": "list,form",
            "domain": [("source_complaint_id", "=", self.id)],
        }
