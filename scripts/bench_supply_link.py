#!/usr/bin/env python3
"""Benchmark crm_supply_link on the bench data set: customer demand and the
supplier-customer linkage.

Usage::

    python scripts/bench_supply_link.py -c ODOO_CONF [-d customerism_bench]
        [--sample 100] [--runs 2] [--recompute-runs 2] [--json]

Prints, from one run of the script:

- the projected demand for all products and warehouses
  (``SupplyDemandProjection.run``: sources, demand, Odoo's forecast per
  warehouse, vendors, shortages), once from an empty table, then ``--runs``
  times again;
- the floor: one plain SQL aggregate of the open order-line quantities per
  product (quotations, and what confirmed orders have not delivered), timed
  three times right before each projection (median), and the ratio
  projection / floor (goal: <= 3);
- a naive per-product ORM loop (per warehouse: ``virtual_available`` and a
  search of the open order lines, weighted in Python) timed on ``--sample``
  random products with demand and scaled to all of them; the ratio naive /
  projection (goal: >= 50);
- the supplier-customer linkage: its first full refresh, the refresh of the
  customers of a batch of orders (what the cron does after changes), and the
  report opened for the supplier with the most customers: the menu's
  refresh of what changed, the first page of the list with its count and the
  pivot's totals (goal: < 1 s);
- the receivables of all customers (the receivables step of the customer
  recompute, ``customer_receivables.build_receivables``: receivable, overdue
  amount and days, credit limit use per customer), timed ``--runs`` times
  with the floor, one plain SQL aggregate of the residual amounts per
  partner over the same open receivable lines, right before each (median of
  3); the ratio step / floor (goal: <= 3);
- the full customer recompute, receivables included, against its floor
  (``scripts/bench_customerism.py``'s: orders and credit notes per customer;
  goal: <= 3), ``--recompute-runs`` times, the ratio that of the runs after
  the first (the nightly steady state);
- the supplier complaint rates of all suppliers and their products
  (``crm.supplier.quality.period``, one statement), for the calendar month
  of the last delivery (the nightly check) and for the twelve months before
  it, each with the period before beside it;
- the peak RSS of this Python process (goal: < 1 GB).

The first projection starts from an empty Customer Demand table (every row
and source written); the next ones project again over the rows of the
previous one, as each opening of the screen does (only the changed rows
written). The 3x goal is that of the projection as the screen runs it; the
first one, a one-off after installing (like the first customer recompute),
is printed beside it without a verdict: most of its time above the floor is
PostgreSQL checking the foreign keys of every new row, one row at a time.
The projections, the linkage, the recompute and the supplier quality
periods are committed (the screens and reports then show them); the naive
loop and the receivables step write nothing. The database must have
the four Customerism addons installed and the bench data
(``scripts/gen_demo_data.py --scale bench``).
"""

import argparse
import json
import os
import random
import resource
import sys
import time
from datetime import date
from statistics import median

from dateutil.relativedelta import relativedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_customerism  # the recompute's floor and its timing

