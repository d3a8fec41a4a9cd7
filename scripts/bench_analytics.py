#!/usr/bin/env python3
"""Benchmark crm_analytics on the bench data set.

Usage::

    python scripts/bench_analytics.py -c ODOO_CONF [-d customerism_bench]
        [--months 24] [--json]

Prints, from one run of the script (everything is rolled back):

- a month's snapshot of every customer (``crm.customer.snapshot``: the value
  engine as of the last month end, from the documents), the time of each
  of its stages, and its ratio to floors: a plain ``INSERT ... SELECT`` of
  the same columns from the live profiles into crm_customer_snapshot itself
  (its indexes, foreign keys and write-ahead log: the bare cost of writing
  the rows; goal: within 3x), the same insert into a temporary table of the
  same columns (no foreign key, no log: for reference), and that insert fed
  by a plain aggregate of the orders and credit notes known at the month end
  (what any snapshot from history has to read);
- the rebuild of the last ``--months`` month ends from history (default 24;
  0 skips it), in total and month by month;
- the movements between two months (transition matrix, grade migration, key
  accounts, churn and recovery per month) from the snapshots;
- the churn model: its fit on the snapshots and its backtest AUC (fitted on
  the months up to M, scored on the 90 days after M) beside the AUC of the
  plain recency rule, with the scoring of the customers;
- each pandas analysis of the Customer Analyses screen on the company's data
  (reading included);
- the load time of each figure of the manager dashboard (goal: < 2 s
  each), on the snapshots of the rebuild: the ORM calls the spreadsheet
  makes in the browser for the figure, read from the dashboard's JSON with
  its default period filter (``fields_get`` of the model, ``read_group``
  per pivot level, ``web_read_group`` per chart, ``web_search_read`` per
  list), as the admin user, the first load and a second one;
- the peak RSS of this Python process (goal: < 1.5 GB).

The database must have the suite installed and its profiles computed
(``scripts/gen_demo_data.py --scale bench``, then ``bench_customerism.py``).
"""

import argparse
import json
import os
import resource
import sys
import time
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

