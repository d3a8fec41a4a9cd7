"""End-to-end tests of ``scripts/gen_demo_data.py``, the demo data generator.

The generator runs as a subprocess, as ``scripts/demo`` runs it, on copies
of the test database: the test session keeps connections to that database
open, so it is copied with pg_dump/pg_restore once, then each run gets its
own ``CREATE DATABASE ... TEMPLATE`` of that copy. Runs are small (40
customers on the demo scale, 500 customers and 5,000 order lines on the bulk
path) and dated with a fixed ``--today``. The results are checked with SQL
and, for what the ORM and the reports read, with a Python subprocess on the
generated database.

Environment (set by ``scripts/test``): CUSTOMERISM_TEST_DB, CUSTOMERISM_TEST_CONF
and CUSTOMERISM_PYTHON.
"""

import configparser
import glob
import itertools
import json
import os
import shutil
import subprocess
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "gen_demo_data.py"
TODAY = date(2025, 6, 30)
PROFILES = {
    "prospect",
    "new",
    "steady",
    "growing",
    "plateau",
    "declining",
    "lapsed",
    "recovered",
    "whale",
}
DEMO_ARGS = ["--customers", "40", "--seed", "7", "--today", TODAY.isoformat()]
BULK_ARGS = [
    "--scale",
    "bench-small",
    "--customers",
    "500",
    "--lines",
    "5000",
    "--seed",
    "11",
    "--today",
    TODAY.isoformat(),
]

TEST_DB = os.environ.get("CUSTOMERISM_TEST_DB")
TEST_CONF = os.environ.get("CUSTOMERISM_TEST_CONF")
PYTHON = os.environ.get("CUSTOMERISM_PYTHON", sys.executable)

pytestmark = pytest.mark.skipif(
    not (TEST_DB and TEST_CONF),
    reason="needs CUSTOMERISM_TEST_DB and CUSTOMERISM_TEST_CONF (run scripts/test)",
)


# --- databases -----------------------------------------------------------------------


class Cluster:
    """The PostgreSQL cluster of the test configuration."""

    def __init__(self, conf):
        parser = configparser.ConfigParser()
        parser.read(conf)
        options = parser["options"]

        def option(name):
            value = options.get(name, "")
            return None if value in ("", "False") else value

        self.params = {
            "host": option("db_host"),
            "port": option("db_port"),
            "user": option("db_user"),
            "password": option("db_password"),
        }
        self.data_dir = option("data_dir")
        self.env = dict(os.environ)
        for key, name in (
            ("host", "PGHOST"),
            ("port", "PGPORT"),
            ("user", "PGUSER"),
            ("password", "PGPASSWORD"),
        ):
            if self.params[key]:
                self.env[name] = self.params[key]

    def drop(self, dbname):
        """Drop a database of these tests and the filestore Odoo made for it."""
        self.admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        if self.data_dir:
            shutil.rmtree(
                os.path.join(self.data_dir, "filestore", dbname), ignore_errors=True
            )

    def connect(self, dbname):
        return psycopg2.connect(
            dbname=dbname, **{k: v for k, v in self.params.items() if v}
        )

    def admin(self, query):
        connection = self.connect("postgres")
        connection.autocommit = True
        try:
            with connection.cursor() as cr:
                cr.execute(query)
        finally:
            connection.close()

    def binary(self, name):
        """pg_dump or pg_restore of the server's major version, else from PATH."""
        connection = self.connect("postgres")
        try:
            major = connection.server_version // 10000
        finally:
            connection.close()
        candidates = (
            [os.path.join(os.environ.get("PG_BIN", ""), name)]
            if os.environ.get("PG_BIN")
            else []
        )
        candidates += sorted(glob.glob(f"/usr/lib/postgresql/{major}/bin/{name}"))
        candidates += [shutil.which(name) or ""]
        for candidate in candidates:
            if candidate and os.access(candidate, os.X_OK):
                return candidate
        pytest.skip(f"{name} not found")


@pytest.fixture(scope="module")
def cluster():
    return Cluster(TEST_CONF)


@pytest.fixture(scope="module")
def base_db(cluster, tmp_path_factory):
    """A committed copy of the test database (addons installed, no demo data)."""
    name = f"{TEST_DB}_genbase"[:63]
    dump = tmp_path_factory.mktemp("gen_demo_data") / "base.dump"
    cluster.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    subprocess.run(
        [cluster.binary("pg_dump"), "-Fc", "-Z0", "-f", str(dump), TEST_DB],
        env=cluster.env,
        check=True,
    )
    cluster.admin(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [cluster.binary("pg_restore"), "--no-owner", "-d", name, str(dump)],
        env=cluster.env,
        check=True,
    )
    yield name
    cluster.drop(name)


@pytest.fixture(scope="module")
def make_db(cluster, base_db):
    created = []

    def make(label):
        name = f"{TEST_DB}_gen{label}_{uuid.uuid4().hex[:6]}"[:63]
        cluster.admin(f'CREATE DATABASE "{name}" TEMPLATE "{base_db}"')
        created.append(name)
        return name

    yield make
    for name in created:
        cluster.drop(name)