GOAL_FLOOR_RATIO = 3.0
GOAL_NAIVE_RATIO = 50.0
GOAL_LINKAGE_S = 1.0
GOAL_RSS_MB = 1024
LIST_LIMIT = 80  # the list view's first page
LIST_FIELDS = (
    "company_id", "supplier_id", "customer_id", "grade", "is_key_account", "amount",
    "share", "open_order_count", "open_amount", "currency_id",
)  # fmt: skip


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", default="customerism_bench")
    parser.add_argument(
        "--sample",
        type=int,
        default=100,
        help="products timed with the naive ORM loop (default 100)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=2,
        help="projections to time after the first (default 2)",
    )
    parser.add_argument(
        "--recompute-runs",
        type=int,
        default=2,
        help="full customer recomputes to time, the first one apart (default 2)",
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


def floor(cr, company_id):
    """Open order-line quantities per product: quotations and the undelivered
    part of confirmed orders."""
    cr.execute(
        """
        SELECT sol.product_id,
               sum(CASE WHEN so.state = 'sale'
                        THEN sol.product_uom_qty - sol.qty_delivered
                        ELSE sol.product_uom_qty END)
          FROM sale_order_line sol
          JOIN sale_order so ON so.id = sol.order_id
         WHERE so.company_id = %(company)s
           AND (so.state IN ('draft', 'sent')
                OR (so.state = 'sale' AND sol.qty_delivered < sol.product_uom_qty))
         GROUP BY sol.product_id
        """,
        {"company": company_id},
    )
    return len(cr.fetchall())


def receivables_floor(cr, company_id, accounts):
    """Residual amounts per partner over the open receivable lines (posted,
    not reconciled) that the receivables step reads, through the same index
    (the receivable ``accounts`` given as values)."""
    cr.execute(
        """
        SELECT aml.partner_id, sum(aml.amount_residual)
          FROM account_move_line aml
         WHERE aml.company_id = %(company)s
           AND aml.parent_state = 'posted'
           AND aml.reconciled IS NOT TRUE
           AND aml.amount_residual <> 0
           AND aml.account_id = ANY(%(accounts)s)
         GROUP BY aml.partner_id
        """,
        {"company": company_id, "accounts": accounts},
    )
    return len(cr.fetchall())


def receivables_step(env, company):
    """The receivables step of the customer recompute for all customers: the
    temporary table customerism_receivable that the recompute's batches join."""
    from odoo import fields
    from odoo.tools import SQL

    from odoo.addons.crm_customerism.models.customer_receivables import (
        build_receivables,
    )

    profiles = env["crm.customer.profile"]
    build_receivables(profiles, company, fields.Date.context_today(profiles), SQL())


def receivable_figures(cr):
    cr.execute(
        """
        SELECT count(*), count(*) FILTER (WHERE overdue_amount > 0),
               COALESCE(sum(receivable), 0), COALESCE(sum(overdue_amount), 0)
          FROM customerism_receivable
        """
    )
    return cr.fetchone()


def supplier_rates(env, company, date_from, date_to):
    """The complaint rates of all suppliers and their products for the
    period (and the period before), as the nightly check refreshes them."""
    period = env["crm.supplier.quality.period"]._get_period(company, date_from, date_to)
    period._refresh()
    return period


def naive_loop(env, company, product_ids, warehouses):
    """What the set-based projection replaces: per product and warehouse,
    Odoo's forecast and a search of the open order lines, summed in Python."""
    default_weight = company.supply_quotation_probability / 100.0
    Product = env["product.product"].with_company(company)
    Line = env["sale.order.line"]
    shortages = 0
    for product_id in product_ids:
        for warehouse in warehouses:
            product = Product.with_context(warehouse_id=warehouse.id).browse(product_id)
            forecast = product.virtual_available
            lines = Line.search(
                [
                    ("product_id", "=", product_id),
                    ("order_id.company_id", "=", company.id),
                    ("order_id.warehouse_id", "=", warehouse.id),
                    ("order_id.state", "in", ("draft", "sent", "sale")),
                ]
            )
            demand = 0.0
            for line in lines:
                order = line.order_id
                if order.state == "sale":
                    demand += max(line.product_uom_qty - line.qty_delivered, 0)
                elif order.opportunity_id:
                    demand += (
                        line.product_uom_qty * order.opportunity_id.probability / 100
                    )
                else:
                    demand += line.product_uom_qty * default_weight
            shortages += demand > forecast
        env.invalidate_all()
    return shortages


def open_linkage(env, supplier_id):
    """The report opened for a supplier, as the smart button does it: the
    refresh of what changed, the list's first page with its count, the pivot."""
    Report = env["crm.supplier.customer.report"]
    Report.action_open_linkage()
    domain = [("supplier_id", "=", supplier_id)]
    rows = Report.web_search_read(
        domain,
        {name: {} for name in LIST_FIELDS},
        limit=LIST_LIMIT,
    )
    Report.read_group(
        domain, ["amount:sum", "open_amount:sum"], ["is_key_account"], lazy=False
    )
    return rows["length"]


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
        if "crm.supply.demand" not in env:
            sys.exit(f"crm_supply_link is not installed in {args.database}.")
        from odoo.addons.crm_supply_link.models.supply_demand_projection import (
            SupplyDemandProjection,
        )

        company = env.company
        warehouses = env["stock.warehouse"].search([("company_id", "=", company.id)])
        cr.execute(
            """
            SELECT (SELECT count(*) FROM product_product pp
                      JOIN product_template pt ON pt.id = pp.product_tmpl_id
                     WHERE pt.is_storable AND pp.active),
                   (SELECT count(*) FROM product_supplierinfo),
                   (SELECT count(*) FROM sale_order_line),
                   (SELECT count(*) FROM sale_order WHERE state IN ('draft', 'sent')),
                   (SELECT count(*) FROM sale_order
                     WHERE state IN ('draft', 'sent') AND opportunity_id IS NOT NULL),
                   (SELECT count(*) FROM stock_move
                     WHERE sale_line_id IS NOT NULL
                       AND state NOT IN ('draft', 'done', 'cancel'))
            """
        )
        (
            figures["products"],
            figures["vendor_prices"],
            figures["order_lines"],
            figures["open_quotations"],
            figures["quotations_with_opportunity"],
            figures["undelivered_moves"],
        ) = cr.fetchone()
        figures["warehouses"] = len(warehouses)
        # warm the caches once, as a screen opens on a running server
        floor(cr, company.id)
        # the first projection writes every row: start from an empty table
        cr.execute("DELETE FROM crm_supply_demand WHERE company_id = %s", [company.id])
        cr.commit()  # pylint: disable=invalid-commit
        runs = []
        for __ in range(args.runs + 1):
            # the machine may be shared: time the floor right before each run
            floor_s = median(timed(floor, cr, company.id)[0] for __ in range(3))
            projection = SupplyDemandProjection(env, company)
            duration, __ = timed(projection.run)
            cr.commit()  # pylint: disable=invalid-commit
            runs.append(
                {
                    "seconds": round(duration, 3),
                    "floor_s": round(floor_s, 3),
                    "ratio_to_floor": round(duration / floor_s, 2),
                }
            )
        figures["projection_runs"] = runs
        figures["first_projection_s"] = runs[0]["seconds"]
        figures["first_ratio_to_floor"] = runs[0]["ratio_to_floor"]
        again = runs[1:]
        figures["projection_s"] = round(median(run["seconds"] for run in again), 2)
        figures["ratio_to_floor"] = round(
            median(run["ratio_to_floor"] for run in again), 2
        )
        figures["floor_products"] = floor(cr, company.id)
        cr.execute(
            """
            SELECT count(*), count(DISTINCT product_id),
                   count(*) FILTER (WHERE shortage_qty > 0)
              FROM crm_supply_demand WHERE company_id = %s
            """,
            [company.id],
        )
        (
            figures["demand_rows"],
            figures["demand_products"],
            figures["shortage_rows"],
        ) = cr.fetchone()
        # naive loop on a sample of the products with demand
        cr.execute(
            "SELECT DISTINCT product_id FROM crm_supply_demand"
            " WHERE company_id = %s ORDER BY product_id",
            [company.id],
        )
        candidates = [row[0] for row in cr.fetchall()]
        sample = random.Random(args.seed).sample(
            candidates, min(args.sample, len(candidates))
        )
        naive, __ = timed(naive_loop, env, company, sample, warehouses)
        cr.rollback()
        per_product = naive / max(len(sample), 1)
        figures["naive_sample"] = len(sample)
        figures["naive_per_product_ms"] = round(per_product * 1000, 1)
        figures["naive_scaled_s"] = round(per_product * len(candidates), 1)
        figures["naive_ratio"] = round(
            per_product
            * len(candidates)
            / max(median(run["seconds"] for run in again), 0.001),
            1,
        )

        # supplier-customer linkage
        Report = env["crm.supplier.customer.report"]
        figures["linkage_full_refresh_s"], __ = timed(Report._refresh_changed, True)
        cr.commit()  # pylint: disable=invalid-commit
        cr.execute("SELECT count(*) FROM crm_supplier_customer_report")
        figures["linkage_rows"] = cr.fetchone()[0]
        cr.execute(
            """
            SELECT customer_id FROM (
                SELECT DISTINCT p.commercial_partner_id AS customer_id
                  FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                 WHERE so.company_id = %s
            ) c ORDER BY customer_id
            """,
            [company.id],
        )
        customers = [row[0] for row in cr.fetchall()]
        batch = random.Random(args.seed).sample(customers, min(200, len(customers)))
        figures["linkage_batch"] = len(batch)
        figures["linkage_batch_refresh_s"], __ = timed(Report._refresh, batch)
        cr.commit()  # pylint: disable=invalid-commit
        cr.execute(
            """
            SELECT supplier_id, count(*) FROM crm_supplier_customer_report
             GROUP BY supplier_id ORDER BY count(*) DESC, supplier_id LIMIT 1
            """
        )
        supplier_id, figures["linkage_supplier_customers"] = cr.fetchone()
        figures["linkage_supplier"] = env["res.partner"].browse(supplier_id).name
        # once to load the views' code paths, then timed
        open_linkage(env, supplier_id)
        env.invalidate_all()
        opens = []
        for __ in range(3):
            duration, __ = timed(open_linkage, env, supplier_id)
            opens.append(duration)
            env.invalidate_all()
        cr.commit()  # pylint: disable=invalid-commit
        figures["linkage_open_s"] = round(median(opens), 3)
        measure_customers(env, company, args, figures)
        figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
    figures["goals_met"] = {
        "floor": figures["ratio_to_floor"] <= GOAL_FLOOR_RATIO,
        "receivables": figures["receivables_ratio"] <= GOAL_FLOOR_RATIO,
        "recompute": figures["recompute_ratio"] <= GOAL_FLOOR_RATIO,
        "naive": figures["naive_ratio"] >= GOAL_NAIVE_RATIO,
        "linkage": figures["linkage_open_s"] < GOAL_LINKAGE_S,
        "rss": figures["peak_rss_mb"] < GOAL_RSS_MB,
    }
    if args.json:
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
        return 0
    report(figures, runs)
    return 0 if all(figures["goals_met"].values()) else 1


def measure_customers(env, company, args, figures):
    """Receivables, the full customer recompute and the supplier complaint
    rates, into ``figures``."""
    cr = env.cr
    cr.execute(
        """
        SELECT count(*) FROM account_move_line aml
          JOIN account_account acc ON acc.id = aml.account_id
         WHERE acc.account_type = 'asset_receivable' AND aml.company_id = %(company)s
           AND aml.parent_state = 'posted'
        """,
        {"company": company.id},
    )
    figures["receivable_lines"] = cr.fetchone()[0]
    cr.execute(
        "SELECT array_agg(id) FROM account_account"
        " WHERE account_type = 'asset_receivable'"
    )
    accounts = cr.fetchone()[0] or []
    # the recompute's own settings (no JIT, sorts in memory), for its floors too
    bench_customerism.floor_settings(cr)
    receivables_floor(cr, company.id, accounts)  # warm
    runs = []
    for __ in range(args.runs):
        floor_s = median(
            timed(receivables_floor, cr, company.id, accounts)[0] for __ in range(3)
        )
        duration, __ = timed(receivables_step, env, company)
        runs.append(
            {
                "seconds": round(duration, 3),
                "floor_s": round(floor_s, 3),
                "ratio_to_floor": round(duration / floor_s, 2),
            }
        )
    figures["receivables_runs"] = runs
    figures["receivables_s"] = round(median(run["seconds"] for run in runs), 3)
    figures["receivables_ratio"] = round(
        median(run["ratio_to_floor"] for run in runs), 2
    )
    figures["receivables_floor_partners"] = receivables_floor(cr, company.id, accounts)
    (
        figures["receivable_customers"],
        figures["overdue_customers"],
        figures["receivable_total"],
        figures["overdue_total"],
    ) = (float(value) for value in receivable_figures(cr))
    cr.rollback()  # the step writes nothing: its temporary table goes
    bench_customerism.floor_settings(cr)
    recomputes = [
        bench_customerism.timed_recompute(env, company)
        for __ in range(args.recompute_runs)
    ]
    figures["recompute_runs"] = recomputes
    # as bench_customerism.py: the runs after the first are the steady state
    steady = recomputes[1:] or recomputes
    figures["recompute_s"] = round(median(run["seconds"] for run in steady), 2)
    figures["recompute_ratio"] = round(
        median(run["ratio_to_floor"] for run in steady), 2
    )
    cr.execute(
        """
        SELECT count(*) FILTER (WHERE receivable_amount <> 0),
               count(*) FILTER (WHERE overdue_amount > 0),
               count(*) FILTER (WHERE lifecycle_stage = 'at_risk')
          FROM crm_customer_profile WHERE company_id = %s
        """,
        [company.id],
    )
    (
        figures["profiles_with_receivable"],
        figures["profiles_overdue"],
        figures["profiles_at_risk"],
    ) = cr.fetchone()
    cr.execute("RESET jit; RESET work_mem")
    # supplier quality: the month of the last delivery, and the year before it
    cr.execute(
        """
        SELECT max(sml.date)::date FROM stock_move_line sml
          JOIN stock_location dest ON dest.id = sml.location_dest_id
         WHERE sml.state = 'done' AND dest.usage = 'customer'
           AND sml.company_id = %s
        """,
        [company.id],
    )
    last = cr.fetchone()[0] or date.today()
    month_start = last.replace(day=1)
    periods = {
        "month": (month_start, month_start + relativedelta(months=1, days=-1)),
        "year": (
            month_start - relativedelta(months=12),
            month_start - relativedelta(days=1),
        ),
    }
    cr.execute(
        """
        SELECT count(*) FROM crm_complaint
         WHERE company_id = %s AND root_cause_type = 'supplier'
        """,
        [company.id],
    )
    figures["supplier_complaints"] = cr.fetchone()[0]
    for name, (date_from, date_to) in periods.items():
        duration, period = timed(supplier_rates, env, company, date_from, date_to)
        cr.commit()  # pylint: disable=invalid-commit
        lines = period.line_ids
        suppliers = lines.filtered(lambda line: line.level == "supplier")
        figures[f"quality_{name}"] = {
            "from": str(date_from),
            "to": str(date_to),
            "seconds": round(duration, 3),
            "suppliers": len(suppliers),
            "products": len(lines) - len(suppliers),
            "units": round(sum(suppliers.mapped("units")), 1),
            "deliveries": sum(suppliers.mapped("delivery_count")),
            "complaints": sum(suppliers.mapped("complaint_count")),
        }
        env.invalidate_all()


def report(figures, runs, out=sys.stdout.write):
    def verdict(goal):
        return "PASS" if figures["goals_met"][goal] else "FAIL"

    out(f"database                  {figures['database']}\n")
    out(
        f"data                      {figures['products']} storable products, "
        f"{figures['vendor_prices']} vendor prices, {figures['warehouses']} "
        f"warehouses, {figures['order_lines']} order lines, "
        f"{figures['open_quotations']} open quotations "
        f"({figures['quotations_with_opportunity']} with an opportunity), "
        f"{figures['undelivered_moves']} undelivered moves\n"
    )
    out(
        f"demand                    {figures['demand_rows']} product-warehouse "
        f"rows, {figures['demand_products']} products, "
        f"{figures['shortage_rows']} shortages\n"
    )
    for index, run in enumerate(runs):
        label = f"again, run {index}" if index else "first (empty)"
        out(
            f"projection, {label:14}{run['seconds']:.2f} s, floor "
            f"{run['floor_s']:.3f} s, ratio {run['ratio_to_floor']:.2f}x\n"
        )
    out(
        f"floor (SQL aggregate)     open order-line quantities per product, "
        f"{figures['floor_products']} products (median of 3 before each run)\n"
    )
    out(
        f"first projection / floor  {figures['first_ratio_to_floor']:.2f}x "
        f"(one-off: every row and source inserted, no goal)\n"
    )
    out(
        f"projection / floor        {figures['ratio_to_floor']:.2f}x median of the "
        f"projections again (goal <= {GOAL_FLOOR_RATIO:g}x) {verdict('floor')}\n"
    )
    out(
        f"naive ORM loop            {figures['naive_per_product_ms']:.1f} ms/product "
        f"({figures['warehouses']} warehouses) on {figures['naive_sample']} "
        f"products, {figures['naive_scaled_s']:.0f} s scaled to "
        f"{figures['demand_products']}\n"
    )
    out(
        f"naive / projection        {figures['naive_ratio']:.0f}x "
        f"(goal >= {GOAL_NAIVE_RATIO:g}x) {verdict('naive')}\n"
    )
    out(
        f"linkage refresh           full {figures['linkage_full_refresh_s']:.1f} s "
        f"({figures['linkage_rows']} rows); {figures['linkage_batch']} customers "
        f"{figures['linkage_batch_refresh_s']:.2f} s\n"
    )
    out(
        f"linkage, biggest supplier {figures['linkage_open_s']:.3f} s for "
        f"{figures['linkage_supplier']} ({figures['linkage_supplier_customers']} "
        f"customers: refresh of changes, first page + count, pivot; median of 3) "
        f"(goal < {GOAL_LINKAGE_S:g} s) {verdict('linkage')}\n"
    )
    out(
        f"receivable lines          {figures['receivable_lines']} posted; "
        f"{figures['receivable_customers']:.0f} customers with an open receivable "
        f"(¥{figures['receivable_total']:,.0f}), "
        f"{figures['overdue_customers']:.0f} overdue "
        f"(¥{figures['overdue_total']:,.0f})\n"
    )
    for index, run in enumerate(figures["receivables_runs"], start=1):
        out(
            f"receivables, run {index}      {run['seconds']:.3f} s, floor "
            f"{run['floor_s']:.3f} s, ratio {run['ratio_to_floor']:.2f}x\n"
        )
    out(
        f"receivables / floor       {figures['receivables_ratio']:.2f}x median "
        f"(floor: residual amounts per partner over the open receivable lines, "
        f"{figures['receivables_floor_partners']} partners; goal <= "
        f"{GOAL_FLOOR_RATIO:g}x) {verdict('receivables')}\n"
    )
    for index, run in enumerate(figures["recompute_runs"], start=1):
        out(
            f"full recompute, run {index}   {run['seconds']:.2f} s, floor "
            f"{run['floor_s']:.2f} s, ratio {run['ratio_to_floor']:.2f}x "
            f"({run['stage_changes']} stage changes)\n"
        )
    out(
        f"recompute / floor         {figures['recompute_ratio']:.2f}x median of "
        f"the runs after the first (floor of bench_customerism.py; "
        f"goal <= {GOAL_FLOOR_RATIO:g}x) "
        f"{verdict('recompute')}; {figures['profiles_with_receivable']} profiles "
        f"with a receivable, {figures['profiles_overdue']} overdue, "
        f"{figures['profiles_at_risk']} at risk\n"
    )
    for name in ("month", "year"):
        quality = figures[f"quality_{name}"]
        out(
            f"supplier rates, {name:5}     {quality['seconds']:.2f} s for "
            f"{quality['from']} - {quality['to']} and the period before: "
            f"{quality['suppliers']} suppliers, {quality['products']} products, "
            f"{quality['units']:,.0f} units in {quality['deliveries']} deliveries, "
            f"{quality['complaints']} complaints\n"
        )
    out(
        f"supplier complaints       {figures['supplier_complaints']} with a "
        f"supplier root cause in the data set\n"
    )
    out(
        f"peak RSS                  {figures['peak_rss_mb']:.0f} MB "
        f"(goal < {GOAL_RSS_MB} MB) {verdict('rss')}\n"
    )


if __name__ == "__main__":
    sys.exit(main())
