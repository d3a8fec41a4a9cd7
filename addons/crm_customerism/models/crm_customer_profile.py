import logging
import math

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from .res_company import SERVICE_TIERS

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
# fields a customerism user (not manager) may write: the termination notice and
# the churn reason
USER_WRITABLE_FIELDS = {
    "termination_notice",
    "termination_date",
    "termination_reason",
    "churn_reason_id",
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
    # Recompute (set-based): the pipeline is crm.customer.value.engine
    # ------------------------------------------------------------------

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
        """Recompute one company's live profiles; ``partner_ids`` (commercial
        partners) restricts the writes to those customers (incremental
        mode). See crm.customer.value.engine.

        :return: the number of stage changes"""
        return self.env["crm.customer.value.engine"]._recompute_live(
            company, partner_ids=partner_ids, action=action, commit=commit
        )

    @api.model
    def _profiles_written(self, company, partner_ids=None):
        """Hook called by the engine after it wrote the live profiles of
        ``company`` (only ``partner_ids`` in incremental mode, all when
        None): addons follow the new grades, tiers and stages here."""
        return True

    @api.model
    def _update_service_tiers(self, companies):
        """Apply a change of the grade -> service tier mapping of companies."""
        self.flush_model(["grade", "service_tier"])
        for company in companies:
            self.env.cr.execute(
                SQL(
                    "UPDATE crm_customer_profile SET service_tier = %s"
                    " WHERE company_id = %s",
                    self.env["crm.customer.value.engine"]._tier_case(
                        company, SQL("grade")
                    ),
                    company.id,
                )
            )
        self.invalidate_model(["service_tier"])
