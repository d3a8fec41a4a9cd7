from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    complaint_count = fields.Integer(
        string="Open Complaints", compute="_compute_complaint_stats"
    )
    complaint_rating = fields.Float(
        string="Complaint Satisfaction",
        compute="_compute_complaint_stats",
        help="Average satisfaction (1-5) given by the customers on the closed "
        "complaints of the team.",
    )

    def _compute_complaint_stats(self):
        Complaint = self.env["crm.complaint"]
        counts = dict(
            Complaint._read_group(
                [
                    ("team_id", "in", self.ids),
                    (
                        "stage",
                        "in",
                        ("new", "acknowledged", "investigating", "waiting"),
                    ),
                ],
                ["team_id"],
                ["__count"],
            )
        )
        # sudo: the team's average satisfaction, not the ratings themselves
        ratings = dict(
            self.env["rating.rating"]
            .sudo()
            ._read_group(
                [
                    ("res_model", "=", "crm.complaint"),
                    ("parent_res_model", "=", "crm.team"),
                    ("parent_res_id", "in", self.ids),
                    ("consumed", "=", True),
                    ("rating", ">=", 1),
                ],
                ["parent_res_id"],
                ["rating:avg"],
            )
        )
        for team in self:
            team.complaint_count = counts.get(team, 0)
            team.complaint_rating = ratings.get(team.id, 0.0)

    def action_view_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_customerism.crm_complaint_action"
        )
        action["domain"] = [("team_id", "=", self.id)]
        action["context"] = {"default_team_id": self.id, "search_default_open": 1}
        return action
