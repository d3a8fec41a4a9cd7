from odoo import api, models

from .management_report_charts import bar_chart, line_chart, pyramid_chart


class CrmAnalyticsManagementReport(models.AbstractModel):
    """The printable management report (QWeb PDF) of a management report
    wizard: its figures and their charts, in the wizard's language."""

    _name = "report.crm_analytics.report_management"
    _description = "Management Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        wizards = self.env["crm.analytics.management.report.wizard"].browse(docids)
        wizards._check_input()
        reports = {}
        for wizard in wizards:
            figures = wizard._report_figures()
            reports[wizard.id] = {
                **figures,
                "charts": self._charts(wizard, figures),
            }
        return {
            "doc_ids": docids,
            "doc_model": "crm.analytics.management.report.wizard",
            "docs": wizards,
            "reports": reports,
        }

    def _charts(self, wizard, figures):
        _ = self.with_context(lang=wizard.lang).env._
        churn = figures["churn"]
        months = [row["month"] for row in churn]
        return {
            "pyramid": pyramid_chart(
                [row["label"] for row in figures["pyramid"]],
                [row["customers"] for row in figures["pyramid"]],
                _("Customer pyramid (customers)"),
            ),
            "lifecycle": bar_chart(
                [row["label"] for row in figures["lifecycle"]],
                [row["customers"] for row in figures["lifecycle"]],
                _("Customers per lifecycle stage"),
                _("Customers"),
            ),
            "churn": line_chart(
                months,
                [
                    (_("Churn rate"), [row["churn_rate"] for row in churn]),
                    (_("Recovery rate"), [row["recovery_rate"] for row in churn]),
                ],
                _("Churn and recovery rate per month"),
                _("Customers (%)"),
            ),
            "complaints": bar_chart(
                [row["label"] for row in figures["root_causes"]],
                [row["complaint_count"] for row in figures["root_causes"]],
                _("Complaints per root cause"),
                _("Complaints"),
            ),
        }
