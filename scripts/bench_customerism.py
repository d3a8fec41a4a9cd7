#!/usr/bin/env python3
"""Benchmark the full recompute of crm_customerism on the bench data set.

Usage::

    python scripts/bench_customerism.py -c ODOO_CONF [-d customerism_bench]
        [--sample 200] [--runs 2] [--json]

Prints, from one run of the script:

- the full recompute time (``crm.customer.profile._recompute_all``), once per
  ``--runs``: the first run on a fresh data set also creates the profiles
  and logs every initial stage (history lines + chatter notes); the next
  ones are the nightly steady state;
- on a fresh data set (no profile yet: what installing the suite on a
  database with many customers looks like), that first full recompute on its
  own line (goal: < 60 s);
- the floor: one plain SQL aggregate of the net revenue per commercial
  partner over the same rows the recompute reads (confirmed sale orders and
  posted credit notes of the company), timed three times right before each
  recompute (median: PostgreSQL runs it with parallel workers, whose timing
  varies), and the same aggregate over the sale order lines for reference;
  the ratio recompute / floor (goal: <= 3);
- a naive per-partner ORM loop (search the partner's orders and credit
  notes, sum them in Python, write the profile) timed on ``--sample``
  random customers and scaled to all of them; the ratio naive / recompute
  (goal: >= 50);
- the peak RSS of this Python process (goal: < 1 GB).

The recompute is committed (it writes profiles and history, as the nightly
cron does); the naive loop is rolled back. The database must have the four
Customerism addons installed (``scripts/gen_demo_data.py --scale bench``).
"""

import argparse
import json
import os
import random
import resource
import sys
import time
from statistics import median

GOAL_FLOOR_RATIO = 3.0
GOAL_NAIVE_RATIO = 50.0
GOAL_RSS_MB = 1024
GOAL_FIRST_S = 60


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", default="customerism_bench")
    parser.add_argument(
        "--sample",
        type=int,
        default=200,
        help="customers timed with the naive ORM loop (default 200)",
    )
    parser.add_argument(
        "--runs", type=int, default=2, help="full recomputes to time (default 2)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser.parse_args(argv)


def peak_rss_mb():
    # ru_maxrss is in kilobytes on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def floor_orders(cr, company_id):
    """Net revenue per commercial partner: order headers minus credit notes."""
    cr.execute(
        """
        SELECT partner_id, sum(amount) FROM (
            SELECT p.commercial_partner_id AS partner_id,
                   so.amount_untaxed
                       / COALESCE(NULLIF(so.currency_rate, 0), 1) AS amount
              FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
             WHERE so.company_id = %(company)s AND so.state = 'sale'
            UNION ALL
            SELECT p.commercial_partner_id, am.amount_untaxed_signed
              FROM account_move am JOIN res_partner p ON p.id = am.partner_id
             WHERE am.company_id = %(company)s AND am.state = 'posted'
               AND am.move_type = 'out_refund'
        ) rows
        GROUP BY partner_id
        """,
        {"company": company_id},
    )
    return len(cr.fetchall())


def floor_lines(cr, company_id):
    """Same aggregate over the sale order lines."""
    cr.execute(
        """
        SELECT p.commercial_partner_id,
               sum(sol.price_subtotal / COALESCE(NULLIF(so.currency_rate, 0), 1))
          FROM sale_order_line sol
          JOIN sale_order so ON so.id = sol.order_id
          JOIN res_partner p ON p.id = so.partner_id
         WHERE so.company_id = %(company)s AND so.state = 'sale'
         GROUP BY p.commercial_partner_id
        """,
        {"company": company_id},
    )
    return len(cr.fetchall())


def floor_settings(cr):
    """The settings the recompute uses for itself (no JIT, sorts in memory),
    for the floor, so that the ratio compares the work done."""
    cr.execute("SET jit = off")
    cr.execute("SET work_mem = '64MB'")


def timed_recompute(env, company):
    """One full recompute of ``company``, committed (it writes profiles and
    history, as the nightly cron does), with the floor timed three times
    right before it (the machine may be shared): seconds, floor (median),
    ratio and stage changes."""
    cr = env.cr
    floor = median(timed(floor_orders, cr, company.id)[0] for __ in range(3))
    duration, changes = timed(env["crm.customer.profile"]._recompute_all, company)
    cr.commit()  # pylint: disable=invalid-commit
    return {
        "seconds": round(duration, 2),
        "floor_s": round(floor, 2),
        "ratio_to_floor": round(duration / floor, 2),
        "stage_changes": changes[company.id],
    }


def naive_loop(env, company, partner_ids):
    """What the set-based recompute replaces: one ORM round per customer."""
    from dateutil.relativedelta import relativedelta

    from odoo import fields

    today = fields.Date.context_today(env["res.partner"])
    year_ago = today - relativedelta(months=12)
    Profile = env["crm.customer.profile"]
    for partner in env["res.partner"].browse(partner_ids):
        orders = env["sale.order"].search(
            [
                ("partner_id", "child_of", partner.id),
                ("state", "=", "sale"),
                ("company_id", "=", company.id),
            ]
        )
        refunds = env["account.move"].search(
            [
                ("commercial_partner_id", "=", partner.id),
                ("move_type", "=", "out_refund"),
                ("state", "=", "posted"),
                ("company_id", "=", company.id),
            ]
        )
        amounts = [
            (order.date_order.date(), order.amount_untaxed / (order.currency_rate or 1))
            for order in orders
        ]
        refunded = [
            (move.invoice_date or move.date, -move.amount_untaxed_signed)
            for move in refunds
        ]
        dates = sorted(d for d, __ in amounts)
        historical = sum(a for __, a in amounts) - sum(a for __, a in refunded)
        current = sum(a for d, a in amounts if d > year_ago) - sum(
            a for d, a in refunded if d > year_ago
        )
        profile = Profile.search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
        )
        profile.write(
            {
                "order_count": len(dates),
                "first_order_date": dates[0] if dates else False,
                "last_order_date": dates[-1] if dates else False,
                "historical_value": historical,
                "current_value": current,
            }
        )
        profile.flush_recordset()
        env.invalidate_all()


