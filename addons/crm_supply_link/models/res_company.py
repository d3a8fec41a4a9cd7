from odoo import fields, models
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
