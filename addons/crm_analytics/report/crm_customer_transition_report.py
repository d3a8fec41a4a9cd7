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
    and leaving the key accounts."""

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
    # averages over the customers they apply to (NULL elsewhere): rates
    churn_rate = fields.Float(
        readonly=True,
        aggregator="avg",
        help="Share of the customers not lapsed the month before who are lapsed "
        "at this month end.",
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
                   CASE WHEN prev.lifecycle_stage IS DISTINCT FROM 'lapsed'
                        THEN (cur.lifecycle_stage = 'lapsed')::int END
                       AS churn_rate,
                   CASE WHEN prev.lifecycle_stage = 'lapsed'
                        THEN (cur.lifecycle_stage <> 'lapsed')::int END
                       AS recovery_rate
              FROM crm_customer_snapshot cur
              JOIN crm_customer_snapshot prev
                ON prev.company_id = cur.company_id
               AND prev.partner_id = cur.partner_id
               AND prev.date = (date_trunc('month', cur.date) - interval '1 day')::date
            """,
            grades=grades,
        )
