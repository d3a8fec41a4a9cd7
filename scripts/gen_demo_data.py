#!/usr/bin/env python3
"""Generate the Customerism demo data set: 24 months of realistic business.

Usage::

    python scripts/gen_demo_data.py -c ODOO_CONF -d DB [--scale demo|bench|bench-small]
        [--seed 42] [--today YYYY-MM-DD] [--customers N] [--lines N]
        [--orm-days DAYS] [--force]

What is generated, with standard Odoo models only, dated up to ``--today``:

- master data: 6 salespeople (res.users ``sales.wang``, ``sales.li``... with
  sales rights, password = login) in two sales teams, 10 suppliers, 6 product
  categories and 40 storable products with list price, cost and vendor prices
  (product.supplierinfo); opening stock and 16 purchase orders (received,
  billed, paid);
- customers (res.partner, country China, provinces base.state_cn_*, phone,
  e-mail, salesperson, payment terms): companies named like
  上海华联贸易有限公司, some with contacts, and individuals (张伟, 李娜...);
- 24 months of sale orders: quotations (draft, sent), cancelled orders and
  confirmed orders with their deliveries (done pickings, stock valuation),
  posted invoices, payments, price allowances (partial credit notes
  reconciled with the invoice) and full returns (return picking and credit
  note); opportunities (crm.lead) for prospects and some customers (demo
  scale);
- the suite's features (demo scale, ``demo_data.features``), through its
  business methods: users for each role (complaint handler ``service.zhou``,
  manager ``manager.sun`` in English, portal customer ``portal.customer``;
  password = login), knowledge articles, contact consents with refusals,
  logged calls, visits and meetings, a customer at the marketing contact
  cap, complaints on every channel and in every stage (overdue, escalated,
  rated, merged, with root causes, corrective and preventive actions and
  apology gestures) and two win-back campaigns, one done and one running;
- (demo scale, with crm_analytics) the monthly customer snapshots of the
  24 month ends, computed from history, and each customer's lifecycle stage
  history dated when the transitions happened (``demo_data.lifecycle_history``).

Customer behaviour profiles, assigned by seed (shares in
``demo_data.plan.PROFILE_SHARES``): steady, growing, plateau, declining
(buying less and less), lapsed (no order for the last 9-20 months),
recovered (6+ months without orders, buying again in the last 2 months),
new (first order in the last 2 months), prospect (no order; maybe a
quotation or an opportunity) and whales (very large steady buyers, the top
of the customer pyramid). The profile is kept in each customer's xml id,
``customerism_demo.customer_<profile>_<number>``, so that tests and
benchmarks can compare what the suite computes with what was planned.

Two ways to write the data, one plan (``demo_data.plan``):

- the ORM (``demo_data.orm_loader``): Odoo's own business methods, batched
  (order confirmation, picking validation, invoicing from the order,
  posting, payments, return wizard, reversal); dates Odoo stamps with "now"
  are set to the planned ones afterwards with SQL;
- the bulk path (``demo_data.bulk_loader``): COPY into staging tables, then
  one INSERT ... SELECT per table with every stored field the ORM would
  have written (totals, states, residuals, reconciliations, quants...).

Scales (times measured on the shared 2-core development machine):

- ``demo`` (default): 300 customers, about 2,200 sale orders; the orders of
  the last 60 days (about 270) go through the ORM, older ones through the
  bulk path. 70-80 s, loaded by ``scripts/demo``. ``--orm-days 730``
  writes everything through the ORM (about 20 minutes).
- ``bench``: 100,000 customers (and 72,000 contacts) and exactly 1,000,000
  sale order lines: 451,000 orders, 432,000 done deliveries with their stock
  moves, move lines and valuation layers, 425,000 invoices and credit notes,
  363,000 payments, 2.6 million journal items (4.2 GB database), all through
  the bulk path: about 7 minutes on a quiet machine. For the supply-link
  benchmark (``demo_data.bench_supply``): a catalogue of 4,000 products (the
  40 in 100 sizes, with their vendor prices and opening stock), three
  warehouses sharing the open orders (3,800 moved to the two new ones), and
  opportunities with probabilities behind 3 open quotations in 5 (2,900);
  these steps are set-based and take seconds. For the complaint and supplier
  quality figures (``demo_data.bulk_complaints``): one complaint per 30 done
  deliveries (about 14,000) on their orders, deliveries and products, over
  every channel, category and stage with their SLA deadlines and dates,
  about 30 % with a supplier root cause (most on two "bad" suppliers) and
  ratings on part of the closed ones; bench-small gets them too. One run
  measured under a load average of 13-17 on the 2 shared cores took 61
  minutes, most of it in the steps that existed before (staging 15 min,
  deliveries 11 min); 11 of those minutes went to the opening stock of the
  sizes through the ORM, since copied set-based.
- ``bench-small``: the bench path with 2,000 customers and 20,000 lines and a
  catalogue of 200 products (5 sizes), for development (about 45 s).
  ``--customers`` and ``--lines`` override the size of any scale.

The run is deterministic for a given seed, today and size, and atomic: one
transaction, committed at the end with the system parameter
``customerism.demo_data`` set to the scale. When that parameter is already
set, the script refuses to run (exit code 2, nothing written) unless
``--force`` is given: then it adds another data set.
"""

