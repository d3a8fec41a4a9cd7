from odoo import api, fields, models
from odoo.exceptions import ValidationError

SERVICE_TIERS = [
    ("expert", "Expert"),
    ("personalized", "Personalized"),
    ("standard", "Standard"),
]

GRADES = ["vip", "major", "ordinary", "small"]


def _as_percent(rate):
    """A 0-1 rate as the number of percent the settings show: 0.15 -> 15."""
    return f"{rate * 100:g}"


class ResCompany(models.Model):
    _inherit = "res.company"

    # customer pyramid: share of graded customers per grade, from the top
    customerism_vip_pct = fields.Float(
        string="VIP Customers (%)",
        default=1.0,
        help="Share of the graded customers, ranked by current value, that are VIP "
        "customers (top of the pyramid).",
    )
    customerism_major_pct = fields.Float(
        string="Major Customers (%)",
        default=19.0,
        help="Share of the graded customers ranked just below the VIP customers.",
    )
    customerism_ordinary_pct = fields.Float(
        string="Ordinary Customers (%)",
        default=30.0,
        help="Share of the graded customers ranked just below the major customers.",
    )
    customerism_small_pct = fields.Float(
        string="Small Customers (%)",
        default=50.0,
        help="Share of the graded customers at the bottom of the pyramid.",
    )
    # service tier per grade
    customerism_tier_vip = fields.Selection(
        SERVICE_TIERS, string="VIP Service Tier", default="expert", required=True
    )
    customerism_tier_major = fields.Selection(
        SERVICE_TIERS, string="Major Service Tier", default="expert", required=True
    )
    customerism_tier_ordinary = fields.Selection(
        SERVICE_TIERS,
        string="Ordinary Service Tier",
        default="personalized",
        required=True,
    )
    customerism_tier_small = fields.Selection(
        SERVICE_TIERS, string="Small Service Tier", default="standard", required=True
    )
    # customer lifetime value
    customerism_discount_rate = fields.Float(
        string="Annual Discount Rate",
        default=0.10,
        digits=(16, 4),
        help="Yearly discount rate d of the customer lifetime value "
        "CLV = m x r / (1 + d - r); between 0 (excluded) and 1.",
    )
    customerism_margin_rate = fields.Float(
        string="Assumed Margin Rate",
        default=0.30,
        digits=(16, 4),
        help="Share of the revenue taken as margin when the sale orders carry no "
        "margin data (sale_margin not installed); between 0 and 1.",
    )
    customerism_default_retention = fields.Float(
        string="Default Retention Rate",
        default=0.50,
        digits=(16, 4),
        help="Retention rate used when no customer of a grade could be observed "
        "over the previous two years; between 0 and 1.",
    )
    customerism_retention_vip = fields.Float(
        string="Observed VIP Retention", digits=(16, 4), readonly=True
    )
    customerism_retention_major = fields.Float(
        string="Observed Major Retention", digits=(16, 4), readonly=True
    )
    customerism_retention_ordinary = fields.Float(
        string="Observed Ordinary Retention", digits=(16, 4), readonly=True
    )
    customerism_retention_small = fields.Float(
        string="Observed Small Retention", digits=(16, 4), readonly=True
    )
    customerism_avg_margin_vip = fields.Monetary(
        string="Average VIP Margin", currency_field="currency_id", readonly=True
    )
    customerism_avg_margin_major = fields.Monetary(
        string="Average Major Margin", currency_field="currency_id", readonly=True
    )
    customerism_avg_margin_ordinary = fields.Monetary(
        string="Average Ordinary Margin", currency_field="currency_id", readonly=True
    )
    customerism_avg_margin_small = fields.Monetary(
        string="Average Small Margin", currency_field="currency_id", readonly=True
    )
    customerism_last_recompute = fields.Datetime(
        string="Last Full Customer Recompute", readonly=True
    )
    # relationship lifecycle
    customerism_trend_months = fields.Integer(
        string="Trend Period (Months)",
        default=12,
        help="The value trend compares the value of the last period of this length "
        "with the value of the period before.",
    )
    customerism_growth_rate = fields.Float(
        string="Growth Threshold",
        default=0.20,
        digits=(16, 4),
        help="A value trend above this rate (0-1) puts the customer in the growth "
        "stage.",
    )
    customerism_decline_rate = fields.Float(
        string="Decline Threshold",
        default=0.30,
        digits=(16, 4),
        help="A value drop larger than this rate (0-1) puts the customer at risk.",
    )
    customerism_new_days = fields.Integer(
        string="New Customer Days",
        default=90,
        help="A customer stays new (or recovered) for this many days after the first "
        "order (or the order that ended a lapse).",
    )
    customerism_at_risk_factor = fields.Float(
        string="At-Risk Interval Factor",
        default=2.0,
        help="At risk when the days since the last order exceed this factor times the "
        "customer's usual interval between orders.",
    )
    customerism_at_risk_days = fields.Integer(
        string="At-Risk Days",
        default=180,
        help="At risk when the days since the last order exceed this limit.",
    )
    customerism_lapse_days = fields.Integer(
        string="Lapse Days",
        default=365,
        help="Lapsed (churned) when the days since the last order exceed this limit.",
    )

    @api.constrains(
        "customerism_vip_pct",
        "customerism_major_pct",
        "customerism_ordinary_pct",
        "customerism_small_pct",
    )
    def _check_customerism_grade_pct(self):
        for company in self:
            shares = [company[f"customerism_{grade}_pct"] for grade in GRADES]
            if any(share < 0 or share > 100 for share in shares):
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: each grade share must be between 0%% and "
                        "100%%; negative shares would make the grades overlap.",
                        company=company.name,
                    )
                )
            if abs(sum(shares) - 100.0) > 0.001:
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the grade shares (VIP, major, ordinary, "
                        "small) must add up to 100%%, not %(total)s%%.",
                        company=company.name,
                        total=round(sum(shares), 3),
                    )
                )

    @api.constrains(
        "customerism_discount_rate",
        "customerism_margin_rate",
        "customerism_default_retention",
        "customerism_growth_rate",
        "customerism_decline_rate",
    )
    def _check_customerism_rates(self):
        labels = {
            "customerism_margin_rate": self.env._("assumed margin rate"),
            "customerism_default_retention": self.env._("default retention rate"),
            "customerism_growth_rate": self.env._("growth threshold"),
            "customerism_decline_rate": self.env._("decline threshold"),
        }
        for company in self:
            if not 0 < company.customerism_discount_rate <= 1:
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the discount rate must be greater than "
                        "0%% and at most 100%%, not %(rate)s%%.",
                        company=company.name,
                        rate=_as_percent(company.customerism_discount_rate),
                    )
                )
            for fname, label in labels.items():
                if not 0 <= company[fname] <= 1:
                    raise ValidationError(
                        self.env._(
                            "Company %(company)s: the %(label)s must be between "
                            "0%% and 100%%, not %(rate)s%%.",
                            company=company.name,
                            label=label,
                            rate=_as_percent(company[fname]),
                        )
                    )

    @api.constrains(
        "customerism_trend_months",
        "customerism_new_days",
        "customerism_at_risk_factor",
        "customerism_at_risk_days",
        "customerism_lapse_days",
        "customerism_complaint_repeat_count",
        "customerism_complaint_repeat_days",
        "customerism_contact_cap",
        "customerism_contact_cap_days",
        "customerism_gesture_limit",
    )
    def _check_customerism_lifecycle(self):
        for company in self:
            if company.customerism_gesture_limit < 0:
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the apology gesture limit cannot be "
                        "negative (0: only managers grant gestures).",
                        company=company.name,
                    )
                )
            if company.customerism_complaint_repeat_count < 0:
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the number of repeated complaints that "
                        "puts a customer at risk cannot be negative (0 disables the "
                        "rule).",
                        company=company.name,
                    )
                )
            if company.customerism_complaint_repeat_days < 1:
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the period of the repeated complaints "
                        "must be at least 1 day.",
                        company=company.name,
                    )
                )
            if company.customerism_contact_cap < 0:
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the marketing contact cap cannot be "
                        "negative (0 disables the cap).",
                        company=company.name,
                    )
                )
            if company.customerism_contact_cap_days < 1:
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the period of the marketing contact cap "
                        "must be at least 1 day.",
                        company=company.name,
                    )
                )
            if not 1 <= company.customerism_trend_months <= 60:
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the trend period must be between 1 and "
                        "60 months.",
                        company=company.name,
                    )
                )
            if (
                company.customerism_new_days <= 0
                or company.customerism_at_risk_days <= 0
                or company.customerism_lapse_days <= 0
                or company.customerism_at_risk_factor <= 0
            ):
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the day limits and the at-risk factor of "
                        "the lifecycle must be positive.",
                        company=company.name,
                    )
                )
            if company.customerism_at_risk_days >= company.customerism_lapse_days:
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the at-risk limit (%(risk)s days) must "
                        "be shorter than the lapse limit (%(lapse)s days).",
                        company=company.name,
                        risk=company.customerism_at_risk_days,
                        lapse=company.customerism_lapse_days,
                    )
                )
            if company.customerism_new_days >= company.customerism_lapse_days:
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the new-customer period (%(new)s days) "
                        "must be shorter than the lapse limit (%(lapse)s days).",
                        company=company.name,
                        new=company.customerism_new_days,
                        lapse=company.customerism_lapse_days,
                    )
                )

    def write(self, vals):
        res = super().write(vals)
        if any(f"customerism_tier_{grade}" in vals for grade in GRADES):
            self.env["crm.customer.profile"]._update_service_tiers(self)
        return res

    def _customerism_lang(self):
        """Language of the texts the lifecycle stores (stage reasons, history,
        chatter notes, complaint risk reasons): the company's, so that they
        read the same whoever triggered the recompute."""
        self.ensure_one()
        return self.sudo().partner_id.lang or self.env.lang

    def _customerism_retention(self, grade):
        """Retention rate of ``grade`` observed at the last full recompute."""
        self.ensure_one()
        if not grade:
            grade = "small"
        return self[f"customerism_retention_{grade}"]

    # complaints and contacts
    customerism_complaint_repeat_count = fields.Integer(
        string="Repeated Complaints",
        default=3,
        help="This many complaints of a customer within the complaint period put the "
        "customer at risk; 0 disables the rule.",
    )
    customerism_complaint_repeat_days = fields.Integer(
        string="Complaint Period (Days)", default=90
    )
    customerism_gesture_limit = fields.Float(
        string="Apology Gesture Limit",
        default=100.0,
        help="Largest apology gesture a complaint user may grant on a complaint: "
        "points of a loyalty or coupon program, or the amount of a gift card or "
        "eWallet. Above it, a Customerism manager grants the gesture.",
    )
    customerism_contact_cap = fields.Integer(
        string="Marketing Contact Cap",
        default=4,
        help="Largest number of marketing contacts per customer within the contact "
        "period; 0 disables the cap.",
    )
    customerism_contact_cap_days = fields.Integer(
        string="Contact Period (Days)", default=30
    )

    # receivables (财务风险): overdue beyond both limits puts a customer at risk
    customerism_overdue_amount = fields.Monetary(
        string="Overdue Amount Limit",
        currency_field="currency_id",
        default=10000.0,
        help="A customer whose overdue receivables exceed this amount, for longer "
        "than the overdue days limit, is at risk.",
    )
    customerism_overdue_days = fields.Integer(
        string="Overdue Days Limit",
        default=30,
        help="Days past the due date of the oldest overdue receivable beyond which "
        "a customer with more than the overdue amount limit is at risk.",
    )

    @api.constrains("customerism_overdue_amount", "customerism_overdue_days")
    def _check_customerism_overdue(self):
        for company in self:
            if (
                company.customerism_overdue_amount < 0
                or company.customerism_overdue_days < 0
            ):
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the overdue amount and days limits "
                        "cannot be negative.",
                        company=company.name,
                    )
                )
