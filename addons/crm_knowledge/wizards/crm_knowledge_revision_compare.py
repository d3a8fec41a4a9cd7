from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.web_editor.models.diff_utils import generate_comparison


def _diff(old, new):
    """The comparison of two HTML texts with Odoo's own html diff (the one of
    web_editor's html.field.history.mixin): insertions as <ins>, deletions as
    <del>."""
    # generate_comparison(a, b) marks the text only b has as <added> and the
    # text only a has as <removed> (the history dialog shows what a restore adds)
    comparison = generate_comparison(old or "", new or "")
    return (
        comparison.replace("<added>", "<ins>")
        .replace("</added>", "</ins>")
        .replace("<removed>", "<del>")
        .replace("</removed>", "</del>")
    )


def _paragraph(text):
    return Markup("<p>%s</p>") % (text or "")


class CrmKnowledgeRevisionCompare(models.TransientModel):
    _name = "crm.knowledge.revision.compare"
    _description = "Compare Two Revisions of an Article"

    article_id = fields.Many2one("crm.knowledge.article", required=True)
    old_revision_id = fields.Many2one(
        "crm.knowledge.article.revision",
        string="Older Revision",
        required=True,
        domain="[('article_id', '=', article_id)]",
    )
    new_revision_id = fields.Many2one(
        "crm.knowledge.article.revision",
        string="Newer Revision",
        required=True,
        domain="[('article_id', '=', article_id)]",
    )
    diff_title = fields.Html(
        string="Title Changes", compute="_compute_diff", sanitize=False
    )
    diff_summary = fields.Html(
        string="Summary Changes", compute="_compute_diff", sanitize=False
    )
    diff_body = fields.Html(
        string="Text Changes", compute="_compute_diff", sanitize=False
    )

    @api.constrains("article_id", "old_revision_id", "new_revision_id")
    def _check_revisions_of_article(self):
        for wizard in self:
            revisions = wizard.old_revision_id | wizard.new_revision_id
            if revisions.article_id != wizard.article_id:
                raise ValidationError(
                    self.env._(
                        "Only revisions of %(article)s can be compared here.",
                        article=wizard.article_id.name,
                    )
                )

    @api.depends("old_revision_id", "new_revision_id")
    def _compute_diff(self):
        for wizard in self:
            old, new = wizard.old_revision_id, wizard.new_revision_id
            # title and summary are plain text: escaped, in a paragraph (the
            # diff compares html elements)
            wizard.diff_title = _diff(_paragraph(old.name), _paragraph(new.name))
            wizard.diff_summary = _diff(
                _paragraph(old.summary), _paragraph(new.summary)
            )
            wizard.diff_body = _diff(old.body, new.body)

    @api.model
    def action_open(self, old_revision, new_revision):
        wizard = self.create(
            {
                "article_id": new_revision.article_id.id,
                "old_revision_id": old_revision.id,
                "new_revision_id": new_revision.id,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Compare Revisions"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_restore_old(self):
        self.ensure_one()
        return self.old_revision_id.action_restore()
