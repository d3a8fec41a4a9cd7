from odoo import api, fields, models

from .crm_customer_profile import STAGE_SELECTION


class MailActivityPlan(models.Model):
    _inherit = "mail.activity.plan"

    customerism_lifecycle_stage = fields.Selection(
        STAGE_SELECTION,
        string="Playbook for Lifecycle Stage",
        help="Default playbook of the customers in this lifecycle stage: launched "
        "from the customer and by win-back campaigns.",
    )

    @api.model
    def _customerism_playbook(self, stage, company=None):
        company = company or self.env.company
        return self.search(
            [
                ("res_model", "=", "res.partner"),
                ("customerism_lifecycle_stage", "=", stage),
                ("company_id", "in", [company.id, False]),
            ],
            order="company_id, id",
            limit=1,
        )

    def _customerism_schedule(self, partners, user=None, date=None):
        """Schedule the activities of the plan on ``partners``; ``user`` is the
        responsible for the templates assigned on demand."""
        self.ensure_one()
        date = date or fields.Date.context_today(self)
        activities = self.env["mail.activity"]
        for partner in partners:
            for template in self.template_ids:
                responsible = template.responsible_id or user or self.env.user
                activities |= partner.activity_schedule(
                    activity_type_id=template.activity_type_id.id,
                    summary=template.summary,
                    note=template.note,
                    user_id=responsible.id,
                    date_deadline=template._get_date_deadline(date),
                )
        return activities
