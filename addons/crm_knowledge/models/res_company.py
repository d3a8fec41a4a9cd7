from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    knowledge_not_helpful_threshold = fields.Float(
        string="Needs Update Above (% Not Helpful)",
        default=40.0,
        help="An article needs an update when more than this share of its votes "
        "say it is not helpful.",
    )
    knowledge_min_votes = fields.Integer(
        string="Minimum Votes for Needs Update",
        default=5,
        help="Votes an article needs before its share of not helpful votes counts.",
    )

    @api.constrains("knowledge_not_helpful_threshold", "knowledge_min_votes")
    def _check_knowledge_feedback_settings(self):
        for company in self:
            if not 0 <= company.knowledge_not_helpful_threshold < 100:
                raise ValidationError(
                    self.env._(
                        "The share of not helpful votes must be between 0 and "
                        "100%% (got %(value)s).",
                        value=company.knowledge_not_helpful_threshold,
                    )
                )
            if company.knowledge_min_votes < 1:
                raise ValidationError(
                    self.env._(
                        "An article needs at least one vote before it can need "
                        "an update (got %(value)s).",
                        value=company.knowledge_min_votes,
                    )
                )
