import json
import logging
import math
import re
import time
from collections import defaultdict
from datetime import datetime

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, html_escape

from .customer_receivables import build_receivables, money_text
from .lifecycle_texts import ACTIONS, REASONS, STAGE_NOTE_TITLE, translate
from .res_company import GRADES, SERVICE_TIERS

_logger = logging.getLogger(__name__)

GRADE_SELECTION = [
    ("vip", "VIP"),
    ("major", "Major"),
    ("ordinary", "Ordinary"),
    ("small", "Small"),
]
KEY_ACCOUNT_GRADES = ("vip", "major")
STAGE_SELECTION = [
    ("prospect", "Prospect"),
    ("new", "New Customer"),
    ("growth", "Growth"),
    ("maturity", "Maturity"),
    ("at_risk", "At Risk"),
    ("terminating", "Terminating"),
    ("lapsed", "Lapsed"),
    ("recovered", "Recovered"),
]
# next grade up, whose average margin measures the potential of a customer
NEXT_GRADE = {
    None: "small",
    "small": "ordinary",
    "ordinary": "major",
    "major": "vip",
    "vip": "vip",
}
# profiles written per statement by the full recompute
BATCH_SIZE = 50000
# up to this many customers, the incremental recompute ranks them by counts
SMALL_INCREMENTAL = 20
# memory of the PostgreSQL sorts of the recompute (per sort, transaction only)
WORK_MEM = "64MB"
# a table is analyzed after the recompute inserted more rows than autovacuum
# waits for by default before analyzing it: 50 rows + 10% of the table
ANALYZE_MIN_ROWS = 50
ANALYZE_SHARE = 0.1
# fields a customerism user (not manager) may write: the termination notice and
# the churn reason
USER_WRITABLE_FIELDS = {
    "termination_notice",
    "termination_date",
    "termination_reason",
    "churn_reason_id",
}
# churn reason of an at-risk or lapsed customer from the root cause of the
# complaint that put them at risk (other causes: unknown)
CHURN_REASON_BY_ROOT_CAUSE = {
    "product": "crm_customerism.crm_churn_reason_quality",
    "supplier": "crm_customerism.crm_churn_reason_quality",
    "delivery": "crm_customerism.crm_churn_reason_service",
    "billing": "crm_customerism.crm_churn_reason_service",
    "service": "crm_customerism.crm_churn_reason_service",
}


