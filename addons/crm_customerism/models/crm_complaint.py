import logging
import re
from datetime import timedelta
from email.utils import parseaddr

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError

from .crm_complaint_sla_policy import SEVERITY_SELECTION
from .crm_customer_profile import GRADE_SELECTION
from .lifecycle_texts import PORTAL_FILED_NOTE, render_reason
from .res_company import SERVICE_TIERS

_logger = logging.getLogger(__name__)

CHANNEL_SELECTION = [
    ("phone", "Phone"),
    ("email", "Email"),
    ("portal", "Portal / Web"),
    ("fax", "Fax"),
    ("wechat", "WeChat"),
    ("visit", "Visit / Counter"),
    ("api", "API"),
]
STAGE_SELECTION = [
    ("new", "New Complaint"),
    ("acknowledged", "Acknowledged"),
    ("investigating", "Investigating"),
    ("waiting", "Waiting on Customer"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
OPEN_STAGES = ("new", "acknowledged", "investigating", "waiting")
DONE_STAGES = ("resolved", "closed")
# stages in which the SLA clock runs (waiting on the customer pauses it)
RUNNING_STAGES = ("new", "acknowledged", "investigating")
# stages whose SLA deadlines, once set, are history and no longer recomputed
FROZEN_SLA_STAGES = (*DONE_STAGES, "cancelled")
ROOT_CAUSE_SELECTION = [
    ("product", "Product"),
    ("delivery", "Delivery"),
    ("billing", "Billing"),
    ("service", "Service"),
    ("supplier", "Supplier"),
    ("other", "Other"),
]
SEVERITY_ORDER = [key for key, __ in SEVERITY_SELECTION]
# longest description copied from an incoming mail; the message keeps it all
MAX_DESCRIPTION_CHARS = 50000
MAX_SUBJECT_CHARS = 200
MAX_SENDER_NAME_CHARS = 100
ESCALATION_BATCH = 500
# fields of the merged complaints kept on the survivor (see _merge_link_fields)
LINK_FIELDS = [
    "category_id",
    "sale_order_id",
    "invoice_id",
    "product_id",
    "delivery_reference",
    "lot_reference",
    "supplier_id",
    "user_id",
    "team_id",
    "root_cause_type",
]


class CrmComplaint(models.Model):
    """A customer complaint (客户投诉) from any channel, worked through stages
    under an SLA, closed with a root cause, remedies and a satisfaction rating."""

    _name = "crm.complaint"
    _description = "Customer Complaint"
    _inherit = [
        "portal.mixin",
        "mail.thread.cc",
        "mail.activity.mixin",
        "rating.mixin",
    ]
    _order = "id desc"
    _rec_names_search = ["name", "subject", "partner_id"]
    _check_company_auto = True
    _primary_email = "email_from"
    _mail_post_access = "read"

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        index="trigram",
        default="/",
    )
    subject = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        index=True,
        tracking=True,
        check_company=True,
        help="Person who complains; the complaint belongs to their commercial partner.",
    )
    commercial_partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        related="partner_id.commercial_partner_id",
        store=True,
        index=True,
    )
    email_from = fields.Char(
        string="Email",
        compute="_compute_email_from",
        store=True,
        readonly=False,
    )
    partner_to_qualify = fields.Boolean(
        related="partner_id.customerism_to_qualify",
        string="Contact to Qualify",
        groups="base.group_user",
    )
    channel = fields.Selection(
        CHANNEL_SELECTION, required=True, default="phone", tracking=True
    )
    category_id = fields.Many2one(
        "crm.complaint.category", tracking=True, check_company=True
    )
    severity = fields.Selection(
        SEVERITY_SELECTION,
        required=True,
        default="normal",
        tracking=True,
        groups="base.group_user",
    )
    description = fields.Html(sanitize_style=True)
    # links to the documents the complaint is about
    sale_order_id = fields.Many2one(
        "sale.order",
        check_company=True,
        domain="[('partner_id', 'child_of', commercial_partner_id)]",
    )
    invoice_id = fields.Many2one(
        "account.move",
        check_company=True,
        domain="[('move_type', 'in', ('out_invoice', 'out_refund')),"
        " ('partner_id', 'child_of', commercial_partner_id)]",
    )
    product_id = fields.Many2one("product.product", check_company=True)
    delivery_reference = fields.Char(
        help="Delivery order or waybill the complaint is about (the stock documents "
        "themselves are linked by the supply link addon)."
    )
    lot_reference = fields.Char(
        string="Lot / Serial Number",
        help="Lot or serial number of the product, as given by the customer.",
    )
    customer_profile_id = fields.Many2one(
        "crm.customer.profile",
        compute="_compute_customer_profile_id",
        help="Value profile of the customer in the company of the complaint.",
        groups="base.group_user",
    )
    customer_grade = fields.Selection(
        GRADE_SELECTION,
        compute="_compute_customer_profile_id",
        groups="base.group_user",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        tracking=True,
        index=True,
        check_company=True,
        domain="[('share', '=', False)]",
    )
    team_id = fields.Many2one(
        "crm.team",
        tracking=True,
        index=True,
        check_company=True,
        compute="_compute_team_id",
        store=True,
        readonly=False,
        groups="base.group_user",
    )
    stage = fields.Selection(
        STAGE_SELECTION,
        required=True,
        default="new",
        tracking=True,
        index=True,
        copy=False,
        group_expand="_group_expand_stage",
    )
    color = fields.Integer(groups="base.group_user")
    # dates
    acknowledged_date = fields.Datetime(readonly=True, copy=False)
    resolved_date = fields.Datetime(readonly=True, copy=False)
    closed_date = fields.Datetime(readonly=True, copy=False)
    reopen_count = fields.Integer(readonly=True, copy=False, groups="base.group_user")
    # SLA
    sla_start = fields.Datetime(
        string="Received On",
        required=True,
        readonly=True,
        copy=False,
        default=fields.Datetime.now,
    )
    service_tier = fields.Selection(
        SERVICE_TIERS,
        compute="_compute_service_tier",
        store=True,
        help="Service tier of the customer in the company (from the grade); "
        "standard when the customer has no value profile.",
        groups="base.group_user",
    )
    sla_policy_id = fields.Many2one(
        "crm.complaint.sla.policy",
        string="SLA Policy",
        compute="_compute_sla_policy_id",
        store=True,
        readonly=False,
        check_company=True,
        tracking=True,
        groups="base.group_user",
    )
    response_deadline = fields.Datetime(
        compute="_compute_deadlines", store=True, index=True
    )
    resolution_deadline = fields.Datetime(
        compute="_compute_deadlines", store=True, index=True
    )
    paused_hours = fields.Float(
        string="Paused Time (Working Hours)",
        readonly=True,
        copy=False,
        help="Working hours spent waiting on the customer: they extend the "
        "resolution deadline.",
        groups="base.group_user",
    )
    pause_start = fields.Datetime(
        string="Waiting Since", readonly=True, copy=False, groups="base.group_user"
    )
    sla_status = fields.Selection(
        [
            ("ontime", "On Time"),
            ("soon", "Due Soon"),
            ("overdue", "Overdue"),
            ("paused", "Paused"),
            ("done", "Done"),
        ],
        string="SLA Status",
        compute="_compute_sla_status",
        search="_search_sla_status",
    )
    escalation_level = fields.Integer(
        readonly=True,
        copy=False,
        help="1: the response deadline passed; 2: the resolution deadline passed.",
        groups="base.group_user",
    )
    last_escalation_date = fields.Datetime(
        readonly=True, copy=False, groups="base.group_user"
    )
    # root cause and remedies
    root_cause_type = fields.Selection(
        ROOT_CAUSE_SELECTION,
        string="Root Cause",
        tracking=True,
        groups="base.group_user",
    )
    root_cause = fields.Text(string="Root Cause Analysis", groups="base.group_user")
    supplier_id = fields.Many2one(
        "res.partner",
        check_company=True,
        compute="_compute_supplier_id",
        store=True,
        readonly=False,
        help="Supplier at the origin of the problem (root cause supplier); traced "
        "from the product's vendors when not given (the supply link addon traces it "
        "from the lot or the purchase line).",
        groups="base.group_user",
    )
    resolution = fields.Html(help="What was done for the customer; needed to resolve.")
    corrective_action = fields.Text(
        help="Fix for this customer (e.g. replacement, credit note, visit).",
        groups="base.group_user",
    )
    corrective_user_id = fields.Many2one(
        "res.users",
        string="Corrective Action Owner",
        check_company=True,
        groups="base.group_user",
    )
    corrective_date = fields.Date(
        string="Corrective Action Due", groups="base.group_user"
    )
    preventive_action = fields.Text(
        help="What stops the problem from recurring.", groups="base.group_user"
    )
    preventive_user_id = fields.Many2one(
        "res.users",
        string="Preventive Action Owner",
        check_company=True,
        groups="base.group_user",
    )
    preventive_date = fields.Date(
        string="Preventive Action Due", groups="base.group_user"
    )
    # duplicates
    merged_into_id = fields.Many2one(
        "crm.complaint",
        readonly=True,
        copy=False,
        index=True,
        groups="base.group_user",
    )
    merged_ids = fields.One2many(
        "crm.complaint",
        "merged_into_id",
        string="Merged Complaints",
        groups="base.group_user",
    )
    # lifecycle
    lifecycle_risk = fields.Boolean(
        string="Puts the Customer at Risk",
        readonly=True,
        copy=False,
        index=True,
        help="This complaint (open and high or critical, or the last of repeated "
        "complaints) puts its customer in the at-risk lifecycle stage.",
        groups="base.group_user",
    )
    # the reason is kept as a code and values and rendered in the reader's
    # language (lifecycle_texts); it becomes the customer's stage reason
    lifecycle_risk_code = fields.Selection(
        [("serious", "Open serious complaint"), ("repeated", "Repeated complaints")],
        readonly=True,
        copy=False,
        groups="base.group_user",
    )
    lifecycle_risk_values = fields.Json(
        readonly=True, copy=False, groups="base.group_user"
    )
    lifecycle_risk_reason = fields.Char(
        compute="_compute_lifecycle_risk_reason", groups="base.group_user"
    )
    # apology gestures (loyalty programs)
    gesture_card_ids = fields.Many2many(
        "loyalty.card",
        "crm_complaint_loyalty_card_rel",
        "complaint_id",
        "card_id",
        string="Apology Gestures",
        copy=False,
        readonly=True,
        groups="base.group_user",
    )
    gesture_count = fields.Integer(
        compute="_compute_gesture_count", groups="base.group_user"
    )

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "The reference must be unique.",
        )
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("lifecycle_risk_code", "lifecycle_risk_values")
    @api.depends_context("lang")
    def _compute_lifecycle_risk_reason(self):
        for complaint in self:
            complaint.lifecycle_risk_reason = complaint.lifecycle_risk_code and (
                render_reason(
                    self.env,
                    f"complaint_{complaint.lifecycle_risk_code}",
                    complaint.lifecycle_risk_values,
                )
            )

    @api.depends("partner_id")
    def _compute_email_from(self):
        for complaint in self:
            if complaint.partner_id.email:
                complaint.email_from = complaint.partner_id.email_formatted
            elif not complaint.email_from:
                complaint.email_from = False

    @api.depends("root_cause_type", "product_id")
    def _compute_supplier_id(self):
        for complaint in self:
            if complaint.root_cause_type == "supplier" and not complaint.supplier_id:
                complaint.supplier_id = complaint._trace_supplier()

    def _trace_supplier(self):
        """Supplier of the complained product: the first vendor of the product
        in the company. Hook for the stock/purchase traces (lot, purchase line)."""
        self.ensure_one()
        sellers = self.product_id.seller_ids.filtered(
            lambda s: not s.company_id or s.company_id == self.company_id
        )
        return sellers[:1].partner_id

    @api.depends("category_id")
    def _compute_team_id(self):
        for complaint in self:
            if not complaint.team_id and complaint.category_id.default_team_id:
                complaint.team_id = complaint.category_id.default_team_id

    @api.depends("commercial_partner_id", "company_id")
    def _compute_customer_profile_id(self):
        Profile = self.env["crm.customer.profile"]
        profiles = Profile
        if Profile.has_access("read"):
            profiles = Profile.with_context(active_test=False).search(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "in", self.company_id.ids),
                ]
            )
        by_customer = {
            (profile.partner_id.id, profile.company_id.id): profile
            for profile in profiles
        }
        for complaint in self:
            profile = by_customer.get(
                (complaint.commercial_partner_id.id, complaint.company_id.id), Profile
            )
            complaint.customer_profile_id = profile
            complaint.customer_grade = profile.grade

    @api.depends("commercial_partner_id", "company_id")
    def _compute_service_tier(self):
        # sudo: the tier only, also for users without access to profiles
        profiles = (
            self.env["crm.customer.profile"]
            .sudo()
            .with_context(active_test=False)
            .search_read(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "in", self.company_id.ids),
                ],
                ["partner_id", "company_id", "service_tier"],
            )
        )
        tiers = {
            (p["partner_id"][0], p["company_id"][0]): p["service_tier"]
            for p in profiles
        }
        for complaint in self:
            complaint.service_tier = (
                tiers.get((complaint.commercial_partner_id.id, complaint.company_id.id))
                or "standard"
            )

    @api.depends("severity", "service_tier", "company_id")
    def _compute_sla_policy_id(self):
        # sudo: the policy applies whoever files the complaint (portal, mail)
        Policy = self.env["crm.complaint.sla.policy"].sudo()
        for complaint in self:
            complaint.sla_policy_id = Policy._find(
                complaint.company_id, complaint.severity, complaint.service_tier
            ).sudo(False)

    @api.depends(
        "sla_policy_id.response_hours",
        "sla_policy_id.resolution_hours",
        "sla_start",
        "paused_hours",
        "company_id.resource_calendar_id",
    )
    def _compute_deadlines(self):
        for complaint in self:
            if complaint.stage in FROZEN_SLA_STAGES and (
                complaint.response_deadline or complaint.resolution_deadline
            ):
                # SLA history: a later change of the policy or of the calendar
                # does not rewrite the deadlines a handled ticket was held to
                complaint.response_deadline = complaint.response_deadline
                complaint.resolution_deadline = complaint.resolution_deadline
                continue
            policy = complaint.sla_policy_id
            if not policy or not complaint.sla_start:
                complaint.response_deadline = False
                complaint.resolution_deadline = False
                continue
            complaint.response_deadline = complaint._working_deadline(
                policy.response_hours
            )
            complaint.resolution_deadline = complaint._working_deadline(
                policy.resolution_hours + complaint.paused_hours
            )

    def _working_deadline(self, hours):
        """``hours`` working hours after the receipt, on the company calendar."""
        self.ensure_one()
        calendar = self.company_id.resource_calendar_id
        if not calendar:
            return self.sla_start + timedelta(hours=hours)
        return calendar.plan_hours(hours, self.sla_start, compute_leaves=True)

    def _working_hours_between(self, start, end):
        self.ensure_one()
        calendar = self.company_id.resource_calendar_id
        if not calendar:
            return max((end - start).total_seconds() / 3600.0, 0.0)
        return calendar.get_work_hours_count(start, end, compute_leaves=True)

    @api.depends_context("uid")
    @api.depends("stage", "response_deadline", "resolution_deadline")
    def _compute_sla_status(self):
        now = fields.Datetime.now()
        soon = now + timedelta(hours=4)
        for complaint in self:
            complaint.sla_status = complaint._sla_status_at(now, soon)

    def _sla_status_at(self, now, soon):
        if self.stage in DONE_STAGES or self.stage == "cancelled":
            return "done"
        if self.stage == "waiting":
            return "paused"
        deadlines = [self.resolution_deadline]
        if not self.acknowledged_date:
            deadlines.append(self.response_deadline)
        deadlines = [d for d in deadlines if d]
        if not deadlines:
            return "ontime"
        if min(deadlines) < now:
            return "overdue"
        if min(deadlines) < soon:
            return "soon"
        return "ontime"

    def _search_sla_status(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(self.env._("Unsupported search on the SLA status."))
        values = [value] if isinstance(value, str) else list(value or [])
        now = fields.Datetime.now()
        overdue = [
            ("stage", "in", RUNNING_STAGES),
            "|",
            ("resolution_deadline", "<", now),
            "&",
            ("acknowledged_date", "=", False),
            ("response_deadline", "<", now),
        ]
        domains = {
            "overdue": overdue,
            "paused": [("stage", "=", "waiting")],
            "done": [("stage", "in", DONE_STAGES + ("cancelled",))],
        }
        domain = ["|"] * (len(values) - 1) if values else [("id", "=", 0)]
        for val in values:
            domain += domains.get(val, [("stage", "in", RUNNING_STAGES), "!", *overdue])
        if operator in ("!=", "not in"):
            domain = ["!", *domain] if len(domain) > 1 else ["!", domain[0]]
        return domain

    def _compute_gesture_count(self):
        for complaint in self:
            complaint.gesture_count = len(complaint.gesture_card_ids)

    def _group_expand_stage(self, stages, domain):
        return [key for key, __ in STAGE_SELECTION if key != "cancelled"]

    def _compute_access_url(self):
        for complaint in self:
            complaint.access_url = f"/my/complaints/{complaint.id}"

    def _get_thread_with_access(self, thread_id, mode="read", **kwargs):
        # portal compares a token with the complaint's own, which is only made
        # when a link is shared: a token for a complaint without one (or for a
        # missing complaint) finds nothing, instead of failing on the compare
        if kwargs.get("token"):
            thread = self.browse(thread_id).sudo().exists()
            if not thread.access_token:
                kwargs = dict(kwargs, token=None)
        return super()._get_thread_with_access(thread_id, mode=mode, **kwargs)

    def _rating_get_parent_field_name(self):
        return "team_id"

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("stage", "root_cause_type", "resolution", "user_id")
    def _check_stage_requirements(self):
        for complaint in self:
            if complaint.stage in ("investigating", *DONE_STAGES) and (
                not complaint.user_id
            ):
                raise ValidationError(
                    self.env._(
                        "Complaint %(name)s: assign a responsible before the "
                        "investigation.",
                        name=complaint.name,
                    )
                )
            if complaint.stage in DONE_STAGES and (
                not complaint.root_cause_type
                or tools.is_html_empty(complaint.resolution)
            ):
                raise ValidationError(
                    self.env._(
                        "Complaint %(name)s: give the root cause and the resolution "
                        "before resolving it.",
                        name=complaint.name,
                    )
                )

    @api.constrains("partner_id", "channel", "email_from")
    def _check_customer(self):
        for complaint in self:
            if not complaint.partner_id and not complaint.email_from:
                raise ValidationError(
                    self.env._(
                        "Complaint %(name)s: give the customer who complains (a "
                        "contact or at least an email address).",
                        name=complaint.name,
                    )
                )

    @api.constrains("root_cause_type", "supplier_id")
    def _check_supplier(self):
        for complaint in self:
            if complaint.root_cause_type == "supplier" and not complaint.supplier_id:
                raise ValidationError(
                    self.env._(
                        "Complaint %(name)s: a supplier root cause needs the supplier.",
                        name=complaint.name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("subject"):
                vals["subject"] = vals["subject"].strip()[:MAX_SUBJECT_CHARS]
            if not (vals.get("subject") or "").strip():
                raise ValidationError(self.env._("A complaint needs a subject."))
            company = self.env["res.company"].browse(
                vals.get("company_id") or self.env.company.id
            )
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("crm.complaint")
                    or "/"
                )
            stage = vals.get("stage", "new")
            if stage != "new" and stage not in OPEN_STAGES:
                raise ValidationError(
                    self.env._(
                        "A new complaint starts open, not %(stage)s.", stage=stage
                    )
                )
            if stage != "new":
                vals.setdefault("acknowledged_date", fields.Datetime.now())
            if stage == "waiting":
                vals.setdefault("pause_start", fields.Datetime.now())
        complaints = super().create(vals_list)
        complaints._subscribe_customer()
        complaints._update_lifecycle_risk()
        return complaints

    def _subscribe_customer(self):
        for complaint in self.filtered("partner_id"):
            complaint.message_subscribe(partner_ids=complaint.partner_id.ids)

    def write(self, vals):
        if "stage" in vals:
            return self._write_stage(vals)
        res = super().write(vals)
        if "partner_id" in vals:
            self._subscribe_customer()
        if {"severity", "partner_id", "company_id", "active"} & set(vals):
            self._update_lifecycle_risk()
        return res

    def _write_stage(self, vals):
        new_stage = vals["stage"]
        now = fields.Datetime.now()
        closed = self.browse()
        reopened = self.browse()
        for complaint in self:
            old_stage = complaint.stage
            if old_stage == new_stage:
                super(CrmComplaint, complaint).write(vals)
                continue
            complaint._check_transition(new_stage)
            extra = {}
            if old_stage == "waiting" and complaint.pause_start:
                pause = {
                    "paused_hours": complaint.paused_hours
                    + complaint._working_hours_between(complaint.pause_start, now),
                    "pause_start": False,
                }
                if new_stage in FROZEN_SLA_STAGES:
                    # the last pause extends the deadline before it is frozen
                    super(CrmComplaint, complaint).write(pause)
                    complaint._recompute_recordset(
                        ["response_deadline", "resolution_deadline"]
                    )
                else:
                    extra.update(pause)
            if new_stage == "waiting":
                extra["pause_start"] = now
            if new_stage != "new" and not complaint.acknowledged_date:
                extra["acknowledged_date"] = now
            if new_stage == "resolved":
                extra["resolved_date"] = now
            if new_stage == "closed":
                extra["closed_date"] = now
                extra["resolved_date"] = complaint.resolved_date or now
                closed |= complaint
            if old_stage in DONE_STAGES and new_stage in OPEN_STAGES:
                extra.update(
                    reopen_count=complaint.reopen_count + 1,
                    resolved_date=False,
                    closed_date=False,
                    escalation_level=0,
                )
                reopened |= complaint
            super(CrmComplaint, complaint).write({**vals, **extra})
        if reopened:
            reopened._void_rating_requests()
        for complaint in reopened:
            complaint.message_post(
                body=self.env._(
                    "Complaint reopened by %(user)s.", user=self.env.user.name
                ),
                subtype_xmlid="mail.mt_note",
            )
        if closed:
            closed._send_rating_request()
        self._update_lifecycle_risk()
        return True

    def _check_transition(self, new_stage):
        self.ensure_one()
        if self.stage == "cancelled":
            raise UserError(
                self.env._(
                    "Complaint %(name)s is cancelled and cannot be reopened: file a "
                    "new complaint, or reopen the complaint it was merged into.",
                    name=self.name,
                )
            )
        if self.stage == "closed" and new_stage == "resolved":
            raise UserError(
                self.env._(
                    "Complaint %(name)s is closed: reopen it before resolving it "
                    "again.",
                    name=self.name,
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_worked(self):
        if not self.env.user.has_group("crm_customerism.group_crm_customerism_manager"):
            for complaint in self:
                if complaint.stage != "new":
                    raise UserError(
                        self.env._(
                            "Complaint %(name)s is being worked: cancel it instead of "
                            "deleting it.",
                            name=complaint.name,
                        )
                    )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_acknowledge(self):
        self.write({"stage": "acknowledged"})

    def action_investigate(self):
        for complaint in self.filtered(lambda c: not c.user_id):
            complaint.user_id = self.env.user
        self.write({"stage": "investigating"})

    def action_wait_customer(self):
        self.write({"stage": "waiting"})

    def action_resume(self):
        self.write({"stage": "investigating"})

    def action_resolve(self):
        self.write({"stage": "resolved"})

    def action_close(self):
        self.write({"stage": "closed"})

    def action_reopen(self):
        for complaint in self:
            if complaint.stage not in DONE_STAGES + ("cancelled",):
                raise UserError(
                    self.env._("Complaint %(name)s is still open.", name=complaint.name)
                )
        self.write({"stage": "investigating"})

    def action_cancel(self):
        for complaint in self:
            if complaint.stage == "closed":
                raise UserError(
                    self.env._(
                        "Complaint %(name)s is closed and cannot be cancelled.",
                        name=complaint.name,
                    )
                )
        self.write({"stage": "cancelled"})

    def action_open_merge(self):
        partners = self.commercial_partner_id
        if len(self) < 2:
            raise UserError(self.env._("Select at least two complaints to merge."))
        if len(partners) > 1 or not partners:
            raise UserError(
                self.env._(
                    "Only complaints of one and the same customer can be merged."
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Merge Complaints"),
            "res_model": "crm.complaint.merge.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_complaint_ids": self.ids},
        }

    def action_open_gesture(self):
        self.ensure_one()
        if not self.partner_id:
            raise UserError(
                self.env._("Complaint %(name)s has no customer.", name=self.name)
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Apology Gesture"),
            "res_model": "crm.complaint.gesture.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_complaint_id": self.id},
        }

    def action_open_customer_profile(self):
        self.ensure_one()
        return self.customer_profile_id.get_formview_action()

    def action_view_sale_order(self):
        self.ensure_one()
        return self.sale_order_id.get_formview_action()

    def action_view_gestures(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Apology Gestures"),
            "res_model": "loyalty.card",
            "view_mode": "list,form",
            "domain": [("id", "in", self.gesture_card_ids.ids)],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------
    # Rating
    # ------------------------------------------------------------------

    def _send_rating_request(self):
        template = self.env.ref(
            "crm_customerism.mail_template_crm_complaint_rating",
            raise_if_not_found=False,
        )
        if not template:
            return
        for complaint in self.filtered("partner_id"):
            if complaint.partner_id.email:
                complaint.rating_send_request(template, force_send=False)
            else:
                # no email: the request stays on the portal page
                complaint._rating_get_access_token()

    def _void_rating_requests(self):
        """A reopened complaint is rated again at its next closure: the link of
        the pending request stops working."""
        # sudo: the request is the customer's rating record, voided with its
        # complaint by whoever may reopen it (write access checked by write)
        self.env["rating.rating"].sudo().search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("consumed", "=", False),
            ]
        ).unlink()

    def _get_allowed_message_post_params(self):
        # a rating is given through the rating request only (rating_apply),
        # never along with a chatter message (portal_rating allows it)
        return super()._get_allowed_message_post_params() - {"rating_value"}

    def _rating_get_url(self, score=None):
        """Link of the satisfaction form sent to the customer."""
        self.ensure_one()
        token = self._rating_get_access_token()
        url = f"{self.get_base_url()}/complaint/rate/{token}"
        return f"{url}?score={score}" if score else url

    def rating_apply(
        self,
        rate,
        token=None,
        rating=None,
        feedback=None,
        subtype_xmlid=None,
        notify_delay_send=False,
    ):
        try:
            value = int(rate)
        except (TypeError, ValueError):
            value = 0
        if value != rate or not 1 <= value <= 5:
            raise UserError(
                self.env._(
                    "A satisfaction rating goes from 1 to 5, not %(rate)s.", rate=rate
                )
            )
        not_closed = self.filtered(lambda c: c.stage != "closed")
        if not_closed:
            raise UserError(
                self.env._(
                    "Complaint %(name)s is not closed: its customer rates it once it "
                    "is closed.",
                    name=not_closed[:1].name,
                )
            )
        if token or rating:
            # the rating record itself is checked as a token would be
            existing = (
                rating.sudo()
                if rating
                else self.env["rating.rating"]
                .sudo()
                .search([("access_token", "=", token)], limit=1)
            )
            if not existing or (
                existing.res_model != self._name or existing.res_id not in self.ids
            ):
                raise UserError(self.env._("This satisfaction link is not valid."))
            if existing.consumed:
                raise UserError(
                    self.env._(
                        "This satisfaction link was already used: thank you, your "
                        "rating is recorded."
                    )
                )
        return super().rating_apply(
            rate,
            token=token,
            rating=rating,
            feedback=feedback,
            subtype_xmlid=subtype_xmlid,
            notify_delay_send=notify_delay_send,
        )

    # ------------------------------------------------------------------
    # Mail gateway
    # ------------------------------------------------------------------

    @api.model
    def _customerism_partner_from_email(self, email_from, company):
        """Contact for an incoming address; unknown senders become a contact
        flagged "to qualify" so that no mail is dropped."""
        emails = tools.email_split(email_from or "")
        if not emails:
            return self.env["res.partner"]
        email = tools.email_normalize(emails[0]) or emails[0]
        # sudo: the mail gateway finds or creates the sender's contact
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        partner = Partner.search(
            [
                ("email_normalized", "=", email),
                ("company_id", "in", [company.id, False]),
            ],
            order="active desc, customerism_to_qualify, id",
            limit=1,
        )
        if partner:
            return partner
        name = tools.parse_contact_from_email(email_from)[0] or email
        return Partner.create(
            {
                "name": name,
                "email": email,
                "customerism_to_qualify": True,
                "comment": self.env._("Created from an incoming complaint mail."),
            }
        )

    @api.model
    def _customerism_partner_unknown_sender(self, email_from):
        """Contact "to qualify" for a mail without a usable sender address, named
        from the display name of the sender if any: the mail is kept all the
        same."""
        raw = re.sub(r"\s+", " ", email_from or "").strip()
        if re.fullmatch(r"[^:<>@]*:[^;]*;", raw):
            # an address group ("undisclosed-recipients:;") names no one
            raw = ""
        name = parseaddr(raw)[0]
        if not name and "@" not in raw:
            name = re.sub(r"<[^>]*>", "", raw)
        name = name.strip(" \"'")[:MAX_SENDER_NAME_CHARS]
        # sudo: the mail gateway creates the sender's contact
        return (
            self.env["res.partner"]
            .sudo()
            .create(
                {
                    "name": name or self.env._("Unknown sender"),
                    "customerism_to_qualify": True,
                    "comment": self.env._(
                        "Created from an incoming complaint mail without a usable "
                        "sender address."
                    ),
                }
            )
        )

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        vals = dict(custom_values or {})
        company = self.env["res.company"].browse(
            vals.get("company_id") or self.env.company.id
        )
        partner = self.env["res.partner"]
        if msg_dict.get("author_id"):
            partner = self.env["res.partner"].browse(msg_dict["author_id"])
            if partner.company_id and partner.company_id != company:
                # a contact of another company: never lose the mail on a
                # company mismatch, use or create a contact of this company
                partner = self.env["res.partner"]
                msg_dict["author_id"] = False
        if not partner:
            partner = self._customerism_partner_from_email(
                msg_dict.get("email_from"), company
            ) or self._customerism_partner_unknown_sender(msg_dict.get("email_from"))
            # the mail is posted in the name of the (new) contact
            msg_dict["author_id"] = partner.id
        subject = (msg_dict.get("subject") or "").strip()
        body = msg_dict.get("body") or ""
        description = body
        if not tools.html2plaintext(body).strip():
            description = Markup("<p><i>%s</i></p>") % self.env._(
                "The mail had no text."
            )
        elif len(body) > MAX_DESCRIPTION_CHARS:
            description = Markup("<p><i>%s</i></p>") % self.env._(
                "The mail is too long to be copied here: read it in full in the "
                "messages below."
            )
        if not subject:
            text = re.sub(r"\s+", " ", tools.html2plaintext(body or "")).strip()
            subject = text[:80] or self.env._("Complaint by email")
        vals.setdefault("subject", subject)
        # the reference comes from the sequence, not from the mail subject
        vals.setdefault("name", "/")
        vals.setdefault("description", description)
        vals.setdefault("channel", "email")
        vals.setdefault("company_id", company.id)
        if partner:
            vals.setdefault("partner_id", partner.id)
        if msg_dict.get("email_from"):
            vals.setdefault("email_from", msg_dict["email_from"])
        return super(
            CrmComplaint, self.with_context(mail_create_nolog=True)
        ).message_new(msg_dict, custom_values=vals)

    def _merge_survivor(self):
        """The complaint that a merged duplicate lives on in (following merges
        of the survivor itself)."""
        self.ensure_one()
        survivor, seen = self, set()
        while survivor.merged_into_id and survivor.id not in seen:
            seen.add(survivor.id)
            survivor = survivor.merged_into_id
        return survivor

    def message_update(self, msg_dict, update_vals=None):
        # a reply to a merged duplicate updates the survivor (e.g. its Cc)
        survivors = self.browse({complaint._merge_survivor().id for complaint in self})
        return super(CrmComplaint, survivors).message_update(
            msg_dict, update_vals=update_vals
        )

    def _post_portal_filing_note(self, author, attachments=None):
        """Note of a complaint filed on the portal, with the files sent along
        (``(name, content)``): stored in the company's language, shown to each
        reader in their own (mail.message)."""
        self.ensure_one()
        lang_env = self.with_context(lang=self.company_id._customerism_lang()).env
        message = self.message_post(
            body=Markup("<p>%s</p>") % lang_env._(PORTAL_FILED_NOTE),
            author_id=author.id,
            subtype_xmlid="mail.mt_note",
            # created by message_post on the complaint (HTML, SVG and XML files
            # of a portal user are stored as plain text)
            attachments=attachments or [],
        )
        # sudo: the suite's own marker on the message it just posted
        message.sudo().customerism_note = "complaint_portal"
        return message

    def message_post(self, **kwargs):
        if kwargs.get("rating_value"):
            # rating.mixin would create the rating (as superuser) with no check
            raise UserError(
                self.env._(
                    "A complaint is rated by its customer through the satisfaction "
                    "link sent at closure, not with a message."
                )
            )
        if (
            len(self) == 1
            and self.merged_into_id
            and self.env.context.get("from_alias")
            and kwargs.get("message_type") == "email"
        ):
            # an incoming mail on a merged (cancelled) duplicate: nothing is
            # lost, the mail goes to the complaint it was merged into
            survivor = self._merge_survivor()
            if survivor != self:
                kwargs.pop("parent_id", None)
                message = survivor.message_post(**kwargs)
                survivor.message_post(
                    body=self.env._(
                        "This mail answers the merged complaint %(name)s: it is "
                        "kept here.",
                        name=self._get_html_link(title=self.name),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                return message
        return super().message_post(**kwargs)

    def _message_get_suggested_recipients(self):
        recipients = super()._message_get_suggested_recipients()
        for complaint in self:
            if complaint.partner_id and complaint.partner_id not in (
                complaint.message_partner_ids
            ):
                complaint._message_add_suggested_recipient(
                    recipients,
                    partner=complaint.partner_id,
                    reason=self.env._("Customer"),
                )
        return recipients

    def _track_subtype(self, init_values):
        self.ensure_one()
        if "stage" in init_values and self.stage in ("resolved", "closed"):
            return self.env.ref("crm_customerism.mt_complaint_done")
        return super()._track_subtype(init_values)

    # ------------------------------------------------------------------
    # SLA escalation
    # ------------------------------------------------------------------

    @api.model
    def _escalation_domain(self, now):
        return [
            ("stage", "in", RUNNING_STAGES),
            "|",
            "&",
            ("resolution_deadline", "<", now),
            ("escalation_level", "<", 2),
            "&",
            "&",
            ("acknowledged_date", "=", False),
            ("response_deadline", "<", now),
            ("escalation_level", "<", 1),
        ]

    @api.model
    def _cron_escalate(self):
        """Escalate the complaints whose response or resolution deadline passed,
        as their SLA policy says, in batches."""
        now = fields.Datetime.now()
        complaints = self.search(
            self._escalation_domain(now), limit=ESCALATION_BATCH, order="id"
        )
        for complaint in complaints:
            complaint._escalate(now)
        if len(complaints) == ESCALATION_BATCH:
            self.env.ref("crm_customerism.ir_cron_crm_complaint_escalate")._trigger()
        return complaints

    def _escalate(self, now):
        self.ensure_one()
        policy = self.sla_policy_id
        if self.resolution_deadline and self.resolution_deadline < now:
            level, deadline = 2, self.resolution_deadline
            what = self.env._("resolution deadline")
        else:
            level, deadline = 1, self.response_deadline
            what = self.env._("response deadline")
        manager = policy.escalation_user_id or self.team_id.user_id
        vals = {"escalation_level": level, "last_escalation_date": now}
        action = policy.escalation_action or "notify"
        # the note says what was actually done, nothing more
        done = []
        if action == "raise_severity":
            severities = dict(self._fields["severity"]._description_selection(self.env))
            index = SEVERITY_ORDER.index(self.severity)
            if index + 1 < len(SEVERITY_ORDER):
                vals["severity"] = SEVERITY_ORDER[index + 1]
                done.append(
                    self.env._(
                        "severity raised to %(severity)s",
                        severity=severities[vals["severity"]],
                    )
                )
            else:
                done.append(
                    self.env._(
                        "the severity is already %(severity)s",
                        severity=severities[self.severity],
                    )
                )
        elif action == "reassign":
            if manager and manager != self.user_id:
                vals["user_id"] = manager.id
                done.append(self.env._("reassigned to %(user)s", user=manager.name))
            elif manager:
                done.append(
                    self.env._("already assigned to %(user)s", user=manager.name)
                )
            else:
                done.append(
                    self.env._(
                        "not reassigned: the policy has no escalation user and the "
                        "team no leader"
                    )
                )
        self.write(vals)
        notified = manager or self._escalation_fallback_managers()
        if manager:
            done.append(self.env._("%(user)s notified", user=manager.name))
        elif notified:
            done.append(
                self.env._(
                    "complaint managers notified: %(users)s",
                    users=", ".join(notified.mapped("name")),
                )
            )
        else:
            done.append(
                self.env._(
                    "no manager could be notified: the policy has no escalation "
                    "user, the team no leader and the company no complaint manager"
                )
            )
        body = self.env._(
            "Escalation: the %(what)s (%(deadline)s UTC) passed; %(done)s.",
            what=what,
            deadline=fields.Datetime.to_string(deadline),
            done="; ".join(done),
        )
        if manager:
            self.message_post(body=body, subtype_xmlid="mail.mt_note")
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=manager.id,
                summary=self.env._("Overdue complaint %(name)s", name=self.name),
                note=body,
            )
        else:
            # no one in charge: the note goes to the complaint managers
            self.message_post(
                body=body,
                subtype_xmlid="mail.mt_note",
                partner_ids=notified.partner_id.ids,
            )
        _logger.info("complaint %s escalated: %s", self.name, "; ".join(done))

    def _escalation_fallback_managers(self):
        """Complaint managers of the company: told of an escalation when neither
        the policy nor the team names a manager."""
        self.ensure_one()
        group = self.env.ref(
            "crm_customerism.group_crm_customerism_manager", raise_if_not_found=False
        )
        if not group:
            return self.env["res.users"]
        return (
            group.sudo()
            .users.filtered(
                lambda user: (
                    user.active
                    and not user.share
                    and self.company_id in user.company_ids
                )
            )
            .sorted("id")
        )

    # ------------------------------------------------------------------
    # Lifecycle (客户关系生命周期)
    # ------------------------------------------------------------------

    def _update_lifecycle_risk(self):
        """Flag the complaints that put their customers at risk and let the
        lifecycle recompute move those customers (set-based per company)."""
        for company, complaints in self.grouped("company_id").items():
            partner_ids = complaints.commercial_partner_id.ids
            if partner_ids:
                # sudo: the flags follow every complaint of the customer, also
                # those the user may not read
                self.sudo()._flag_lifecycle_risk(company, partner_ids)

    @api.model
    def _flag_lifecycle_risk(self, company, partner_ids, recompute=True):
        """Recompute the at-risk flags of the complaints of ``partner_ids`` in
        ``company``; returns the partners whose flag changed."""
        since = fields.Datetime.now() - relativedelta(
            days=company.customerism_complaint_repeat_days
        )
        base = [
            ("company_id", "=", company.id),
            ("commercial_partner_id", "in", partner_ids),
        ]
        open_serious = self._read_group(
            base
            + [
                ("stage", "in", OPEN_STAGES),
                ("severity", "in", ("high", "critical")),
            ],
            ["commercial_partner_id"],
            ["id:max"],
        )
        repeated = self._read_group(
            base + [("sla_start", ">=", since), ("stage", "!=", "cancelled")],
            ["commercial_partner_id"],
            ["__count", "id:max"],
        )
        threshold = company.customerism_complaint_repeat_count
        triggers = {}
        for partner, last_id in open_serious:
            triggers[partner.id] = (last_id, "serious")
        for partner, count, last_id in repeated:
            if threshold and count >= threshold and partner.id not in triggers:
                triggers[partner.id] = (last_id, "repeated", count)
        flagged = self.with_context(active_test=False).search(
            base + [("lifecycle_risk", "=", True)]
        )
        new_ids = {trigger[0] for trigger in triggers.values()}
        to_clear = flagged.filtered(lambda c: c.id not in new_ids)
        changed = to_clear.commercial_partner_id
        if to_clear:
            to_clear.write(
                {
                    "lifecycle_risk": False,
                    "lifecycle_risk_code": False,
                    "lifecycle_risk_values": False,
                }
            )
        for trigger in triggers.values():
            complaint = self.browse(trigger[0])
            values = {"name": complaint.name, "subject": complaint.subject}
            if trigger[1] == "serious":
                values["severity"] = complaint.severity
            else:
                values["count"] = trigger[2]
                values["days"] = company.customerism_complaint_repeat_days
            if (
                not complaint.lifecycle_risk
                or complaint.lifecycle_risk_code != trigger[1]
                or complaint.lifecycle_risk_values != values
            ):
                complaint.write(
                    {
                        "lifecycle_risk": True,
                        "lifecycle_risk_code": trigger[1],
                        "lifecycle_risk_values": values,
                    }
                )
                changed |= complaint.commercial_partner_id
        if changed and recompute:
            self.flush_model(
                ["lifecycle_risk", "lifecycle_risk_code", "lifecycle_risk_values"]
            )
            self.env["crm.customer.profile"].sudo()._recompute_partners(
                changed.ids, company=company
            )
        return changed

    @api.model
    def _cron_update_lifecycle_risk(self):
        """Daily: repeated complaints leave the period window; recompute the
        flags of the customers flagged or with complaints in the window."""
        for company in self.env["res.company"].search([]):
            since = fields.Datetime.now() - relativedelta(
                days=company.customerism_complaint_repeat_days + 1
            )
            groups = self._read_group(
                [
                    ("company_id", "=", company.id),
                    "|",
                    ("lifecycle_risk", "=", True),
                    ("sla_start", ">=", since),
                ],
                ["commercial_partner_id"],
            )
            partner_ids = [partner.id for (partner,) in groups if partner]
            if partner_ids:
                self._flag_lifecycle_risk(company, partner_ids)

    # ------------------------------------------------------------------
    # Merge
    # ------------------------------------------------------------------

    def _merge_link_fields(self):
        """Fields of the duplicates kept on the survivor of a merge: copied when
        the survivor has none, named in the merge note when they differ from the
        survivor's. Modules adding links to a complaint extend this list."""
        return list(LINK_FIELDS)

    def _check_mergeable(self, sources):
        """Refuse a merge that would move one customer's complaint (its text,
        messages and followers) into another customer's or another company's,
        whatever the caller's UI offered."""
        self.ensure_one()
        if not sources:
            raise UserError(self.env._("Select at least two complaints to merge."))
        complaints = self | sources
        if not self.commercial_partner_id or (
            complaints.commercial_partner_id != self.commercial_partner_id
        ):
            raise UserError(
                self.env._(
                    "Only complaints of one and the same customer can be merged: "
                    "%(names)s belong to different customers.",
                    names=", ".join(complaints.mapped("name")),
                )
            )
        if len(complaints.company_id) != 1:
            raise UserError(
                self.env._("Only complaints of one and the same company can be merged.")
            )
        if self.stage == "cancelled":
            raise UserError(
                self.env._(
                    "Complaint %(name)s is cancelled: keep an open complaint.",
                    name=self.name,
                )
            )
        if any(source.stage == "closed" for source in sources):
            raise UserError(
                self.env._("A closed complaint cannot be merged into another one.")
            )

    def _merge_from(self, sources):
        self._check_mergeable(sources)
        (self | sources).check_access("write")
        vals = {}
        # links of the duplicates that the survivor cannot take: (source, field, value)
        other_links = []
        for fname in self._merge_link_fields():
            field = self._fields[fname]
            current = self[fname]
            for source in sources:
                value = source[fname]
                if not value:
                    continue
                if not current:
                    current = value
                    vals[fname] = (
                        value.id if isinstance(value, models.BaseModel) else value
                    )
                elif value != current:
                    other_links.append((source, field, value))
        highest = max(
            (self | sources).mapped("severity"), key=SEVERITY_ORDER.index, default=False
        )
        if highest and highest != self.severity:
            vals["severity"] = highest
        descriptions = [self.description or ""] + [
            Markup("<p><b>%s</b></p>%s") % (source.name, source.description or "")
            for source in sources
            if source.description
        ]
        vals["description"] = Markup("").join(Markup(d) for d in descriptions)
        vals["gesture_card_ids"] = [
            fields.Command.link(card.id) for card in sources.gesture_card_ids
        ]
        self.write(vals)
        # messages, attachments, activities and ratings follow the survivor (a
        # rating link sent for a duplicate now rates the survivor); sudo: the
        # write access to all the complaints and one customer are checked above
        self.env["mail.message"].sudo().search(
            [("model", "=", self._name), ("res_id", "in", sources.ids)]
        ).write({"res_id": self.id})
        self.env["ir.attachment"].sudo().search(
            [("res_model", "=", self._name), ("res_id", "in", sources.ids)]
        ).write({"res_id": self.id})
        self.env["mail.activity"].sudo().search(
            [("res_model", "=", self._name), ("res_id", "in", sources.ids)]
        ).write({"res_id": self.id})
        ratings = (
            self.env["rating.rating"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "in", sources.ids)])
        )
        if ratings:
            ratings.write(
                {"res_id": self.id, "parent_res_id": self.team_id.id or False}
            )
            self.env.add_to_compute(self._fields["rating_last_value"], self | sources)
        self.message_subscribe(partner_ids=sources.message_partner_ids.ids)
        sources.write({"merged_into_id": self.id, "stage": "cancelled"})
        for source in sources:
            source.message_post(
                body=self.env._(
                    "Merged into %(name)s.", name=self._get_html_link(title=self.name)
                ),
                subtype_xmlid="mail.mt_note",
            )
        body = self.env._(
            "Merged duplicates: %(names)s. Their messages, attachments and links "
            "are kept here.",
            names=Markup(", ").join(
                source._get_html_link(title=source.name) for source in sources
            ),
        )
        if other_links:
            items = Markup("").join(
                Markup("<li>%s</li>")
                % self.env._(
                    "%(complaint)s, %(field)s: %(value)s",
                    complaint=source._get_html_link(title=source.name),
                    field=field._description_string(self.env),
                    value=self._merge_link_html(field, value),
                )
                for source, field, value in other_links
            )
            body = Markup("<p>%s</p><p>%s</p><ul>%s</ul>") % (
                body,
                self.env._(
                    "Links of the duplicates that differ from this complaint's:"
                ),
                items,
            )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        return True

    def _merge_link_html(self, field, value):
        """A link value of a duplicate for the merge note: a clickable link to a
        record, the label of a choice, escaped text otherwise."""
        if isinstance(value, models.BaseModel):
            # sudo: the name of a linked record, in a note on the same complaint
            record = value.sudo()
            return Markup(", ").join(
                rec._get_html_link(title=rec.display_name) for rec in record
            )
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, value)
        return str(value)
