import base64
import io

import xlsxwriter
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..report.management_report_figures import ManagementReportFigures


def _last_month_start(wizard):
    return fields.Date.context_today(wizard).replace(day=1) - relativedelta(months=1)


class CrmAnalyticsManagementReportWizard(models.TransientModel):
    """Asks the period, the company and the language of the printable
    management report (QWeb PDF)."""

    _name = "crm.analytics.management.report.wizard"
    _description = "Management Report"

    date_from = fields.Date(
        string="Period Start", required=True, default=_last_month_start
    )
    date_to = fields.Date(
        string="Period End",
        required=True,
        default=lambda self: _last_month_start(self) + relativedelta(months=1, days=-1),
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    xlsx_file = fields.Binary(string="XLSX File", readonly=True, attachment=False)
    xlsx_filename = fields.Char(readonly=True)
    lang = fields.Selection(
        selection="_selection_lang",
        string="Language",
        required=True,
        default=lambda self: self.env.lang or "en_US",
    )

    @api.model
    def _selection_lang(self):
        return self.env["res.lang"].get_installed()

    def _check_input(self):
        for wizard in self:
            if wizard.date_to < wizard.date_from:
                raise UserError(
                    self.env._(
                        "The period ends on %(end)s, before it starts on %(start)s.",
                        end=wizard.date_to,
                        start=wizard.date_from,
                    )
                )
            if wizard.company_id not in self.env.user.company_ids:
                raise AccessError(
                    self.env._(
                        "You cannot report on %(company)s.",
                        company=wizard.company_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        wizards._check_input()
        return wizards

    def write(self, vals):
        result = super().write(vals)
        self._check_input()
        return result

    def action_print(self):
        self._check_input()
        report = self.env.ref("crm_analytics.crm_analytics_management_report_action")
        return report.report_action(self)

    def _report_figures(self):
        """Figures of the report, in the wizard's language."""
        self.ensure_one()
        env = self.with_context(lang=self.lang).env
        return ManagementReportFigures(
            env, self.company_id, self.date_from, self.date_to
        ).compute()

    def action_export_xlsx(self):
        """The report's figures as a workbook: one sheet per section, a header
        row with the units."""
        self.ensure_one()
        self._check_input()
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        header = workbook.add_format({"bold": True, "bg_color": "#E9ECEF"})
        for title, columns, rows in self._xlsx_sheets():
            sheet = workbook.add_worksheet(title[:31])
            for col, label in enumerate(columns):
                sheet.write(0, col, label, header)
                sheet.set_column(col, col, max(12, len(label) + 2))
            for row, values in enumerate(rows, start=1):
                for col, value in enumerate(values):
                    if value is not None:
                        sheet.write(row, col, value)
            sheet.freeze_panes(1, 0)
        workbook.close()
        env = self.with_context(lang=self.lang).env
        self.write(
            {
                "xlsx_file": base64.b64encode(output.getvalue()),
                "xlsx_filename": env._(
                    "Management Report %(start)s %(end)s.xlsx",
                    start=self.date_from,
                    end=self.date_to,
                ),
            }
        )
        return {
            "type": "ir.actions.act_url",
            "target": "download",
            "url": f"/web/content/{self._name}/{self.id}/xlsx_file/"
            f"{self.xlsx_filename}?download=true",
        }

    def _xlsx_sheets(self):
        """(title, header labels with units, rows) of each section."""
        env = self.with_context(lang=self.lang).env
        _ = env._
        figures = self._report_figures()
        money = self.company_id.currency_id.name
        complaint_columns = [
            _("Complaints"),
            _("Over SLA"),
            _("Response on Time (%)"),
            _("Resolved on Time (%)"),
            _("First Response (Hours)"),
            _("Resolution (Hours)"),
            _("Satisfaction (1-5)"),
            _("Cost of Remedies (%(currency)s)", currency=money),
        ]
        complaint_keys = [
            "complaint_count",
            "over_sla_count",
            "response_met",
            "resolution_met",
            "first_response_hours",
            "resolution_hours",
            "satisfaction",
            "remedy_cost",
        ]
        return [
            (
                _("Key Figures"),
                [_("Figure"), _("This Period"), _("Previous Period"), _("Change (%)")],
                [
                    (row["label"], row["value"], row["previous"], row["change"])
                    for row in figures["key_figures"]
                ],
            ),
            (
                _("Customer Pyramid"),
                [
                    _("Grade"),
                    _("Customers"),
                    _("Customers (%)"),
                    _("Value, 12 Months (%(currency)s)", currency=money),
                    _("Value (%)"),
                ],
                [
                    (
                        row["label"],
                        row["customers"],
                        row["customer_share"],
                        row["value"],
                        row["value_share"],
                    )
                    for row in figures["pyramid"]
                ]
                + [(), (figures["as_of"],)],
            ),
            (
                _("Lifecycle"),
                [_("Lifecycle Stage"), _("Customers")],
                [(row["label"], row["customers"]) for row in figures["lifecycle"]]
                + [(), (figures["as_of"],)],
            ),
            (
                _("Transitions"),
                [_("From Stage"), _("To Stage"), _("Customers")],
                [
                    (row["stage_from"], row["stage_to"], row["customers"])
                    for row in figures["transitions"]
                ],
            ),
            (
                _("Churn and Recovery"),
                [
                    _("Month"),
                    _("Active Before (Customers)"),
                    _("Churned (Customers)"),
                    _("Churn Rate (%)"),
                    _("Lapsed Before (Customers)"),
                    _("Recovered (Customers)"),
                    _("Recovery Rate (%)"),
                ],
                [
                    (
                        row["month"],
                        row["active"],
                        row["churned"],
                        row["churn_rate"],
                        row["lapsed"],
                        row["recovered"],
                        row["recovery_rate"],
                    )
                    for row in figures["churn"]
                ],
            ),
            (
                _("Complaints"),
                [_("Root Cause"), *complaint_columns],
                [
                    (row["label"], *(row[key] for key in complaint_keys))
                    for row in figures["root_causes"]
                ],
            ),
            (
                _("Supplier Quality"),
                [
                    _("Supplier"),
                    *complaint_columns,
                    _("Claimed from Supplier (%(currency)s)", currency=money),
                ],
                [
                    (
                        row["label"],
                        *(row[key] for key in complaint_keys),
                        row["claimed"],
                    )
                    for row in figures["suppliers"]
                ],
            ),
        ]