class CrmCustomerProfile(models.Model):
    """Value, grade, service tier and lifecycle stage of a commercial partner in a
    company. The figures are written by the set-based recompute (SQL), never
    typed in: see :meth:`_recompute_company`."""

    _name = "crm.customer.profile"
    _inherit = ["crm.customerism.ordered.selection.mixin"]
    _description = "Customer Value Profile"
    _order = "current_value desc, id"
    _rec_names_search = ["partner_id"]
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    active = fields.Boolean(related="partner_id.active", store=True)
    user_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")

    # value (客户价值), company currency, net of refunds
    historical_value = fields.Monetary(
        readonly=True,
        help="All-time net revenue: untaxed confirmed sale orders minus posted credit "
        "notes, in company currency.",
    )
    current_value = fields.Monetary(
        readonly=True,
        help="Net revenue of the last 12 months (untaxed, net of credit notes).",
    )
    previous_value = fields.Monetary(
        readonly=True, help="Net revenue of the 12 months before the last 12 months."
    )
    refund_value = fields.Monetary(
        string="Credit Notes",
        readonly=True,
        help="All-time posted credit notes (untaxed) of confirmed sale orders: "
        "their lines, or those of the invoice they reverse, come from an order.",
    )
    margin_known = fields.Boolean(
        readonly=True, help="The sale orders carry margin data (sale_margin installed)."
    )
    historical_margin = fields.Monetary(readonly=True)
    current_margin = fields.Monetary(readonly=True)
    order_count = fields.Integer(string="Orders", readonly=True)
    current_order_count = fields.Integer(string="Orders (12 Months)", readonly=True)
    first_order_date = fields.Date(readonly=True)
    last_order_date = fields.Date(readonly=True)
    recovery_date = fields.Date(
        readonly=True,
        help="Order that ended a gap longer than the lapse limit: found while it "
        "is within the new customer days, kept afterwards.",
    )
    days_since_last_order = fields.Integer(compute="_compute_days_since_last_order")
    average_order_value = fields.Monetary(readonly=True)
    average_order_interval = fields.Float(
        string="Average Days Between Orders", digits=(16, 1), readonly=True
    )
    trend_period_value = fields.Monetary(
        string="Value of the Trend Period", readonly=True
    )
    previous_period_value = fields.Monetary(
        string="Value of the Previous Trend Period", readonly=True
    )
    value_trend = fields.Float(
        digits=(16, 4),
        readonly=True,
        help="Growth rate of the value between the last trend period and the one "
        "before (0.25 = +25%); empty when there was no value before.",
    )
    # RFM
    recency_score = fields.Integer(
        string="Recency (R)", readonly=True, aggregator="avg"
    )
    frequency_score = fields.Integer(
        string="Frequency (F)", readonly=True, aggregator="avg"
    )
    monetary_score = fields.Integer(
        string="Monetary (M)", readonly=True, aggregator="avg"
    )
    rfm_code = fields.Char(string="RFM", readonly=True, index=True)
    value_rank = fields.Integer(
        compute="_compute_value_rank",
        help="Rank by current value among the graded customers of the company.",
    )
    annual_margin = fields.Monetary(
        readonly=True,
        help="Margin m of the last 12 months used by the lifetime value: the real "
        "margin when known, otherwise the current value x the assumed margin rate.",
    )
    retention_rate = fields.Float(
        digits=(16, 4),
        compute="_compute_lifetime_value",
        help="Retention r of the customer's grade, observed over the last two years.",
    )
    lifetime_value = fields.Monetary(
        compute="_compute_lifetime_value",
        help="CLV = m x r / (1 + d - r): yearly margin m, retention r of the grade, "
        "discount rate d of the company.",
    )
    potential_value = fields.Monetary(
        compute="_compute_lifetime_value",
        search="_search_potential_value",
        help="Lifetime value of the margin gap to the average customer of the next "
        "grade up: max(0, m_next - m) x r / (1 + d - r).",
    )
    # pyramid (客户分级)
    computed_grade = fields.Selection(GRADE_SELECTION, readonly=True)
    grade_override = fields.Selection(
        GRADE_SELECTION, help="Grade set by a manager; kept until removed."
    )
    grade_override_reason = fields.Text()
    grade_override_user_id = fields.Many2one(
        "res.users", string="Overridden By", readonly=True
    )
    grade_override_date = fields.Date(string="Overridden On", readonly=True)
    is_grade_overridden = fields.Boolean(
        string="Overridden", compute="_compute_grade", store=True
    )
    grade = fields.Selection(
        GRADE_SELECTION,
        compute="_compute_grade",
        store=True,
        index=True,
        group_expand=True,
        help="Effective grade: the manual override if any, else the computed grade.",
    )
    is_key_account = fields.Boolean(
        string="Key Account", compute="_compute_grade", store=True
    )
    service_tier = fields.Selection(
        SERVICE_TIERS, compute="_compute_service_tier", store=True, index=True
    )
    account_manager_id = fields.Many2one("res.users", check_company=True)
    technical_manager_id = fields.Many2one("res.users", check_company=True)
    # lifecycle (客户关系生命周期)
    lifecycle_stage = fields.Selection(
        STAGE_SELECTION, readonly=True, index=True, group_expand=True
    )
    stage_date = fields.Date(readonly=True)
    stage_history_id = fields.Many2one(
        "crm.customer.stage.history",
        string="Last Stage Change",
        readonly=True,
        # deleting history lines looks up the profiles pointing at them
        index="btree_not_null",
        ondelete="set null",
    )
    # rendered in the reader's language from the last stage change
    stage_reason = fields.Text(related="stage_history_id.reason", string="Stage Reason")
    termination_notice = fields.Boolean(readonly=True)
    termination_date = fields.Date(readonly=True)
    termination_reason = fields.Text(readonly=True)
    churn_reason_id = fields.Many2one(
        related="partner_id.customerism_churn_reason_id", readonly=False
    )
    stage_history_ids = fields.One2many("crm.customer.stage.history", "profile_id")
    # what a prospect (no order yet) is worth showing: its pipeline
    open_opportunity_count = fields.Integer(
        string="Open Opportunities", compute="_compute_pipeline"
    )
    pipeline_value = fields.Monetary(
        string="Pipeline",
        compute="_compute_pipeline",
        help="Expected revenue of the open opportunities of the customer and its "
        "contacts in the company.",
    )
    stage_history_count = fields.Integer(compute="_compute_stage_history_count")
    # receivables (应收账款, 财务风险): written by the recompute
    receivable_amount = fields.Monetary(
        string="Receivable",
        readonly=True,
        help="Open amount of the customer's posted receivable entries in the "
        "company (residual of invoices, less credit notes and payments not yet "
        "matched), at the last recompute.",
    )
    overdue_amount = fields.Monetary(
        string="Overdue",
        readonly=True,
        help="Residual amount of the receivable entries past their due date.",
    )
    overdue_days = fields.Integer(
        string="Days Overdue",
        readonly=True,
        help="Days past the due date of the oldest overdue receivable entry.",
    )
    credit_usage = fields.Float(
        string="Credit Limit Used (%)",
        digits=(16, 2),
        readonly=True,
        help="Receivable over the customer's credit limit in the company, when "
        "the company uses credit limits (Accounting settings).",
    )
    last_computed = fields.Datetime(
        related="company_id.customerism_last_recompute", string="Last Full Recompute"
    )

    _sql_constraints = [
        (
            "partner_company_uniq",
            "unique(partner_id, company_id)",
            "A customer has one value profile per company.",
        ),
    ]

    @api.depends("partner_id", "company_id")
    def _compute_display_name(self):
        for profile in self:
            profile.display_name = profile.partner_id.display_name or ""

    @api.depends("computed_grade", "grade_override")
    def _compute_grade(self):
        for profile in self:
            profile.grade = profile.grade_override or profile.computed_grade
            profile.is_grade_overridden = bool(profile.grade_override)
            profile.is_key_account = profile.grade in KEY_ACCOUNT_GRADES

    @api.depends("grade", "company_id")
    def _compute_service_tier(self):
        for profile in self:
            profile.service_tier = (
                profile.company_id[f"customerism_tier_{profile.grade}"]
                if profile.grade
                else False
            )

    @api.depends("last_order_date")
    @api.depends_context("tz")
    def _compute_days_since_last_order(self):
        today = fields.Date.context_today(self)
        for profile in self:
            profile.days_since_last_order = (
                (today - profile.last_order_date).days if profile.last_order_date else 0
            )

    @api.depends("current_value", "grade")
    def _compute_value_rank(self):
        self.flush_model(["current_value", "historical_value", "order_count", "active"])
        ranks = {}
        if self.ids:
            self.env.cr.execute(
                SQL(
                    """
SELECT p.id, 1 + (
    SELECT count(*) FROM crm_customer_profile q
     WHERE q.company_id = p.company_id AND q.active AND q.order_count > 0
       AND q.current_value > p.current_value)
  FROM crm_customer_profile p
 WHERE p.id = ANY(%s) AND p.active AND p.order_count > 0
                    """,
                    self.ids,
                )
            )
            ranks = dict(self.env.cr.fetchall())
        for profile in self:
            profile.value_rank = ranks.get(profile.id, 0)

    @api.depends(
        "annual_margin",
        "grade",
        "company_id.customerism_discount_rate",
        "company_id.customerism_retention_vip",
        "company_id.customerism_retention_major",
        "company_id.customerism_retention_ordinary",
        "company_id.customerism_retention_small",
    )
    def _compute_lifetime_value(self):
        """CLV = m r / (1 + d - r); potential = max(0, m_next - m) r / (1 + d - r)
        with the retention r of the grade and the average margin m_next of the
        next grade up, both observed by the last full recompute."""
        for profile in self:
            company = profile.company_id
            retention, factor = self._lifetime_value_factor(company, profile.grade)
            next_margin = company[
                f"customerism_avg_margin_{NEXT_GRADE[profile.grade or None]}"
            ]
            profile.retention_rate = retention
            profile.lifetime_value = profile.annual_margin * factor
            profile.potential_value = (
                max(next_margin - profile.annual_margin, 0) * factor
            )

    @api.model
    def _lifetime_value_factor(self, company, grade):
        """(r, r / (1 + d - r)) for ``grade`` in ``company``: the lifetime
        value is the annual margin times this factor."""
        retention = company._customerism_retention(grade)
        denominator = 1 + company.customerism_discount_rate - retention
        return retention, retention / denominator if denominator > 0 else 0.0

    def _search_potential_value(self, operator, value):
        """The potential value as a domain on stored fields, for one SQL search.

        Per company and grade, potential = max(0, m_next - m) x f with the next
        margin m_next and the factor f of :meth:`_compute_lifetime_value`, so a
        bound on the potential is a bound on the annual margin m. The value
        compared is the computed one, rounded to the company currency."""
        if operator in ("in", "not in"):
            values = value if isinstance(value, list | tuple | set) else [value]
            if operator == "in":
                return expression.OR(
                    [self._search_potential_value("=", item) for item in values]
                )
            return expression.AND(
                [self._search_potential_value("!=", item) for item in values]
            )
        if operator not in ("=", "!=", "<", "<=", ">", ">="):
            raise NotImplementedError(
                f"Operator {operator!r} is not supported on the potential value."
            )
        domains = []
        companies = self.env["res.company"].sudo().with_context(active_test=False)
        for company in companies.search([]):
            intervals = self._potential_value_intervals(
                operator, float(value or 0.0), company.currency_id.rounding
            )
            grade_domains = []
            for grade in (False, *(key for key, _label in GRADE_SELECTION)):
                # as _compute_lifetime_value
                retention = company._customerism_retention(grade)
                denominator = 1 + company.customerism_discount_rate - retention
                factor = retention / denominator if denominator > 0 else 0.0
                next_margin = company[
                    f"customerism_avg_margin_{NEXT_GRADE[grade or None]}"
                ]
                margin_domain = expression.OR(
                    [
                        self._potential_margin_domain(low, high, factor, next_margin)
                        for low, high in intervals
                    ]
                )
                grade_domains.append(
                    expression.AND([[("grade", "=", grade)], margin_domain])
                )
            domains.append(
                expression.AND(
                    [[("company_id", "=", company.id)], expression.OR(grade_domains)]
                )
            )
        return expression.OR(domains)

    @api.model
    def _potential_value_intervals(self, operator, value, rounding):
        """Intervals [low, high) of the potential value before rounding (None:
        unbounded) whose value rounded to ``rounding`` (half up) satisfies
        ``operator value``."""
        steps = value / rounding
        nearest = round(steps)
        if math.isclose(steps, nearest, rel_tol=1e-12, abs_tol=1e-6):
            floor = ceil = nearest
        else:
            floor, ceil = math.floor(steps), math.ceil(steps)
        half = rounding / 2
        if operator == ">=":
            return [(ceil * rounding - half, None)]
        if operator == ">":
            return [((floor + 1) * rounding - half, None)]
        if operator == "<=":
            return [(None, floor * rounding + half)]
        if operator == "<":
            return [(None, (ceil - 1) * rounding + half)]
        if floor != ceil:  # no rounded value equals an amount off the grid
            return [] if operator == "=" else [(None, None)]
        value = nearest * rounding
        if operator == "=":
            return [(value - half, value + half)]
        return [(None, value - half), (value + half, None)]

    @api.model
    def _potential_margin_domain(self, low, high, factor, next_margin):
        """Domain on the annual margin m of the profiles of one company and grade
        whose potential max(0, next_margin - m) x factor is in [low, high)."""
        if factor <= 0:  # the potential is 0
            inside = (low is None or low <= 0) and (high is None or high > 0)
            return expression.TRUE_DOMAIN if inside else expression.FALSE_DOMAIN
        if high is not None and high <= 0:
            return expression.FALSE_DOMAIN
        domain = []
        if low is not None and low > 0:
            domain.append(("annual_margin", "<=", next_margin - low / factor))
        if high is not None:
            domain.append(("annual_margin", ">", next_margin - high / factor))
        return domain or expression.TRUE_DOMAIN

    @api.depends("partner_id", "company_id")
    def _compute_pipeline(self):
        """Open opportunities (not won, not lost) of the customers' contacts, in
        one query for the profiles shown."""
        Lead = self.env["crm.lead"]
        pipeline = {}
        if self.partner_id and Lead.has_access("read"):
            contacts = (
                self.env["res.partner"]
                .with_context(active_test=False)
                .search_fetch(
                    [("commercial_partner_id", "in", self.partner_id.ids)],
                    ["commercial_partner_id"],
                )
            )
            for contact, company, count, revenue in Lead._read_group(
                [
                    ("partner_id", "in", contacts.ids),
                    ("type", "=", "opportunity"),
                    ("probability", "<", 100),
                    ("company_id", "in", [*self.company_id.ids, False]),
                ],
                ["partner_id", "company_id"],
                ["__count", "expected_revenue:sum"],
            ):
                key = (contact.commercial_partner_id.id, company.id)
                total = pipeline.setdefault(key, [0, 0.0])
                total[0] += count
                total[1] += revenue or 0.0
        for profile in self:
            count, revenue = [0, 0.0]
            for company_id in (profile.company_id.id, False):
                found = pipeline.get((profile.partner_id.id, company_id), (0, 0.0))
                count += found[0]
                revenue += found[1]
            profile.open_opportunity_count = count
            profile.pipeline_value = revenue

    def _compute_stage_history_count(self):
        counts = dict(
            self.env["crm.customer.stage.history"]._read_group(
                [("profile_id", "in", self.ids)], ["profile_id"], ["__count"]
            )
        )
        for profile in self:
            profile.stage_history_count = counts.get(profile, 0)

    @api.constrains("grade_override", "grade_override_reason")
    def _check_grade_override_reason(self):
        for profile in self:
            if (
                profile.grade_override
                and not (profile.grade_override_reason or "").strip()
            ):
                raise ValidationError(
                    self.env._(
                        "Give a reason for overriding the grade of %(customer)s.",
                        customer=profile.partner_id.display_name,
                    )
                )

    @api.constrains("partner_id")
    def _check_commercial_partner(self):
        for profile in self:
            if profile.partner_id != profile.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Value profiles belong to commercial partners: %(contact)s "
                        "rolls up to %(company)s.",
                        contact=profile.partner_id.display_name,
                        company=profile.partner_id.commercial_partner_id.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def _check_customerism_write_access(self, fnames):
        if self.env.su or self.env.user.has_group(
            "crm_customerism.group_crm_customerism_manager"
        ):
            return
        forbidden = set(fnames) - USER_WRITABLE_FIELDS
        if forbidden:
            raise AccessError(
                self.env._(
                    "Only Customerism managers can change %(fields)s of a customer "
                    "profile.",
                    fields=", ".join(sorted(self._fields[f].string for f in forbidden)),
                )
            )

    def write(self, vals):
        self._check_customerism_write_access(vals)
        if "grade_override" in vals:
            vals = dict(vals)
            if vals["grade_override"]:
                vals.setdefault("grade_override_user_id", self.env.uid)
                vals.setdefault("grade_override_date", fields.Date.context_today(self))
            else:
                vals.update(
                    grade_override_reason=False,
                    grade_override_user_id=False,
                    grade_override_date=False,
                )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
        }

    def action_view_stage_history(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_customerism.crm_customer_stage_history_action"
        )
        action["domain"] = [("profile_id", "in", self.ids)]
        action["context"] = {"create": False}
        return action

    def action_termination_notice(self):
        """Open the wizard recording a termination notice (解约期)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Termination Notice"),
            "res_model": "crm.customer.termination.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_profile_ids": self.ids},
        }

    def _record_termination_notice(self, date, reason):
        """Put the profiles in the terminating stage, logging the user and reason."""
        if not reason or not reason.strip():
            raise UserError(self.env._("Give the reason of the termination notice."))
        if any(
            profile.lifecycle_stage in ("prospect", "lapsed") or not profile.order_count
            for profile in self
        ):
            raise UserError(
                self.env._(
                    "A termination notice applies to active customers, not to "
                    "prospects or lapsed customers."
                )
            )
        self.write(
            {
                "termination_notice": True,
                "termination_date": date,
                "termination_reason": reason,
            }
        )
        action = {
            "code": "termination_notice",
            "user": self.env.user.name,
            "date": fields.Date.to_string(date),
            "reason": reason.strip(),
        }
        for company, profiles in self.grouped("company_id").items():
            profiles._recompute_partners(
                profiles.partner_id.ids, company=company, action=action
            )
        return True

    def action_withdraw_termination(self):
        """Withdraw the termination notice: the stage follows the purchase
        history again."""
        notified = self.filtered("termination_notice")
        if not notified:
            raise UserError(self.env._("There is no termination notice to withdraw."))
        notified.write(
            {
                "termination_notice": False,
                "termination_date": False,
                "termination_reason": False,
            }
        )
        action = {"code": "termination_withdrawal", "user": self.env.user.name}
        for company, profiles in notified.grouped("company_id").items():
            profiles._recompute_partners(
                profiles.partner_id.ids, company=company, action=action
            )
        return True

    @api.model
    def action_recompute_all(self):
        """Button for managers: full recompute of the companies of the user."""
        if not self.env.user.has_group("crm_customerism.group_crm_customerism_manager"):
            raise AccessError(
                self.env._("Only Customerism managers can recompute all customers.")
            )
        self._recompute_all(company=self.env.companies)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Customer values, grades and stages are up to date."
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_recompute(self):
        """Recompute the selected customers (incremental)."""
        for company, profiles in self.grouped("company_id").items():
            profiles._recompute_partners(profiles.partner_id.ids, company=company)
        return True

    # ------------------------------------------------------------------
    # Recompute engine (set-based)
    # ------------------------------------------------------------------
    # Per company: one aggregation pass over the orders and credit notes into
    # a temporary table, one statement finding the values at the rank limits
    # (quintiles, grades), then bounded batches (id ranges) computing every
    # figure (values, RFM, grade, tier, stage and its reason) and writing only
    # the rows that changed, with their history lines and chatter notes. No
    # per-customer Python loop. The reasons are stored as codes and values,
    # rendered in the reader's language; the chatter notes are stored in the
    # company's language (what e-mails and searches read) and shown to each
    # reader in their own (mail.message._to_store).

    @api.model
    def _cron_recompute_all(self):
        self._recompute_all(commit=True)

    @api.model
    def _recompute_all(self, company=None, commit=False):
        """Full recompute of every customer of ``company`` (all companies when
        None): value, RFM, grade, tier, lifecycle stage, observed retention.
        ``commit`` (cron only) commits after every batch.

        :return: dict company id -> number of stage changes
        """
        companies = company or self.env["res.company"].sudo().search([])
        result = {}
        for comp in companies:
            result[comp.id] = (
                self.with_context(lang=comp._customerism_lang())
                .sudo()
                ._recompute_company(comp, commit=commit)
            )
        return result

    @api.model
    def _recompute_partners(self, partner_ids, company=None, action=None):
        """Incremental recompute of the given partners (contacts roll up to
        their commercial partner) in ``company`` (every company when None).
        The ranks use the whole company; the observed retention rates and
        grade margins are those of the last full recompute. The stage changes
        are logged with the user whose action triggered the recompute (none
        for the superuser: crons, scripts) and ``action``, the user's action
        given with the reason (see lifecycle_texts.ACTIONS).

        :return: dict company id -> number of stage changes
        """
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .browse(partner_ids)
        )
        commercial_ids = partners.exists().commercial_partner_id.ids
        if not commercial_ids:
            return {}
        companies = company or self.env["res.company"].sudo().search([])
        result = {}
        for comp in companies:
            result[comp.id] = (
                self.with_context(lang=comp._customerism_lang())
                .sudo()
                ._recompute_company(comp, partner_ids=commercial_ids, action=action)
            )
        return result

    def _recompute_company(self, company, partner_ids=None, action=None, commit=False):
        """Recompute one company; ``partner_ids`` (commercial partners)
        restricts the writes to those customers (incremental mode).

        Three set-based steps: the orders and credit notes aggregated per
        customer (customerism_agg), the values at the rank limits of the
        whole company (quintiles, grades), then the profiles written in
        batches of ids, each batch computing its figures, scores and stages
        and writing only what changed."""
        start = time.monotonic()
        company = company.with_env(self.env)
        today = fields.Date.context_today(self)
        now = fields.Datetime.now()
        for model in (
            "sale.order",
            "account.move",
            "res.partner",
            "crm.lead",
            "crm.complaint",
            "crm.customer.profile",
            "res.company",
            "account.move.line",
        ):
            self.env[model].flush_model()
        cr = self.env.cr
        self._set_recompute_settings()
        self._build_aggregates(company, today, partner_ids)
        build_receivables(
            self, company, today, self._contacts_filter(partner_ids, "aml")
        )
        created = self._create_missing_profiles(company, partner_ids, now)
        # the ranks and the batches join the profiles: on the first run (the
        # suite installed on a database with many customers) the table the
        # statistics describe is empty, and nested loops over it take minutes
        self._analyze_after_insert("crm_customer_profile", created)
        ranks = self._build_ranks(company, partner_ids)
        cr.execute(
            SQL(
                "SELECT min(id), max(id), count(*) FROM crm_customer_profile prof"
                " WHERE prof.company_id = %s %s",
                company.id,
                self._target_filter(partner_ids, alias="prof", column="partner_id"),
            )
        )
        low, high, total = cr.fetchone()
        changes = 0
        observed = defaultdict(lambda: [0, 0])
        if total:
            for batch_start in range(low, high + 1, BATCH_SIZE):
                batch = (batch_start, batch_start + BATCH_SIZE)
                batch_changes, batch_observed = self._write_batch(
                    company, today, now, batch, ranks, partner_ids, action
                )
                changes += batch_changes
                for row in batch_observed:
                    counts = observed[row["kind"], row["grade"]]
                    counts[0] += row["customers"]
                    counts[1] += row["amount"] or 0
                self._progress(commit, batch_start + BATCH_SIZE - low, high - low + 1)
        cr.execute(
            SQL(
                "DROP TABLE IF EXISTS customerism_agg, customerism_rank,"
                " customerism_receivable"
            )
        )
        # one history line per stage change: the first run writes one per
        # customer, which the history views and reports then join
        self._analyze_after_insert("crm_customer_stage_history", changes)
        if partner_ids is None:
            self._write_company_observations(company, now, observed)
        cr.execute(SQL("SET LOCAL jit TO DEFAULT"))
        cr.execute(SQL("SET LOCAL work_mem TO DEFAULT"))
        self.env.invalidate_all()
        if partner_ids is None:
            _logger.info(
                "customerism: %s customers of %s recomputed in %.2f s, "
                "%s stage changes",
                total,
                company.name,
                time.monotonic() - start,
                changes,
            )
        return changes

    def _set_recompute_settings(self):
        """PostgreSQL settings of the recompute, for the transaction (so set
        again after each commit of the cron)."""
        # the statements are planned on temporary tables whose estimates make
        # PostgreSQL's JIT compile them for seconds: plain execution is much
        # faster (restored at the end)
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        # the sorts of the rank limits and the batches' rows in memory rather
        # than on disk
        self.env.cr.execute(SQL("SET LOCAL work_mem = %s", WORK_MEM))

    def _analyze_after_insert(self, table, inserted):
        """ANALYZE ``table`` when this transaction inserted more rows into it
        than autovacuum would wait for: autovacuum does not see rows not yet
        committed, and PostgreSQL would plan the next joins on statistics of
        the table before the inserts."""
        cr = self.env.cr
        cr.execute(
            SQL("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", table)
        )
        known = max(cr.fetchone()[0], 0)  # -1: never analyzed
        if inserted > ANALYZE_MIN_ROWS + ANALYZE_SHARE * known:
            cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))

    def _progress(self, commit, done, total):
        if not commit:
            return
        self.env["ir.cron"]._notify_progress(done=done, remaining=max(total - done, 0))
        if not self.env.registry.in_test_mode():
            # cron only: keep the work of every batch, the next run resumes anyway
            self.env.cr.commit()  # pylint: disable=invalid-commit
            self._set_recompute_settings()

    @api.model
    def _target_filter(self, partner_ids, alias="p", column="commercial_partner_id"):
        """``AND alias.column = ANY(partner_ids)`` in incremental mode."""
        if partner_ids is None:
            return SQL()
        return SQL(
            "AND %s = ANY(%s)",
            SQL.identifier(alias, column),
            list(partner_ids),
        )

    @api.model
    def _contacts_filter(self, partner_ids, alias):
        """``AND alias.partner_id IN (the contacts of partner_ids)`` in
        incremental mode."""
        if partner_ids is None:
            return SQL()
        return SQL(
            "AND %s IN (SELECT id FROM res_partner"
            " WHERE commercial_partner_id = ANY(%s))",
            SQL.identifier(alias, "partner_id"),
            list(partner_ids),
        )

    def _margin_expression(self):
        """Order margin in order currency when sale_margin stores it."""
        field = self.env["sale.order"]._fields.get("margin")
        if field and field.store:
            return SQL("so.margin")
        return SQL("NULL::numeric")

    def _period_starts(self, company, today):
        """The day before each period the figures sum over (a period holds
        the days after its start, up to today or the next start)."""
        months = company.customerism_trend_months
        return {
            "cur_start": today - relativedelta(months=12),
            "prev_start": today - relativedelta(months=24),
            "tcur_start": today - relativedelta(months=months),
            "tprev_start": today - relativedelta(months=2 * months),
            "new_start": today - relativedelta(days=company.customerism_new_days),
        }

    def _build_aggregates(self, company, today, partner_ids):
        """Aggregate the confirmed orders and posted credit notes of the
        company per commercial partner, in one pass, into the temporary table
        customerism_agg."""
        cr = self.env.cr
        starts = self._period_starts(company, today)
        # "order date after day X" on the stored UTC timestamp, without casting
        # every order's date_order
        after = {
            key: datetime.combine(day + relativedelta(days=1), datetime.min.time())
            for key, day in starts.items()
        }
        cr.execute(SQL("DROP TABLE IF EXISTS customerism_agg, customerism_rank"))
        if partner_ids is None:
            # the whole customer base: let PostgreSQL read and join the orders
            # with parallel workers, as it does for the benchmark's floor. Its
            # default cost of passing a row from a worker (ten times that of
            # reading it) keeps it from doing so, though the workers are faster
            # here (scripts/bench_customerism.py)
            cr.execute(SQL("SET LOCAL parallel_tuple_cost = 0.01"))
        cr.execute(
            SQL(
                """