def main(argv=None):
    args = parse_args(argv)
    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = Registry(args.database)
    figures = {"database": args.database}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if "crm.customer.profile" not in env:
            sys.exit(f"crm_customerism is not installed in {args.database}.")
        company = env.company
        cr.execute(
            "SELECT count(*) FROM sale_order_line sol"
            " JOIN sale_order so ON so.id = sol.order_id"
            " WHERE so.state = 'sale' AND so.company_id = %s",
            [company.id],
        )
        figures["confirmed_order_lines"] = cr.fetchone()[0]
        cr.execute(
            "SELECT count(*) FROM sale_order WHERE state = 'sale' AND company_id = %s",
            [company.id],
        )
        figures["confirmed_orders"] = cr.fetchone()[0]
        floor_settings(cr)
        # warm the caches once, as the nightly cron runs on a warm server
        floor_orders(cr, company.id)
        figures["floor_s"], customers = timed(floor_orders, cr, company.id)
        figures["floor_lines_s"], __ = timed(floor_lines, cr, company.id)
        figures["customers_with_value"] = customers
        cr.execute(
            "SELECT count(*) FROM crm_customer_profile WHERE company_id = %s",
            [company.id],
        )
        fresh = not cr.fetchone()[0]
        runs = [timed_recompute(env, company) for __ in range(args.runs)]
        figures["recompute_runs"] = runs
        # None: the profiles existed, the first recompute was not measured
        figures["first_recompute_s"] = runs[0]["seconds"] if fresh else None
        cr.execute(
            "SELECT count(*) FROM crm_customer_profile WHERE company_id = %s",
            [company.id],
        )
        figures["profiles"] = cr.fetchone()[0]
        steady = runs[1:] or runs
        figures["recompute_s"] = round(median(run["seconds"] for run in steady), 2)
        figures["ratio_to_floor"] = round(
            median(run["ratio_to_floor"] for run in steady), 2
        )
        figures["ratio_to_floor_best"] = min(run["ratio_to_floor"] for run in runs)
        figures["ratio_to_line_floor"] = round(
            figures["recompute_s"] / figures["floor_lines_s"], 2
        )
        recompute = figures["recompute_s"]
        # naive loop on a sample, rolled back
        cr.execute(
            "SELECT partner_id FROM crm_customer_profile"
            " WHERE company_id = %s AND order_count > 0 ORDER BY id",
            [company.id],
        )
        candidates = [row[0] for row in cr.fetchall()]
        sample = random.Random(args.seed).sample(
            candidates, min(args.sample, len(candidates))
        )
        cr.execute("SAVEPOINT naive")
        naive, __ = timed(naive_loop, env, company, sample)
        cr.execute("ROLLBACK TO SAVEPOINT naive")
        env.invalidate_all()
        per_customer = naive / max(len(sample), 1)
        figures["naive_sample"] = len(sample)
        figures["naive_per_customer_ms"] = round(per_customer * 1000, 2)
        figures["naive_scaled_s"] = round(per_customer * figures["profiles"], 1)
        figures["naive_ratio"] = round(figures["naive_scaled_s"] / recompute, 1)
        figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
    figures["goals_met"] = {
        "floor": figures["ratio_to_floor"] <= GOAL_FLOOR_RATIO,
        "naive": figures["naive_ratio"] >= GOAL_NAIVE_RATIO,
        "rss": figures["peak_rss_mb"] < GOAL_RSS_MB,
    }
    if fresh:
        figures["goals_met"]["first"] = figures["first_recompute_s"] < GOAL_FIRST_S
    if args.json:
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
        return 0
    out = sys.stdout.write
    out(f"database                  {figures['database']}\n")
    out(
        f"data                      {figures['profiles']} profiles, "
        f"{figures['confirmed_orders']} confirmed orders, "
        f"{figures['confirmed_order_lines']} confirmed order lines\n"
    )
    if fresh:
        out(
            f"first full recompute      {figures['first_recompute_s']:.2f} s, "
            f"{figures['profiles']} profiles created with their first stage "
            f"(goal < {GOAL_FIRST_S} s)\n"
        )
    else:
        out("first full recompute      not measured: the profiles existed already\n")
    for index, run in enumerate(runs, start=1):
        out(
            f"full recompute, run {index}   {run['seconds']:.2f} s, floor "
            f"{run['floor_s']:.2f} s, ratio {run['ratio_to_floor']:.2f}x "
            f"({run['stage_changes']} stage changes)\n"
        )
    out(
        f"floor (SQL aggregate)     orders + credit notes (median of 3 before each "
        f"run); "
        f"{figures['floor_lines_s']:.2f} s over the order lines\n"
    )
    out(
        f"recompute / floor         {figures['ratio_to_floor']:.2f}x median of the "
        f"steady runs (best {figures['ratio_to_floor_best']:.2f}x, "
        f"vs the line aggregate {figures['ratio_to_line_floor']:.2f}x; "
        f"goal <= {GOAL_FLOOR_RATIO:g}x)\n"
    )
    out(
        f"naive ORM loop            {figures['naive_per_customer_ms']:.1f} ms/customer "
        f"on {figures['naive_sample']} customers, "
        f"{figures['naive_scaled_s']:.0f} s scaled\n"
    )
    out(
        f"naive / recompute         {figures['naive_ratio']:.0f}x "
        f"(goal >= {GOAL_NAIVE_RATIO:g}x)\n"
    )
    out(
        f"peak RSS                  {figures['peak_rss_mb']:.0f} MB "
        f"(goal < {GOAL_RSS_MB} MB)\n"
    )
    return 0 if all(figures["goals_met"].values()) else 1


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