GOAL_FLOOR_RATIO = 3.0
GOAL_RSS_MB = 1536
GOAL_DASHBOARD_S = 2.0
# the figures of the dashboard: the pivots, charts and lists each one reads
DASHBOARD_FIGURES = (
    ("net value, orders (scorecards)", {"pivots": ("1", "2")}),
    ("complaints, over SLA, satisfaction", {"pivots": ("3", "4")}),
    ("customer pyramid today", {"pivots": ("5",)}),
    ("lifecycle funnel today", {"charts": ("a1c0f000-0000-4000-8000-000000000011",)}),
    ("churn and recovery", {"charts": ("a1c0f000-0000-4000-8000-000000000012",)}),
    ("at-risk key accounts", {"lists": ("1",)}),
    ("open complaints over SLA", {"lists": ("2",)}),
)
ANALYSES = ("rfm_segments", "cohort_retention", "clv_distribution", "churn_drivers")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", default="customerism_bench")
    parser.add_argument(
        "--months",
        type=int,
        default=24,
        help="month ends to rebuild from history (default 24, 0: none)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser.parse_args(argv)


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def floor_insert(cr, company_id, table="bench_snapshot_floor"):
    """The same columns copied without the complaint join, the RFM segment
    and lifetime value expressions, into ``table``: the bare cost of writing
    the rows."""
    from odoo.tools import SQL

    cr.execute(
        SQL(
            """
        INSERT INTO %s (
            date, company_id, partner_id, user_id, country_id, state_id, grade,
            is_key_account, service_tier, lifecycle_stage, current_value,
            previous_value, value_trend, historical_value, annual_margin,
            lifetime_value, order_count, current_order_count, last_order_date,
            days_since_last_order, recency_score, frequency_score,
            monetary_score, complaint_count, open_complaint_count,
            receivable_amount, overdue_amount, overdue_days, create_uid,
            create_date, write_uid, write_date)
        SELECT current_date, prof.company_id, prof.partner_id, partner.user_id,
               partner.country_id, partner.state_id, prof.grade,
               prof.is_key_account, prof.service_tier, prof.lifecycle_stage,
               prof.current_value, prof.previous_value, prof.value_trend,
               prof.historical_value, prof.annual_margin, prof.annual_margin,
               prof.order_count, prof.current_order_count, prof.last_order_date,
               current_date - prof.last_order_date, prof.recency_score,
               prof.frequency_score, prof.monetary_score, 0, 0,
               prof.receivable_amount, prof.overdue_amount, prof.overdue_days,
               1, now(), 1, now()
          FROM crm_customer_profile prof
          JOIN res_partner partner ON partner.id = prof.partner_id
         WHERE prof.company_id = %s AND prof.active
            """,
            SQL.identifier(table),
            company_id,
        )
    )
    return cr.rowcount


class StageTimes:
    """Seconds spent in each stage of the value engine
    (crm.customer.value.engine) while the block runs, its steps wrapped in
    timers: aggregate, receivables, ranks, then the batches (figures and
    stage with the caller's insert) as the rest of _compute_as_of."""

    def __init__(self, env):
        from odoo.addons.crm_customerism.models import crm_customer_value_engine

        self.module = crm_customer_value_engine
        self.engine = type(env["crm.customer.value.engine"])
        self.seconds = {}

    def _timer(self, stage, function):
        def timed_step(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[stage] = (
                    self.seconds.get(stage, 0) + time.perf_counter() - start
                )

        return timed_step

    def __enter__(self):
        self.seconds = {}
        self.saved = [
            (self.engine, name, self.engine.__dict__.get(name))
            for name in ("_build_aggregates", "_build_ranks", "_compute_as_of")
        ] + [(self.module, "build_receivables", self.module.build_receivables)]
        for owner, name, stage in (
            (self.engine, "_build_aggregates", "aggregate"),
            (self.engine, "_build_ranks", "ranks"),
            (self.engine, "_compute_as_of", "engine"),
            (self.module, "build_receivables", "receivables"),
        ):
            setattr(owner, name, self._timer(stage, getattr(owner, name)))
        return self

    def __exit__(self, *exc):
        for owner, name, saved in self.saved:
            if saved is None:
                delattr(owner, name)
            else:
                setattr(owner, name, saved)

    def stages(self, total):
        """{stage: seconds} of a snapshot that took ``total`` seconds."""
        times = {
            stage: self.seconds.get(stage, 0)
            for stage in ("aggregate", "receivables", "ranks")
        }
        engine = self.seconds.get("engine", 0)
        times["figures + insert"] = engine - sum(times.values())
        times["analyze, rest"] = total - engine
        return {stage: round(seconds, 3) for stage, seconds in times.items()}


def floor_history(cr, company_id, day):
    """The rows of the snapshot fed by one plain aggregate of the documents
    known at ``day``: the orders and credit notes per commercial partner
    (count, last order, value), then the insert of the same columns."""
    cr.execute(
        """
        INSERT INTO bench_snapshot_floor (
            date, company_id, partner_id, user_id, country_id, state_id,
            order_count, last_order_date, historical_value, create_uid,
            create_date, write_uid, write_date)
        SELECT %(day)s, %(company)s, agg.partner_id, partner.user_id,
               partner.country_id, partner.state_id, agg.orders, agg.last_day,
               agg.amount, 1, now(), 1, now()
          FROM (SELECT partner_id, count(ts) AS orders, max(ts)::date AS last_day,
                       sum(amount) AS amount
                  FROM (SELECT p.commercial_partner_id AS partner_id,
                               so.date_order AS ts,
                               so.amount_untaxed
                                   / COALESCE(NULLIF(so.currency_rate, 0), 1)
                                   AS amount
                          FROM sale_order so
                          JOIN res_partner p ON p.id = so.partner_id
                         WHERE so.company_id = %(company)s AND so.state = 'sale'
                           AND so.date_order < %(day)s::date + 1
                        UNION ALL
                        SELECT p.commercial_partner_id, NULL,
                               am.amount_untaxed_signed
                          FROM account_move am
                          JOIN res_partner p ON p.id = am.partner_id
                         WHERE am.company_id = %(company)s
                           AND am.state = 'posted' AND am.move_type = 'out_refund'
                           AND am.invoice_date <= %(day)s) rows
                 GROUP BY partner_id) agg
          JOIN res_partner partner ON partner.id = agg.partner_id
        """,
        {"company": company_id, "day": day},
    )
    return cr.rowcount


def period_domain(data, matching, today):
    """The domain of the dashboard's date filter (its default relative
    period, ``offset`` periods back) on the field of ``matching``, as the
    spreadsheet's getRelativeDateDomain builds it."""
    if not matching:
        return []
    [period] = [f for f in data["globalFilters"] if f["id"] in matching]
    days = {"last_month": 30, "last_three_months": 90, "last_six_months": 180}[
        period["defaultValue"]
    ]
    match = matching[period["id"]]
    shift = timedelta(days=days * match.get("offset", 0))
    start, end = today + timedelta(days=1) - timedelta(days=days) + shift, today + shift
    if match["type"] == "datetime":
        return [
            (match["chain"], ">=", f"{start} 00:00:00"),
            (match["chain"], "<=", f"{end} 23:59:59"),
        ]
    return [(match["chain"], ">=", str(start)), (match["chain"], "<=", str(end))]


def dashboard_calls(env, data, parts, today):
    """The ORM calls the spreadsheet makes for one figure: per model its
    fields_get; per pivot one read_group per level of its rows (lazy off);
    per chart one web_read_group; per list one web_search_read of its
    columns (many2one names, monetary currencies) up to the rows shown."""
    calls, models = [], set()
    for pivot_id in parts.get("pivots", ()):
        pivot = data["pivots"][pivot_id]
        Model = env[pivot["model"]]
        models.add(pivot["model"])
        measures = []
        for measure in pivot["measures"]:
            name = measure["fieldName"]
            if name == "__count":
                measures.append(name)
            else:
                field = Model._fields[name]
                aggregator = (
                    "count_distinct" if field.type == "many2one" else field.aggregator
                )
                measures.append(f"{name}:{aggregator}")
        domain = pivot["domain"] + period_domain(data, pivot["fieldMatching"], today)
        rows = [row["fieldName"] for row in pivot["rows"]]
        for level in range(len(rows) + 1):
            calls.append(
                lambda M=Model, d=domain, m=measures, g=rows[:level]: M.read_group(
                    d, m, g, lazy=False
                )
            )
    for sheet in data["sheets"]:
        for figure in sheet["figures"]:
            if figure["id"] not in parts.get("charts", ()):
                continue
            chart = figure["data"]
            Model = env[chart["metaData"]["resModel"]]
            models.add(Model._name)
            measure = chart["metaData"]["measure"]
            measures = ["__count"]
            if measure != "__count":
                measures.append(f"{measure}:{Model._fields[measure].aggregator}")
            domain = chart["searchParams"]["domain"] + period_domain(
                data, chart.get("fieldMatching"), today
            )
            calls.append(
                lambda M=Model, d=domain, m=measures, g=chart["metaData"]["groupBy"]: (
                    M.with_context(fill_temporal=True).web_read_group(
                        d, m, g, lazy=False
                    )
                )
            )
    for list_id in parts.get("lists", ()):
        spec_list = data["lists"][list_id]
        Model = env[spec_list["model"]]
        models.add(Model._name)
        spec = {}
        for name in spec_list["columns"]:
            field = Model._fields[name]
            if field.type == "monetary":
                spec[name] = {}
                spec[field.get_currency_field(Model)] = {
                    "fields": {
                        key: {}
                        for key in ("display_name", "name", "symbol", "decimal_places")
                    }
                }
            elif field.type in ("many2one", "many2many", "one2many"):
                spec[name] = {"fields": {"display_name": {}}}
            else:
                spec[name] = {}
        order = ", ".join(
            f"{o['name']} {'ASC' if o['asc'] else 'DESC'}" for o in spec_list["orderBy"]
        )
        domain = spec_list["domain"] + period_domain(
            data, spec_list["fieldMatching"], today
        )
        calls.append(
            lambda M=Model, d=domain, s=spec, o=order: M.web_search_read(
                d, s, order=o, limit=10
            )
        )
    return [
        *(
            lambda M=env[model]: M.fields_get(attributes=["type", "string"])
            for model in sorted(models)
        ),
        *calls,
    ]


def time_dashboard(env, today):
    """{figure: (first load s, second load s)} of the manager dashboard."""
    dashboard = env.ref("crm_analytics.spreadsheet_dashboard_customerism")
    start = time.perf_counter()
    data = dashboard.get_readonly_dashboard()["snapshot"]
    timings = {"dashboard JSON": (time.perf_counter() - start, None)}
    for name, parts in DASHBOARD_FIGURES:
        calls = dashboard_calls(env, data, parts, today)
        loads = []
        for __ in range(2):
            env.invalidate_all()
            start = time.perf_counter()
            for call in calls:
                call()
            loads.append(time.perf_counter() - start)
        timings[name] = tuple(loads)
    return timings


def main(argv=None):
    args = parse_args(argv)
    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.exceptions import UserError
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = Registry(args.database)
    figures = {"database": args.database}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if "crm.customer.snapshot" not in env:
            sys.exit(f"crm_analytics is not installed in {args.database}.")
        company = env.company
        Snapshot = env["crm.customer.snapshot"]
        month_end = date.today().replace(day=1) - timedelta(days=1)
        previous_end = month_end.replace(day=1) - timedelta(days=1)
        cr.execute(
            "CREATE TEMP TABLE bench_snapshot_floor"
            " (LIKE crm_customer_snapshot INCLUDING ALL)"
        )
        # the months of the run's own snapshots are replaced, then rolled back
        cr.execute(
            "DELETE FROM crm_customer_snapshot WHERE company_id = %s AND date >= %s",
            [company.id, previous_end],
        )
        # warm the caches once for the floors (the snapshot's first pass
        # reads the same tables), then time them side by side
        cr.execute("SAVEPOINT bench")
        floor_insert(cr, company.id)
        floor_history(cr, company.id, month_end)
        cr.execute("ROLLBACK TO SAVEPOINT bench")
        # the same rows into the snapshot table itself, dated today (no month
        # end: no key of the snapshot's), then rolled back
        cr.execute("SAVEPOINT bench")
        figures["floor_s"], rows = timed(
            floor_insert, cr, company.id, "crm_customer_snapshot"
        )
        cr.execute("ROLLBACK TO SAVEPOINT bench")
        figures["floor_temp_s"], __ = timed(floor_insert, cr, company.id)
        cr.execute("TRUNCATE bench_snapshot_floor")
        figures["floor_history_s"], __ = timed(floor_history, cr, company.id, month_end)
        with StageTimes(env) as stage_times:
            figures["snapshot_s"], added = timed(
                Snapshot._take_snapshot, company, month_end
            )
        figures["snapshot_stages"] = stage_times.stages(figures["snapshot_s"])
        figures["snapshot_rows"] = added
        figures["ratio_to_floor"] = round(figures["snapshot_s"] / figures["floor_s"], 2)
        figures["ratio_to_temp_floor"] = round(
            figures["snapshot_s"] / figures["floor_temp_s"], 2
        )
        figures["ratio_to_history_floor"] = round(
            figures["snapshot_s"] / figures["floor_history_s"], 2
        )
        figures["rerun_s"], again = timed(Snapshot._take_snapshot, company, month_end)
        figures["rerun_rows"] = again
        if args.months < 2:
            Snapshot._take_snapshot(company, previous_end)
        if args.months:
            # _rebuild_last_months(company, months, replace=True), one month
            # at a time to time each
            first = month_end - relativedelta(months=args.months - 1)
            figures["rebuild_per_month"] = {}
            start = time.perf_counter()
            for offset in range(args.months):
                day = first + relativedelta(months=offset, day=31)
                seconds, rebuilt = timed(Snapshot._rebuild, company, day, day, True)
                figures["rebuild_per_month"][str(day)] = (
                    round(seconds, 1),
                    sum(rebuilt.values()),
                )
            figures["rebuild_s"] = time.perf_counter() - start
            figures["rebuild_months"] = args.months
            figures["rebuild_rows"] = sum(
                rows for __, rows in figures["rebuild_per_month"].values()
            )
        first = month_end - relativedelta(months=max(args.months, 2) - 1)
        figures["movements_s"], __ = timed(
            lambda: (
                Snapshot._transition_matrix(company, previous_end, month_end),
                Snapshot._grade_migration(company, previous_end, month_end),
                Snapshot._key_account_moves(company, previous_end, month_end),
                Snapshot._monthly_rates(company, first, month_end),
            )
        )
        try:
            figures["churn_fit_s"], fit = timed(
                env["crm.churn.model"]._fit_company, company
            )
            figures["churn"] = {
                "training_rows": fit.training_rows,
                "scored": fit.scored_count,
                "backtest_month": str(fit.backtest_date),
                "auc": round(fit.backtest_auc, 3),
                "recency_auc": round(fit.recency_auc, 3),
                "lapse_rate": round(fit.lapse_rate, 4),
            }
        except UserError as error:
            figures["churn"] = {"refused": str(error)}
        figures["analyses"] = {}
        for analysis in ANALYSES:
            wizard = env["crm.analytics.analysis"].create(
                {"analysis": analysis, "company_id": company.id}
            )
            start = time.perf_counter()
            try:
                tables = wizard._tables()
                note = f"{sum(len(frame) for _title, frame in tables)} rows"
            except UserError as error:
                note = f"refused: {error}"
            figures["analyses"][analysis] = {
                "seconds": round(time.perf_counter() - start, 2),
                "result": note,
            }
        admin = env.ref("base.user_admin")
        figures["dashboard"] = {
            name: [None if load is None else round(load, 2) for load in loads]
            for name, loads in time_dashboard(
                env(user=admin, context=dict(admin.context_get())), date.today()
            ).items()
        }
        figures["peak_rss_mb"] = round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        )
        cr.rollback()
    figures["load"] = os.getloadavg()
    figures["goals_met"] = {
        "floor": figures["ratio_to_floor"] <= GOAL_FLOOR_RATIO,
        "rss": figures["peak_rss_mb"] < GOAL_RSS_MB,
        "dashboard": all(
            first < GOAL_DASHBOARD_S
            for name, (first, __) in figures["dashboard"].items()
            if name != "dashboard JSON"
        ),
    }
    sys.stderr.write(json.dumps(figures, default=str) + "\n")
    if args.json:
        sys.stdout.write(json.dumps(figures, indent=2, default=str) + "\n")
        return 0
    out = sys.stdout.write
    out(f"database                  {figures['database']}\n")
    out(
        "load average              "
        + ", ".join(f"{value:.1f}" for value in figures["load"])
        + " (at the end)\n"
    )
    out(
        f"month snapshot            {figures['snapshot_s']:.2f} s, "
        f"{figures['snapshot_rows']} customers at {month_end}\n"
    )
    for stage, seconds in figures["snapshot_stages"].items():
        out(f"  {stage:<24}{seconds:.2f} s\n")
    out(
        f"plain INSERT ... SELECT   {figures['floor_s']:.2f} s, {rows} rows "
        "(from the profiles into crm_customer_snapshot)\n"
        f"snapshot / floor          {figures['ratio_to_floor']:.2f}x "
        f"(goal <= {GOAL_FLOOR_RATIO:g}x)\n"
        f"same into a temp table    {figures['floor_temp_s']:.2f} s "
        "(no foreign key, no log), snapshot / it "
        f"{figures['ratio_to_temp_floor']:.2f}x\n"
        f"history floor             {figures['floor_history_s']:.2f} s "
        "(one aggregate of the documents known at the month end + insert)\n"
        f"snapshot / history floor  {figures['ratio_to_history_floor']:.2f}x\n"
    )
    out(
        f"second run, same month    {figures['rerun_s']:.2f} s, "
        f"{figures['rerun_rows']} rows added (goal 0)\n"
    )
    for analysis, result in figures["analyses"].items():
        out(f"{analysis:<26}{result['seconds']:.2f} s, {result['result']}\n")
    if "rebuild_s" in figures:
        out(
            f"rebuild {figures['rebuild_months']} months         "
            f"{figures['rebuild_s']:.1f} s, {figures['rebuild_rows']} rows "
            f"({figures['rebuild_s'] / max(figures['rebuild_months'], 1):.1f} s "
            "a month)\n"
        )
        for day, (seconds, rows) in figures["rebuild_per_month"].items():
            out(f"  month end {day}    {seconds:.1f} s, {rows} rows\n")
    out(f"movements (4 methods)     {figures['movements_s']:.2f} s\n")
    churn = figures["churn"]
    if "auc" in churn:
        out(
            f"churn model fit + score   {figures['churn_fit_s']:.2f} s, "
            f"{churn['training_rows']} customer months, {churn['scored']} scored\n"
            f"churn backtest AUC        {churn['auc']:.3f} (recency rule "
            f"{churn['recency_auc']:.3f}), scored at {churn['backtest_month']}, "
            f"lapse rate {churn['lapse_rate']:.2%}\n"
        )
    else:
        out(f"churn model               {churn['refused']}\n")
    out(
        "dashboard figures         first load, second load "
        f"(goal < {GOAL_DASHBOARD_S:g} s each)\n"
    )
    for name, (first_load, second_load) in figures["dashboard"].items():
        if second_load is None:
            out(f"  {name:<36}{first_load:.2f} s\n")
        else:
            out(f"  {name:<36}{first_load:.2f} s, {second_load:.2f} s\n")
    out(
        f"peak RSS                  {figures['peak_rss_mb']:.0f} MB "
        f"(goal < {GOAL_RSS_MB} MB)\n"
    )
    return 0 if all(figures["goals_met"].values()) else 1


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