CREATE TEMPORARY TABLE customerism_agg AS
WITH moves AS (
    -- the orders (timestamp ts) and the credit notes (date d) in one pass,
    -- so that the partners are joined and the rows grouped once
    SELECT so.partner_id,
           so.date_order AS ts,
           NULL::date AS d,
           CASE WHEN COALESCE(so.currency_rate, 0) IN (0, 1)
                THEN COALESCE(so.amount_untaxed, 0)
                ELSE so.amount_untaxed / so.currency_rate END AS amount,
           CASE WHEN COALESCE(so.currency_rate, 0) IN (0, 1) THEN %(margin)s
                ELSE %(margin)s / so.currency_rate END AS margin
      FROM sale_order so
     WHERE so.company_id = %(company)s AND so.state = 'sale' %(orders_filter)s
    UNION ALL
    SELECT am.partner_id, NULL, COALESCE(am.invoice_date, am.date),
           -am.amount_untaxed_signed, NULL
      FROM account_move am
     WHERE am.company_id = %(company)s AND am.state = 'posted'
       AND am.move_type = 'out_refund' %(refunds_filter)s
       -- only a credit note of a counted (confirmed) order lowers the value:
       -- its lines or those of the invoice it reverses come from one. The
       -- refund of an invoice without order is left out, as the invoice is
       AND EXISTS (
           SELECT 1
             FROM account_move_line aml
             JOIN sale_order_line_invoice_rel rel
               ON rel.invoice_line_id = aml.id
             JOIN sale_order_line sol ON sol.id = rel.order_line_id
            WHERE aml.move_id IN (am.id, am.reversed_entry_id)
              -- the order's state and company, stored on its lines
              AND sol.state = 'sale' AND sol.company_id = %(company)s)
), rows AS (
    -- OFFSET 0 keeps this subquery from being flattened into the aggregate:
    -- each row's amount is then computed once, not once per sum
    SELECT p.commercial_partner_id AS partner_id, m.ts, m.d, m.amount, m.margin
      FROM moves m
      JOIN res_partner p ON p.id = m.partner_id
    OFFSET 0
)
SELECT partner_id,
       count(ts) AS order_count,
       count(ts) FILTER (WHERE ts >= %(cur_start)s) AS cur_order_count,
       min(ts)::date AS first_date,
       max(ts)::date AS last_date,
       min(ts) FILTER (WHERE ts >= %(new_start)s)::date AS recent_first_date,
       max(ts) FILTER (WHERE ts < %(new_start)s)::date AS before_last_date,
       sum(amount) FILTER (WHERE ts IS NOT NULL) AS s_all,
       sum(amount) FILTER (WHERE ts >= %(cur_start)s) AS s_cur,
       sum(amount) FILTER (
           WHERE ts >= %(prev_start)s AND ts < %(cur_start)s) AS s_prev,
       sum(amount) FILTER (WHERE ts >= %(tcur_start)s) AS s_tcur,
       sum(amount) FILTER (
           WHERE ts >= %(tprev_start)s AND ts < %(tcur_start)s) AS s_tprev,
       sum(margin) AS m_all,
       sum(margin) FILTER (WHERE ts >= %(cur_start)s) AS m_cur,
       bool_or(margin IS NOT NULL) AS margin_known,
       sum(amount) FILTER (WHERE d IS NOT NULL) AS r_all,
       sum(amount) FILTER (WHERE d > %(d_cur_start)s) AS r_cur,
       sum(amount) FILTER (
           WHERE d > %(d_prev_start)s AND d <= %(d_cur_start)s) AS r_prev,
       sum(amount) FILTER (WHERE d > %(d_tcur_start)s) AS r_tcur,
       sum(amount) FILTER (
           WHERE d > %(d_tprev_start)s AND d <= %(d_tcur_start)s) AS r_tprev
  FROM rows
 GROUP BY partner_id
                """,
                margin=self._margin_expression(),
                company=company.id,
                # incremental: the documents of the partners' contacts, found
                # through the indexes
                orders_filter=self._contacts_filter(partner_ids, "so"),
                refunds_filter=self._contacts_filter(partner_ids, "am"),
                **after,
                **{f"d_{key}": day for key, day in starts.items()},
            )
        )
        if partner_ids is None:
            cr.execute(SQL("SET LOCAL parallel_tuple_cost TO DEFAULT"))
        # no index: every statement reading the table hashes it whole; the
        # statistics of the join key only, the other columns are not filtered on
        cr.execute(SQL("ANALYZE customerism_agg (partner_id)"))

    def _create_missing_profiles(self, company, partner_ids, now):
        """One profile per commercial partner with orders or credit notes in
        the company (customerism_agg), an opportunity, or flagged as customer;
        the partner's salesperson is the first account manager.

        :return: the number of profiles created"""
        self.env.cr.execute(
            SQL(
                """
