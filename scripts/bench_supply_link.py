#!/usr/bin/env python3
"""Benchmark crm_supply_link on the bench data set: customer demand and the
supplier-customer linkage.

Usage::

    python scripts/bench_supply_link.py -c ODOO_CONF [-d customerism_bench]
        [--sample 100] [--runs 2] [--json]

Prints, from one run of the script:

- the projected demand for all products and warehouses
  (``SupplyDemandProjection.run``: sources, demand, Odoo's forecast per
  warehouse, vendors, shortages), once per ``--runs``;
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
- the peak RSS of this Python process (goal: < 1 GB).

The projection and the linkage are committed (the screen and the report
then show them); the naive loop writes nothing. The database must have the
four Customerism addons installed and the bench data
(``scripts/gen_demo_data.py --scale bench``).
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
        "--runs", type=int, default=2, help="projections to time (default 2)"
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
        runs = []
        for __ in range(args.runs):
            # the machine may be shared: time the floor right before each run
            floor_s = median(timed(floor, cr, company.id)[0] for __ in range(3))
            projection = SupplyDemandProjection(env, company)
            duration, __ = timed(projection.run)
            cr.commit()  # pylint: disable=invalid-commit
            runs.append(
                {
                    "seconds": round(duration, 2),
                    "floor_s": round(floor_s, 3),
                    "ratio_to_floor": round(duration / floor_s, 2),
                }
            )
        figures["projection_runs"] = runs
        figures["projection_s"] = round(median(run["seconds"] for run in runs), 2)
        figures["ratio_to_floor"] = round(
            median(run["ratio_to_floor"] for run in runs), 2
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
            figures["naive_scaled_s"] / figures["projection_s"], 1
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
        figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
    figures["goals_met"] = {
        "floor": figures["ratio_to_floor"] <= GOAL_FLOOR_RATIO,
        "naive": figures["naive_ratio"] >= GOAL_NAIVE_RATIO,
        "linkage": figures["linkage_open_s"] < GOAL_LINKAGE_S,
        "rss": figures["peak_rss_mb"] < GOAL_RSS_MB,
    }
    if args.json:
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
        return 0
    report(figures, runs)
    return 0 if all(figures["goals_met"].values()) else 1


def report(figures, runs):
    def verdict(goal):
        return "PASS" if figures["goals_met"][goal] else "FAIL"

    out = sys.stdout.write
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
    for index, run in enumerate(runs, start=1):
        out(
            f"projection, run {index}       {run['seconds']:.2f} s, floor "
            f"{run['floor_s']:.3f} s, ratio {run['ratio_to_floor']:.2f}x\n"
        )
    out(
        f"floor (SQL aggregate)     open order-line quantities per product, "
        f"{figures['floor_products']} products (median of 3 before each run)\n"
    )
    out(
        f"projection / floor        {figures['ratio_to_floor']:.2f}x median "
        f"(goal <= {GOAL_FLOOR_RATIO:g}x) {verdict('floor')}\n"
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
        f"peak RSS                  {figures['peak_rss_mb']:.0f} MB "
        f"(goal < {GOAL_RSS_MB} MB) {verdict('rss')}\n"
    )


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
