from odoo import api, fields, models


class CrmKnowledgeVote(models.Model):
    """One reader's opinion of an article: helpful or not (with an optional
    comment). A reader has one vote per article and may change it."""

    _name = "crm.knowledge.vote"
    _description = "Knowledge Article Vote"
    _order = "write_date desc, id desc"
    _check_company_auto = True

    article_id = fields.Many2one(
        "crm.knowledge.article",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    user_id = fields.Many2one(
        "res.users", required=True, index=True, default=lambda self: self.env.user
    )
    company_id = fields.Many2one(
        related="article_id.company_id", store=True, index=True
    )
    helpful = fields.Boolean()
    comment = fields.Text(help="What was missing or wrong in the article.")

    _sql_constraints = [
        (
            "article_user_uniq",
            "unique(article_id, user_id)",
            "A reader votes once per article; change the vote instead.",
        )
    ]

    @api.model
    def _vote(self, article, helpful, comment=False):
        """Cast or change the current user's vote on ``article``."""
        vote = self.search(
            [("article_id", "=", article.id), ("user_id", "=", self.env.uid)]
        )
        vals = {"helpful": helpful, "comment": (comment or "").strip() or False}
        if vote:
            vote.write(vals)
            return vote
        return self.create({"article_id": article.id, **vals})
