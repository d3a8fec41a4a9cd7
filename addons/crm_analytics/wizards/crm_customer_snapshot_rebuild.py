from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.crm_customer_snapshot import month_end


def _last_month_end(env):
    return fields.Date.context_today(env["res.users"]).replace(day=1) - timedelta(
        days=1
    )


class CrmCustomerSnapshotRebuild(models.TransientModel):
    """Rebuild the monthly snapshots of past months from history (the
    documents known at each month end), e.g. the last 24 months after the
    suite is installed on a database with years of orders."""

    _name = "crm.customer.snapshot.rebuild"
    _description = "Rebuild Customer Snapshots"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date_from = fields.Date(
        string="From Month",
        required=True,
        default=lambda self: month_end(
            _last_month_end(self.env) - relativedelta(months=23)
        ),
    )
    date_to = fields.Date(
        string="To Month",
        required=True,
        default=lambda self: _last_month_end(self.env),
    )
    replace = fields.Boolean(
        string="Replace Existing Months",
        help="Delete and recompute the months that already have snapshots; "
        "otherwise only the customers missing from them are added.",
    )

    @api.onchange("date_to")
    def _onchange_date_to(self):
        if self.date_to:
            self.date_from = month_end(self.date_to - relativedelta(months=23))

    def action_rebuild(self):
        self.ensure_one()
        if not self.env.user.has_group("crm_analytics.group_crm_analytics_manager"):
            raise UserError(
                self.env._("Only Customer Analytics managers can rebuild snapshots.")
            )
        if self.company_id not in self.env.user.company_ids:
            raise UserError(
                self.env._(
                    "You cannot rebuild the snapshots of %(company)s.",
                    company=self.company_id.name,
                )
            )
        last = _last_month_end(self.env)
        if self.date_from > self.date_to:
            raise UserError(
                self.env._(
                    "The first month (%(start)s) is after the last (%(end)s).",
                    start=self.date_from,
                    end=self.date_to,
                )
            )
        if self.date_from > last:
            raise UserError(
                self.env._(
                    "Only months that have ended can be rebuilt: the last is %(last)s.",
                    last=last,
                )
            )
        added = (
            self.env["crm.customer.snapshot"]
            .sudo()
            ._rebuild(
                self.company_id, self.date_from, self.date_to, replace=self.replace
            )
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(months)s months rebuilt, %(rows)s customer snapshots added.",
                    months=len(added),
                    rows=sum(added.values()),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
