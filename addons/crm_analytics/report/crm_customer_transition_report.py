from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.crm_customerism.models.crm_customer_profile import (
    GRADE_SELECTION,
    STAGE_SELECTION,
)

GRADE_MOVES = [
    ("up", "Moved Up"),
    ("same", "Same Grade"),
    ("down", "Moved Down"),
    ("entered", "Graded"),
    ("left", "Ungraded"),
]


class CrmCustomerTransitionReport(models.Model):
    """Each customer's move between two consecutive monthly snapshots: the
    stage transition matrix (stage before x stage after), grade migration
    up and down the pyramid, churn and recovery rates, customers entering
    and leaving the key accounts.

    Churn and recovery are defined here once, and read from here by the
    movement methods of the snapshots, the management report and the
    dashboard: a customer churns at a month end when, buying and not lapsed
    at the previous one (any stage but prospect and lapsed), they are lapsed
    (中断期) now; a customer lapsed at the previous month end recovers when
    they are no longer lapsed."""

    _name = "crm.customer.transition.report"
    _description = "Customer Transitions between Months"
    _inherit = ["crm.customerism.ordered.selection.mixin"]
    _auto = False
    _order = "date desc"
    _rec_name = "partner_id"

    date = fields.Date(string="Month End", readonly=True)
    date_from = fields.Date(string="Previous Month End", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    stage_from = fields.Selection(STAGE_SELECTION, string="Stage Before", readonly=True)
    stage_to = fields.Selection(STAGE_SELECTION, string="Stage After", readonly=True)
    grade_from = fields.Selection(GRADE_SELECTION, string="Grade Before", readonly=True)
    grade_to = fields.Selection(GRADE_SELECTION, string="Grade After", readonly=True)
    grade_move = fields.Selection(GRADE_MOVES, readonly=True)
    key_account_move = fields.Selection(
        [("entered", "Became Key Account"), ("left", "No Longer Key Account")],
        readonly=True,
    )
    customer_count = fields.Integer(string="Customers", readonly=True)
    movement = fields.Selection(
        [("churned", "Churned"), ("recovered", "Recovered")],
        string="Churn or Recovery",
        readonly=True,
    )
    active_count = fields.Integer(
        string="Active Before",
        readonly=True,
        help="Customers buying and not lapsed at the previous month end: "
        "the base of the churn rate.",
    )
    churned_count = fields.Integer(string="Churned", readonly=True)
    lapsed_count = fields.Integer(
        string="Lapsed Before",
        readonly=True,
        help="Customers lapsed at the previous month end: the base of the "
        "recovery rate.",
    )
    recovered_count = fields.Integer(string="Recovered", readonly=True)
    # averages over the customers they apply to (NULL elsewhere): rates
    churn_rate = fields.Float(
        readonly=True,
        aggregator="avg",
        help="Share of the customers buying and not lapsed the month before "
        "who are lapsed at this month end.",
    )
    recovery_rate = fields.Float(
        readonly=True,
        aggregator="avg",
        help="Share of the customers lapsed the month before who are no longer "
        "lapsed at this month end.",
    )

    @property
    def _table_query(self):
        grades = [key for key, _label in GRADE_SELECTION]
        return SQL(
            """
            SELECT cur.id, cur.date, prev.date AS date_from,
                   cur.company_id, cur.partner_id, cur.user_id,
                   prev.lifecycle_stage AS stage_from,
                   cur.lifecycle_stage AS stage_to,
                   prev.grade AS grade_from, cur.grade AS grade_to,
                   CASE WHEN prev.grade IS NULL AND cur.grade IS NULL THEN NULL
                        WHEN prev.grade IS NULL THEN 'entered'
                        WHEN cur.grade IS NULL THEN 'left'
                        WHEN array_position(%(grades)s::text[], cur.grade::text)
                             < array_position(%(grades)s::text[], prev.grade::text)
                        THEN 'up'
                        WHEN cur.grade = prev.grade THEN 'same'
                        ELSE 'down' END AS grade_move,
                   CASE WHEN cur.is_key_account AND NOT prev.is_key_account
                        THEN 'entered'
                        WHEN prev.is_key_account AND NOT cur.is_key_account
                        THEN 'left' END AS key_account_move,
                   1 AS customer_count,
                   CASE WHEN m.was_active AND m.is_lapsed THEN 'churned'
                        WHEN m.was_lapsed AND m.is_back THEN 'recovered' END
                       AS movement,
                   m.was_active::int AS active_count,
                   (m.was_active AND m.is_lapsed)::int AS churned_count,
                   m.was_lapsed::int AS lapsed_count,
                   (m.was_lapsed AND m.is_back)::int AS recovered_count,
                   CASE WHEN m.was_active THEN m.is_lapsed::int END AS churn_rate,
                   CASE WHEN m.was_lapsed THEN m.is_back::int END AS recovery_rate
              FROM crm_customer_snapshot cur
              JOIN crm_customer_snapshot prev
                ON prev.company_id = cur.company_id
               AND prev.partner_id = cur.partner_id
               AND prev.date = (date_trunc('month', cur.date) - interval '1 day')::date
             CROSS JOIN LATERAL (
                SELECT COALESCE(prev.lifecycle_stage NOT IN ('lapsed', 'prospect'),
                                FALSE) AS was_active,
                       COALESCE(prev.lifecycle_stage = 'lapsed', FALSE) AS was_lapsed,
                       COALESCE(cur.lifecycle_stage = 'lapsed', FALSE) AS is_lapsed,
                       COALESCE(cur.lifecycle_stage <> 'lapsed', FALSE) AS is_back
             ) m
            """,
            grades=grades,
        )