def generate(db, *args):
    return subprocess.run(
        [PYTHON, str(SCRIPT), "-c", TEST_CONF, "-d", db, *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=False,  # the callers check the exit code
    )


def run_ok(db, *args):
    result = generate(db, *args)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


class Db:
    """SQL access to a generated database."""

    def __init__(self, cluster, name):
        self.name = name
        self.connection = cluster.connect(name)
        self.connection.autocommit = True

    def all(self, query, params=None):
        with self.connection.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall()

    def one(self, query, params=None):
        return self.all(query, params)[0][0]

    def close(self):
        self.connection.close()


@pytest.fixture(scope="module")
def demo_db(cluster, make_db):
    name = make_db("demo")
    run_ok(name, *DEMO_ARGS)
    db = Db(cluster, name)
    yield db
    db.close()


@pytest.fixture(scope="module")
def bulk_db(cluster, make_db):
    name = make_db("bulk")
    run_ok(name, *BULK_ARGS)
    db = Db(cluster, name)
    yield db
    db.close()


# --- ORM checks, run in a subprocess on the generated database ---------------------

ORM_CHECKS = r"""
import json, sys
import odoo
from odoo import SUPERUSER_ID, api

conf, db = sys.argv[1:3]
odoo.tools.config.parse_config(["-c", conf, "-d", db, "--log-level=warn"])
registry = odoo.modules.registry.Registry(db)
result = {}
with registry.cursor() as cr:
    env = api.Environment(cr, SUPERUSER_ID, {})
    orders = env["sale.order"].search([], order="id desc", limit=200)
    rows = orders.read(
        ["name", "partner_id", "date_order", "state", "amount_total",
        "invoice_status", "delivery_status",
         "order_line", "picking_ids", "invoice_ids", "effective_date"]
    )
    env["sale.order.line"].browse([i for r in rows for i in r["order_line"]]).read(
        ["product_id", "price_subtotal", "price_total", "qty_delivered",
        "qty_invoiced", "invoice_status"]
    )
    moves = env["account.move"].search_read(
        [("move_type", "in", ("out_invoice", "out_refund"))],
        ["name", "partner_id", "invoice_date", "amount_total", "amount_residual",
        "payment_state", "line_ids",
         "invoice_line_ids", "tax_totals", "invoice_payments_widget",
         "reversed_entry_id"],
        limit=200,
    )
    env["account.move.line"].browse([i for m in moves for i in m["line_ids"]]).read(
        ["account_id", "debit", "credit", "balance", "amount_residual",
        "matched_debit_ids", "matched_credit_ids"]
    )
    partner = env["res.partner"].browse(orders[:1].partner_id.id)
    partner.read(list(env["res.partner"]._fields))
    env["stock.picking"].search_read([], ["name", "state", "move_ids", "date_done"],
    limit=100)
    result["sale_report"] = env["sale.report"].read_group(
        [("state", "=", "sale")], ["price_total:sum", "product_uom_qty:sum"],
        ["date:month"], lazy=False
    )
    result["invoice_report"] = env["account.invoice.report"].read_group(
        [("state", "=", "posted")], ["price_subtotal:sum", "quantity:sum"],
        ["invoice_date:month", "move_type"], lazy=False,
    )
    result["ledger"] = env["account.move.line"].read_group(
        [("parent_state", "=", "posted"), ("account_id.account_type", "=",
        "asset_receivable")],
        ["balance:sum", "amount_residual:sum"], ["partner_id"], lazy=False, limit=50,
    )
    result["product_value"] = env["product.product"].search_read(
        [("default_code", "like", "-00")], ["qty_available", "virtual_available",
        "value_svl", "quantity_svl"]
    )
    result["orders_read"] = len(rows)
    result["moves_read"] = len(moves)
    cr.rollback()
print("RESULT " + json.dumps(result, default=str))
"""


def orm_checks(db, script=None, *args):
    """Run ``script`` (default ORM_CHECKS) in an Odoo process of its own on
    ``db``; return the JSON it prints after "RESULT "."""
    result = subprocess.run(
        [PYTHON, "-c", script or ORM_CHECKS, TEST_CONF, db.name, *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(
        line for line in result.stdout.splitlines() if line.startswith("RESULT ")
    )
    return json.loads(line[len("RESULT ") :])


# --- shared consistency checks ------------------------------------------------------


def assert_accounting_consistent(db):
    unbalanced = db.all(
        """
        SELECT move_id FROM account_move_line GROUP BY move_id
        HAVING sum(debit) <> sum(credit) OR sum(balance) <> 0
            OR bool_or(balance <> debit - credit)
        """
    )
    assert not unbalanced, f"unbalanced moves: {unbalanced[:5]}"
    wrong_totals = db.all(
        """
        SELECT m.name FROM account_move m
          JOIN account_move_line l
            ON l.move_id = m.id AND l.display_type = 'payment_term'
         WHERE m.move_type IN ('out_invoice', 'out_refund') AND m.state = 'posted'
         GROUP BY m.id
        HAVING abs(sum(l.balance)) <> m.amount_total
            OR abs(sum(l.amount_residual)) <> m.amount_residual
            OR m.amount_total <> m.amount_untaxed + m.amount_tax
        """
    )
    assert not wrong_totals, (
        f"invoice totals differ from their journal items: {wrong_totals[:5]}"
    )
    # residual = balance minus what the partial reconciliations took
    wrong_residuals = db.all(
        """
        SELECT l.id FROM account_move_line l
          JOIN account_account a ON a.id = l.account_id AND a.reconcile
          LEFT JOIN (SELECT debit_move_id AS id, sum(amount) AS amount
                       FROM account_partial_reconcile GROUP BY debit_move_id) d
            ON d.id = l.id
          LEFT JOIN (SELECT credit_move_id AS id, sum(amount) AS amount
                       FROM account_partial_reconcile GROUP BY credit_move_id) c
            ON c.id = l.id
         WHERE l.parent_state = 'posted'
           AND l.amount_residual
               <> l.balance - COALESCE(d.amount, 0) + COALESCE(c.amount, 0)
        """
    )
    assert not wrong_residuals, (
        f"residuals inconsistent with reconciliations: {wrong_residuals[:5]}"
    )
    wrong_states = db.all(
        """
        SELECT name, payment_state, amount_residual FROM account_move
         WHERE move_type = 'out_invoice' AND state = 'posted'
           AND NOT ((payment_state = 'not_paid' AND amount_residual = amount_total)
                 OR (payment_state = 'partial'
                     AND amount_residual BETWEEN 0.01 AND amount_total - 0.01)
                 OR (payment_state IN ('paid', 'in_payment', 'reversed')
                     AND amount_residual = 0))
        """
    )
    assert not wrong_states, f"payment states inconsistent: {wrong_states[:5]}"
    duplicates = db.all(
        """
        SELECT name FROM account_move WHERE state = 'posted'
         GROUP BY journal_id, name HAVING count(*) > 1
        """
    )
    assert not duplicates


def assert_sales_consistent(db):
    wrong = db.all(
        """
        SELECT o.name FROM sale_order o JOIN sale_order_line l ON l.order_id = o.id
         GROUP BY o.id
        HAVING sum(l.price_subtotal) <> o.amount_untaxed
            OR sum(l.price_total) <> o.amount_total
        """
    )
    assert not wrong, f"order totals differ from their lines: {wrong[:5]}"
    wrong_delivered = db.all(
        """
        SELECT l.id FROM sale_order_line l
          LEFT JOIN (SELECT m.sale_line_id,
                            sum(CASE WHEN dest.usage = 'customer' THEN m.quantity
                                     ELSE -m.quantity END) AS qty
                       FROM stock_move m
                       JOIN stock_location dest ON dest.id = m.location_dest_id
                      WHERE m.state = 'done' GROUP BY m.sale_line_id) d
            ON d.sale_line_id = l.id
         WHERE l.qty_delivered <> COALESCE(d.qty, 0)
        """
    )
    assert not wrong_delivered, (
        f"delivered quantities differ from done moves: {wrong_delivered[:5]}"
    )
    # quants of the demo products hold exactly what the done move lines moved
    wrong_quants = db.all(
        """
        WITH moved AS (
            SELECT product_id, location_id, sum(qty) AS qty FROM (
                SELECT product_id, location_dest_id AS location_id,
                       quantity_product_uom AS qty
                  FROM stock_move_line WHERE state = 'done'
                UNION ALL
                SELECT product_id, location_id, -quantity_product_uom
                  FROM stock_move_line WHERE state = 'done'
            ) AS lines GROUP BY product_id, location_id
        )
        SELECT m.product_id, m.location_id, m.qty, q.qty FROM moved m
          JOIN product_product p ON p.id = m.product_id
          JOIN product_template t
            ON t.id = p.product_tmpl_id AND t.default_code LIKE '___-0%%'
          LEFT JOIN (SELECT product_id, location_id, sum(quantity) AS qty
                       FROM stock_quant GROUP BY product_id, location_id) q
            ON q.product_id = m.product_id AND q.location_id = m.location_id
         WHERE m.qty <> COALESCE(q.qty, 0)
        """
    )
    assert not wrong_quants, f"quants differ from done move lines: {wrong_quants[:5]}"


def profile_partners(db):
    rows = db.all(
        """
        SELECT split_part(name, '_', 2), res_id FROM ir_model_data
         WHERE module = 'customerism_demo' AND model = 'res.partner'
           AND name LIKE 'customer\\_%%'
        """
    )
    profiles = {}
    for profile, partner_id in rows:
        profiles.setdefault(profile, []).append(partner_id)
    return profiles


# --- tests ------------------------------------------------------------------------


def test_bad_arguments_are_refused_by_argparse():
    for args in (
        ["--scale", "huge"],
        ["--today", "30/06/2025"],
        ["--customers", "0"],
        ["--lines", "100"],
    ):
        result = subprocess.run(
            [PYTHON, str(SCRIPT), "-c", TEST_CONF, "-d", "nowhere", *args],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 2, args
        assert "usage:" in result.stderr and "error:" in result.stderr


def test_plan_is_deterministic():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from demo_data.plan import build_plan
    finally:
        sys.path.remove(str(ROOT / "scripts"))

    def fingerprint(plan):
        return [
            (
                o.customer.name,
                o.date,
                o.state,
                tuple(o.lines),
                o.invoice_date,
                o.payment_date,
                o.refund,
            )
            for o in plan.orders
        ]

    first, second = build_plan(3, TODAY, 60), build_plan(3, TODAY, 60)
    assert fingerprint(first) == fingerprint(second)
    assert fingerprint(first) != fingerprint(build_plan(4, TODAY, 60))
    assert {c.profile for c in first.customers} == PROFILES
    exact = build_plan(3, TODAY, 60, line_target=700)
    assert sum(len(o.lines) for o in exact.orders) == 700


def test_demo_scale_profiles_and_history(demo_db):
    db = demo_db
    assert (
        db.one(
            "SELECT value FROM ir_config_parameter WHERE key = 'customerism.demo_data'"
        )
        == "demo"
    )
    profiles = profile_partners(db)
    assert set(profiles) == PROFILES
    assert sum(len(ids) for ids in profiles.values()) == 40
    start = TODAY - timedelta(days=730)
    months = db.one(
        """
        SELECT count(DISTINCT date_trunc('month', date_order)) FROM sale_order
         WHERE state = 'sale' AND date_order >= %s AND date_order < %s + 1
        """,
        (start, TODAY),
    )
    assert months >= 22, "confirmed orders should cover the 24 months"
    assert (
        db.one("SELECT count(*) FROM sale_order WHERE date_order >= %s + 1", (TODAY,))
        == 0
    )
    states = dict(db.all("SELECT state, count(*) FROM sale_order GROUP BY state"))
    assert (
        states.get("sale", 0) > 100
        and states.get("cancel")
        and (states.get("draft", 0) + states.get("sent", 0))
    )
    moves = dict(
        db.all(
            "SELECT move_type, count(*) FROM account_move"
            " WHERE state = 'posted' GROUP BY move_type"
        )
    )
    assert (
        moves.get("out_invoice", 0) > 100
        and moves.get("out_refund")
        and moves.get("in_invoice")
    )
    assert (
        db.one(
            "SELECT count(*) FROM account_payment WHERE state IN ('paid', 'in_process')"
        )
        > 50
    )
    assert db.one(
        "SELECT count(*) FROM account_move"
        " WHERE move_type = 'out_invoice' AND payment_state = 'not_paid'"
    )
    # deliveries are backdated: done before today, over the whole history
    done = db.one(
        """
        SELECT count(DISTINCT date_trunc('month', date_done)) FROM stock_picking p
          JOIN stock_picking_type t ON t.id = p.picking_type_id
         WHERE p.state = 'done' AND t.code = 'outgoing' AND p.date_done < %s + 1
        """,
        (TODAY,),
    )
    assert done >= 22
    assert (
        db.one("SELECT count(*) FROM stock_picking WHERE date_done >= %s + 1", (TODAY,))
        == 0
    )
    assert db.one("SELECT count(*) FROM account_move WHERE date > %s", (TODAY,)) == 0
    assert (
        db.one(
            "SELECT count(*) FROM stock_picking"
            " WHERE return_id IS NOT NULL AND state = 'done'"
        )
        > 0
    )
    # salespeople, suppliers, storable products with vendor prices, opportunities
    assert db.one("SELECT count(*) FROM res_users WHERE login LIKE 'sales.%%'") == 6
    assert (
        db.one(
            "SELECT count(*) FROM res_partner"
            " WHERE supplier_rank > 0 AND name LIKE '%%有限公司'"
        )
        >= 10
    )
    assert (
        db.one(
            "SELECT count(*) FROM product_template"
            " WHERE is_storable AND default_code LIKE '___-0%%'"
        )
        == 40
    )
    assert (
        db.one("SELECT count(DISTINCT product_tmpl_id) FROM product_supplierinfo") >= 40
    )
    assert db.one("SELECT count(*) FROM crm_lead WHERE type = 'opportunity'") > 0
    chinese = db.one(
        """
        SELECT count(*) FROM res_partner p JOIN res_country c ON c.id = p.country_id
         WHERE c.code = 'CN' AND p.state_id IS NOT NULL AND p.customer_rank > 0
        """
    )
    assert chinese >= 40


def test_demo_scale_profiles_behave(demo_db):
    db = demo_db
    profiles = profile_partners(db)
    orders = {}
    for partner_id, day, amount in db.all(
        "SELECT partner_id, date_order::date, amount_untaxed FROM sale_order"
        " WHERE state = 'sale' ORDER BY date_order"
    ):
        orders.setdefault(partner_id, []).append((day, float(amount)))

    def days_ago(day):
        return (TODAY - day).days

    for partner in profiles["prospect"]:
        assert partner not in orders
    for partner in profiles["new"]:
        assert days_ago(orders[partner][0][0]) <= 62
    for partner in profiles["lapsed"]:
        assert days_ago(orders[partner][-1][0]) >= 270
    for partner in profiles["recovered"]:
        dates = [day for day, _amount in orders[partner]]
        assert days_ago(dates[-1]) <= 62
        assert max((b - a).days for a, b in itertools.pairwise(dates)) >= 180
    for partner in (
        profiles["steady"]
        + profiles["whale"]
        + profiles["growing"]
        + profiles["plateau"]
    ):
        assert days_ago(orders[partner][-1][0]) <= 90

    def value(partners, first_day, last_day):
        return sum(
            amount
            for partner in partners
            for day, amount in orders.get(partner, [])
            if first_day <= days_ago(day) < last_day
        )

    assert value(profiles["growing"], 0, 365) > 1.5 * value(
        profiles["growing"], 365, 730
    )
    assert value(profiles["declining"], 365, 730) > 1.5 * value(
        profiles["declining"], 0, 365
    )
    # whales make the top of the pyramid
    yearly = sorted(
        ((value([p], 0, 365), p) for ids in profiles.values() for p in ids),
        reverse=True,
    )
    assert yearly[0][1] in profiles["whale"]


def test_demo_scale_is_consistent(demo_db):
    assert_accounting_consistent(demo_db)
    assert_sales_consistent(demo_db)
    result = orm_checks(demo_db)
    assert result["orders_read"] and result["moves_read"]
    assert len(result["sale_report"]) >= 22


def test_second_run_is_refused_and_writes_nothing(demo_db):
    db = demo_db
    query = """
        SELECT (SELECT count(*) FROM res_partner), (SELECT count(*) FROM sale_order),
               (SELECT count(*) FROM account_move),
               (SELECT max(write_date) FROM ir_config_parameter)
    """
    before = db.all(query)
    result = generate(db.name, *DEMO_ARGS)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--force" in lines[0], result.stderr
    assert db.all(query) == before


def test_same_seed_gives_the_same_data(demo_db, cluster, make_db):
    name = make_db("again")
    run_ok(name, *DEMO_ARGS)
    again = Db(cluster, name)
    query = """
        SELECT p.name, o.date_order, o.state, o.amount_total, o.invoice_status
          FROM sale_order o JOIN res_partner p ON p.id = o.partner_id
         ORDER BY o.date_order, p.name
    """
    totals = """
        SELECT move_type, count(*), sum(amount_total),
               sum(amount_residual) FROM account_move
         WHERE state = 'posted' GROUP BY move_type ORDER BY move_type
    """
    try:
        assert again.all(query) == demo_db.all(query)
        assert again.all(totals) == demo_db.all(totals)
    finally:
        again.close()


def test_bulk_path_counts_and_consistency(bulk_db, cluster, base_db):
    db = bulk_db
    # the test database may hold orders that earlier tests committed (the
    # XML-RPC ones): count what the generator added on top of it
    base = Db(cluster, base_db)
    try:
        base_lines = base.one("SELECT count(*) FROM sale_order_line")
    finally:
        base.close()
    assert (
        db.one(
            "SELECT value FROM ir_config_parameter WHERE key = 'customerism.demo_data'"
        )
        == "bench-small"
    )
    assert sum(len(ids) for ids in profile_partners(bulk_db).values()) == 500
    assert set(profile_partners(bulk_db)) == PROFILES
    assert db.one("SELECT count(*) FROM sale_order_line") == base_lines + 5000
    assert_accounting_consistent(db)
    assert_sales_consistent(db)
    # every confirmed order has its delivery; delivered ones are done and valued
    assert (
        db.one(
            "SELECT count(*) FROM sale_order"
            " WHERE state = 'sale' AND procurement_group_id IS NULL"
        )
        == 0
    )
    assert (
        db.one(
            """
        SELECT count(*) FROM stock_move m WHERE m.state = 'done'
           AND NOT EXISTS (SELECT FROM stock_valuation_layer v
                            WHERE v.stock_move_id = m.id)
        """
        )
        == 0
    )
    # names continue Odoo's sequences: no gap between bulk documents and later ORM ones
    assert db.one("SELECT count(DISTINCT name) = count(*) FROM sale_order")
    assert db.one("SELECT count(DISTINCT name) = count(*) FROM stock_picking")


def test_bulk_path_supply_content(bulk_db):
    """What the supply-link benchmark needs: a catalogue of the 40 products in
    5 sizes on bench-small, each with its vendors, order lines spread over it,
    several warehouses holding open orders, quotations of opportunities."""
    db = bulk_db
    products = db.all(
        """
        SELECT pp.id, pp.default_code, t.is_storable, count(si.id)
          FROM product_product pp
          JOIN product_template t ON t.id = pp.product_tmpl_id
          LEFT JOIN product_supplierinfo si ON si.product_tmpl_id = t.id
         WHERE pp.default_code LIKE '___-0%%'
         GROUP BY pp.id, t.is_storable
        """
    )
    assert len(products) == 40 * 5
    assert all(storable and vendors >= 1 for _id, _code, storable, vendors in products)
    # a size has the name, category, prices and vendors of its product
    assert (
        db.one(
            """
        SELECT count(*) FROM product_template t
          JOIN product_template base
            ON base.default_code = left(t.default_code, length(base.default_code))
           AND t.default_code = base.default_code || '-003'
         WHERE t.categ_id = base.categ_id AND t.list_price = base.list_price
           AND t.name->>'en_US' = (base.name->>'en_US') || ' 规格003'
           AND (SELECT array_agg(partner_id ORDER BY partner_id)
                  FROM product_supplierinfo WHERE product_tmpl_id = t.id)
             = (SELECT array_agg(partner_id ORDER BY partner_id)
                  FROM product_supplierinfo WHERE product_tmpl_id = base.id)
        """
        )
        == 40
    )
    assert db.one("SELECT count(DISTINCT product_id) FROM sale_order_line") > 100
    warehouses = db.all("SELECT id FROM stock_warehouse ORDER BY id")
    assert len(warehouses) == 3
    per_warehouse = dict(
        db.all(
            """
        SELECT so.warehouse_id, count(*) FROM sale_order so
         WHERE so.state IN ('draft', 'sent')
            OR EXISTS (SELECT FROM stock_picking p WHERE p.sale_id = so.id
                        AND p.state NOT IN ('done', 'cancel'))
         GROUP BY so.warehouse_id
        """
        )
    )
    assert set(per_warehouse) == {row[0] for row in warehouses}
    # the waiting deliveries leave from their order's warehouse
    assert (
        db.one(
            """
        SELECT count(*) FROM stock_move m
          JOIN stock_picking p ON p.id = m.picking_id
          JOIN sale_order so ON so.id = p.sale_id
          JOIN stock_warehouse wh ON wh.id = so.warehouse_id
          JOIN stock_picking_type spt ON spt.id = p.picking_type_id
         WHERE m.state NOT IN ('done', 'cancel')
           AND (spt.warehouse_id <> wh.id OR m.location_id <> wh.lot_stock_id
                OR p.location_id <> wh.lot_stock_id)
        """
        )
        == 0
    )
    opportunities = db.all(
        """
        SELECT so.state, l.type, l.probability, l.partner_id = so.partner_id
          FROM sale_order so JOIN crm_lead l ON l.id = so.opportunity_id
        """
    )
    assert opportunities
    assert all(
        state in ("draft", "sent") and kind == "opportunity" and 0 < p < 100 and same
        for state, kind, p, same in opportunities
    )
    assert len({p for _s, _k, p, _same in opportunities}) > 1


COMPLAINT_CHECKS = r"""
import json, sys
import odoo
from odoo import SUPERUSER_ID, api

conf, db, first_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
odoo.tools.config.parse_config(["-c", conf, "-d", db, "--log-level=warn"])
registry = odoo.modules.registry.Registry(db)
result = {"deadlines": 0, "wrong": []}
with registry.cursor() as cr:
    env = api.Environment(cr, SUPERUSER_ID, {})
    complaints = env["crm.complaint"].search([("id", ">=", first_id)])
    for complaint in complaints:
        policy = complaint.sla_policy_id
        expected = {
            "sla_policy_id": env["crm.complaint.sla.policy"]._find(
                complaint.company_id, complaint.severity, complaint.service_tier
            ),
            "response_deadline": complaint._working_deadline(policy.response_hours),
            "resolution_deadline": complaint._working_deadline(
                policy.resolution_hours
            ),
            "email_from": complaint.partner_id.email_formatted or False,
            "commercial_partner_id": complaint.partner_id.commercial_partner_id,
        }
        if complaint.root_cause_type == "supplier":
            expected["supplier_id"] = complaint._trace_supplier()
        for field, value in expected.items():
            if complaint[field] != value:
                result["wrong"].append([complaint.name, field, str(complaint[field]),
                                        str(value)])
        result["deadlines"] += 1
    result["overdue"] = env["crm.complaint"].search_count(
        [("id", ">=", first_id), ("sla_status", "=", "overdue")]
    )
    result["rated"] = env["crm.complaint"].search_count(
        [("id", ">=", first_id), ("rating_last_value", ">", 0)]
    )
    result["ratings"] = env["rating.rating"].search_count(
        [("res_model", "=", "crm.complaint"), ("res_id", ">=", first_id),
         ("consumed", "=", True)]
    )
    cr.rollback()
print("RESULT " + json.dumps(result, default=str))
"""


def test_bulk_path_complaints(bulk_db, cluster, base_db):
    """The bench scales hold complaints on delivered orders: about one per 30
    done deliveries, on the order's customer, delivery and products, in every
    stage with dates in order, a share with a supplier root cause on the
    product's vendor (more for the bad suppliers), SLA deadlines and policies
    as the model computes them, ratings behind the rated ones."""
    db = bulk_db
    done_deliveries = """
        SELECT count(*) FROM stock_picking p
          JOIN stock_picking_type t ON t.id = p.picking_type_id
         WHERE t.code = 'outgoing' AND p.state = 'done' AND p.sale_id IS NOT NULL
    """
    base = Db(cluster, base_db)
    try:
        first_id = base.one("SELECT COALESCE(max(id), 0) + 1 FROM crm_complaint")
        deliveries = db.one(done_deliveries) - base.one(done_deliveries)
    finally:
        base.close()
    stages = dict(
        db.all(
            "SELECT stage, count(*) FROM crm_complaint WHERE id >= %s GROUP BY stage",
            [first_id],
        )
    )
    total = sum(stages.values())
    assert deliveries // 30 - 3 <= total <= deliveries // 30, (deliveries, stages)
    assert total >= 50
    # mostly closed or resolved, some still open
    assert stages.get("closed", 0) + stages.get("resolved", 0) > total / 2, stages
    assert set(stages) & {"new", "acknowledged", "investigating", "waiting"}, stages
    # each on a done delivery of its own order, a product of that delivery,
    # from the order's customer, received after the delivery and by the last day
    wrong = db.all(
        """
        SELECT c.name FROM crm_complaint c
          JOIN sale_order so ON so.id = c.sale_order_id
          JOIN stock_picking p ON p.id = c.picking_id
         WHERE c.id >= %s
           AND (p.sale_id <> so.id OR p.state <> 'done'
                OR c.commercial_partner_id <> so.partner_id
                OR c.sla_start < p.date_done OR c.sla_start > %s
                OR c.create_date <> c.sla_start OR c.company_id <> so.company_id
                OR NOT EXISTS (SELECT FROM stock_move m WHERE m.picking_id = p.id
                                  AND m.product_id = c.product_id))
        """,
        [first_id, TODAY + timedelta(days=1)],
    )
    assert not wrong, wrong[:5]
    assert (
        db.one(
            "SELECT count(*) FROM crm_complaint WHERE id >= %s"
            " AND (picking_id IS NULL OR sale_order_id IS NULL OR user_id IS NULL)",
            [first_id],
        )
        == 0
    )
    # dates follow the stages: handled ones were acknowledged, then resolved
    # (with a root cause and a resolution), then closed
    wrong_dates = db.all(
        """
        SELECT name, stage FROM crm_complaint WHERE id >= %s AND NOT (
            CASE WHEN stage IN ('resolved', 'closed') THEN
                     acknowledged_date > sla_start
                     AND resolved_date > acknowledged_date
                     AND root_cause_type IS NOT NULL AND resolution IS NOT NULL
                     AND (stage = 'resolved') = (closed_date IS NULL)
                     AND (closed_date IS NULL OR closed_date > resolved_date)
                 WHEN stage = 'new' THEN acknowledged_date IS NULL
                 ELSE resolved_date IS NULL AND closed_date IS NULL
                      AND (stage = 'cancelled' OR acknowledged_date > sla_start)
            END
            AND (stage = 'waiting') = (pause_start IS NOT NULL)
            AND response_deadline > sla_start
            AND resolution_deadline >= response_deadline
            AND sla_policy_id IS NOT NULL AND service_tier IS NOT NULL)
        """,
        [first_id],
    )
    assert not wrong_dates, wrong_dates[:5]
    # some answered or resolved late against their deadlines, most on time
    late = db.one(
        "SELECT count(*) FROM crm_complaint WHERE id >= %s"
        " AND resolved_date > resolution_deadline",
        [first_id],
    )
    assert 0 < late < (stages.get("closed", 0) + stages.get("resolved", 0)) / 2
    # names from the complaint sequence, with the year of their receipt
    assert (
        db.one(
            "SELECT count(*) FROM crm_complaint WHERE id >= %s"
            " AND name NOT LIKE 'TS/' || extract(year FROM sla_start) || '/%%'",
            [first_id],
        )
        == 0
    )
    assert db.one("SELECT count(DISTINCT name) = count(*) FROM crm_complaint")
    # channels, severities, categories all used
    for column, least in (("channel", 5), ("severity", 4), ("category_id", 5)):
        assert (
            db.one(
                f"SELECT count(DISTINCT {column}) FROM crm_complaint WHERE id >= %s",
                [first_id],
            )
            >= least
        ), column
    # a supplier root cause names a vendor of the complained product; about
    # 30 %, most for the bad suppliers (东莞美达, 深圳华强)
    supplier_rows = db.all(
        """
        SELECT c.supplier_id, s.name,
               EXISTS (SELECT FROM product_supplierinfo si
                         JOIN product_product pp
                           ON pp.product_tmpl_id = si.product_tmpl_id
                        WHERE pp.id = c.product_id AND si.partner_id = c.supplier_id)
          FROM crm_complaint c JOIN res_partner s ON s.id = c.supplier_id
         WHERE c.id >= %s AND c.root_cause_type = 'supplier'
        """,
        [first_id],
    )
    assert all(vendor for __, __, vendor in supplier_rows)
    assert 0.15 * total < len(supplier_rows) < 0.45 * total, (len(supplier_rows), total)
    assert (
        db.one(
            "SELECT count(*) FROM crm_complaint WHERE id >= %s AND supplier_id IS"
            " NOT NULL AND root_cause_type IS DISTINCT FROM 'supplier'",
            [first_id],
        )
        == 0
    )
    per_supplier = {}
    for __, name, __ in supplier_rows:
        per_supplier[name] = per_supplier.get(name, 0) + 1
    top = sorted(per_supplier, key=per_supplier.get, reverse=True)[:2]
    assert set(top) & {"东莞美达办公家具有限公司", "深圳华强电子科技有限公司"}, (
        per_supplier
    )
    # ratings: consumed rating rows behind rating_last_value, closed ones only
    ratings = db.all(
        """
        SELECT c.stage, c.rating_last_value, r.rating, r.rating_text,
               r.partner_id = c.partner_id, r.create_date > c.closed_date
          FROM crm_complaint c
          JOIN rating_rating r ON r.res_model = 'crm.complaint' AND r.res_id = c.id
         WHERE c.id >= %s
        """,
        [first_id],
    )
    assert ratings
    assert all(
        stage == "closed"
        and last == rating
        and 1 <= rating <= 5
        and text
        and same
        and after
        for stage, last, rating, text, same, after in ratings
    ), ratings[:5]
    assert db.one(
        "SELECT count(*) FROM crm_complaint WHERE id >= %s AND rating_last_value > 0",
        [first_id],
    ) == len(ratings)
    # what the ORM computes for the same complaints: policy, deadlines on the
    # company calendar, e-mail, customer, traced supplier
    checks = orm_checks(db, COMPLAINT_CHECKS, str(first_id))
    assert checks["deadlines"] == total
    assert not checks["wrong"], checks["wrong"][:10]
    assert checks["overdue"] > 0  # open ones past their deadlines
    assert checks["rated"] == checks["ratings"] == len(ratings)


def test_bulk_path_is_readable_by_the_orm(bulk_db):
    result = orm_checks(bulk_db)
    assert result["orders_read"] == 200 and result["moves_read"] == 200
    assert len(result["sale_report"]) >= 22
    assert {row["move_type"] for row in result["invoice_report"]} >= {
        "out_invoice",
        "out_refund",
    }
    assert result["ledger"]
    # stock valuation agrees with the quantities on hand
    for product in result["product_value"]:
        assert abs(product["qty_available"] - product["quantity_svl"]) < 0.001, product


def test_demo_scale_customer_profiles_computed(demo_db):
    """The demo shows customer values at once: the generator runs the
    Customerism recompute, so every customer with orders has a graded profile."""
    [(buyers,)] = demo_db.all(
        "SELECT count(DISTINCT p.commercial_partner_id) FROM sale_order so"
        " JOIN res_partner p ON p.id = so.partner_id WHERE so.state = 'sale'"
    )
    [(graded, stages)] = demo_db.all(
        "SELECT count(*) FILTER (WHERE grade IS NOT NULL),"
        " count(DISTINCT lifecycle_stage) FROM crm_customer_profile"
    )
    assert buyers and graded == buyers
    assert stages >= 2


def test_demo_scale_snapshots_and_dated_stage_history(demo_db):
    """The demo holds the 24 month ends of snapshots, computed from history,
    and each customer's stage history dated when the transitions happened:
    a chain from the first stage seen, not one line per customer on the
    generation day."""
    db = demo_db
    months = [
        day
        for (day,) in db.all(
            "SELECT DISTINCT date FROM crm_customer_snapshot ORDER BY date"
        )
    ]
    assert len(months) == 24
    assert months[-1] == TODAY and months[0] == date(2023, 7, 31)
    profiles = profile_partners(db)
    # the customers planned lapsed are lapsed or at risk at the last month end
    lapsed = dict(
        db.all(
            "SELECT partner_id, lifecycle_stage FROM crm_customer_snapshot"
            " WHERE partner_id = ANY(%s) AND date = %s",
            (profiles["lapsed"], TODAY),
        )
    )
    assert set(lapsed.values()) <= {"lapsed", "at_risk"}
    lapsed = [partner for partner, stage in lapsed.items() if stage == "lapsed"]
    assert lapsed
    # a new customer: a prospect until their first order, then new
    first_order = db.one(
        "SELECT min(date_order)::date FROM sale_order"
        " WHERE state = 'sale' AND partner_id = %s",
        (profiles["new"][0],),
    )
    [(first_month, first_stage)] = db.all(
        "SELECT date, lifecycle_stage FROM crm_customer_snapshot"
        " WHERE partner_id = %s AND order_count > 0 ORDER BY date LIMIT 1",
        (profiles["new"][0],),
    )
    assert first_month >= first_order and first_stage in ("new", "at_risk")
    assert {
        stage
        for (stage,) in db.all(
            "SELECT lifecycle_stage FROM crm_customer_snapshot"
            " WHERE partner_id = %s AND date < %s",
            (profiles["new"][0], first_month),
        )
    } <= {"prospect"}
    # every snapshot of a month end counts only the orders known then
    assert not db.all(
        """
        SELECT s.partner_id FROM crm_customer_snapshot s
         WHERE s.order_count <> (
            SELECT count(*) FROM sale_order so
              JOIN res_partner p ON p.id = so.partner_id
             WHERE p.commercial_partner_id = s.partner_id AND so.state = 'sale'
               AND so.date_order < s.date + 1)
        """
    )
    # the history: dated over the 24 months, a consistent chain per customer
    [(lines, days, first_day)] = db.all(
        "SELECT count(*), count(DISTINCT date), min(date)"
        " FROM crm_customer_stage_history"
    )
    assert days > 24 and first_day <= months[0]
    assert lines > db.one("SELECT count(*) FROM crm_customer_profile")
    # (the lines the features log afterwards, on the real day, follow)
    broken = db.all(
        """
        SELECT profile_id FROM (
            SELECT profile_id, stage_from,
                   lag(stage_to) OVER (PARTITION BY profile_id
                                       ORDER BY date, id) AS before
              FROM crm_customer_stage_history WHERE date <= %s) chain
         WHERE stage_from IS DISTINCT FROM before
        """,
        (TODAY,),
    )
    assert not broken
    # the lapse of a lapsed customer is dated a year after the last order
    # (the lapse limit), inside the month the snapshots show it lapsed
    [(lapse_day,)] = db.all(
        "SELECT date FROM crm_customer_stage_history"
        " WHERE partner_id = %s AND stage_to = 'lapsed' ORDER BY date DESC LIMIT 1",
        (lapsed[0],),
    )
    last_order = db.one(
        "SELECT max(date_order)::date FROM sale_order"
        " WHERE state = 'sale' AND partner_id = %s"
        " AND date_order < %s",
        (lapsed[0], lapse_day),
    )
    assert lapse_day == last_order + timedelta(days=366)
    # the profiles point at their last line
    assert not db.all(
        """
        SELECT prof.id FROM crm_customer_profile prof
          JOIN crm_customer_stage_history h ON h.id = prof.stage_history_id
         WHERE h.date <> prof.stage_date OR h.stage_to <> prof.lifecycle_stage
        """
    )


def test_demo_scale_shows_every_feature(demo_db):
    """The demo data set shows each feature of the suite, made through its
    business methods: complaints, win-back, consents, interactions, articles
    and the users of each role."""
    db = demo_db
    channels = {row[0] for row in db.all("SELECT DISTINCT channel FROM crm_complaint")}
    assert channels == {"phone", "email", "portal", "fax", "wechat", "visit", "api"}
    stages = {row[0] for row in db.all("SELECT DISTINCT stage FROM crm_complaint")}
    assert stages == {
        "new",
        "acknowledged",
        "investigating",
        "waiting",
        "resolved",
        "closed",
        "cancelled",
    }
    # Chinese subjects, dated within the history
    assert db.one("SELECT count(*) FROM crm_complaint WHERE subject ~ '[一-龥]'") >= 15
    assert (
        db.one(
            "SELECT count(*) FROM crm_complaint WHERE create_date >= %s + 1", (TODAY,)
        )
        == 0
    )
    overdue = db.one(
        """
        SELECT count(*) FROM crm_complaint
         WHERE stage IN ('new', 'acknowledged', 'investigating')
           AND (resolution_deadline < now()
                OR (acknowledged_date IS NULL AND response_deadline < now()))
        """
    )
    assert overdue >= 2
    assert db.one("SELECT count(*) FROM crm_complaint WHERE escalation_level > 0") >= 1
    ratings = [
        row[0]
        for row in db.all(
            "SELECT rating FROM rating_rating"
            " WHERE res_model = 'crm.complaint' AND consumed AND rating > 0"
        )
    ]
    assert any(rate >= 4 for rate in ratings) and any(rate <= 2 for rate in ratings)
    assert db.one(
        "SELECT count(*) FROM rating_rating WHERE res_model = 'crm.complaint'"
        " AND consumed AND feedback ~ '[一-龥]'"
    )
    assert (
        db.one(
            "SELECT count(*) FROM crm_complaint"
            " WHERE merged_into_id IS NOT NULL AND stage = 'cancelled'"
        )
        == 1
    )
    assert (
        db.one(
            """
        SELECT count(*) FROM crm_complaint
         WHERE root_cause_type IS NOT NULL AND root_cause IS NOT NULL
           AND corrective_action IS NOT NULL AND preventive_action IS NOT NULL
        """
        )
        >= 4
    )
    assert db.one("SELECT count(*) FROM crm_complaint_loyalty_card_rel") >= 2
    assert db.one(
        "SELECT count(*) FROM mail_message WHERE customerism_note = 'complaint_portal'"
    )
    # a complaint puts its customer at risk (open, critical)
    assert db.one("SELECT count(*) FROM crm_complaint WHERE lifecycle_risk")
    # win-back: one campaign done with outcomes, one running
    campaigns = dict(
        db.all("SELECT state, count(*) FROM crm_winback_campaign GROUP BY state")
    )
    assert campaigns.get("done") == 1 and campaigns.get("running") == 1
    outcomes = dict(
        db.all(
            """
        SELECT l.state, count(*) FROM crm_winback_campaign_line l
          JOIN crm_winback_campaign c ON c.id = l.campaign_id
         WHERE c.state = 'done' GROUP BY l.state
        """
        )
    )
    assert outcomes.get("recovered", 0) >= 1 and outcomes.get("declined", 0) >= 1
    assert (
        db.one(
            """
        SELECT count(*) FROM sale_order o JOIN crm_winback_campaign_line l
            ON l.order_id = o.id
         WHERE l.state = 'recovered' AND o.state = 'sale' AND o.date_order <= %s + 1
        """,
            (TODAY,),
        )
        >= 1
    )
    # consents with refusals, a customer at the marketing cap
    consents = dict(
        db.all("SELECT status, count(*) FROM crm_contact_consent GROUP BY status")
    )
    assert consents.get("allowed", 0) >= 10 and consents.get("refused", 0) >= 2
    cap, cap_days = db.all(
        "SELECT customerism_contact_cap, customerism_contact_cap_days"
        " FROM res_company ORDER BY id LIMIT 1"
    )[0]
    at_cap = db.one(
        """
        SELECT max(n) FROM (
            SELECT count(*) AS n FROM mail_message
             WHERE model = 'res.partner' AND customerism_marketing
               AND date > %s::date - %s AND date < %s::date + 1
             GROUP BY res_id) counts
        """,
        (TODAY, cap_days, TODAY),
    )
    assert at_cap == cap
    # logged calls and meetings on the interaction timeline
    logged = dict(
        db.all(
            "SELECT customerism_channel, count(*) FROM mail_message"
            " WHERE customerism_channel IS NOT NULL GROUP BY customerism_channel"
        )
    )
    assert logged.get("phone") and logged.get("meeting") and logged.get("visit")
    # knowledge articles in Chinese
    assert (
        db.one(
            "SELECT count(DISTINCT article_type) FROM crm_knowledge_article"
            " WHERE name ~ '[一-龥]' AND state = 'published'"
        )
        >= 5
    )
    # article revisions (one a major change), public articles on the portal,
    # an edit waiting for review and a training plan partly completed
    assert db.one(
        "SELECT count(*) FROM crm_knowledge_article_revision"
        " WHERE number > 1 AND is_major_change"
    )
    assert (
        db.one(
            "SELECT count(*) FROM crm_knowledge_article_revision"
            " WHERE is_live AND visibility = 'public'"
        )
        >= 3
    )
    assert db.one(
        "SELECT count(*) FROM crm_knowledge_article"
        " WHERE state = 'in_review' AND live_revision_id IS NOT NULL"
    )
    confirmed, required = db.all(
        """
        SELECT (SELECT count(*) FROM crm_knowledge_read_confirmation),
               (SELECT count(*) FROM crm_knowledge_training_plan_article_rel r
                  JOIN crm_knowledge_training_plan_group_rel g
                    ON g.plan_id = r.plan_id
                  JOIN res_groups_users_rel gu ON gu.gid = g.group_id
                  JOIN res_users u ON u.id = gu.uid AND u.active AND NOT u.share)
        """
    )[0]
    assert 0 < confirmed < required
    # the knowledge base: over a hundred articles of every type, in
    # categories, with readers' votes (scripts/demo_data/knowledge_articles.py)
    assert (
        db.one(
            "SELECT count(*) FROM crm_knowledge_article"
            " WHERE state = 'published' AND category_id IS NOT NULL"
        )
        >= 100
    )
    assert db.one("SELECT count(DISTINCT article_type) FROM crm_knowledge_article") == 6
    assert db.one("SELECT count(DISTINCT article_id) FROM crm_knowledge_vote") >= 20
    # users of each role, in Chinese or English
    users = dict(
        db.all(
            """
        SELECT u.login, p.lang FROM res_users u
          JOIN res_partner p ON p.id = u.partner_id
         WHERE u.login IN ('sales.wang', 'service.zhou', 'manager.sun',
                           'portal.customer')
        """
        )
    )
    assert set(users) == {
        "sales.wang",
        "service.zhou",
        "manager.sun",
        "portal.customer",
    }
    assert users["manager.sun"] == "en_US"
    assert db.one(
        """
        SELECT count(*) FROM crm_complaint c
          JOIN res_users u ON u.partner_id = c.partner_id
         WHERE u.login = 'portal.customer' AND u.share
        """
    )


def test_demo_scale_supply_link(demo_db):
    """crm_supply_link has real content on the demo: quotations weighted by
    their opportunities, lots traced from a supplier's receipt to customers,
    and a key account waiting behind an ordinary customer's reservation."""
    [(weighted,)] = demo_db.all(
        "SELECT count(*) FROM sale_order so JOIN crm_lead l ON l.id = so.opportunity_id"
        " WHERE so.state IN ('draft', 'sent') AND l.probability > 0"
    )
    assert weighted >= 3
    [(lot_customers,)] = demo_db.all(
        "SELECT count(DISTINCT sm.partner_id) FROM stock_move_line sml"
        " JOIN stock_move sm ON sm.id = sml.move_id"
        " JOIN stock_location dest ON dest.id = sml.location_dest_id"
        " WHERE sml.lot_id IN (SELECT sml2.lot_id FROM stock_move_line sml2"
        "   JOIN stock_move sm2 ON sm2.id = sml2.move_id"
        "   WHERE sm2.purchase_line_id IS NOT NULL AND sml2.state = 'done')"
        " AND dest.usage = 'customer' AND sml.state = 'done'"
    )
    assert lot_customers >= 3
    deliveries = demo_db.all(
        "SELECT p.priority, sm.quantity, sm.product_qty FROM stock_move sm"
        " JOIN stock_picking p ON p.id = sm.picking_id"
        " JOIN product_product pp ON pp.id = sm.product_id"
        " WHERE pp.default_code = 'SHORT-BEARING' AND sm.sale_line_id IS NOT NULL"
        " AND sm.state NOT IN ('done', 'cancel') ORDER BY p.priority"
    )
    assert [(priority, float(qty)) for priority, qty, _demand in deliveries] == [
        ("0", 10.0),
        ("1", 0.0),
    ]
    # the linkage report's stored rows are filled, lots traced to their vendor
    [(rows, traced)] = demo_db.all(
        "SELECT count(*), count(*) FILTER (WHERE lot_amount > 0)"
        " FROM crm_supplier_customer_report"
    )
    assert rows > 100 and traced >= 3


def test_demo_scale_complaint_remedies(demo_db):
    """Complaints with each kind of remedy (补救措施), linked both ways, and
    their cost on the complaint."""
    remedies = dict(
        demo_db.all(
            "SELECT r.remedy_type, count(*) FROM crm_complaint_remedy r"
            " LEFT JOIN stock_picking p ON p.id = r.picking_id"
            " LEFT JOIN account_move m ON m.id = r.move_id"
            " WHERE COALESCE(p.customerism_complaint_id, m.customerism_complaint_id)"
            " = r.complaint_id GROUP BY r.remedy_type"
        )
    )
    assert remedies == {
        "return": 1,
        "credit_note": 2,
        "replacement": 2,
        "supplier_return": 1,
        "supplier_credit": 1,
    }
    states = demo_db.all(
        "SELECT r.remedy_type, r.state FROM crm_complaint_remedy r"
        " WHERE r.remedy_type IN ('return', 'credit_note') ORDER BY r.id"
    )
    assert states == [
        ("return", "done"),
        ("credit_note", "done"),
        ("credit_note", "draft"),
    ]
    [(costed,)] = demo_db.all(
        "SELECT count(*) FROM crm_complaint WHERE remedy_cost > 0"
    )
    assert costed == 3


def test_bench_supply_link_on_demo_data(demo_db):
    """scripts/bench_supply_link.py on the demo data set (it has receivables,
    overdue invoices and complaints with a supplier root cause): every figure
    is reported and agrees with the data. Last in this file: the benchmark
    commits its projections, recompute and supplier quality periods."""
    db = demo_db
    result = subprocess.run(
        [
            PYTHON,
            str(ROOT / "scripts" / "bench_supply_link.py"),
            *("-c", TEST_CONF, "-d", db.name, "--sample", "3", "--runs", "1"),
            *("--recompute-runs", "1"),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads(result.stdout)
    company = db.one("SELECT company_id FROM res_users WHERE id = 1")
    # the projection: once from an empty table, once again over its rows
    assert len(figures["projection_runs"]) == 2
    assert figures["demand_rows"] == db.one(
        "SELECT count(*) FROM crm_supply_demand WHERE company_id = %s", (company,)
    )
    # receivables: one row per customer with open receivable lines, same total
    customers, total, overdue = db.all(
        """
        SELECT count(DISTINCT p.commercial_partner_id), sum(aml.amount_residual),
               count(DISTINCT p.commercial_partner_id) FILTER (
                   WHERE aml.date_maturity < current_date AND aml.amount_residual > 0)
          FROM account_move_line aml
          JOIN res_partner p ON p.id = aml.partner_id
          JOIN account_account acc ON acc.id = aml.account_id
         WHERE acc.account_type = 'asset_receivable' AND aml.company_id = %s
           AND aml.parent_state = 'posted' AND aml.reconciled IS NOT TRUE
           AND aml.amount_residual <> 0
        """,
        (company,),
    )[0]
    assert customers > 0 and overdue > 0
    assert figures["receivable_customers"] == customers
    assert figures["overdue_customers"] == overdue
    assert abs(figures["receivable_total"] - float(total)) < 0.01
    assert figures["receivables_s"] > 0 and figures["receivables_ratio"] > 0
    # the full recompute stored them on the profiles
    assert len(figures["recompute_runs"]) == 1
    assert figures["recompute_ratio"] > 0
    assert 0 < figures["profiles_overdue"] <= figures["profiles_with_receivable"]
    assert figures["profiles_with_receivable"] == db.one(
        "SELECT count(*) FROM crm_customer_profile"
        " WHERE company_id = %s AND receivable_amount <> 0",
        (company,),
    )
    # supplier complaint rates: the complaints of each period counted
    assert figures["supplier_complaints"] > 0
    for name in ("month", "year"):
        quality = figures[f"quality_{name}"]
        assert quality["complaints"] == db.one(
            """
            SELECT count(*) FROM crm_complaint
             WHERE company_id = %s AND root_cause_type = 'supplier'
               AND merged_into_id IS NULL AND stage <> 'cancelled'
               AND sla_start >= %s AND sla_start < %s::date + 1
            """,
            (company, quality["from"], quality["to"]),
        )
        assert quality["seconds"] > 0
    assert figures["quality_year"]["suppliers"] > 0
    assert figures["quality_year"]["deliveries"] > 0
    assert figures["peak_rss_mb"] > 0
    # the text report prints every figure
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench_supply_link

    lines = []
    bench_supply_link.report(figures, figures["projection_runs"], out=lines.append)
    text = "".join(lines)
    for label in (
        "first projection / floor",
        "projection / floor",
        "receivables / floor",
        "recompute / floor",
        "supplier rates, month",
        "supplier rates, year",
        "peak RSS",
    ):
        assert label in text
