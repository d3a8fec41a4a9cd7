"""The figures of the management report for a company and a period, read
through the report models with the reader's rights (record rules apply), in
the language of ``env``. Steps, one per section: key figures against the
period before, the pyramid, the lifecycle and its transitions, churn and
recovery per month, complaints and satisfaction, supplier quality.

The pyramid and the lifecycle are those of one day: today's live profiles
when the period reaches today, otherwise the month-end snapshots of the last
month end of the period. Churn and recovery per month are the snapshots'
(crm.customer.transition.report defines them), not the stage history's."""

from dateutil.relativedelta import relativedelta

from odoo import fields

from odoo.addons.crm_customerism.models.crm_customer_profile import (
    GRADE_SELECTION,
    STAGE_SELECTION,
)

from ..models.crm_customer_snapshot import month_end


def percent(part, whole):
    return 100.0 * part / whole if whole else 0.0


def _percent_or_none(rate):
    return None if rate is None else 100.0 * rate


def change(current, previous):
    """Change against the previous period in percent; None without a base."""
    return percent(current - previous, previous) if previous else None


class ManagementReportFigures:
    def __init__(self, env, company, date_from, date_to):
        self.env = env
        self.company = company
        self.date_from = date_from
        self.date_to = date_to
        days = (date_to - date_from).days + 1
        self.prev_to = date_from - relativedelta(days=1)
        self.prev_from = self.prev_to - relativedelta(days=days - 1)
        today = fields.Date.context_today(env.user)
        # the day of the pyramid and the lifecycle: today, or the last month
        # end of a past period (the snapshots are taken at month ends)
        self.live = date_to >= today
        if self.live:
            self.as_of = today
        elif date_to == month_end(date_to):
            self.as_of = date_to
        else:
            self.as_of = date_to.replace(day=1) - relativedelta(days=1)

    def _labels(self, model, fname):
        field = self.env[model]._fields[fname]
        return dict(field._description_selection(self.env))

    def _company(self):
        return [("company_id", "=", self.company.id)]

    def _dates(self, date_from, date_to, fname="date", datetime=False):
        if datetime:
            # the Datetime column: the whole of the last day counts
            return [
                (fname, ">=", fields.Datetime.to_datetime(date_from)),
                (
                    fname,
                    "<",
                    fields.Datetime.to_datetime(date_to + relativedelta(days=1)),
                ),
            ]
        return [(fname, ">=", date_from), (fname, "<=", date_to)]

    def compute(self):
        return {
            "key_figures": self.key_figures(),
            "as_of": self.as_of_note(),
            "pyramid": self.pyramid(),
            "lifecycle": self.lifecycle(),
            "transitions": self.transitions(),
            "churn": self.churn_recovery(),
            "complaints": self.complaints(),
            "root_causes": self.complaints_by_root_cause(),
            "suppliers": self.supplier_quality(),
        }

    # -- key figures: this period against the one before ------------------

    def _period_totals(self, date_from, date_to):
        Value = self.env["crm.customer.value.report"]
        [(net, customers, orders)] = Value._read_group(
            self._company() + self._dates(date_from, date_to),
            [],
            ["net_value:sum", "partner_id:count_distinct", "order_count:sum"],
        )
        Complaint = self.env["crm.complaint.report"]
        [(complaints, over_sla, satisfaction)] = Complaint._read_group(
            self._company() + self._dates(date_from, date_to, datetime=True),
            [],
            ["complaint_count:sum", "over_sla_count:sum", "satisfaction:avg"],
        )
        return {
            "net_value": net or 0.0,
            "customers": customers or 0,
            "orders": orders or 0,
            "complaints": complaints or 0,
            "over_sla": over_sla or 0,
            "satisfaction": satisfaction or None,
        }

    def key_figures(self):
        _ = self.env._
        current = self._period_totals(self.date_from, self.date_to)
        previous = self._period_totals(self.prev_from, self.prev_to)
        labels = {
            "net_value": _(
                "Net value (%(currency)s)", currency=self.company.currency_id.name
            ),
            "customers": _("Buying customers"),
            "orders": _("Orders"),
            "complaints": _("Complaints"),
            "over_sla": _("Complaints over SLA"),
            "satisfaction": _("Satisfaction (1-5)"),
        }
        return [
            {
                "key": key,
                "label": label,
                "value": current[key],
                "previous": previous[key],
                "change": change(current[key] or 0, previous[key] or 0),
            }
            for key, label in labels.items()
        ]

    # -- pyramid and lifecycle: customers on one day -----------------------

    def _customers_on_day(self, groupby, aggregates):
        """_read_group of the live profiles (today) or of the snapshots of
        the month end ``as_of`` (a past period), per ``groupby``."""
        domain = self._company() + [(groupby, "!=", False)]
        if self.live:
            model = self.env["crm.customer.profile"]
        else:
            model = self.env["crm.customer.snapshot"]
            domain += [("date", "=", self.as_of)]
        return model._read_group(domain, [groupby], aggregates)

    def as_of_note(self):
        """What day the pyramid and the lifecycle show, said in the report."""
        _ = self.env._
        if self.live:
            return _(
                "Customers today (%(date)s), from the live customer profiles.",
                date=self.as_of,
            )
        snapshots = self.env["crm.customer.snapshot"].search_count(
            self._company() + [("date", "=", self.as_of)], limit=1
        )
        if not snapshots:
            return _(
                "No monthly snapshot at %(date)s, the last month end of the "
                "period: rebuild the snapshots (Customer Analytics > Rebuild "
                "Snapshots) to see the customers of that day.",
                date=self.as_of,
            )
        return _(
            "Customers at the month end %(date)s, from the monthly snapshots.",
            date=self.as_of,
        )

    def pyramid(self):
        """Customers and their value of the last 12 months per grade, on the
        day of the report (see as_of_note)."""
        rows = self._customers_on_day("grade", ["__count", "current_value:sum"])
        counts = {grade: count for grade, count, __ in rows}
        values = {grade: value for grade, __, value in rows}
        labels = self._labels("crm.customer.profile", "grade")
        total_count = sum(counts.values())
        total_value = sum(values.values())
        return [
            {
                "grade": grade,
                "label": labels[grade],
                "customers": counts.get(grade, 0),
                "customer_share": percent(counts.get(grade, 0), total_count),
                "value": values.get(grade, 0.0),
                "value_share": percent(values.get(grade, 0.0), total_value),
            }
            for grade, __ in GRADE_SELECTION
        ]

    def lifecycle(self):
        """Customers per lifecycle stage on the day of the report."""
        counts = dict(self._customers_on_day("lifecycle_stage", ["__count"]))
        labels = self._labels("crm.customer.profile", "lifecycle_stage")
        return [
            {"stage": stage, "label": labels[stage], "customers": counts.get(stage, 0)}
            for stage, __ in STAGE_SELECTION
        ]

    def transitions(self, limit=10):
        rows = self.env["crm.customer.stage.history"]._read_group(
            self._company() + self._dates(self.date_from, self.date_to),
            ["stage_from", "stage_to"],
            ["__count"],
        )
        labels = self._labels("crm.customer.stage.history", "stage_to")
        rows.sort(key=lambda row: (-row[2], row[0] or "", row[1] or ""))
        return [
            {
                "stage_from": labels.get(stage_from, "") if stage_from else "",
                "stage_to": labels.get(stage_to, ""),
                "customers": count,
            }
            for stage_from, stage_to, count in rows[:limit]
        ]

    def churn_recovery(self):
        """Churn and recovery at the end of each month of the period, from
        the month-end snapshots (crm.customer.snapshot._monthly_rates):
        None for a month without snapshots at its end and the one before."""
        first = self.date_from.replace(day=1)
        rates = {
            row["date"]: row
            for row in self.env["crm.customer.snapshot"]._monthly_rates(
                self.company, first - relativedelta(days=1), self.date_to
            )
        }
        months = []
        month = first
        while month <= self.date_to:
            row = rates.get(month_end(month), {})
            months.append(
                {
                    "month": month.strftime("%Y-%m"),
                    "active": row.get("active"),
                    "churned": row.get("churned"),
                    "churn_rate": _percent_or_none(row.get("churn_rate")),
                    "lapsed": row.get("lapsed"),
                    "recovered": row.get("recovered"),
                    "recovery_rate": _percent_or_none(row.get("recovery_rate")),
                }
            )
            month += relativedelta(months=1)
        return months

    # -- complaints and suppliers -----------------------------------------

    _complaint_aggregates = (
        "complaint_count:sum",
        "over_sla_count:sum",
        "response_met:avg",
        "resolution_met:avg",
        "first_response_hours:avg",
        "resolution_hours:avg",
        "satisfaction:avg",
        "remedy_cost:sum",
    )

    def _complaint_rows(self, groupby, domain=()):
        rows = self.env["crm.complaint.report"]._read_group(
            self._company()
            + self._dates(self.date_from, self.date_to, datetime=True)
            + list(domain),
            groupby,
            list(self._complaint_aggregates),
        )
        names = [spec.split(":")[0] for spec in self._complaint_aggregates]
        # _read_group gives False for an average over no value: None here
        return [
            (
                row[: len(groupby)],
                {
                    name: None if value is False else value
                    for name, value in zip(names, row[len(groupby) :], strict=True)
                },
            )
            for row in rows
        ]

    def complaints(self):
        [(__, totals)] = self._complaint_rows([])
        totals["complaint_count"] = totals["complaint_count"] or 0
        return totals

    def complaints_by_root_cause(self):
        labels = self._labels("crm.complaint.report", "root_cause_type")
        return [
            {
                "label": labels.get(cause, "") if cause else self.env._("Not analysed"),
                **figures,
            }
            for (cause,), figures in self._complaint_rows(["root_cause_type"])
        ]

    def supplier_quality(self):
        rows = self._complaint_rows(["supplier_id"], [("supplier_id", "!=", False)])
        claimed = dict(
            self.env["crm.complaint.report"]._read_group(
                self._company()
                + self._dates(self.date_from, self.date_to, datetime=True)
                + [("supplier_id", "!=", False)],
                ["supplier_id"],
                ["supplier_claim_amount:sum"],
            )
        )
        result = [
            {
                "label": supplier.display_name,
                "claimed": claimed.get(supplier, 0.0),
                **figures,
            }
            for (supplier,), figures in rows
        ]
        return sorted(result, key=lambda row: -row["complaint_count"])
