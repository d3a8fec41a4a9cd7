#!/usr/bin/env python3
"""Benchmark crm_analytics on the bench data set.

Usage::

    python scripts/bench_analytics.py -c ODOO_CONF [-d customerism_bench] [--json]

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
  0 skips it);
- the movements between two months (transition matrix, grade migration, key
  accounts, churn and recovery per month) from the snapshots;
- the churn model: its fit on the snapshots and its backtest AUC (fitted on
  the months up to M, scored on the 90 days after M) beside the AUC of the
  plain recency rule, with the scoring of the customers;
- each pandas analysis of the Customer Analyses screen on the company's data
  (reading included);
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
            figures["rebuild_s"], rebuilt = timed(
                Snapshot._rebuild_last_months, company, args.months, True
            )
            figures["rebuild_months"] = len(rebuilt)
            figures["rebuild_rows"] = sum(rebuilt.values())
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
        figures["peak_rss_mb"] = round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        )
        cr.rollback()
    figures["load"] = os.getloadavg()
    figures["goals_met"] = {
        "floor": figures["ratio_to_floor"] <= GOAL_FLOOR_RATIO,
        "rss": figures["peak_rss_mb"] < GOAL_RSS_MB,
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
        f"peak RSS                  {figures['peak_rss_mb']:.0f} MB "
        f"(goal < {GOAL_RSS_MB} MB)\n"
    )
    return 0 if all(figures["goals_met"].values()) else 1


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
