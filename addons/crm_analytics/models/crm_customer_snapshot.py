import calendar
import logging
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_customerism.models.crm_customer_profile import (
    GRADE_SELECTION,
    STAGE_SELECTION,
)
from odoo.addons.crm_customerism.models.res_company import SERVICE_TIERS

from ..analysis.rfm_segments import SEGMENT_GRID

_logger = logging.getLogger(__name__)

RFM_SEGMENT_SELECTION = [
    ("champions", "Champions"),
    ("loyal", "Loyal"),
    ("potential_loyalists", "Potential Loyalists"),
    ("new_customers", "New Customers"),
    ("promising", "Promising"),
    ("need_attention", "Need Attention"),
    ("about_to_sleep", "About to Sleep"),
    ("cannot_lose", "Cannot Lose Them"),
    ("at_risk", "At Risk"),
    ("hibernating", "Hibernating"),
]


def month_end(day):
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


class CrmCustomerSnapshot(models.Model):
    """A customer's figures at a month end (数据仓库): value, RFM, grade,
    tier, stage, complaints and receivables, computed set-based by the
    customer value engine (crm.customer.value.engine) as of that day, from
    the documents known then: by the monthly cron for the month just ended,
    or for past months by a rebuild. A second run for the same month adds
    only the customers still missing; a rebuild replaces the month."""

    _name = "crm.customer.snapshot"
    _description = "Customer Monthly Snapshot"
    _inherit = ["crm.customerism.ordered.selection.mixin"]
    _order = "date desc, company_id, partner_id"
    _rec_name = "partner_id"

    date = fields.Date(string="Month End", required=True, readonly=True, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True
    )
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    state_id = fields.Many2one("res.country.state", string="Region", readonly=True)
    grade = fields.Selection(GRADE_SELECTION, readonly=True)
    is_key_account = fields.Boolean(readonly=True)
    service_tier = fields.Selection(SERVICE_TIERS, readonly=True)
    lifecycle_stage = fields.Selection(STAGE_SELECTION, readonly=True)
    current_value = fields.Monetary(string="Value (12 Months)", readonly=True)
    previous_value = fields.Monetary(
        string="Value (Previous 12 Months)",
        readonly=True,
        help="Net revenue of the 12 months before the last 12.",
    )
    value_trend = fields.Float(
        readonly=True,
        aggregator="avg",
        help="Change of the value of the trend period against the period "
        "before it (0.1 = +10%).",
    )
    historical_value = fields.Monetary(readonly=True)
    annual_margin = fields.Monetary(readonly=True)
    lifetime_value = fields.Monetary(readonly=True)
    order_count = fields.Integer(string="Orders", readonly=True)
    current_order_count = fields.Integer(string="Orders (12 Months)", readonly=True)
    last_order_date = fields.Date(readonly=True)
    days_since_last_order = fields.Integer(
        readonly=True,
        aggregator="avg",
        help="Days from the last order to the month end.",
    )
    recency_score = fields.Integer(
        string="Recency (R)", readonly=True, aggregator="avg"
    )
    frequency_score = fields.Integer(
        string="Frequency (F)", readonly=True, aggregator="avg"
    )
    monetary_score = fields.Integer(
        string="Monetary (M)", readonly=True, aggregator="avg"
    )
    rfm_segment = fields.Selection(
        RFM_SEGMENT_SELECTION, string="RFM Segment", readonly=True
    )
    complaint_count = fields.Integer(
        string="Complaints (12 Months)",
        readonly=True,
        help="Complaints received in the 12 months up to the month end.",
    )
    open_complaint_count = fields.Integer(
        string="Open Complaints",
        readonly=True,
        help="Complaints open at the month end.",
    )
    receivable_amount = fields.Monetary(
        string="Receivable", readonly=True, help="Open receivables at the month end."
    )
    overdue_amount = fields.Monetary(
        readonly=True, help="Receivables past their due date at the month end."
    )
    overdue_days = fields.Integer(
        readonly=True,
        aggregator="max",
        help="Days overdue of the oldest overdue receivable at the month end.",
    )

    _sql_constraints = [
        (
            "customer_month_unique",
            "UNIQUE(company_id, partner_id, date)",
            "A customer has one snapshot per company and month end.",
        ),
    ]

    @api.model
    def _cron_take_snapshots(self):
        """Monthly: snapshot in every company the month ends from the one
        after its last snapshot (the last month end when it has none) up to
        the month that ended before today; a missed run catches up, a second
        run adds nothing."""
        last = fields.Date.context_today(self).replace(day=1) - timedelta(days=1)
        latest = dict(
            self._read_group([("date", "<=", last)], ["company_id"], ["date:max"])
        )
        for company in self.env["res.company"].search([]):
            start = latest.get(company)
            start = month_end(start + timedelta(days=1)) if start else last
            if start <= last:
                self._rebuild(company, start, last)

    @api.model
    def _rebuild(self, company, date_from, date_to, replace=False):
        """Snapshot every month end from ``date_from``'s to ``date_to``'s
        (months before today only) through the engine, from history.
        ``replace`` deletes the existing rows of those months first; without
        it only missing customers are added. Returns {month end: rows added}."""
        last = fields.Date.context_today(self).replace(day=1) - timedelta(days=1)
        day, end = month_end(date_from), min(month_end(date_to), last)
        added = {}
        while day <= end:
            added[day] = self._take_snapshot(company, day, replace=replace)
            day = month_end(day + timedelta(days=1))
        return added

    @api.model
    def _rebuild_last_months(self, company, months=24, replace=False):
        """The last ``months`` month ends before today (see _rebuild)."""
        last = fields.Date.context_today(self).replace(day=1) - timedelta(days=1)
        first = last - relativedelta(months=months - 1)
        return self._rebuild(company, first, last, replace=replace)

    @api.model
    def _take_snapshot(self, company, date, replace=False):
        """Snapshot the customers of ``company`` at the month end on or after
        ``date``: the figures of the value engine as of that day, inserted
        set-based per batch of customers; customers who already have a row
        for that month keep it unless ``replace``. Returns the rows added."""
        date = month_end(date)
        self.flush_model()
        if replace:
            self.env.cr.execute(
                SQL(
                    "DELETE FROM crm_customer_snapshot"
                    " WHERE company_id = %s AND date = %s",
                    company.id,
                    date,
                )
            )
        engine = self.env["crm.customer.value.engine"].sudo()

        def write(figures):
            self.env.cr.execute(self._insert_query(company, date, engine, figures))
            return self.env.cr.rowcount

        added = engine._compute_as_of(company, date, write)
        if added:
            # the reports and the next months' transitions join the new rows
            self.env.cr.execute(SQL("ANALYZE crm_customer_snapshot"))
        self.invalidate_model()
        _logger.info(
            "customerism: snapshot of %s at %s: %s customers added",
            company.name,
            date,
            added,
        )
        return added

    @api.model
    def _insert_query(self, company, date, engine, figures):
        """INSERT ... SELECT of the snapshot rows of the month end ``date``
        from ``figures`` (the engine's SQL, as of that day) with the
        customer's salesperson and region, the lifetime value, the RFM
        segment and the complaints received in the 12 months up to the day
        and open at its end."""
        Profile = self.env["crm.customer.profile"]
        grades = [False, *(key for key, _label in GRADE_SELECTION)]
        clv_factor = SQL(
            "CASE %s END",
            SQL(" ").join(
                SQL(
                    "WHEN n.grade IS NOT DISTINCT FROM %s THEN %s",
                    grade or None,
                    Profile._lifetime_value_factor(company, grade)[1],
                )
                for grade in grades
            ),
        )
        segment = SQL(
            "CASE %s END",
            SQL(" ").join(
                SQL(
                    "WHEN n.r = ANY(%s) AND n.f = ANY(%s) THEN %s",
                    list(recency),
                    list(frequency),
                    name,
                )
                for name, recency, frequency in SEGMENT_GRID
            ),
        )
        next_day = datetime.combine(date + timedelta(days=1), time.min)
        return SQL(
            """
            INSERT INTO crm_customer_snapshot (
                date, company_id, partner_id, user_id, country_id, state_id,
                grade, is_key_account, service_tier, lifecycle_stage,
                current_value, previous_value, value_trend, historical_value,
                annual_margin, lifetime_value, order_count, current_order_count,
                last_order_date, days_since_last_order, recency_score,
                frequency_score, monetary_score, rfm_segment, complaint_count,
                open_complaint_count, receivable_amount, overdue_amount,
                overdue_days, create_uid, create_date, write_uid, write_date)
            SELECT %(date)s, %(company)s, n.partner_id, partner.user_id,
                   partner.country_id, partner.state_id, n.grade,
                   COALESCE(n.grade IN ('vip', 'major'), FALSE), %(tier)s,
                   n.new_stage, n.current_value, n.previous_value, n.trend,
                   n.historical_value, n.annual_margin,
                   round((n.annual_margin * %(clv_factor)s)::numeric, 2),
                   n.order_count, n.current_order_count, n.last_order_date,
                   n.gap, n.r, n.f, n.m, %(segment)s,
                   COALESCE(comp.received, 0), COALESCE(comp.open, 0),
                   n.receivable_amount, n.overdue_amount, n.overdue_days,
                   %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s,
                   now() AT TIME ZONE 'UTC'
              FROM (%(figures)s) n
              JOIN res_partner partner ON partner.id = n.partner_id
         LEFT JOIN (
                SELECT commercial_partner_id,
                       count(*) FILTER (WHERE sla_start >= %(year_start)s)
                           AS received,
                       count(*) FILTER (
                           WHERE stage <> 'cancelled'
                             AND (resolved_date IS NULL
                                  OR resolved_date >= %(next_day)s)
                             AND (closed_date IS NULL
                                  OR closed_date >= %(next_day)s)) AS open
                  FROM crm_complaint
                 WHERE company_id = %(company)s
                   AND COALESCE(sla_start, create_date) < %(next_day)s
              GROUP BY commercial_partner_id
               ) comp ON comp.commercial_partner_id = n.partner_id
            ON CONFLICT (company_id, partner_id, date) DO NOTHING
            """,
            date=date,
            company=company.id,
            figures=figures,
            tier=engine._tier_case(company, SQL("n.grade")),
            clv_factor=clv_factor,
            segment=segment,
            year_start=next_day - timedelta(days=365),
            next_day=next_day,
            uid=self.env.uid,
        )

    # ------------------------------------------------------------------
    # Movements between month ends, from the snapshots
    # ------------------------------------------------------------------

    @api.model
    def _transition_matrix(self, company, date_from, date_to):
        """The customers per (stage at ``date_from``'s month end, stage at
        ``date_to``'s), any two months: {(stage_from, stage_to): customers},
        None for a customer without a snapshot that month (new or gone)."""
        return self._movement_counts(company, date_from, date_to, "lifecycle_stage")

    @api.model
    def _grade_migration(self, company, date_from, date_to):
        """The customers per (grade then, grade now) between two month ends:
        {(grade_from, grade_to): customers}, None for no grade or no row."""
        return self._movement_counts(company, date_from, date_to, "grade")

    @api.model
    def _key_account_moves(self, company, date_from, date_to):
        """The customers who became key accounts (关键客户) between two month
        ends and those who stopped being one: {"entered": partner ids,
        "left": partner ids}, each sorted."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(cur.partner_id, prev.partner_id),
                       COALESCE(cur.is_key_account, FALSE),
                       COALESCE(prev.is_key_account, FALSE)
                  FROM (SELECT * FROM crm_customer_snapshot
                         WHERE company_id = %(company)s AND date = %(to)s) cur
             FULL JOIN (SELECT * FROM crm_customer_snapshot
                         WHERE company_id = %(company)s AND date = %(from)s) prev
                    ON prev.partner_id = cur.partner_id
                 WHERE COALESCE(cur.is_key_account, FALSE)
                       <> COALESCE(prev.is_key_account, FALSE)
                 ORDER BY 1
                """,
                company=company.id,
                to=month_end(date_to),
                **{"from": month_end(date_from)},
            )
        )
        moves = {"entered": [], "left": []}
        for partner_id, now_key, __ in self.env.cr.fetchall():
            moves["entered" if now_key else "left"].append(partner_id)
        return moves

    @api.model
    def _monthly_rates(self, company, date_from, date_to):
        """Churn and recovery per month end after ``date_from``'s up to
        ``date_to``'s, over the customers with a snapshot at both that month
        end and the previous one, as the transition report defines them
        (crm.customer.transition.report, read with the user's rights):
        churn, the share of the customers buying and not lapsed the month
        before who are lapsed (中断期) now; recovery, the share of those
        lapsed the month before who are not. Returns one dict per month end
        with at least one such customer: date, active (not lapsed before),
        churned, churn_rate, lapsed (before), recovered, recovery_rate (None
        when nobody to count)."""
        rows = self.env["crm.customer.transition.report"]._read_group(
            [
                ("company_id", "=", company.id),
                ("date", ">", month_end(date_from)),
                ("date", "<=", month_end(date_to)),
            ],
            ["date:day"],
            [
                "active_count:sum",
                "churned_count:sum",
                "lapsed_count:sum",
                "recovered_count:sum",
            ],
            order="date:day",
        )
        return [
            {
                "date": day,
                "active": active,
                "churned": churned,
                "churn_rate": churned / active if active else None,
                "lapsed": lapsed,
                "recovered": recovered,
                "recovery_rate": recovered / lapsed if lapsed else None,
            }
            for day, active, churned, lapsed, recovered in rows
        ]

    def _movement_counts(self, company, date_from, date_to, column):
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT prev.%(column)s, cur.%(column)s, count(*)
                  FROM (SELECT * FROM crm_customer_snapshot
                         WHERE company_id = %(company)s AND date = %(to)s) cur
             FULL JOIN (SELECT * FROM crm_customer_snapshot
                         WHERE company_id = %(company)s AND date = %(from)s) prev
                    ON prev.partner_id = cur.partner_id
                 GROUP BY 1, 2
                """,
                column=SQL.identifier(column),
                company=company.id,
                to=month_end(date_to),
                **{"from": month_end(date_from)},
            )
        )
        return {
            (before, after): count for before, after, count in self.env.cr.fetchall()
        }