import argparse
import logging
import os
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as dt_time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

PARAM = "customerism.demo_data"
REQUIRED_MODULES = ("sale_stock", "purchase_stock", "crm", "account")
SCALES = {
    # name: (customers, order lines (None: as planned), customers in bulk, ORM days)
    "demo": (300, None, False, 60),
    "bench": (100_000, 1_000_000, True, 0),
    "bench-small": (2_000, 20_000, True, 0),
}
DEMO_FREQUENCY = 0.75  # order frequency of the plan when --lines is not given
MIN_CUSTOMERS = 20  # every behaviour profile needs a customer
HISTORY_DAYS = 730
# bench scales: sizes (规格) of each of the 40 products, see demo_data.bench_supply
CATALOGUE_SIZES = {"bench": 100, "bench-small": 5}
# bench scales: one complaint per so many done deliveries, see demo_data.bulk_complaints
COMPLAINT_EVERY = {"bench": 30, "bench-small": 30}

_logger = logging.getLogger("gen_demo_data")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Generate the Customerism demo data set: 24 months of customers, "
        "orders, deliveries, invoices, refunds and payments, in an Odoo 18 database.",
        epilog="Scales: demo = 300 customers, the last 60 days through the ORM, older "
        "history through bulk SQL (~75 s); bench = 100,000 customers and 1,000,000 "
        "order lines through bulk SQL (~7 min), 4,000 products, 3 warehouses; "
        "bench-small = the bench path with 2,000 customers and 20,000 lines.",
    )
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument(
        "-d", "--database", required=True, help="database with the suite installed"
    )
    parser.add_argument(
        "--scale", choices=list(SCALES), default="demo", help="size (default: demo)"
    )
    parser.add_argument(
        "--seed", type=int, default=42, help="random seed (default: 42)"
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="last day of the 24 months of history (default: today)",
    )
    parser.add_argument(
        "--customers", type=_positive, help="number of customers (overrides the scale)"
    )
    parser.add_argument(
        "--lines",
        type=_positive,
        help="exact number of sale order lines (bench scales only)",
    )
    parser.add_argument(
        "--orm-days",
        type=_days,
        metavar="DAYS",
        help="write the orders of the last DAYS days through the ORM's business "
        "methods, older ones through the bulk path (default: 60 for demo, 0 for the "
        "bench scales, 730: all through the ORM, slow)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help=f"add another data set even if {PARAM} is set in the database",
    )
    args = parser.parse_args(argv)
    customers, lines, bulk_customers, orm_days = SCALES[args.scale]
    if args.lines and not lines:
        parser.error("--lines only applies to the bench scales")
    args.customers = args.customers or customers
    args.lines = args.lines or lines
    args.bulk_customers = bulk_customers
    args.orm_days = orm_days if args.orm_days is None else args.orm_days
    args.today = args.today or date.today()
    if args.customers < MIN_CUSTOMERS:
        parser.error(f"--customers must be at least {MIN_CUSTOMERS}")
    if args.lines and args.lines < 2 * args.customers:
        parser.error("--lines must be at least twice --customers")
    return args


def _days(value):
    number = int(value)
    if not 0 <= number <= HISTORY_DAYS:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and {HISTORY_DAYS}")
    return number


def _positive(value):
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return number


def check_database(db_name, force):
    """Return why generation must not run, or None.

    Reads with a plain cursor, before the registry loads: a refusal writes
    nothing.
    """
    import psycopg2

    import odoo.sql_db

    try:
        with odoo.sql_db.db_connect(db_name).cursor() as cr:
            cr.execute(
                "SELECT name FROM ir_module_module"
                " WHERE state = 'installed' AND name = ANY(%s)",
                [list(REQUIRED_MODULES)],
            )
            missing = sorted(set(REQUIRED_MODULES) - {row[0] for row in cr.fetchall()})
            cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", [PARAM])
            row = cr.fetchone()
    except psycopg2.Error as error:
        return f"cannot read database {db_name}: {str(error).strip()}"
    if missing:
        return (
            f"database {db_name} lacks the modules {', '.join(missing)}: "
            "install the Customerism addons first"
        )
    if row and not force:
        return (
            f"database {db_name} already holds Customerism demo data "
            f"({PARAM} = {row[0]}); use --force to add another data set"
        )
    return None


