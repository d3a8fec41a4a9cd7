import calendar
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_customerism.models.crm_complaint import OPEN_STAGES
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
    tier, stage and complaints, copied set-based from the live profiles by
    the monthly cron. Rows are never rewritten: a second run for the same
    month changes nothing."""

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
    historical_value = fields.Monetary(readonly=True)
    annual_margin = fields.Monetary(readonly=True)
    lifetime_value = fields.Monetary(readonly=True)
    order_count = fields.Integer(string="Orders", readonly=True)
    last_order_date = fields.Date(readonly=True)
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
        help="Complaints still open when the snapshot was taken.",
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
        """Snapshot the month that ended before today, in every company
        without one yet (run daily: a missed night catches up)."""
        last_month_end = fields.Date.context_today(self).replace(day=1) - timedelta(
            days=1
        )
        for company in self.env["res.company"].search([]):
            self._take_snapshot(company, last_month_end)

    @api.model
    def _take_snapshot(self, company, date):
        """Copy the live profiles of ``company`` as the snapshot of the month
        ending on or after ``date``, in one INSERT ... SELECT; customers who
        already have a row for that month keep it. Returns the rows added."""
        date = month_end(date)
        self.env["crm.customer.profile"].flush_model()
        self.env["crm.complaint"].flush_model()
        self.flush_model()
        Profile = self.env["crm.customer.profile"]
        grades = [False, *(key for key, _label in GRADE_SELECTION)]
        clv_factor = SQL(
            "CASE %s END",
            SQL(" ").join(
                SQL(
                    "WHEN prof.grade IS NOT DISTINCT FROM %s THEN %s",
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
                    "WHEN prof.recency_score = ANY(%s)"
                    " AND prof.frequency_score = ANY(%s) THEN %s",
                    list(recency),
                    list(frequency),
                    name,
                )
                for name, recency, frequency in SEGMENT_GRID
            ),
        )
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO crm_customer_snapshot (
                    date, company_id, partner_id, user_id, country_id, state_id,
                    grade, is_key_account, service_tier, lifecycle_stage,
                    current_value, historical_value, annual_margin, lifetime_value,
                    order_count, last_order_date, recency_score, frequency_score,
                    monetary_score, rfm_segment, complaint_count,
                    open_complaint_count, create_uid, create_date, write_uid,
                    write_date)
                SELECT %(date)s, prof.company_id, prof.partner_id, partner.user_id,
                       partner.country_id, partner.state_id, prof.grade,
                       prof.is_key_account, prof.service_tier, prof.lifecycle_stage,
                       prof.current_value, prof.historical_value, prof.annual_margin,
                       round((prof.annual_margin * %(clv_factor)s)::numeric, 2),
                       prof.order_count, prof.last_order_date, prof.recency_score,
                       prof.frequency_score, prof.monetary_score, %(segment)s,
                       COALESCE(comp.received, 0), COALESCE(comp.open, 0),
                       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s,
                       now() AT TIME ZONE 'UTC'
                  FROM crm_customer_profile prof
                  JOIN res_partner partner ON partner.id = prof.partner_id
             LEFT JOIN (
                    SELECT commercial_partner_id,
                           count(*) FILTER (WHERE sla_start >= %(year_start)s)
                               AS received,
                           count(*) FILTER (WHERE stage IN %(open)s) AS open
                      FROM crm_complaint
                     WHERE company_id = %(company)s AND sla_start < %(next_day)s
                  GROUP BY commercial_partner_id
                   ) comp ON comp.commercial_partner_id = prof.partner_id
                 WHERE prof.company_id = %(company)s AND prof.active
                ON CONFLICT (company_id, partner_id, date) DO NOTHING
                """,
                date=date,
                company=company.id,
                clv_factor=clv_factor,
                segment=segment,
                year_start=date + timedelta(days=1) - timedelta(days=365),
                next_day=date + timedelta(days=1),
                open=OPEN_STAGES,
                uid=self.env.uid,
            )
        )
        added = self.env.cr.rowcount
        if added:
            # the reports join the snapshots just inserted
            self.env.cr.execute(SQL("ANALYZE crm_customer_snapshot"))
        _logger.info(
            "customerism: snapshot of %s at %s: %s customers added",
            company.name,
            date,
            added,
        )
        return added
