from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL


class ResCompany(models.Model):
    _inherit = "res.company"

    supply_demand_horizon_days = fields.Integer(
        string="Demand Horizon (Days)",
        default=30,
        help="Customer demand due within this many days counts in the projected "
        "demand (拉式供应链).",
    )
    supply_quotation_probability = fields.Float(
        string="Default Quotation Weight (%)",
        default=20.0,
        help="Weight of a quotation without an opportunity in the projected "
        "demand; quotations of an opportunity count with its probability.",
    )
    supply_priority_vip = fields.Boolean(
        string="Priority for VIP Customers",
        default=True,
        help="Deliveries of VIP customers get Odoo's priority (reserved first).",
    )
    supply_priority_major = fields.Boolean(
        string="Priority for Major Customers",
        default=True,
        help="Deliveries of major customers get Odoo's priority (reserved first).",
    )
    supply_priority_expert = fields.Boolean(
        string="Priority for the Expert Service Tier",
        default=True,
        help="Deliveries of customers served at the expert tier get Odoo's "
        "priority (reserved first).",
    )

    # supplier quality (供应商质量): above both thresholds, the purchasing manager
    # gets one activity per supplier and period
    supply_quality_rate_threshold = fields.Float(
        string="Supplier Complaint Rate Threshold",
        default=5.0,
        help="Complaints with a supplier root cause per 1,000 units delivered in a "
        "month from which the purchasing manager is alerted about the supplier.",
    )
    supply_quality_min_complaints = fields.Integer(
        string="Minimum Supplier Complaints",
        default=3,
        help="Fewest complaints of a supplier in the month for an alert, so that "
        "one complaint on a few units does not raise one.",
    )
    supply_quality_user_id = fields.Many2one(
        "res.users",
        string="Purchasing Manager",
        check_company=True,
        help="Receives the supplier quality activities; when empty, the first "
        "purchase manager of the company.",
    )

    _sql_constraints = [
        (
            "supply_demand_horizon_days_positive",
            "CHECK(supply_demand_horizon_days > 0)",
            "The demand horizon must be at least one day.",
        ),
        (
            "supply_quotation_probability_range",
            "CHECK(supply_quotation_probability BETWEEN 0 AND 100)",
            "The default quotation weight is a percentage between 0 and 100.",
        ),
    ]

    @api.constrains("supply_quality_rate_threshold", "supply_quality_min_complaints")
    def _check_supply_quality_thresholds(self):
        for company in self:
            if (
                company.supply_quality_rate_threshold < 0
                or company.supply_quality_min_complaints < 1
            ):
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the supplier complaint rate threshold "
                        "cannot be negative and the minimum number of supplier "
                        "complaints is at least 1.",
                        company=company.name,
                    )
                )

    def _supply_priority_condition(self, profile):
        """SQL: the customer of ``profile`` (an alias of crm_customer_profile)
        is a key account whose deliveries go first in this company."""
        self.ensure_one()
        return SQL(
            "COALESCE((%(p)s.grade = 'vip' AND %(vip)s)"
            " OR (%(p)s.grade = 'major' AND %(major)s)"
            " OR (%(p)s.service_tier = 'expert' AND %(expert)s), FALSE)",
            p=profile,
            vip=self.supply_priority_vip,
            major=self.supply_priority_major,
            expert=self.supply_priority_expert,
        )

    def write(self, vals):
        res = super().write(vals)
        if {
            "supply_priority_vip",
            "supply_priority_major",
            "supply_priority_expert",
        } & set(vals):
            self.env["stock.picking"]._supply_sync_priority(self)
        return res

    def _supply_quality_manager(self):
        """Who gets the supplier quality activities of the company."""
        self.ensure_one()
        if self.supply_quality_user_id:
            return self.supply_quality_user_id
        return self.env["res.users"].search(
            [
                ("groups_id", "in", self.env.ref("purchase.group_purchase_manager").id),
                ("company_ids", "in", self.id),
                ("share", "=", False),
            ],
            order="id",
            limit=1,
        )
