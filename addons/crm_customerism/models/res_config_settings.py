from odoo import api, fields, models

from .res_company import GRADES, SERVICE_TIERS

# company thresholds edited together: the settings write them in one go, as the
# constraints (shares adding up to 100%, at-risk before lapse...) hold only
# once all of them are written
THRESHOLD_FIELDS = [
    "customerism_tier_vip",
    "customerism_tier_major",
    "customerism_tier_ordinary",
    "customerism_tier_small",
    "customerism_discount_rate",
    "customerism_margin_rate",
    "customerism_default_retention",
    "customerism_trend_months",
    "customerism_growth_rate",
    "customerism_decline_rate",
    "customerism_new_days",
    "customerism_at_risk_factor",
    "customerism_at_risk_days",
    "customerism_lapse_days",
]
# the settings show every share and rate as a percentage of a 0-1 fraction
# (widget percentage); the company stores the grade shares in percent
GRADE_SHARE_FIELDS = {
    f"customerism_{grade}_share": f"customerism_{grade}_pct" for grade in GRADES
}
COMPLAINT_ALIAS_XMLID = "crm_customerism.mail_alias_crm_complaint"


def _threshold(field_type, *args, **kwargs):
    return field_type(
        *args,
        compute="_compute_customerism_thresholds",
        inverse="_inverse_customerism_thresholds",
        readonly=False,
        **kwargs,
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    customerism_vip_share = _threshold(
        fields.Float, string="VIP Customers", digits=(16, 4)
    )
    customerism_major_share = _threshold(
        fields.Float, string="Major Customers", digits=(16, 4)
    )
    customerism_ordinary_share = _threshold(
        fields.Float, string="Ordinary Customers", digits=(16, 4)
    )
    customerism_small_share = _threshold(
        fields.Float, string="Small Customers", digits=(16, 4)
    )
    customerism_tier_vip = _threshold(
        fields.Selection, SERVICE_TIERS, string="VIP Service Tier"
    )
    customerism_tier_major = _threshold(
        fields.Selection, SERVICE_TIERS, string="Major Service Tier"
    )
    customerism_tier_ordinary = _threshold(
        fields.Selection, SERVICE_TIERS, string="Ordinary Service Tier"
    )
    customerism_tier_small = _threshold(
        fields.Selection, SERVICE_TIERS, string="Small Service Tier"
    )
    customerism_discount_rate = _threshold(
        fields.Float, string="Annual Discount Rate", digits=(16, 4)
    )
    customerism_margin_rate = _threshold(
        fields.Float, string="Assumed Margin Rate", digits=(16, 4)
    )
    customerism_default_retention = _threshold(
        fields.Float, string="Default Retention Rate", digits=(16, 4)
    )
    customerism_trend_months = _threshold(
        fields.Integer, string="Trend Period (Months)"
    )
    customerism_growth_rate = _threshold(
        fields.Float, string="Growth Threshold", digits=(16, 4)
    )
    customerism_decline_rate = _threshold(
        fields.Float, string="Decline Threshold", digits=(16, 4)
    )
    customerism_new_days = _threshold(fields.Integer, string="New Customer Days")
    customerism_at_risk_factor = _threshold(
        fields.Float, string="At-Risk Interval Factor"
    )
    customerism_at_risk_days = _threshold(fields.Integer, string="At-Risk Days")
    customerism_lapse_days = _threshold(fields.Integer, string="Lapse Days")
    customerism_retention_vip = fields.Float(
        related="company_id.customerism_retention_vip"
    )
    customerism_retention_major = fields.Float(
        related="company_id.customerism_retention_major"
    )
    customerism_retention_ordinary = fields.Float(
        related="company_id.customerism_retention_ordinary"
    )
    customerism_retention_small = fields.Float(
        related="company_id.customerism_retention_small"
    )

    @api.depends("company_id")
    def _compute_customerism_thresholds(self):
        for settings in self:
            for fname in THRESHOLD_FIELDS:
                settings[fname] = settings.company_id[fname]
            for share, pct in GRADE_SHARE_FIELDS.items():
                settings[share] = settings.company_id[pct] / 100

    def _inverse_customerism_thresholds(self):
        for settings in self:
            company = settings.company_id
            vals = {
                fname: settings[fname]
                for fname in THRESHOLD_FIELDS
                if settings[fname] != company[fname]
            }
            for share, pct in GRADE_SHARE_FIELDS.items():
                percent = round(settings[share] * 100, 4)
                if percent != company[pct]:
                    vals[pct] = percent
            if vals:
                company.write(vals)

    def action_customerism_recompute_all(self):
        return self.env["crm.customer.profile"].action_recompute_all()

    customerism_complaint_repeat_count = fields.Integer(
        related="company_id.customerism_complaint_repeat_count", readonly=False
    )
    customerism_complaint_repeat_days = fields.Integer(
        related="company_id.customerism_complaint_repeat_days", readonly=False
    )
    customerism_gesture_limit = fields.Float(
        related="company_id.customerism_gesture_limit", readonly=False
    )
    customerism_contact_cap = fields.Integer(
        related="company_id.customerism_contact_cap", readonly=False
    )
    customerism_contact_cap_days = fields.Integer(
        related="company_id.customerism_contact_cap_days", readonly=False
    )
    customerism_overdue_amount = fields.Monetary(
        related="company_id.customerism_overdue_amount", readonly=False
    )
    customerism_overdue_days = fields.Integer(
        related="company_id.customerism_overdue_days", readonly=False
    )

    # complaint email alias (a mail.alias of crm_customerism's data), set here
    # as the other apps set theirs (e.g. hr_expense)
    customerism_complaint_alias_name = fields.Char(
        string="Complaint Alias",
        compute="_compute_customerism_complaint_alias",
        inverse="_inverse_customerism_complaint_alias",
        readonly=False,
        help="Mails sent to this address create complaints; empty: no complaint alias.",
    )
    customerism_complaint_alias_domain_id = fields.Many2one(
        "mail.alias.domain",
        string="Complaint Alias Domain",
        compute="_compute_customerism_complaint_alias",
        inverse="_inverse_customerism_complaint_alias",
        readonly=False,
    )

    @api.depends("company_id")
    def _compute_customerism_complaint_alias(self):
        alias = self._customerism_complaint_alias()
        for settings in self:
            settings.customerism_complaint_alias_name = alias.alias_name
            settings.customerism_complaint_alias_domain_id = alias.alias_domain_id

    def _customerism_complaint_alias(self):
        """The complaint alias (sudo), an empty recordset if it was deleted."""
        alias = self.env.ref(COMPLAINT_ALIAS_XMLID, raise_if_not_found=False)
        return (alias or self.env["mail.alias"]).sudo()

    def _inverse_customerism_complaint_alias(self):
        alias = self._customerism_complaint_alias()
        for settings in self:
            name = settings.customerism_complaint_alias_name or False
            domain = settings.customerism_complaint_alias_domain_id
            if not alias:
                if not name:
                    continue
                # deleted by hand: created again, under the same xml id
                alias = (
                    self.env["mail.alias"]
                    .sudo()
                    .create(
                        {
                            "alias_name": name,
                            "alias_domain_id": domain.id,
                            "alias_model_id": self.env["ir.model"]._get_id(
                                "crm.complaint"
                            ),
                            "alias_contact": "everyone",
                        }
                    )
                )
                self.env["ir.model.data"].sudo().create(
                    {
                        "name": COMPLAINT_ALIAS_XMLID.split(".")[1],
                        "module": "crm_customerism",
                        "model": "mail.alias",
                        "noupdate": True,
                        "res_id": alias.id,
                    }
                )
                continue
            vals = {}
            if alias.alias_name != name:
                vals["alias_name"] = name
            if alias.alias_domain_id != domain:
                vals["alias_domain_id"] = domain.id
            if vals:
                alias.write(vals)
