from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.crm_customerism.models.crm_complaint import (
    CHANNEL_SELECTION,
    OPEN_STAGES,
    ROOT_CAUSE_SELECTION,
    STAGE_SELECTION,
)
from odoo.addons.crm_customerism.models.crm_complaint_sla_policy import (
    SEVERITY_SELECTION,
)
from odoo.addons.crm_customerism.models.crm_customer_profile import GRADE_SELECTION


class CrmComplaintReport(models.Model):
    """Complaints (客户投诉) by category, root cause, team, supplier and month:
    count, SLA compliance, first-response and resolution times, satisfaction
    and the cost of their remedies. One row per active complaint; the rates
    are 100 (met) or 0 (missed) per complaint, averaged, and empty while a
    deadline is neither met nor passed."""

    _name = "crm.complaint.report"
    _description = "Complaint Analysis"
    _inherit = ["crm.customerism.ordered.selection.mixin"]
    _auto = False
    _order = "date desc"
    _rec_name = "complaint_id"

    complaint_id = fields.Many2one("crm.complaint", readonly=True)
    date = fields.Datetime(string="Received On", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    grade = fields.Selection(GRADE_SELECTION, string="Customer Grade", readonly=True)
    is_key_account = fields.Boolean(string="Key Account", readonly=True)
    category_id = fields.Many2one("crm.complaint.category", readonly=True)
    root_cause_type = fields.Selection(
        ROOT_CAUSE_SELECTION, string="Root Cause", readonly=True
    )
    team_id = fields.Many2one("crm.team", readonly=True)
    user_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    supplier_id = fields.Many2one("res.partner", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    channel = fields.Selection(CHANNEL_SELECTION, readonly=True)
    severity = fields.Selection(SEVERITY_SELECTION, readonly=True)
    stage = fields.Selection(STAGE_SELECTION, readonly=True)
    complaint_count = fields.Integer(string="Complaints", readonly=True)
    open_count = fields.Integer(string="Open", readonly=True)
    over_sla_count = fields.Integer(
        string="Over SLA",
        readonly=True,
        help="Complaints that missed or passed their response or resolution deadline.",
    )
    response_met = fields.Float(
        string="Response on Time (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the complaints acknowledged by their response deadline.",
    )
    resolution_met = fields.Float(
        string="Resolved on Time (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the complaints resolved by their resolution deadline.",
    )
    first_response_hours = fields.Float(
        string="First Response (Hours)",
        readonly=True,
        aggregator="avg",
        help="Hours from receipt to acknowledgement.",
    )
    resolution_hours = fields.Float(
        string="Resolution (Hours)",
        readonly=True,
        aggregator="avg",
        help="Hours from receipt to resolution.",
    )
    satisfaction = fields.Float(
        string="Satisfaction (1-5)",
        readonly=True,
        aggregator="avg",
        help="The customer's rating after closure (1 to 5); unrated complaints "
        "do not count.",
    )
    rated_count = fields.Integer(string="Rated", readonly=True)
    remedy_cost = fields.Monetary(
        string="Cost of Remedies",
        readonly=True,
        help="Credit notes, replacements at cost and apology gestures.",
    )
    supplier_claim_amount = fields.Monetary(
        string="Claimed from Suppliers", readonly=True
    )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT c.id, c.id AS complaint_id, c.sla_start AS date, c.company_id,
                   co.currency_id, c.commercial_partner_id AS partner_id,
                   prof.grade, COALESCE(prof.is_key_account, FALSE) AS is_key_account,
                   c.category_id, c.root_cause_type, c.team_id, c.user_id,
                   c.supplier_id, c.product_id, c.channel, c.severity, c.stage,
                   1 AS complaint_count,
                   (c.stage IN %(open)s)::int AS open_count,
                   COALESCE(sla.response_met = 0 OR sla.resolution_met = 0, FALSE)::int
                       AS over_sla_count,
                   sla.response_met, sla.resolution_met,
                   EXTRACT(EPOCH FROM c.acknowledged_date - c.sla_start) / 3600.0
                       AS first_response_hours,
                   EXTRACT(EPOCH FROM c.resolved_date - c.sla_start) / 3600.0
                       AS resolution_hours,
                   NULLIF(c.rating_last_value, 0) AS satisfaction,
                   (COALESCE(c.rating_last_value, 0) > 0)::int AS rated_count,
                   COALESCE(c.remedy_cost, 0) AS remedy_cost,
                   COALESCE(c.remedy_supplier_claim_amount, 0)
                       AS supplier_claim_amount
              FROM crm_complaint c
              JOIN res_company co ON co.id = c.company_id
              LEFT JOIN crm_customer_profile prof
                ON prof.partner_id = c.commercial_partner_id
               AND prof.company_id = c.company_id
             CROSS JOIN LATERAL (
                SELECT CASE WHEN c.response_deadline IS NULL THEN NULL
                            WHEN c.acknowledged_date IS NOT NULL
                            THEN CASE WHEN c.acknowledged_date <= c.response_deadline
                                      THEN 100.0 ELSE 0.0 END
                            WHEN c.response_deadline < now() AT TIME ZONE 'UTC'
                            THEN 0.0 END AS response_met,
                       CASE WHEN c.resolution_deadline IS NULL THEN NULL
                            WHEN c.resolved_date IS NOT NULL
                            THEN CASE WHEN c.resolved_date <= c.resolution_deadline
                                      THEN 100.0 ELSE 0.0 END
                            WHEN c.stage NOT IN %(open)s THEN NULL
                            WHEN c.resolution_deadline < now() AT TIME ZONE 'UTC'
                            THEN 0.0 END AS resolution_met
             ) sla
             WHERE c.active AND c.stage <> 'cancelled'
            """,
            open=OPEN_STAGES,
        )
