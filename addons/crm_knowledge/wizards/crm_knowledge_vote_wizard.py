from odoo import fields, models


class CrmKnowledgeVoteWizard(models.TransientModel):
    """The "not helpful" vote, with an optional comment for the editors."""

    _name = "crm.knowledge.vote.wizard"
    _description = "Not Helpful Vote"

    article_id = fields.Many2one("crm.knowledge.article", required=True)
    comment = fields.Text(help="What was missing or wrong (optional).")

    def action_confirm(self):
        self.ensure_one()
        self.article_id._vote(False, self.comment)
        return {"type": "ir.actions.act_window_close"}
