from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .res_company import SERVICE_TIERS

SEVERITY_SELECTION = [
    ("low", "Low"),
    ("normal", "Normal"),
    ("high", "High"),
    ("critical", "Critical"),
]
ESCALATION_ACTIONS = [
    ("notify", "Notify the Manager"),
    ("raise_severity", "Raise the Severity"),
    ("reassign", "Reassign"),
]


class CrmComplaintSlaPolicy(models.Model):
    """Response and resolution targets of complaints for a severity and a
    service tier, in working hours of the company calendar."""

    _name = "crm.complaint.sla.policy"
    _description = "Complaint SLA Policy"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty to apply the policy in every company.",
    )
    severity = fields.Selection(SEVERITY_SELECTION, required=True)
    service_tier = fields.Selection(
        SERVICE_TIERS,
        help="Service tier of the customer (from the grade); empty for every tier.",
    )
    response_hours = fields.Float(
        string="Response Time (Working Hours)",
        required=True,
        default=8.0,
        help="Working hours between the receipt and the acknowledgement.",
    )
    resolution_hours = fields.Float(
        string="Resolution Time (Working Hours)",
        required=True,
        default=40.0,
        help="Working hours between the receipt and the resolution; the time waiting "
        "on the customer is not counted.",
    )
    escalation_action = fields.Selection(
        ESCALATION_ACTIONS,
        required=True,
        default="notify",
        help="What the escalation cron does with an overdue complaint; the manager "
        "is notified in every case.",
    )
    escalation_user_id = fields.Many2one(
        "res.users",
        string="Escalate To",
        check_company=True,
        help="Manager notified (and, for a reassignment, new responsible). Defaults "
        "to the leader of the complaint team.",
    )

    @api.constrains("response_hours", "resolution_hours")
    def _check_hours(self):
        for policy in self:
            if policy.response_hours < 0 or policy.resolution_hours <= 0:
                raise ValidationError(
                    self.env._(
                        "SLA policy %(name)s: the response time cannot be negative and "
                        "the resolution time must be positive.",
                        name=policy.name,
                    )
                )
            if policy.response_hours > policy.resolution_hours:
                raise ValidationError(
                    self.env._(
                        "SLA policy %(name)s: the response time exceeds the resolution "
                        "time.",
                        name=policy.name,
                    )
                )

    @api.model
    def _find(self, company, severity, service_tier):
        """Best policy: own company before shared, exact tier before any tier."""
        policies = self.search(
            [
                ("company_id", "in", [company.id, False]),
                ("severity", "=", severity),
                ("service_tier", "in", [service_tier or "standard", False]),
            ]
        )
        return policies.sorted(
            lambda p: (not p.company_id, not p.service_tier, p.sequence, p.id)
        )[:1]
