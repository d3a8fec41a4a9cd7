import base64
import io

import pandas as pd
import xlsxwriter
from markupsafe import Markup
from statsmodels.tools.sm_exceptions import PerfectSeparationError

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..analysis.churn_drivers import churn_drivers
from ..analysis.clv_distribution import clv_distribution
from ..analysis.cohort_retention import cohort_retention
from ..analysis.rfm_segments import rfm_segment_map

ANALYSES = [
    ("rfm_segments", "RFM Segments"),
    ("cohort_retention", "Cohort Retention"),
    ("clv_distribution", "Lifetime Value Distribution"),
    ("churn_drivers", "Churn Drivers"),
]


class CrmAnalyticsAnalysis(models.TransientModel):
    """Runs one of the pandas analyses (crm_analytics/analysis) on the data
    of a company the user may read, shows its tables and exports them to
    XLSX. The frames are read through ``_search``, so record rules apply."""

    _name = "crm.analytics.analysis"
    _description = "Customer Analysis"

    analysis = fields.Selection(ANALYSES, required=True, default="rfm_segments")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_to = fields.Date(
        string="Orders Until",
        required=True,
        default=fields.Date.context_today,
        help="The cohort retention counts the confirmed orders up to this day.",
    )
    result_html = fields.Html(string="Result", readonly=True, sanitize=False)
    xlsx_file = fields.Binary(string="XLSX File", readonly=True, attachment=False)
    xlsx_filename = fields.Char(readonly=True)

    def action_run(self):
        self.ensure_one()
        self.result_html = Markup("").join(
            Markup('<h4 class="mt-3">%s</h4>%s') % (title, self._to_html(frame))
            for title, frame in self._tables()
        )
        return self._reopen()

    def action_export_xlsx(self):
        self.ensure_one()
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        header = workbook.add_format({"bold": True, "bg_color": "#E9ECEF"})
        for title, frame in self._tables():
            sheet = workbook.add_worksheet(title[:31])
            columns = [frame.index.name or "", *frame.columns]
            for col, label in enumerate(columns):
                sheet.write(0, col, str(label), header)
                sheet.set_column(col, col, max(12, len(str(label)) + 2))
            for row, (key, values) in enumerate(frame.iterrows(), start=1):
                sheet.write(row, 0, str(key))
                for col, value in enumerate(values, start=1):
                    if pd.notna(value):
                        sheet.write(row, col, value)
            sheet.freeze_panes(1, 1)
        workbook.close()
        label = dict(self._fields["analysis"]._description_selection(self.env))
        self.write(
            {
                "xlsx_file": base64.b64encode(output.getvalue()),
                "xlsx_filename": f"{label[self.analysis]} {self.company_id.name}.xlsx",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "target": "download",
            "url": f"/web/content/{self._name}/{self.id}/xlsx_file/"
            f"{self.xlsx_filename}?download=true",
        }

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    # -- tables: (title, frame with translated labels and units) ---------

    def _tables(self):
        if self.company_id not in self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "You cannot analyse the customers of %(company)s.",
                    company=self.company_id.name,
                )
            )
        return getattr(self, f"_tables_{self.analysis}")()

    def _tables_rfm_segments(self):
        _ = self.env._
        frame = self._read(
            "crm.customer.profile",
            [("company_id", "=", self.company_id.id)],
            ["recency_score", "frequency_score", "monetary_score", "current_value"],
        ).rename(columns={"current_value": "value"})
        result = rfm_segment_map(frame)
        segments = self.env["crm.customer.snapshot"]._fields["rfm_segment"]
        result.index = result.index.map(dict(segments._description_selection(self.env)))
        result.index.name = _("Segment")
        result[["share", "value_share"]] *= 100
        result.columns = [
            _("Customers"),
            _("Customers (%)"),
            _("Value, 12 months (%(currency)s)", currency=self.currency_id.name),
            _("Value (%)"),
            _("Average R"),
            _("Average F"),
            _("Average M"),
        ]
        return [(_("RFM Segments"), result.round(2))]

    def _tables_cohort_retention(self):
        _ = self.env._
        frame = self._read(
            "sale.order",
            [
                ("company_id", "=", self.company_id.id),
                ("state", "=", "sale"),
                ("date_order", "<", fields.Date.add(self.date_to, days=1)),
            ],
            ["partner_id.commercial_partner_id", "date_order"],
        ).rename(
            columns={
                "partner_id.commercial_partner_id": "partner_id",
                "date_order": "date",
            }
        )
        sizes, retention = cohort_retention(frame, as_of=self.date_to)
        if retention.empty:
            raise UserError(
                _(
                    "No confirmed order of %(company)s until this day.",
                    company=self.company_id.name,
                )
            )
        table = (retention * 100).round(1)
        table.columns = [
            _("Month %(number)s (%%)", number=month) for month in table.columns
        ]
        table.insert(0, _("Customers"), sizes)
        table.index = table.index.astype(str)
        table.index.name = _("First Purchase")
        return [(_("Cohort Retention"), table)]

    def _tables_clv_distribution(self):
        _ = self.env._
        # CLV = annual margin x a factor per grade (crm_customerism), so the
        # values are those of the profile form, computed for all at once
        frame = self._read(
            "crm.customer.profile",
            [("company_id", "=", self.company_id.id), ("annual_margin", ">", 0)],
            ["annual_margin", "grade"],
        )
        Profile = self.env["crm.customer.profile"]
        factors = {
            grade: Profile._lifetime_value_factor(self.company_id, grade)[1]
            for grade in frame["grade"].unique()
        }
        frame["clv"] = frame["annual_margin"].astype(float) * frame["grade"].map(
            factors
        ).astype(float)
        summary, histogram = clv_distribution(frame)
        grades = dict(
            self.env["crm.customer.profile"]
            ._fields["grade"]
            ._description_selection(self.env)
        )
        currency = self.currency_id.name
        summary.index = [
            grades.get(key, _("All Customers") if key == "all" else key)
            for key in summary.index
        ]
        summary.index.name = _("Grade")
        summary["top20_share"] *= 100
        summary.columns = [
            _("Customers"),
            _("Total (%(currency)s)", currency=currency),
            _("Mean (%(currency)s)", currency=currency),
            *(
                _(
                    "%(quantile)s (%(currency)s)",
                    quantile=name.upper(),
                    currency=currency,
                )
                for name in ("p10", "p25", "p50", "p75", "p90")
            ),
            _("Top 20% Share (%)"),
        ]
        histogram.index = [
            f"{row.lower:,.0f} - {row.upper:,.0f}" for row in histogram.itertuples()
        ]
        histogram.index.name = _("Lifetime Value (%(currency)s)", currency=currency)
        histogram = histogram[["customers"]]
        histogram.columns = [_("Customers")]
        return [
            (_("Lifetime Value by Grade"), summary.round(2)),
            (_("Lifetime Value Histogram"), histogram),
        ]

    def _tables_churn_drivers(self):
        _ = self.env._
        profiles = self._read(
            "crm.customer.profile",
            [("company_id", "=", self.company_id.id), ("order_count", ">", 0)],
            [
                "partner_id",
                "lifecycle_stage",
                "order_count",
                "average_order_value",
                "first_order_date",
            ],
        )
        complaints = self.env["crm.complaint"]._read_group(
            [("company_id", "=", self.company_id.id)],
            ["commercial_partner_id"],
            ["__count"],
        )
        counts = {partner.id: count for partner, count in complaints}
        today = pd.Timestamp(fields.Date.context_today(self))
        frame = pd.DataFrame(
            {
                "lapsed": (profiles["lifecycle_stage"] == "lapsed").astype(int),
                "complaints": profiles["partner_id"].map(counts).fillna(0),
                "orders": profiles["order_count"],
                "average_order": profiles["average_order_value"],
                "tenure": (
                    today - pd.to_datetime(profiles["first_order_date"])
                ).dt.days,
            }
        )
        labels = {
            "complaints": _("Complaints"),
            "orders": _("Orders"),
            "average_order": _("Average Order Value"),
            "tenure": _("Days Since First Order"),
        }
        try:
            result = churn_drivers(frame, "lapsed", list(labels))
        except ValueError:
            raise UserError(
                _(
                    "The churn drivers need both lapsed and active customers "
                    "with varying figures in %(company)s.",
                    company=self.company_id.name,
                )
            ) from None
        except (PerfectSeparationError, ArithmeticError):
            raise UserError(
                _(
                    "One factor separates lapsed and active customers completely: "
                    "the model cannot be fitted."
                )
            ) from None
        result = result.set_index(result["factor"].map(labels))
        result.index.name = _("Factor (per standard deviation)")
        result = result.drop(columns="factor")
        result.columns = [
            _("Coefficient"),
            _("Odds Ratio"),
            _("95% CI Low"),
            _("95% CI High"),
            "z",
            _("p-value"),
        ]
        return [
            (
                _("Churn Drivers (logistic regression on lapsed customers)"),
                result.round(4),
            )
        ]

    # -- reading -----------------------------------------------------------

    @api.model
    def _read(self, model, domain, paths):
        """The columns ``paths`` (fields, or one many2one hop like
        ``partner_id.commercial_partner_id``) of the records of ``model``
        matching ``domain`` the user may read, as a DataFrame, in one query."""
        records = self.env[model]
        records.check_access("read")
        query = records._search(domain)
        columns = []
        for path in paths:
            if "." in path:
                first, second = path.split(".")
                alias = query.make_alias(query.table, first)
                target = records._fields[first].comodel_name
                query.add_join(
                    "LEFT JOIN",
                    alias,
                    self.env[target]._table,
                    SQL(
                        "%s = %s",
                        SQL.identifier(query.table, first),
                        SQL.identifier(alias, "id"),
                    ),
                )
                columns.append(SQL.identifier(alias, second))
            else:
                columns.append(SQL.identifier(query.table, path))
        self.env.cr.execute(query.select(*columns))
        return pd.DataFrame(self.env.cr.fetchall(), columns=paths)

    @staticmethod
    def _to_html(frame):
        return Markup(
            frame.to_html(
                classes="table table-sm table-striped o_crm_analytics_table",
                na_rep="",
                border=0,
                float_format=lambda value: f"{value:,.2f}",
            )
        )
