from odoo import fields, models
from odoo.tools import SQL


class CrmKnowledgeTrainingStatus(models.Model):
    """One row per training plan, trainee and required article: which
    revision the trainee must have confirmed (the article's latest major
    revision), whether they did, and whether it is overdue. A view over the
    source tables: its ids are row numbers, valid for one query only."""

    _name = "crm.knowledge.training.status"
    _description = "Training Completion"
    _auto = False
    _order = "is_overdue desc, due_date, plan_id, user_id, article_id"
    _rec_name = "article_id"
    _depends = {
        "crm.knowledge.training.plan": [
            "active",
            "company_id",
            "due_date",
            "group_ids",
            "team_ids",
            "article_ids",
        ],
        "crm.knowledge.article": ["live_revision_id"],
        "crm.knowledge.article.revision": ["article_id", "number", "is_major_change"],
        "crm.knowledge.read.confirmation": [
            "user_id",
            "article_id",
            "revision_id",
            "date",
        ],
        "crm.team.member": ["crm_team_id", "user_id", "active"],
        "res.users": ["active", "share", "groups_id", "company_ids"],
    }

    plan_id = fields.Many2one("crm.knowledge.training.plan", readonly=True)
    user_id = fields.Many2one("res.users", string="Trainee", readonly=True)
    article_id = fields.Many2one("crm.knowledge.article", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    due_date = fields.Date(readonly=True)
    required_revision_id = fields.Many2one(
        "crm.knowledge.article.revision",
        string="Revision to Confirm",
        readonly=True,
        help="The article's latest major revision.",
    )
    confirmation_id = fields.Many2one("crm.knowledge.read.confirmation", readonly=True)
    confirmed_date = fields.Datetime(readonly=True)
    is_done = fields.Boolean(string="Confirmed", readonly=True)
    is_overdue = fields.Boolean(string="Overdue", readonly=True)
    done_count = fields.Integer(string="Confirmed Articles", readonly=True)
    completion_rate = fields.Float(
        string="Completion (%)", readonly=True, aggregator="avg"
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH plan_user AS (
                SELECT r.plan_id, gu.uid AS user_id
                  FROM crm_knowledge_training_plan_group_rel r
                  JOIN res_groups_users_rel gu ON gu.gid = r.group_id
                 UNION
                SELECT r.plan_id, m.user_id
                  FROM crm_knowledge_training_plan_team_rel r
                  JOIN crm_team_member m ON m.crm_team_id = r.team_id AND m.active
            ),
            -- the revision a reader must have confirmed: the latest major one
            -- (the first revision always is one)
            required AS (
                SELECT DISTINCT ON (article_id) article_id, id, number
                  FROM crm_knowledge_article_revision
                 WHERE is_major_change
                 ORDER BY article_id, number DESC
            )
            SELECT row_number() OVER (ORDER BY p.id, pu.user_id, a.id) AS id,
                   p.id AS plan_id,
                   pu.user_id,
                   a.id AS article_id,
                   p.company_id,
                   p.due_date,
                   req.id AS required_revision_id,
                   conf.id AS confirmation_id,
                   conf.date AS confirmed_date,
                   conf.id IS NOT NULL AS is_done,
                   conf.id IS NULL AND p.due_date < CURRENT_DATE AS is_overdue,
                   CASE WHEN conf.id IS NULL THEN 0 ELSE 1 END AS done_count,
                   CASE WHEN conf.id IS NULL THEN 0.0 ELSE 100.0 END AS completion_rate
              FROM crm_knowledge_training_plan p
              JOIN plan_user pu ON pu.plan_id = p.id
              JOIN res_users u ON u.id = pu.user_id AND u.active AND NOT u.share
              -- trainees of the plan's company only
              JOIN res_company_users_rel cu
                ON cu.user_id = u.id AND cu.cid = p.company_id
              JOIN crm_knowledge_training_plan_article_rel pa ON pa.plan_id = p.id
              JOIN crm_knowledge_article a
                ON a.id = pa.article_id AND a.live_revision_id IS NOT NULL
              JOIN required req ON req.article_id = a.id
              LEFT JOIN LATERAL (
                  SELECT c.id, c.date
                    FROM crm_knowledge_read_confirmation c
                    JOIN crm_knowledge_article_revision cr ON cr.id = c.revision_id
                   WHERE c.user_id = pu.user_id
                     AND c.article_id = a.id
                     AND cr.number >= req.number
                   ORDER BY c.date DESC
                   LIMIT 1
              ) conf ON TRUE
             WHERE p.active
            """
        )

    def action_open_article(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.knowledge.article",
            "res_id": self.article_id.id,
            "view_mode": "form",
        }