WITH candidates AS (
    SELECT a.partner_id AS id FROM customerism_agg a
    UNION ALL
    SELECT p.commercial_partner_id
      FROM crm_lead l
      JOIN res_partner p ON p.id = l.partner_id
     WHERE (l.company_id = %(company)s OR l.company_id IS NULL)
       AND (p.company_id = %(company)s OR p.company_id IS NULL)
       %(filter)s
    UNION ALL
    SELECT p.commercial_partner_id
      FROM res_partner p
     WHERE p.customer_rank > 0
       AND (p.company_id = %(company)s OR p.company_id IS NULL)
       %(filter)s
), missing AS (
    -- in the nightly run nearly every candidate already has a profile: the
    -- duplicates are removed after the check, from the few that remain
    SELECT DISTINCT c.id FROM candidates c
     WHERE NOT EXISTS (
        SELECT 1 FROM crm_customer_profile prof
         WHERE prof.company_id = %(company)s AND prof.partner_id = c.id)
)
INSERT INTO crm_customer_profile (
    partner_id, company_id, active, account_manager_id,
    create_uid, create_date, write_uid, write_date)
SELECT cp.id, %(company)s, cp.active, cp.user_id,
       %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM missing
  JOIN res_partner cp ON cp.id = missing.id
ON CONFLICT (partner_id, company_id) DO NOTHING
                """,
                company=company.id,
                uid=self.env.uid,
                now=now,
                filter=self._target_filter(partner_ids),
            )
        )
        return self.env.cr.rowcount

    def _grade_bounds(self, company, count):
        """(grade, SQL of the last position of that grade among ``count``
        graded customers) from the company's shares, best grade first."""
        bounds = []
        cumulated = 0.0
        for grade in GRADES[:-1]:
            cumulated += company[f"customerism_{grade}_pct"]
            bound = SQL(
                "ceil(round(%s * %s::numeric / 100, 6))", count, round(cumulated, 6)
            )
            bounds.append((grade, bound))
        return bounds

    def _grade_case(self, limits):
        """SQL CASE giving the first grade whose condition holds, else small:
        ``limits`` are (grade, SQL condition or None for a grade nobody
        reaches), best grade first."""
        whens = [
            SQL("WHEN %s THEN %s", condition, grade)
            for grade, condition in limits
            if condition is not None
        ]
        if not whens:
            return SQL("%s", "small")
        return SQL("CASE %s ELSE %s END", SQL(" ").join(whens), "small")

    def _tier_case(self, company, grade_sql):
        whens = SQL(" ").join(
            SQL("WHEN %s THEN %s", grade, company[f"customerism_tier_{grade}"])
            for grade in GRADES
        )
        return SQL("CASE %s %s END", grade_sql, whens)

    def _rank_pool(self, company, partner_ids):
        """SQL of the active customers ranked together, by commercial partner:
        those of customerism_agg (the customers in scope, with their fresh
        figures) but the archived profiles; in incremental mode, the other
        profiles too, with their stored figures. Customers without orders
        or credit notes are left out: they have no rank."""
        others = SQL()
        if partner_ids is not None:
            others = SQL(
                """
    UNION ALL
    SELECT prof.partner_id, FALSE, prof.order_count, prof.current_value,
           prof.historical_value, prof.previous_value, prof.last_order_date
      FROM crm_customer_profile prof
     WHERE prof.company_id = %s AND prof.active
       AND NOT (prof.partner_id = ANY(%s))
                """,
                company.id,
                list(partner_ids),
            )
        return SQL(
            """
    SELECT a.partner_id, TRUE AS in_scope,
           COALESCE(a.order_count, 0) AS order_count,
           COALESCE(a.s_cur, 0) - COALESCE(a.r_cur, 0) AS current_value,
           COALESCE(a.s_all, 0) - COALESCE(a.r_all, 0) AS historical_value,
           COALESCE(a.s_prev, 0) - COALESCE(a.r_prev, 0) AS previous_value,
           a.last_date AS last_order_date
      FROM customerism_agg a
     WHERE NOT EXISTS (
        SELECT 1 FROM crm_customer_profile prof
         WHERE prof.company_id = %s AND prof.partner_id = a.partner_id
           AND NOT prof.active)
    %s
            """,
            company.id,
            others,
        )

    def _build_ranks(self, company, partner_ids):
        """The RFM scores and grade of the profiles in scope, ranked over the
        whole company (graded customers: active, with orders), and the grade
        by the value of the previous 12 months (for the observed retention).

        The quintile of a value is ceil(5 x (customers with a value up to it)
        / customers), ties sharing it; the grade follows the position by
        current value (then historical value), ties sharing the best one.
        Both are read against the values found at the limits (quintiles,
        last position of each grade): one statement, a sort per measure, and
        no table of ranks. A few customers (incremental recompute on an
        order) are instead counted against the company, which avoids the
        sorts of the whole customer base per order.

        :return: (SQL of the columns r, f, m, computed_grade, previous_grade
            over the figures of alias v, SQL of the join they need)
        """
        if partner_ids is not None and len(partner_ids) <= SMALL_INCREMENTAL:
            return self._build_ranks_by_counts(company, partner_ids)
        cr = self.env.cr
        cr.execute(
            SQL(
                """
WITH pool AS MATERIALIZED (%(pool)s
), graded AS (
    SELECT * FROM pool WHERE order_count > 0
), counts AS MATERIALIZED (
    SELECT count(*) FILTER (WHERE order_count > 0) AS n,
           count(*) FILTER (WHERE previous_value > 0) AS n_prev
      FROM pool
), positions AS MATERIALIZED (
    -- 1-based positions among the graded customers: the first of each upper
    -- quintile (ascending), the last of each grade (descending); among the
    -- customers with a previous value, the last of each grade (descending)
    SELECT n, n_prev,
           ARRAY(SELECT k * n / 5 + 1 FROM generate_series(1, 4) k) AS quintiles,
           ARRAY[%(bounds)s]::bigint[] AS grades,
           ARRAY[%(previous_bounds)s]::bigint[] AS previous_grades
      FROM counts
), fractions AS MATERIALIZED (
    -- percentile_disc(f) is the value at position ceil(f x rows)
    SELECT p.*,
           ARRAY(SELECT (q - 0.5) / NULLIF(p.n, 0) FROM unnest(p.quintiles) q)
               AS quintile_fractions,
           ARRAY(SELECT (GREATEST(b, 1) - 0.5) / NULLIF(p.n_prev, 0)
                   FROM unnest(p.previous_grades) b) AS previous_fractions
      FROM positions p
)
SELECT f.n, f.grades, f.previous_grades,
       (SELECT percentile_disc(f.quintile_fractions)
               WITHIN GROUP (ORDER BY last_order_date) FROM graded)::text[],
       (SELECT percentile_disc(f.quintile_fractions)
               WITHIN GROUP (ORDER BY order_count) FROM graded)::text[],
       (SELECT percentile_disc(f.quintile_fractions)
               WITHIN GROUP (ORDER BY historical_value) FROM graded)::text[],
       (SELECT array_agg(ARRAY[pos::text, current_value::text,
                               historical_value::text])
          FROM (SELECT current_value, historical_value,
                       row_number() OVER (ORDER BY current_value DESC,
                                                   historical_value DESC) AS pos
                  FROM graded) ranked
         WHERE pos = ANY(f.grades)),
       (SELECT percentile_disc(f.previous_fractions)
               WITHIN GROUP (ORDER BY previous_value DESC)
          FROM pool WHERE previous_value > 0)::text[]
  FROM fractions f
                """,
                pool=self._rank_pool(company, partner_ids),
                bounds=SQL(", ").join(
                    bound for __, bound in self._grade_bounds(company, SQL("n"))
                ),
                previous_bounds=SQL(", ").join(
                    bound for __, bound in self._grade_bounds(company, SQL("n_prev"))
                ),
            )
        )
        (n, bounds, previous_bounds, recency, frequency, monetary, limits, previous) = (
            cr.fetchone()
        )
        if n:
            at = {int(pos): (cur, hist) for pos, cur, hist in limits}
            grade = self._grade_case(
                [
                    (
                        name,
                        SQL(
                            "(v.current_value, v.historical_value)"
                            " >= (%s::numeric, %s::numeric)",
                            *at[bound],
                        )
                        if bound >= 1
                        else None,
                    )
                    for name, bound in zip(GRADES[:-1], bounds, strict=True)
                ]
            )
            scores = SQL(
                "CASE WHEN %(graded)s THEN %(r)s END AS r,"
                " CASE WHEN %(graded)s THEN %(f)s END AS f,"
                " CASE WHEN %(graded)s THEN %(m)s END AS m,"
                " CASE WHEN %(graded)s THEN %(grade)s END AS computed_grade",
                graded=SQL("v.active AND v.order_count > 0"),
                r=self._quintile_score(SQL("v.last_order_date"), recency, "date"),
                f=self._quintile_score(SQL("v.order_count"), frequency, "integer"),
                m=self._quintile_score(SQL("v.historical_value"), monetary, "numeric"),
                grade=grade,
            )
        else:
            # nobody is graded
            scores = SQL(
                "NULL::integer AS r, NULL::integer AS f, NULL::integer AS m,"
                " NULL::varchar AS computed_grade"
            )
        previous_grade = self._grade_case(
            [
                (name, SQL("v.previous_value >= %s::numeric", value))
                if bound >= 1
                else (name, None)
                for name, bound, value in zip(
                    GRADES[:-1],
                    previous_bounds,
                    previous or [None] * len(previous_bounds),
                    strict=True,
                )
            ]
        )
        return (
            SQL(
                "%s, CASE WHEN v.active AND v.previous_value > 0 THEN %s END"
                " AS previous_grade",
                scores,
                previous_grade,
            ),
            SQL(),
        )

    def _quintile_score(self, column, limits, cast):
        """SQL of the quintile score of ``column``: 1 + the number of quintile
        limits (values as text, of type ``cast``) it reaches."""
        return SQL(
            "1 + %s",
            SQL(" + ").join(
                SQL("(%s >= %s::%s)::int", column, limit, SQL(cast)) for limit in limits
            ),
        )

    def _build_ranks_by_counts(self, company, partner_ids):
        """_build_ranks for a few customers: their positions counted against
        the whole company, into the narrow temporary table customerism_rank
        (no observed retention)."""
        self.env.cr.execute(
            SQL(
                """
CREATE TEMPORARY TABLE customerism_rank AS
WITH pool AS NOT MATERIALIZED (%(pool)s
), scope AS MATERIALIZED (
    SELECT * FROM pool WHERE in_scope AND order_count > 0
), counted AS (
    -- one pass over the graded customers of the company for all those in
    -- scope
    SELECT t.partner_id, count(*) AS n,
           1 + count(*) FILTER (
               WHERE (g.current_value, g.historical_value)
                     > (t.current_value, t.historical_value)) AS pos,
           count(*) FILTER (WHERE g.last_order_date <= t.last_order_date) AS r,
           count(*) FILTER (WHERE g.order_count <= t.order_count) AS f,
           count(*) FILTER (WHERE g.historical_value <= t.historical_value) AS m
      FROM pool g
      JOIN scope t ON TRUE
     WHERE g.order_count > 0
     GROUP BY t.partner_id
)
SELECT partner_id,
       (5 * r + n - 1) / n AS r,
       (5 * f + n - 1) / n AS f,
       (5 * m + n - 1) / n AS m,
       %(grade)s AS computed_grade
  FROM counted
                """,
                pool=self._rank_pool(company, partner_ids),
                grade=self._grade_case(
                    [
                        (grade, SQL("pos <= %s", bound))
                        for grade, bound in self._grade_bounds(company, SQL("n"))
                    ]
                ),
            )
        )
        return (
            SQL("g.r, g.f, g.m, g.computed_grade, NULL::varchar AS previous_grade"),
            SQL("LEFT JOIN customerism_rank g ON g.partner_id = v.partner_id"),
        )

    def _risk_complaints(self, company, *columns):
        """SQL of the last complaint flagging each customer of ``company`` at
        risk (see crm.complaint._flag_lifecycle_risk): its
        commercial_partner_id and ``columns``."""
        return SQL(
            """
            SELECT DISTINCT ON (cc.commercial_partner_id)
                   cc.commercial_partner_id, %s
              FROM crm_complaint cc
             WHERE cc.company_id = %s AND cc.lifecycle_risk
             ORDER BY cc.commercial_partner_id, cc.id DESC
            """,
            SQL(", ").join(SQL.identifier("cc", column) for column in columns),
            company.id,
        )

    def _figures_query(self, company, today, where, ranks):
        """Every figure of the profiles matching ``where`` (alias prof), from
        customerism_agg and the ``ranks`` of _build_ranks: values, margins,
        grade, the lifecycle stage and what its rules read (alias c for the
        reasons)."""
        starts = self._period_starts(company, today)
        rules = self._stage_rules(company, today)
        stage_case = SQL(
            "CASE %s END",
            SQL(" ").join(SQL("WHEN %s THEN %s", rule[0], rule[1]) for rule in rules),
        )
        # each level ends with OFFSET 0, which keeps PostgreSQL from inlining
        # it into the next: a figure is computed once per row, not once per
        # expression that reads it
        return SQL(
            """
WITH v AS (
    SELECT prof.id, prof.partner_id, prof.active, prof.grade_override,
           prof.lifecycle_stage AS old_stage,
           prof.termination_notice, prof.termination_date,
           risk.lifecycle_risk_code AS complaint_risk,
           risk.lifecycle_risk_values AS complaint_risk_values,
           COALESCE(a.order_count, 0) AS order_count,
           COALESCE(a.cur_order_count, 0) AS current_order_count,
           a.first_date AS first_order_date,
           a.last_date AS last_order_date,
           -- the stages need the recovery of the last days only: the first
           -- order of that window after a lapse (the window is shorter than
           -- the lapse limit); an older recovery stays as it was found
           CASE WHEN a.recent_first_date - a.before_last_date > %(lapse_days)s
                THEN a.recent_first_date
                WHEN prof.recovery_date <= %(new_start)s
                THEN prof.recovery_date END AS recovery_date,
           COALESCE(a.s_all, 0) - COALESCE(a.r_all, 0) AS historical_value,
           COALESCE(a.s_cur, 0) - COALESCE(a.r_cur, 0) AS current_value,
           COALESCE(a.s_prev, 0) - COALESCE(a.r_prev, 0) AS previous_value,
           COALESCE(a.s_tcur, 0) - COALESCE(a.r_tcur, 0) AS trend_period_value,
           COALESCE(a.s_tprev, 0) - COALESCE(a.r_tprev, 0)
               AS previous_period_value,
           COALESCE(a.r_all, 0) AS refund_value,
           COALESCE(a.margin_known, FALSE) AS margin_known,
           -- credit notes carry the customer's average margin rate
           CASE WHEN a.margin_known THEN COALESCE(a.m_all, 0)
               * (1 - COALESCE(a.r_all, 0) / NULLIF(a.s_all, 0)) END
               AS historical_margin,
           CASE WHEN a.margin_known THEN COALESCE(a.m_cur, 0)
               * (1 - COALESCE(a.r_cur, 0) / NULLIF(a.s_cur, 0)) END
               AS current_margin,
           %(today)s - a.last_date AS gap,
           COALESCE(recv.receivable, 0) AS receivable_amount,
           COALESCE(recv.overdue_amount, 0) AS overdue_amount,
           COALESCE(recv.overdue_days, 0) AS overdue_days,
           COALESCE(recv.credit_usage, 0) AS credit_usage
      FROM crm_customer_profile prof
      LEFT JOIN customerism_agg a ON a.partner_id = prof.partner_id
      LEFT JOIN customerism_receivable recv ON recv.partner_id = prof.partner_id
      LEFT JOIN (%(risk)s) risk ON risk.commercial_partner_id = prof.partner_id
     WHERE prof.company_id = %(company)s AND %(where)s
    OFFSET 0
), s AS (
    SELECT v.*, %(scores)s FROM v %(rank_join)s OFFSET 0
), c AS (
    SELECT s.*,
           COALESCE(s.grade_override, s.computed_grade) AS grade,
           round(s.historical_value / NULLIF(s.order_count, 0), 2)
               AS average_order_value,
           CASE WHEN s.order_count > 1 THEN round(
               (s.last_order_date - s.first_order_date)::numeric
               / (s.order_count - 1), 1) END AS itv,
           CASE WHEN s.previous_period_value > 0 THEN round(
               (s.trend_period_value - s.previous_period_value)
               / s.previous_period_value, 4) END AS trend,
           s.trend_period_value AS tcur,
           GREATEST(CASE WHEN s.margin_known THEN COALESCE(s.current_margin, 0)
                         ELSE s.current_value * %(margin_rate)s::numeric END,
                    0) AS annual_margin
      FROM s
    OFFSET 0
)
SELECT c.*, %(stage_case)s AS new_stage FROM c
            """,
            company=company.id,
            today=today,
            where=where,
            risk=self._risk_complaints(
                company, "lifecycle_risk_code", "lifecycle_risk_values"
            ),
            lapse_days=company.customerism_lapse_days,
            new_start=starts["new_start"],
            margin_rate=company.customerism_margin_rate,
            stage_case=stage_case,
            scores=ranks[0],
            rank_join=ranks[1],
        )

    def _write_company_observations(self, company, now, observed):
        """Full recompute only: write on the company the observed retention
        per grade (customers graded by the value of the previous 12 months,
        same shares: the share of them who ordered again in the last 12
        months) and the average yearly margin per grade, from ``observed``
        (summed over the batches): (kind, grade) -> [customers, amount]."""
        retention = {
            grade: (count, kept / count)
            for (kind, grade), (count, kept) in observed.items()
            if kind == "retention" and count
        }
        margins = {
            grade: total / count
            for (kind, grade), (count, total) in observed.items()
            if kind == "margin" and count
        }
        total = sum(count for count, __ in retention.values())
        overall = (
            sum(count * rate for count, rate in retention.values()) / total
            if total
            else company.customerism_default_retention
        )
        vals = {"customerism_last_recompute": now}
        for grade in GRADES:
            vals[f"customerism_retention_{grade}"] = round(
                retention.get(grade, (0, overall))[1], 4
            )
            vals[f"customerism_avg_margin_{grade}"] = float(margins.get(grade) or 0.0)
        company.sudo().write(vals)
        company.flush_recordset()

    def _write_batch(
        self, company, today, now, id_range, ranks, partner_ids=None, action=None
    ):
        """Compute the figures of the profiles in ``id_range`` (and in scope),
        write those that changed, and log every stage change (history line +
        note in the partner chatter), in one statement. ``action`` is the
        user's action that caused the recompute (termination notice...).

        :return: (number of stage changes, the batch's share of the company
            observations: dicts of kind, grade, customers and amount)
        """
        rules = self._stage_rules(company, today)
        code_case = SQL(
            "CASE %s END",
            SQL(" ").join(SQL("WHEN %s THEN %s", rule[0], rule[2]) for rule in rules),
        )
        values_case = SQL(
            "CASE %s END",
            SQL(" ").join(SQL("WHEN %s THEN %s", rule[0], rule[3]) for rule in rules),
        )
        # the user who acted (an order, a complaint, a notice); none for the
        # full recompute and the superuser (crons, scripts)
        acting_user = (
            self.env.uid
            if action or (partner_ids is not None and self.env.uid != SUPERUSER_ID)
            else None
        )
        # the stored body, in the company's language (context of the engine)
        stage_note = self._stage_note_sql(company, action)
        figures = [
            "order_count",
            "current_order_count",
            "first_order_date",
            "last_order_date",
            "recovery_date",
            "historical_value",
            "current_value",
            "previous_value",
            "trend_period_value",
            "previous_period_value",
            "refund_value",
            "margin_known",
            "historical_margin",
            "current_margin",
            "average_order_value",
            "annual_margin",
            "computed_grade",
            "grade",
            "receivable_amount",
            "overdue_amount",
            "overdue_days",
            "credit_usage",
        ]
        renamed = {
            "average_order_interval": "itv",
            "value_trend": "trend",
            "recency_score": "r",
            "frequency_score": "f",
            "monetary_score": "m",
        }
        columns = figures + list(renamed)
        sources = figures + list(renamed.values())
        column_list = SQL(", ").join(SQL.identifier(col) for col in columns)
        old_values = SQL(", ").join(SQL.identifier("prof", col) for col in columns)
        new_values = SQL(", ").join(SQL.identifier("n", col) for col in sources)
        where = SQL(
            "prof.id >= %s AND prof.id < %s %s",
            id_range[0],
            id_range[1],
            self._target_filter(partner_ids, alias="prof", column="partner_id"),
        )
        self.env.cr.execute(
            SQL(
                """
WITH new AS MATERIALIZED (
    %(figures)s
), chg AS (
    SELECT c.id, c.partner_id, c.old_stage, c.new_stage,
           %(code_case)s AS reason_code,
           %(values_case)s || %(action)s::jsonb AS reason_values
      FROM new c
     WHERE c.new_stage IS DISTINCT FROM c.old_stage
), hist AS (
    INSERT INTO crm_customer_stage_history (
        profile_id, partner_id, company_id, date, stage_from, stage_to,
        reason_code, reason_values, user_id,
        create_uid, create_date, write_uid, write_date)
    SELECT id, partner_id, %(company)s, %(today)s, old_stage, new_stage,
           reason_code, reason_values, %(user)s, %(uid)s, %(now)s, %(uid)s, %(now)s
      FROM chg
 RETURNING id, profile_id, partner_id, stage_from, stage_to, reason_code,
           reason_values
), upd AS (
    UPDATE crm_customer_profile prof
       SET (%(columns)s) = (%(new_values)s),
           rfm_code = n.r::text || n.f::text || n.m::text,
           is_key_account = COALESCE(n.grade IN ('vip', 'major'), FALSE),
           service_tier = %(tier_case)s,
           lifecycle_stage = n.new_stage,
           stage_date = CASE WHEN n.new_stage IS DISTINCT FROM n.old_stage
                             THEN %(today)s ELSE prof.stage_date END,
           stage_history_id = COALESCE(hist.id, prof.stage_history_id),
           termination_notice = prof.termination_notice
                                AND n.new_stage <> 'lapsed',
           write_date = %(now)s,
           write_uid = %(uid)s
      FROM new n
      LEFT JOIN hist ON hist.profile_id = n.id
     WHERE prof.id = n.id AND prof.id >= %(low)s AND prof.id < %(high)s
       AND ((%(old_values)s, prof.lifecycle_stage, prof.service_tier)
            IS DISTINCT FROM (%(new_values)s, n.new_stage, %(tier_case)s))
 RETURNING prof.id
), msg AS (
    INSERT INTO mail_message (
        model, res_id, message_type, subtype_id, author_id, body, date,
        is_internal, customerism_note, customerism_stage_history_id,
        create_uid, create_date, write_uid, write_date)
    SELECT 'res.partner', hist.partner_id, 'notification', %(subtype)s,
           %(author)s, %(stage_note)s, %(now)s, FALSE, 'stage_change', hist.id,
           %(uid)s, %(now)s, %(uid)s, %(now)s
      FROM hist
 RETURNING id
%(churn)s
), observed AS (
    -- in one pass: per grade of the previous 12 months, the customers and
    -- those who ordered again; per grade, the customers and their margins
    SELECT CASE WHEN GROUPING(previous_grade) = 0 THEN 'retention'
                ELSE 'margin' END AS kind,
           COALESCE(previous_grade, grade) AS grade,
           CASE WHEN GROUPING(previous_grade) = 0 THEN count(*)
                ELSE count(*) FILTER (WHERE active AND order_count > 0)
                END AS customers,
           CASE WHEN GROUPING(previous_grade) = 0
                THEN count(*) FILTER (WHERE current_order_count > 0)
                ELSE sum(annual_margin) FILTER (WHERE active AND order_count > 0)
                END AS amount
      FROM new
     GROUP BY GROUPING SETS ((previous_grade), (grade))
    HAVING COALESCE(previous_grade, grade) IS NOT NULL
)
SELECT (SELECT count(*) FROM hist), (SELECT jsonb_agg(observed) FROM observed),
       (SELECT count(*) FROM msg), (SELECT count(*) FROM upd)
                """,
                figures=self._figures_query(company, today, where, ranks),
                low=id_range[0],
                high=id_range[1],
                code_case=code_case,
                values_case=values_case,
                columns=column_list,
                old_values=old_values,
                new_values=new_values,
                tier_case=self._tier_case(company, SQL("n.grade")),
                churn=self._churn_reason_update(company),
                today=today,
                now=now,
                action=json.dumps({"action": action} if action else {}),
                company=company.id,
                user=acting_user,
                uid=self.env.uid,
                subtype=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                author=self.env.user.partner_id.id,
                stage_note=stage_note,
            )
        )
        changes, observed = self.env.cr.fetchone()[:2]
        return changes, observed or []

    def _stage_rules(self, company, today):
        """(condition, stage, reason code, reason values) in priority order:
        SQL over the figures (alias c); the values fill the placeholders of
        the reason's template (lifecycle_texts.REASONS) when it is read."""
        new_start = self._period_starts(company, today)["new_start"]

        def values(**kwargs):
            return SQL(
                "jsonb_build_object(%s)",
                SQL(", ").join(SQL("%s, %s", key, val) for key, val in kwargs.items()),
            )

        def number(value):
            return SQL("%s::text", value)

        def percent(value):
            return SQL("%s::text || %s", round(value * 100, 2), "%")

        gap = SQL("(c.gap)::text")
        trend = SQL("to_char(round(c.trend * 100, 1), 'FMS999999990.0') || %s", "%")
        months = number(company.customerism_trend_months)
        return [
            (
                SQL("c.order_count > 0 AND c.gap > %s", company.customerism_lapse_days),
                "lapsed",
                SQL("'lapsed'"),
                values(days=gap, limit=number(company.customerism_lapse_days)),
            ),
            (
                SQL("c.termination_notice"),
                "terminating",
                SQL("'terminating'"),
                values(date=SQL("COALESCE(c.termination_date::text, '')")),
            ),
            # complaint flagged by crm.complaint._flag_lifecycle_risk (open high or
            # critical, or repeated complaints); its reason names the complaint
            (
                SQL("c.order_count > 0 AND c.complaint_risk IS NOT NULL"),
                "at_risk",
                SQL("'complaint_' || c.complaint_risk"),
                SQL("COALESCE(c.complaint_risk_values, '{}'::jsonb)"),
            ),
            # receivables overdue beyond both limits of the company (财务风险);
            # paying clears it at the next recompute
            (
                SQL(
                    "c.order_count > 0"
                    " AND c.overdue_amount > %s AND c.overdue_days > %s",
                    company.customerism_overdue_amount,
                    company.customerism_overdue_days,
                ),
                "at_risk",
                SQL("'overdue'"),
                values(
                    days=SQL("c.overdue_days::text"),
                    amount=money_text(company, SQL("c.overdue_amount")),
                    limit_days=number(company.customerism_overdue_days),
                    limit_amount=money_text(
                        company, SQL("%s::numeric", company.customerism_overdue_amount)
                    ),
                ),
            ),
            (SQL("c.order_count = 0"), "prospect", SQL("'prospect'"), values()),
            (
                SQL("c.gap > %s", company.customerism_at_risk_days),
                "at_risk",
                SQL("'at_risk_days'"),
                values(days=gap, limit=number(company.customerism_at_risk_days)),
            ),
            (
                SQL(
                    "c.itv > 0 AND c.gap > %s * c.itv",
                    company.customerism_at_risk_factor,
                ),
                "at_risk",
                SQL("'at_risk_interval'"),
                values(
                    days=gap,
                    factor=number(company.customerism_at_risk_factor),
                    interval=SQL("round(c.itv, 1)::text"),
                ),
            ),
            (
                SQL("c.recovery_date > %s", new_start),
                "recovered",
                SQL("'recovered'"),
                values(
                    date=SQL("c.recovery_date::text"),
                    limit=number(company.customerism_lapse_days),
                ),
            ),
            (
                SQL("c.first_order_date > %s", new_start),
                "new",
                SQL("'new'"),
                values(
                    date=SQL("c.first_order_date::text"),
                    limit=number(company.customerism_new_days),
                ),
            ),
            (
                SQL("c.trend < -%s", company.customerism_decline_rate),
                "at_risk",
                SQL("'declining'"),
                values(
                    rate=trend,
                    months=months,
                    limit=percent(company.customerism_decline_rate),
                ),
            ),
            (
                SQL("c.trend > %s", company.customerism_growth_rate),
                "growth",
                SQL("'growth'"),
                values(
                    rate=trend,
                    months=months,
                    limit=percent(company.customerism_growth_rate),
                ),
            ),
            (
                SQL("c.trend IS NULL AND c.tcur > 0"),
                "growth",
                SQL("'growth_start'"),
                values(months=months),
            ),
            (
                SQL("TRUE"),
                "maturity",
                SQL("'maturity'"),
                values(rate=SQL("COALESCE(%s, '-')", trend), months=months),
            ),
        ]

    def _stage_note_sql(self, company, action):
        """SQL of the stored body of the chatter note of a stage change (alias
        hist, the history line), in the language of the engine's context.
        Readers see it rendered in their own language (mail.message)."""
        _ = self.env._
        severities = dict(
            self.env["crm.complaint"]
            ._fields["severity"]
            ._description_selection(self.env)
        )

        def fill(template, source):
            expr = SQL("%s", _(template))
            for key in re.findall(r"%\((\w+)\)s", template._source):
                value = SQL("COALESCE(%s ->> %s, '')", source, key)
                if key == "severity":
                    value = SQL(
                        "COALESCE(%s::jsonb ->> (%s ->> 'severity'), '')",
                        json.dumps(severities),
                        source,
                    )
                expr = SQL("replace(%s, %s, %s)", expr, f"%({key})s", value)
            return expr

        reason = SQL(
            "CASE hist.reason_code %s ELSE '' END",
            SQL(" ").join(
                SQL("WHEN %s THEN %s", code, fill(template, SQL("hist.reason_values")))
                for code, template in REASONS.items()
            ),
        )
        if action:
            reason = SQL(
                "%s || ' ' || %s",
                fill(ACTIONS[action["code"]], SQL("(hist.reason_values -> 'action')")),
                reason,
            )
        labels = json.dumps(self._stage_labels())
        return SQL(
            """'<p>' || %(title)s || ' '
           || COALESCE(%(labels)s::jsonb ->> hist.stage_from, '-')
           || ' &#8594; <b>' || (%(labels)s::jsonb ->> hist.stage_to)
           || '</b><br/>'
           || replace(replace(replace(
                  %(reason)s, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')
           || '</p>'""",
            title=html_escape(
                translate(self.env, STAGE_NOTE_TITLE, company=company.name)
            ),
            labels=labels,
            reason=reason,
        )

    def _stage_labels(self):
        return dict(self._fields["lifecycle_stage"]._description_selection(self.env))

    @api.model
    def _update_service_tiers(self, companies):
        """Apply a change of the grade -> service tier mapping of companies."""
        self.flush_model(["grade", "service_tier"])
        for company in companies:
            self.env.cr.execute(
                SQL(
                    "UPDATE crm_customer_profile SET service_tier = %s"
                    " WHERE company_id = %s",
                    self._tier_case(company, SQL("grade")),
                    company.id,
                )
            )
        self.invalidate_model(["service_tier"])

    def _churn_reason_update(self, company):
        """SQL of a statement of the batch (a CTE over ``chg``, the stage
        changes) giving the customers who become at risk or lapsed a churn
        reason when they have none: the reason matching the root cause of the
        complaint that put them at risk, otherwise 'unknown'. A reason
        already set is kept and none is ever cleared."""
        unknown = self.env.ref(
            "crm_customerism.crm_churn_reason_unknown", raise_if_not_found=False
        )
        if not unknown:
            return SQL()
        whens = [
            SQL("WHEN %s THEN %s", cause, reason.id)
            for cause, reason in (
                (cause, self.env.ref(xmlid, raise_if_not_found=False))
                for cause, xmlid in CHURN_REASON_BY_ROOT_CAUSE.items()
            )
            if reason
        ]
        by_cause = (
            SQL("CASE risk.root_cause_type %s END", SQL(" ").join(whens))
            if whens
            else SQL("NULL::integer")
        )
        return SQL(
            """
), churn AS (
    UPDATE res_partner p
       SET customerism_churn_reason_id = COALESCE(%(by_cause)s, %(unknown)s)
      FROM chg
      LEFT JOIN (%(risk)s) risk ON risk.commercial_partner_id = chg.partner_id
     WHERE p.id = chg.partner_id AND chg.new_stage IN ('at_risk', 'lapsed')
       AND p.customerism_churn_reason_id IS NULL
 RETURNING p.id
            """,
            by_cause=by_cause,
            unknown=unknown.id,
            risk=self._risk_complaints(company, "root_cause_type"),
        )
