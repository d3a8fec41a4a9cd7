from odoo import api, fields, models
from odoo.exceptions import UserError


class CrmKnowledgeReadConfirmation(models.Model):
    """A user's confirmation of having read a published revision of an article
    (training plans count them; a newer major revision asks again)."""

    _name = "crm.knowledge.read.confirmation"
    _description = "Knowledge Reading Confirmation"
    _order = "date desc, id desc"
    _check_company_auto = True

    user_id = fields.Many2one(
        "res.users",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.user,
        ondelete="cascade",
    )
    article_id = fields.Many2one(
        "crm.knowledge.article",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    revision_id = fields.Many2one(
        "crm.knowledge.article.revision",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    revision_number = fields.Integer(related="revision_id.number")
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    company_id = fields.Many2one(
        related="article_id.company_id", store=True, index=True
    )

    _sql_constraints = [
        (
            "user_revision_unique",
            "UNIQUE(user_id, revision_id)",
            "A user confirms a revision once.",
        )
    ]

    @api.model_create_multi
    def create(self, vals_list):
        confirmations = super().create(vals_list)
        for confirmation in confirmations:
            # only the revision readers see now can be confirmed
            if confirmation.revision_id != confirmation.article_id.live_revision_id:
                raise UserError(
                    self.env._(
                        "Only the published revision of %(article)s can be "
                        "confirmed as read.",
                        article=confirmation.article_id.name,
                    )
                )
        return confirmations

    @api.model
    def confirm(self, articles):
        """The current user confirms reading the live revision of ``articles``
        (once per revision)."""
        unpublished = articles.filtered(lambda a: not a.live_revision_id)
        if unpublished:
            raise UserError(
                self.env._(
                    "Article %(article)s is not published: there is nothing to "
                    "confirm yet.",
                    article=unpublished[0].name,
                )
            )
        done = self.search(
            [
                ("user_id", "=", self.env.uid),
                ("revision_id", "in", articles.live_revision_id.ids),
            ]
        ).revision_id
        return self.create(
            [
                {"article_id": article.id, "revision_id": article.live_revision_id.id}
                for article in articles
                if article.live_revision_id not in done
            ]
        )
