from odoo import api, fields, models


class CrmKnowledgeTrainingPlan(models.Model):
    """Required reading (教育训练): the articles the members of some user groups
    or sales teams must confirm having read by a due date."""

    _name = "crm.knowledge.training.plan"
    _description = "Training Plan"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "due_date, name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    due_date = fields.Date(required=True, tracking=True)
    description = fields.Html()
    group_ids = fields.Many2many(
        "res.groups",
        "crm_knowledge_training_plan_group_rel",
        "plan_id",
        "group_id",
        string="User Groups",
        help="Every user of these groups must read the articles.",
    )
    team_ids = fields.Many2many(
        "crm.team",
        "crm_knowledge_training_plan_team_rel",
        "plan_id",
        "team_id",
        string="Sales Teams",
        check_company=True,
        help="Every member of these teams must read the articles.",
    )
    article_ids = fields.Many2many(
        "crm.knowledge.article",
        "crm_knowledge_training_plan_article_rel",
        "plan_id",
        "article_id",
        string="Required Articles",
        check_company=True,
    )
    status_ids = fields.One2many(
        "crm.knowledge.training.status", "plan_id", string="Completion"
    )
    user_count = fields.Integer(string="Trainees", compute="_compute_completion")
    completion_rate = fields.Float(
        string="Completion (%)", compute="_compute_completion"
    )
    overdue_count = fields.Integer(string="Overdue", compute="_compute_completion")

    @api.depends("group_ids", "team_ids", "article_ids", "due_date")
    def _compute_completion(self):
        Status = self.env["crm.knowledge.training.status"]
        domain = [("plan_id", "in", self.ids)]
        totals = {
            plan: (users, done, count)
            for plan, users, done, count in Status._read_group(
                domain,
                ["plan_id"],
                ["user_id:count_distinct", "done_count:sum", "__count"],
            )
        }
        overdue = dict(
            Status._read_group(
                [*domain, ("is_overdue", "=", True)], ["plan_id"], ["__count"]
            )
        )
        for plan in self:
            users, done, count = totals.get(plan, (0, 0, 0))
            plan.user_count = users
            plan.completion_rate = 100.0 * done / count if count else 0.0
            plan.overdue_count = overdue.get(plan, 0)

    def action_view_completion(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_knowledge.crm_knowledge_training_status_action"
        )
        action["domain"] = [("plan_id", "=", self.id)]
        action["context"] = {"search_default_group_user": 1}
        return action

    @api.model
    def _cron_remind_overdue(self):
        """One to-do activity per plan and user with overdue reading; a user
        who still has the reminder open gets no second one."""
        activity_type = self.env.ref(
            "crm_knowledge.mail_activity_type_training_reminder"
        )
        overdue = self.env["crm.knowledge.training.status"]._read_group(
            [("is_overdue", "=", True)], ["plan_id", "user_id"], ["__count"]
        )
        if not overdue:
            return
        open_reminders = {
            (activity.res_id, activity.user_id.id)
            for activity in self.env["mail.activity"].search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", list({plan.id for plan, _u, _c in overdue})),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
        }
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        self.env["mail.activity"].create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": plan.id,
                    "user_id": user.id,
                    "activity_type_id": activity_type.id,
                    "date_deadline": today,
                    "summary": self.env._(
                        "%(count)s required articles to read (due %(date)s)",
                        count=count,
                        date=plan.due_date,
                    ),
                }
                for plan, user, count in overdue
                if (plan.id, user.id) not in open_reminders
            ]
        )