def generate(env, args):
    """Write the whole data set in ``env``'s transaction; return the plan."""
    from demo_data import bench_supply, lifecycle_history
    from demo_data import plan as planning
    from demo_data.bulk_loader import BulkLoader
    from demo_data.features import FeatureLoader
    from demo_data.master import MODULE, load_master
    from demo_data.orm_loader import OrmLoader
    from demo_data.quality_receivables import load_quality_and_receivables
    from demo_data.supply_link import load_supply_link

    start = time.monotonic()
    env = env(
        context=dict(
            env.context,
            tracking_disable=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
            mail_auto_subscribe_no_notify=True,
            no_reset_password=True,
            skip_sms=True,
        )
    )
    master = load_master(env)
    # with --force, the customers of another data set are numbered after the others
    first_index = env["ir.model.data"].search_count(
        [
            ("module", "=", MODULE),
            ("model", "=", "res.partner"),
            ("name", "=like", "customer_%"),
        ]
    )
    plan = planning.build_plan(
        args.seed,
        args.today,
        args.customers,
        freq_factor=DEMO_FREQUENCY,
        line_target=args.lines,
        first_index=first_index,
    )
    sizes = CATALOGUE_SIZES.get(args.scale, 1)
    bench_supply.load_catalogue(env, master, sizes)
    bench_supply.spread_over_catalogue(plan, args.seed, sizes)
    split = datetime.combine(args.today, datetime.min.time()) - timedelta(
        days=args.orm_days
    )
    bulk_orders = [order for order in plan.orders if order.date < split]
    orm_orders = [order for order in plan.orders if order.date >= split]
    _logger.info(
        "plan: %d customers, %d sale orders, %d lines; %d orders through the bulk "
        "path, %d through the ORM (%.1f s)",
        len(plan.customers),
        len(plan.orders),
        plan.line_count(),
        len(bulk_orders),
        len(orm_orders),
        time.monotonic() - start,
    )
    orm = OrmLoader(env, master, plan, orm_orders)
    bulk = BulkLoader(env, master, plan, bulk_orders)
    bulk.complaint_every = COMPLAINT_EVERY.get(args.scale, 0)
    bulk.complaint_seed = args.seed
    if args.bulk_customers:
        bulk.load_partners()
        orm.partner_ids = bulk.partner_ids
    orm.run_masters()  # customers unless made in bulk, opening stock, purchases
    bulk.partner_ids = orm.partner_ids
    bulk.run()  # older orders first: document numbers follow dates
    orm.run_orders()
    if not args.bulk_customers:
        orm.create_leads()
    if sizes > 1:
        warehouses = bench_supply.load_warehouses(env, master)
        bench_supply.spread_open_orders(env, master, warehouses)
        bench_supply.load_opportunities(bulk, master)
    if args.scale == "demo" and "crm.customer.profile" in env:
        # show values, grades and stages at once rather than after the nightly
        # cron (the bench data set is left raw: its benchmark times that run)
        env["crm.customer.profile"]._recompute_all()
        if "crm.customer.snapshot" in env:
            # 24 month ends of snapshots from history, and the stage history
            # dated by them (before the features log their own changes)
            lifecycle_history.build_snapshots(env, env.company, plan.today)
            lifecycle_history.date_stage_history(env, env.company, plan.today)
        FeatureLoader(env, master, plan, orm.partner_ids, args.seed).run()
        load_supply_link(env, master, plan.today)
        load_quality_and_receivables(env, master, plan.today)
        _complaints_on_last_day(env, plan.today)
        if "crm.customer.snapshot" in env:
            # the last month end again, with the features' documents
            lifecycle_history.retake_last_month(env, env.company, plan.today)
    env["ir.config_parameter"].set_param(PARAM, args.scale)
    env.flush_all()
    return plan


def _complaints_on_last_day(env, today):
    """Complaints the features made through the business methods, received
    on the real day, keep the data set's last day like every other document
    (nothing is dated after ``--today``)."""
    from odoo.tools import SQL

    env.flush_all()
    moment = datetime.combine(today, dt_time(12))
    env.cr.execute(
        SQL(
            "UPDATE crm_complaint SET create_date = %(moment)s,"
            " sla_start = LEAST(sla_start, %(moment)s)"
            " WHERE create_date >= %(next_day)s",
            moment=moment,
            next_day=today + timedelta(days=1),
        )
    )
    env.invalidate_all()


def main(argv=None):
    args = parse_args(argv)  # before importing Odoo: bad arguments fail fast

    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    error = check_database(args.database, args.force)
    if error:
        sys.stderr.write(f"gen_demo_data: error: {error}\n")
        return 2
    start = time.monotonic()
    _logger.info(
        "generating the %s data set into %s (seed %d, today %s, %d customers)",
        args.scale,
        args.database,
        args.seed,
        args.today,
        args.customers,
    )
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        generate(api.Environment(cr, SUPERUSER_ID, {}), args)
        _logger.info("committing")
    _logger.info("done: %s data set in %.0f s", args.scale, time.monotonic() - start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
