#!/usr/bin/env python3
"""Benchmark crm_analytics on the bench data set.

Usage::

    python scripts/bench_analytics.py -c ODOO_CONF [-d customerism_bench] [--json]

Prints, from one run of the script (everything is rolled back):

- a month's snapshot of every customer (``crm.customer.snapshot``) and its
  ratio to a plain ``INSERT ... SELECT`` of the same columns from the
  profiles into a table of the same shape (goal: within 3x);
- the transition report between two consecutive months (stage matrix and
  churn and recovery rates, each one ``read_group``);
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

GOAL_FLOOR_RATIO = 3.0
GOAL_RSS_MB = 1536
ANALYSES = ("rfm_segments", "cohort_retention", "clv_distribution", "churn_drivers")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", default="customerism_bench")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser.parse_args(argv)


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def floor_insert(cr, company_id):
    """The same columns copied without the complaint join, the RFM segment
    and lifetime value expressions: the bare cost of writing the rows."""
    cr.execute(
        """
        INSERT INTO bench_snapshot_floor (
            date, company_id, partner_id, user_id, country_id, state_id, grade,
            is_key_account, service_tier, lifecycle_stage, current_value,
            historical_value, annual_margin, lifetime_value, order_count,
            last_order_date, recency_score, frequency_score, monetary_score,
            complaint_count, open_complaint_count, create_uid, create_date,
            write_uid, write_date)
        SELECT current_date, prof.company_id, prof.partner_id, partner.user_id,
               partner.country_id, partner.state_id, prof.grade,
               prof.is_key_account, prof.service_tier, prof.lifecycle_stage,
               prof.current_value, prof.historical_value, prof.annual_margin,
               prof.annual_margin, prof.order_count, prof.last_order_date,
               prof.recency_score, prof.frequency_score, prof.monetary_score,
               0, 0, 1, now(), 1, now()
          FROM crm_customer_profile prof
          JOIN res_partner partner ON partner.id = prof.partner_id
         WHERE prof.company_id = %s AND prof.active
        """,
        [company_id],
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
        # warm the caches once for both, then time them side by side
        cr.execute("SAVEPOINT bench")
        floor_insert(cr, company.id)
        Snapshot._take_snapshot(company, previous_end)
        cr.execute("ROLLBACK TO SAVEPOINT bench")
        figures["floor_s"], rows = timed(floor_insert, cr, company.id)
        figures["snapshot_s"], added = timed(
            Snapshot._take_snapshot, company, month_end
        )
        figures["snapshot_rows"] = added
        figures["ratio_to_floor"] = round(figures["snapshot_s"] / figures["floor_s"], 2)
        figures["rerun_s"], again = timed(Snapshot._take_snapshot, company, month_end)
        figures["rerun_rows"] = again
        Snapshot._take_snapshot(company, previous_end)
        Transition = env["crm.customer.transition.report"]
        domain = [("company_id", "=", company.id), ("date", "=", month_end)]
        figures["transition_matrix_s"], matrix = timed(
            Transition._read_group, domain, ["stage_from", "stage_to"], ["__count"]
        )
        figures["transition_cells"] = len(matrix)
        figures["churn_recovery_s"], __ = timed(
            Transition._read_group,
            [("company_id", "=", company.id)],
            ["date:month"],
            ["churn_rate:avg", "recovery_rate:avg"],
        )
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
    figures["goals_met"] = {
        "floor": figures["ratio_to_floor"] <= GOAL_FLOOR_RATIO,
        "rss": figures["peak_rss_mb"] < GOAL_RSS_MB,
    }
    if args.json:
        sys.stdout.write(json.dumps(figures, indent=2, default=str) + "\n")
        return 0
    out = sys.stdout.write
    out(f"database                  {figures['database']}\n")
    out(
        f"month snapshot            {figures['snapshot_s']:.2f} s, "
        f"{figures['snapshot_rows']} customers at {month_end}\n"
    )
    out(
        f"plain INSERT ... SELECT   {figures['floor_s']:.2f} s, {rows} rows\n"
        f"snapshot / floor          {figures['ratio_to_floor']:.2f}x "
        f"(goal <= {GOAL_FLOOR_RATIO:g}x)\n"
    )
    out(
        f"second run, same month    {figures['rerun_s']:.2f} s, "
        f"{figures['rerun_rows']} rows added (goal 0)\n"
    )
    out(
        f"transition matrix         {figures['transition_matrix_s']:.2f} s "
        f"({figures['transition_cells']} cells)\n"
        f"churn and recovery/month  {figures['churn_recovery_s']:.2f} s\n"
    )
    for analysis, result in figures["analyses"].items():
        out(f"{analysis:<26}{result['seconds']:.2f} s, {result['result']}\n")
    out(
        "24-month rebuild          not measured: rebuilding past months needs the "
        "recompute as of a past date, not built yet\n"
    )
    out(
        f"peak RSS                  {figures['peak_rss_mb']:.0f} MB "
        f"(goal < {GOAL_RSS_MB} MB)\n"
    )
    return 0 if all(figures["goals_met"].values()) else 1


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
