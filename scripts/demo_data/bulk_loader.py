"""Bulk path: write customers and sale documents of the plan with set-based SQL.

:mod:`.bulk_staging` computes, per order and per line, every value Odoo
would store; this module streams those rows with COPY into temporary
staging tables and moves them into Odoo's tables with one
``INSERT ... SELECT`` per table and document kind:

- customers and contacts: ``res_partner`` (+ ``ir_model_data``: the profile
  xml ids);
- orders: ``sale_order``, ``sale_order_line`` (+ taxes), ``procurement_group``;
- deliveries: ``stock_picking``, ``stock_move``, ``stock_move_line``,
  ``stock_valuation_layer`` (standard cost), ``stock_quant`` updated; full
  returns get their return picking;
- invoices and credit notes: ``account_move``, ``account_move_line``
  (product, tax and receivable lines, balanced, with taxes, tax tags and
  the links to the order lines);
- payments: ``account_payment`` with their journal entries, and the
  reconciliations (``account_partial_reconcile``, ``account_full_reconcile``)
  of invoices with payments and credit notes.

The result is what the ORM would have written, minus chatter: stored
computed fields (totals, invoice and delivery status, residuals, payment
states, matching numbers...) hold what the ORM computes from the same data.
Orders confirmed but not delivered yet get a picking waiting for
availability (state ``confirmed``, nothing reserved).

Supported configuration, checked with a clear error otherwise: one company
currency, products with at most one percent tax excluded from the price,
standard cost valuation (as :mod:`.master` sets up).
"""

import csv
import io
import logging
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import time as dtime

from odoo.tools import SQL

from . import names
from .bulk_staging import LINE_COLUMNS, ORDER_COLUMNS, TAX_LINE_COLUMNS, Stager
from .master import MODULE

_logger = logging.getLogger(__name__)

PARTNER_COLUMNS = [
    ("id", "int"), ("idx", "int"), ("profile", "varchar"), ("parent_id", "int"),
    ("name", "varchar"), ("complete_name", "varchar"), ("company_name", "varchar"),
    ("is_company", "bool"), ("function", "varchar"), ("street", "varchar"),
    ("zip", "varchar"), ("city", "varchar"), ("state_id", "int"), ("phone", "varchar"),
    ("mobile", "varchar"), ("phone_sanitized", "varchar"), ("email", "varchar"),
    ("user_id", "int"), ("payment_term_id", "int"), ("customer_rank", "int"),
    ("create_date", "timestamp"),
]  # fmt: skip
# many2many tables the bulk path fills
RELATION_TABLES = [
    "account_tax_sale_order_line_rel",
    "stock_move_move_rel",
    "account_move_line_account_tax_rel",
    "account_account_tag_account_move_line_rel",
    "sale_order_line_invoice_rel",
    "account_move__account_payment",
]


class Ids:
    """Reserve blocks of ids in the tables' id sequences."""

    def __init__(self, cr):
        self.cr = cr
        self.ranges = defaultdict(list)  # table -> [(first id, last id)]

    def reserve(self, table, count):
        """Return the first id of a block of ``count`` fresh ids of ``table``."""
        self.cr.execute(SQL("SELECT pg_get_serial_sequence(%s, 'id')", table))
        sequence = self.cr.fetchone()[0]
        self.cr.execute(SQL("SELECT nextval(%s)", sequence))
        first = self.cr.fetchone()[0]
        if count > 1:
            self.cr.execute(SQL("SELECT setval(%s, %s)", sequence, first + count - 1))
        self.ranges[table].append((first, first + max(count, 1) - 1))
        return first


class BulkLoader:
    def __init__(self, env, master, plan, orders):
        self.env = env
        self.cr = env.cr
        self.master = master
        self.plan = plan
        self.orders = orders  # the plan's orders this loader writes, in date order
        self.partner_ids = None  # customer index -> res.partner id
        self.bulk_partners = False
        self.ids = Ids(self.cr)
        self.k = {}  # ids and settings read through the ORM, see load_context()
        self._extras = {}

    def run(self):
        """Write ``self.orders`` and everything that follows them."""
        if not self.orders:
            return
        start = time.monotonic()
        self.env.flush_all()
        self.load_context()
        self._step("staging", self.stage_orders)
        with self.unchecked_foreign_keys():
            self._step("sale orders", self.insert_sale_orders)
            self._step("deliveries", self.insert_deliveries)
            self._step("invoices and credit notes", self.insert_invoices)
            self._step("payments and reconciliations", self.insert_payments)
        self._step("finishing", self.finish)
        self.env.invalidate_all()
        # the ORM keeps the last number of journal sequences for the transaction
        self.env["account.move"]._get_sequence_cache().clear()
        _logger.info("bulk path: %.1f s", time.monotonic() - start)

    def _step(self, label, method):
        start = time.monotonic()
        method()
        _logger.info("bulk %s: %.1f s", label, time.monotonic() - start)

    # --- SQL helpers ---------------------------------------------------------------

    def execute(self, query):
        self.cr.execute(query)
        return self.cr.rowcount

    def copy(self, table, columns, rows):
        """Create the temporary table ``table`` and COPY ``rows`` into it."""
        self.execute(
            SQL(
                "CREATE TEMPORARY TABLE %s (%s) ON COMMIT DROP",
                SQL.identifier(table),
                SQL(", ").join(
                    SQL("%s %s", SQL.identifier(name), SQL(kind))
                    for name, kind in columns
                ),
            )
        )
        # floats are amounts, prices and quantities, already rounded: written with
        # fixed decimals, as the ORM writes them, they add up exactly in SQL
        decimals = f".{max(2, self.master.currency.decimal_places)}f"
        buffer, count = io.StringIO(), 0
        writer = csv.writer(buffer, lineterminator="\n")
        for row in rows:
            # None becomes an empty field: NULL in COPY's csv format
            writer.writerow(
                [format(v, decimals) if type(v) is float else v for v in row]
            )
            count += 1
            if count % 100_000 == 0:
                self._flush_copy(table, columns, buffer)
                buffer = io.StringIO()
                writer = csv.writer(buffer, lineterminator="\n")
        self._flush_copy(table, columns, buffer)
        self.execute(SQL("ANALYZE %s", SQL.identifier(table)))
        return count

    def _flush_copy(self, table, columns, buffer):
        buffer.seek(0)
        column_list = ", ".join(f'"{name}"' for name, _kind in columns)
        # COPY takes no parameters; table and column names are constants of ours
        self.cr.copy_expert(
            f'COPY "{table}" ({column_list}) FROM STDIN WITH (FORMAT csv)', buffer
        )

    def insert(self, table, model, select):
        """INSERT INTO ``table`` the rows of ``select``, whose aliases name the columns.

        Stored fields of ``model`` the select does not give get their ORM
        default, as in create(): other addons may add fields, required ones too.
        """
        start = time.monotonic()
        self.cr.execute(SQL("SELECT * FROM (%s) AS q LIMIT 0", select))
        given = [column.name for column in self.cr.description]
        key = (table, tuple(given))
        if key not in self._extras:
            self._extras[key] = self.defaults(table, model, given)
        extra = self._extras[key]
        count = self.execute(
            SQL(
                "INSERT INTO %s (%s) SELECT q.*%s FROM (%s) AS q",
                SQL.identifier(table),
                SQL(", ").join(SQL.identifier(name) for name in given + list(extra)),
                SQL("").join(SQL(", %s", value) for value in extra.values()),
                select,
            )
        )
        _logger.debug("%s: %d rows, %.1f s", table, count, time.monotonic() - start)
        return count

    def defaults(self, table, model, given):
        """{column: ORM default} for the stored fields of ``model`` not in ``given``."""
        Model = self.env[model]
        self.cr.execute(
            SQL(
                """
                SELECT column_name, is_nullable = 'NO' AND column_default IS NULL
                  FROM information_schema.columns WHERE table_name = %s
                """,
                table,
            )
        )
        required = dict(self.cr.fetchall())
        candidates = []
        for name, is_required in required.items():
            field = Model._fields.get(name)
            if name in given or not field or not field.store:
                continue
            if field.company_dependent or field.translate:
                continue
            if field.default is not None or is_required:
                candidates.append(name)
        values = Model.default_get(candidates) if candidates else {}
        extra = {}
        for name in candidates:
            value = values.get(name)
            if isinstance(value, (str, int, float, bool)) and value is not False:
                extra[name] = value
            elif required[name] and Model._fields[name].type == "boolean":
                extra[name] = False
            elif required[name]:
                raise RuntimeError(
                    f"bulk path: no default for the column {table}.{name}"
                )
        return extra

    @contextmanager
    def unchecked_foreign_keys(self):
        """Insert without per-row foreign key triggers, then check the new rows at once.

        PostgreSQL checks foreign keys with a trigger per inserted row, which
        takes most of the time of a bulk insert. A superuser may skip those
        triggers for the transaction (``session_replication_role``); the same
        checks then run set-based on the rows just inserted, and a dangling
        reference aborts the transaction. Without that right the inserts run
        with the triggers, only slower.
        """
        self.cr.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not self.cr.fetchone()[0]:
            yield
            return
        self.cr.execute("SET LOCAL session_replication_role = replica")
        try:
            yield
        finally:
            self.cr.execute("SET LOCAL session_replication_role = origin")
        start = time.monotonic()
        self.check_foreign_keys()
        _logger.info("bulk foreign keys checked: %.1f s", time.monotonic() - start)

    def check_foreign_keys(self):
        """Raise if a row inserted in a reserved id range references a missing row."""
        ranges = self.ids.ranges
        self.cr.execute(
            SQL(
                """
                SELECT src.relname, att.attname, ref.relname, ref_att.attname
                  FROM pg_constraint con
                  JOIN pg_class src ON src.oid = con.conrelid
                  JOIN pg_class ref ON ref.oid = con.confrelid
                  JOIN pg_attribute att
                    ON att.attrelid = con.conrelid AND att.attnum = con.conkey[1]
                  JOIN pg_attribute ref_att
                    ON ref_att.attrelid = con.confrelid
                   AND ref_att.attnum = con.confkey[1]
                 WHERE con.contype = 'f' AND cardinality(con.conkey) = 1
                   AND src.relnamespace = 'public'::regnamespace
                   AND src.relname = ANY(%s)
                """,
                [*ranges, *RELATION_TABLES],
            )
        )
        foreign_keys = defaultdict(list)
        for table, column, ref_table, ref_column in self.cr.fetchall():
            foreign_keys[table].append((column, ref_table, ref_column))
        errors = []
        for table, keys in foreign_keys.items():
            if table in ranges:
                scopes = [("id", ranges[table])]
            else:  # many2many tables: their rows that point into the new ranges
                scopes = [(c, ranges[r]) for c, r, _rc in keys if r in ranges]
            for scope_column, scope_ranges in scopes:
                in_scope = SQL(" OR ").join(
                    SQL(
                        "s.%s BETWEEN %s AND %s",
                        SQL.identifier(scope_column),
                        low,
                        high,
                    )
                    for low, high in scope_ranges
                )
                for column, ref_table, ref_column in keys:
                    self.cr.execute(
                        SQL(
                            """
                            SELECT count(*) FROM %(table)s s
                             WHERE (%(scope)s) AND s.%(column)s IS NOT NULL
                               AND NOT EXISTS (SELECT FROM %(ref)s r
                                                WHERE r.%(ref_column)s = s.%(column)s)
                            """,
                            table=SQL.identifier(table),
                            scope=in_scope,
                            column=SQL.identifier(column),
                            ref=SQL.identifier(ref_table),
                            ref_column=SQL.identifier(ref_column),
                        )
                    )
                    missing = self.cr.fetchone()[0]
                    if missing:
                        errors.append(
                            f"{table}.{column} -> {ref_table}: {missing} rows"
                        )
        if errors:
            raise RuntimeError("bulk path: dangling references: " + "; ".join(errors))

    # --- context ----------------------------------------------------------------------

    def load_context(self):
        """Ids and settings the SQL needs, read through the ORM."""
        if self.k:
            return
        self.cr.execute("SET LOCAL work_mem = '256MB'")
        env, master, k = self.env, self.master, self.k
        company = master.company
        k["company"] = company.id
        k["currency"] = company.currency_id.id
        k["rounding"] = company.currency_id.rounding
        k["round_globally"] = (
            company.tax_calculation_rounding_method == "round_globally"
        )
        k["sign"] = company.portal_confirmation_sign
        k["pay"] = company.portal_confirmation_pay
        k["prepayment"] = company.prepayment_percent
        warehouse = master.warehouse
        k["warehouse"] = warehouse.id
        k["stock"] = warehouse.lot_stock_id.id
        k["customers"] = env.ref("stock.stock_location_customers").id
        out_type = warehouse.out_type_id
        return_type = out_type.return_picking_type_id or warehouse.in_type_id
        k["out_type"], k["return_type"] = out_type.id, return_type.id
        k["out_sequence"] = out_type.sequence_id
        k["return_sequence"] = return_type.sequence_id
        rule = env["stock.rule"].search(
            [
                ("picking_type_id", "=", out_type.id),
                ("location_dest_id", "=", k["customers"]),
            ],
            limit=1,
        )
        k["rule"] = rule.id or None
        k["so_sequence"] = env["ir.sequence"].search(
            [("code", "=", "sale.order"), ("company_id", "in", [company.id, False])],
            order="company_id",
            limit=1,
        )
        Journal = env["account.journal"]
        journal = Journal.search(
            [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
        )
        bank = Journal.search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
        )
        k["journal"], k["bank"] = journal, bank
        method_line = bank.inbound_payment_method_line_ids[:1]
        k["method_line"] = method_line.id
        k["method"] = method_line.payment_method_id.id
        k["method_label"] = method_line.name
        customer = master.suppliers[0]  # any partner without specific accounts
        payment = env["account.payment"].new(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "journal_id": bank.id,
                "partner_id": customer,
            }
        )
        # community sets the outstanding account at create when the method has none
        outstanding = (
            method_line.payment_account_id
            or payment._get_outstanding_account("inbound")
        )
        k["outstanding"] = outstanding.id
        k["payment_bank"] = payment.partner_bank_id.id or None
        invoice = env["account.move"].new(
            {
                "move_type": "out_invoice",
                "journal_id": journal.id,
                "partner_id": customer,
            }
        )
        k["invoice_bank"] = invoice.partner_bank_id.id or None
        partner = env["res.partner"].browse(customer).with_company(company)
        k["receivable"] = partner.property_account_receivable_id.id
        k["terms"] = {
            0: env.ref("account.account_payment_term_immediate").id,
            30: env.ref("account.account_payment_term_30days").id,
        }
        users = env["res.users"].browse(master.users)
        k["teams"] = {user.id: user.sale_team_id.id or None for user in users}
        self._load_products()
        self._load_taxes()

    def _load_products(self):
        company = self.master.company
        products = self.env["product.product"].browse(self.master.products)
        self.products = []
        for product in products.with_company(company):
            taxes = product.taxes_id.filtered(lambda t: t.company_id == company)
            simple = len(taxes) == 1 and taxes.amount_type == "percent"
            if taxes and not (simple and not taxes.price_include):
                raise RuntimeError(
                    f"bulk path: the sale taxes of {product.display_name} are not "
                    "one percentage excluded from the price"
                )
            if product.categ_id.property_cost_method != "standard":
                raise RuntimeError(
                    f"bulk path: the category of {product.display_name} is not at "
                    "standard cost"
                )
            income = product.product_tmpl_id.get_product_accounts()["income"]
            self.products.append(
                {
                    "id": product.id,
                    "display_name": product.display_name,
                    "name": product.name,
                    "uom": product.uom_id.id,
                    "categ": product.categ_id.id,
                    "cost": product.standard_price,
                    "tax": taxes.id or None,
                    "rate": taxes.amount / 100.0 if taxes else 0.0,
                    "income": (income or self.k["journal"].default_account_id).id,
                }
            )

    def _load_taxes(self):
        """Repartition lines and tags of the taxes used, per document kind."""
        self.taxes = {}
        for tax_id in {p["tax"] for p in self.products if p["tax"]}:
            tax = self.env["account.tax"].browse(tax_id)
            entry = {"name": tax.name, "group": tax.tax_group_id.id}
            for kind, lines in (
                ("inv", tax.invoice_repartition_line_ids),
                ("ref", tax.refund_repartition_line_ids),
            ):
                base = lines.filtered(lambda r: r.repartition_type == "base")
                tax_lines = lines.filtered(lambda r: r.repartition_type == "tax")
                if len(tax_lines) != 1 or tax_lines.factor_percent != 100:
                    raise RuntimeError(
                        f"bulk path: tax {tax.name} needs one 100% tax repartition line"
                    )
                entry[kind] = {
                    "base_tags": base.tag_ids.ids,
                    "repartition": tax_lines.id,
                    "account": tax_lines.account_id.id,
                    "tax_tags": tax_lines.tag_ids.ids,
                }
            self.taxes[tax_id] = entry

    # --- partners ---------------------------------------------------------------------

    def load_partners(self):
        """Customers and their contacts, with their profile xml ids."""
        start = time.monotonic()
        self.load_context()
        self.bulk_partners = True
        master, k = self.master, self.k
        customers = self.plan.customers
        contacts = [(c, contact) for c in customers for contact in c.contacts]
        first_id = self.ids.reserve("res_partner", len(customers) + len(contacts))
        self.partner_ids = {c.index: first_id + i for i, c in enumerate(customers)}
        first_seen, rank = {}, defaultdict(int)
        for order in self.orders:
            first_seen.setdefault(order.customer.index, order.date)
            if order.state == "sale":  # confirmation and posting raise the rank
                rank[order.customer.index] += 1 + bool(order.invoice_date)
        default_since = datetime.combine(self.plan.today, dtime(2)) - timedelta(days=90)
        Partner = self.env["res.partner"]

        def sanitized(number):
            return (
                Partner._phone_format(number=number, country=master.country_cn)
                or number
            )

        def address(c):
            city = names.CITIES[c.city]
            since = first_seen.get(c.index, default_since)
            return (
                c.street, c.zip, city[0], master.states[city[2]] or None,
                since - timedelta(days=7 + c.index % 23),
            )  # fmt: skip

        def rows():
            for c in customers:
                street, zip_code, city, state, since = address(c)
                yield (
                    self.partner_ids[c.index], c.index, c.profile, None, c.name, c.name,
                    c.name if c.is_company else None, c.is_company, None, street,
                    zip_code, city, state, c.phone, None if c.is_company else c.phone,
                    sanitized(c.phone), c.email, master.users[c.salesperson],
                    k["terms"][30 if c.is_company else 0], max(1, rank[c.index]), since,
                )  # fmt: skip
            for n, (c, (name, function, email, phone)) in enumerate(contacts):
                street, zip_code, city, state, since = address(c)
                yield (
                    first_id + len(customers) + n, None, None,
                    self.partner_ids[c.index], name, f"{c.name}, {name}", c.name, False,
                    function, street, zip_code, city, state, phone, phone,
                    sanitized(phone), email, master.users[c.salesperson],
                    k["terms"][30], 0, since,
                )  # fmt: skip

        self.copy("demo_partner", PARTNER_COLUMNS, rows())
        count = self.insert(
            "res_partner",
            "res.partner",
            SQL(
                """
                SELECT p.id, p.name, p.complete_name,
                       p.company_name AS commercial_company_name,
                       p.is_company, 'contact' AS type, true AS active, p.parent_id,
                       COALESCE(p.parent_id, p.id) AS commercial_partner_id, p.function,
                       p.street, p.zip, p.city, p.state_id, %(country)s AS country_id,
                       p.phone, p.mobile, p.phone_sanitized, p.email,
                       lower(p.email) AS email_normalized, p.user_id, %(lang)s AS lang,
                       'Asia/Shanghai' AS tz, p.customer_rank, 0 AS supplier_rank,
                       true AS partner_share, false AS employee,
                       jsonb_build_object(%(company)s, p.payment_term_id)
                           AS property_payment_term_id,
                       1 AS create_uid, 1 AS write_uid, p.create_date,
                       p.create_date AS write_date
                  FROM demo_partner p ORDER BY p.id
                """,
                country=master.country_cn.id,
                lang=master.lang or "en_US",
                company=str(k["company"]),
            ),
        )
        self.execute(
            SQL(
                """
                INSERT INTO ir_model_data (module, name, model, res_id, noupdate,
                                           create_uid, write_uid, create_date,
                                           write_date)
                SELECT %(module)s,
                       'customer_' || p.profile || '_' || lpad(p.idx::text, 6, '0'),
                       'res.partner', p.id, true, 1, 1, now(), now()
                  FROM demo_partner p WHERE p.idx IS NOT NULL
                """,
                module=MODULE,
            )
        )
        self.execute(SQL("DROP TABLE demo_partner"))
        _logger.info(
            "bulk customers: %d partners (%d customers), %.1f s",
            count,
            len(customers),
            time.monotonic() - start,
        )

    # --- orders ----------------------------------------------------------------------

    def stage_orders(self):
        order_rows, line_rows, tax_rows = Stager(self).stage()
        self.copy("demo_order", ORDER_COLUMNS, order_rows)
        self.copy("demo_line", LINE_COLUMNS, line_rows)
        self.copy("demo_tax_line", TAX_LINE_COLUMNS, tax_rows)
        self.copy(
            "demo_product",
            [("id", "int"), ("display_name", "varchar"), ("name", "varchar"),
             ("uom", "int"), ("categ", "int"), ("cost", "numeric"), ("income", "int")],
            [(p["id"], p["display_name"], p["name"], p["uom"], p["categ"], p["cost"],
              p["income"]) for p in self.products],
        )  # fmt: skip
        self.copy(
            "demo_tax",
            [("id", "int"), ("kind", "varchar"), ("name", "varchar"),
             ("tax_group", "int"), ("repartition", "int"), ("account", "int")],
            [(tax_id, kind, tax["name"], tax["group"], tax[kind]["repartition"],
              tax[kind]["account"])
             for tax_id, tax in self.taxes.items() for kind in ("inv", "ref")],
        )  # fmt: skip
        self.copy(
            "demo_tax_tag",
            [("tax_id", "int"), ("kind", "varchar"), ("role", "varchar"),
             ("tag_id", "int")],
            [(tax_id, kind, role, tag)
             for tax_id, tax in self.taxes.items()
             for kind in ("inv", "ref")
             for role, key in (("base", "base_tags"), ("tax", "tax_tags"))
             for tag in tax[kind][key]],
        )  # fmt: skip
        _logger.info("staged %d orders, %d lines", len(order_rows), len(line_rows))

    def params(self, **extra):
        """Named SQL parameters shared by the inserts."""
        k = self.k
        return {
            "company": k["company"],
            "currency": k["currency"],
            "warehouse": k["warehouse"],
            "stock": k["stock"],
            "customers": k["customers"],
            **extra,
        }

    def insert_sale_orders(self):
        k = self.k
        self.insert(
            "procurement_group",
            "procurement.group",
            SQL(
                """
                SELECT o.pg_id AS id, o.so_name AS name, o.partner_id,
                       'direct' AS move_type, 1 AS create_uid, 1 AS write_uid,
                       o.date_order AS create_date, o.date_order AS write_date
                  FROM demo_order o WHERE o.pg_id IS NOT NULL ORDER BY o.seq
                """
            ),
        )
        self.insert(
            "sale_order",
            "sale.order",
            SQL(
                """
                SELECT o.so_id AS id, o.so_name AS name, o.partner_id,
                       o.partner_id AS partner_invoice_id,
                       o.partner_id AS partner_shipping_id,
                       %(company)s AS company_id, %(currency)s AS currency_id,
                       o.user_id,
                       o.team_id, o.payment_term_id, o.state, o.client_order_ref,
                       o.date_order, o.validity_date, o.invoice_status,
                       1.0 AS currency_rate,
                       o.untaxed AS amount_untaxed, o.tax AS amount_tax,
                       o.total AS amount_total, false AS locked,
                       %(sign)s AS require_signature, %(pay)s AS require_payment,
                       %(prepayment)s AS prepayment_percent,
                       %(warehouse)s AS warehouse_id,
                       o.pg_id AS procurement_group_id, 'direct' AS picking_policy,
                       o.delivery_status, o.delivery_at AS effective_date,
                       1 AS create_uid, 1 AS write_uid, o.date_order AS create_date,
                       o.date_order AS write_date
                  FROM demo_order o ORDER BY o.seq
                """,
                **self.params(sign=k["sign"], pay=k["pay"], prepayment=k["prepayment"]),
            ),
        )
        self.execute(
            SQL(
                """
                UPDATE procurement_group g SET sale_id = o.so_id
                  FROM demo_order o WHERE g.id = o.pg_id
                """
            )
        )
        self.insert(
            "sale_order_line",
            "sale.order.line",
            SQL(
                """
                SELECT l.sol_id AS id, o.so_id AS order_id, 10 AS sequence,
                       %(company)s AS company_id, %(currency)s AS currency_id,
                       o.partner_id AS order_partner_id, o.user_id AS salesman_id,
                       l.product_id, p.uom AS product_uom, o.state,
                       'stock_move' AS qty_delivered_method, l.invoice_status,
                       p.display_name AS name, l.qty AS product_uom_qty, l.price_unit,
                       0 AS discount, l.subtotal AS price_subtotal,
                       l.total AS price_total,
                       l.tax_amount AS price_tax,
                       round(l.subtotal / l.qty, 2) AS price_reduce_taxexcl,
                       round(l.total / l.qty, 2) AS price_reduce_taxinc,
                       l.price_unit AS technical_price_unit, l.qty_delivered,
                       l.qty_invoiced, l.qty_to_invoice,
                       l.amount_invoiced AS untaxed_amount_invoiced,
                       l.amount_to_invoice AS untaxed_amount_to_invoice,
                       false AS is_downpayment, false AS is_expense,
                       0 AS product_packaging_qty, 0 AS customer_lead,
                       %(warehouse)s AS warehouse_id, 1 AS create_uid, 1 AS write_uid,
                       o.date_order AS create_date, o.date_order AS write_date
                  FROM demo_line l
                  JOIN demo_order o ON o.seq = l.seq
                  JOIN demo_product p ON p.id = l.product_id
                 ORDER BY l.k
                """,
                **self.params(),
            ),
        )
        self.execute(
            SQL(
                """
                INSERT INTO account_tax_sale_order_line_rel (sale_order_line_id,
                            account_tax_id)
                SELECT sol_id, tax_id FROM demo_line WHERE tax_id IS NOT NULL
                """
            )
        )

    def insert_deliveries(self):
        k = self.k
        params = self.params(
            out_type=k["out_type"],
            return_type=k["return_type"],
            rule=SQL("%s::int", k["rule"]),  # a NULL of the column's type
        )
        # deliveries, then the returns: from the customers back to stock
        for picking in ("delivery", "return"):
            delivery = picking == "delivery"
            self.insert(
                "stock_picking",
                "stock.picking",
                SQL(
                    """
                    SELECT %(id)s AS id, %(name)s AS name, %(origin)s AS origin,
                           %(source)s AS location_id,
                           %(destination)s AS location_dest_id,
                           %(type)s AS picking_type_id, %(state)s AS state,
                           %(scheduled)s AS scheduled_date, %(created)s AS date,
                           %(done)s AS date_done, %(return_id)s AS return_id,
                           %(company)s AS company_id, 'direct' AS move_type,
                           '0' AS priority, false AS has_deadline_issue,
                           true AS is_locked,
                           o.pg_id AS group_id, o.partner_id, o.so_id AS sale_id,
                           1 AS create_uid, 1 AS write_uid, %(created)s AS create_date,
                           COALESCE(%(done)s, %(created)s) AS write_date
                      FROM demo_order o WHERE %(id)s IS NOT NULL ORDER BY o.seq
                    """,
                    **params,
                    **(
                        {
                            "id": SQL("o.picking_id"),
                            "name": SQL("o.picking_name"),
                            "origin": SQL("o.so_name"),
                            "source": k["stock"],
                            "destination": k["customers"],
                            "type": k["out_type"],
                            "state": SQL("o.picking_state"),
                            "scheduled": SQL("o.scheduled"),
                            "created": SQL("o.date_order"),
                            "done": SQL("o.delivery_at"),
                            "return_id": SQL("NULL::int"),
                        }
                        if delivery
                        else {
                            "id": SQL("o.ret_picking_id"),
                            "name": SQL("o.ret_picking_name"),
                            "origin": SQL("'Return of ' || o.picking_name"),
                            "source": k["customers"],
                            "destination": k["stock"],
                            "type": k["return_type"],
                            "state": "done",
                            "scheduled": SQL("o.return_at"),
                            "created": SQL("o.return_at"),
                            "done": SQL("o.return_at"),
                            "return_id": SQL("o.picking_id"),
                        }
                    ),
                ),
            )
        source = SQL(
            """
            demo_line l
            JOIN demo_order o ON o.seq = l.seq
            JOIN demo_product p ON p.id = l.product_id
            """
        )
        common = SQL(
            """
            10 AS sequence, %(company)s AS company_id, l.product_id,
            p.uom AS product_uom,
            o.partner_id, o.pg_id AS group_id, %(warehouse)s AS warehouse_id,
            p.display_name AS name, '0' AS priority, o.so_name AS origin,
            'make_to_stock' AS procure_method, p.name AS description_picking,
            l.qty AS product_qty, l.qty AS product_uom_qty, false AS scrapped,
            false AS propagate_cancel, false AS additional, false AS is_inventory,
            l.sol_id AS sale_line_id, 1 AS create_uid, 1 AS write_uid
            """,
            **params,
        )
        self.insert(
            "stock_move",
            "stock.move",
            SQL(
                """
                SELECT l.move_id AS id, %(stock)s AS location_id,
                       %(customers)s AS location_dest_id,
                       %(customers)s AS location_final_id,
                       o.picking_id, %(rule)s AS rule_id,
                       %(out_type)s AS picking_type_id,
                       o.picking_state AS state, o.picking_name AS reference,
                       CASE WHEN o.delivery_at IS NULL THEN 0 ELSE l.qty END
                           AS quantity,
                       o.delivery_at IS NOT NULL AS picked, o.scheduled AS date,
                       false AS to_refund, %(common)s, o.date_order AS create_date,
                       o.scheduled AS write_date
                  FROM %(source)s WHERE l.move_id IS NOT NULL ORDER BY l.k
                """,
                common=common,
                source=source,
                **params,
            ),
        )
        self.insert(
            "stock_move",
            "stock.move",
            SQL(
                """
                SELECT l.ret_move_id AS id, %(customers)s AS location_id,
                       %(stock)s AS location_dest_id, o.ret_picking_id AS picking_id,
                       %(return_type)s AS picking_type_id, 'done' AS state,
                       o.ret_picking_name AS reference, l.qty AS quantity,
                       true AS picked,
                       o.return_at AS date, true AS to_refund,
                       l.move_id AS origin_returned_move_id, %(common)s,
                       o.return_at AS create_date, o.return_at AS write_date
                  FROM %(source)s WHERE l.ret_move_id IS NOT NULL ORDER BY l.k
                """,
                common=common,
                source=source,
                **params,
            ),
        )
        self.execute(
            SQL(
                """
                INSERT INTO stock_move_move_rel (move_orig_id, move_dest_id)
                SELECT move_id, ret_move_id FROM demo_line WHERE ret_move_id IS NOT NULL
                """
            )
        )
        for kind in ("delivery", "return"):
            prefix = "" if kind == "delivery" else "ret_"
            columns = {
                "id": SQL.identifier("l", f"{prefix}ml_id"),
                "move": SQL.identifier("l", f"{prefix}move_id"),
                "svl": SQL.identifier("l", f"{prefix}svl_id"),
                "picking": SQL.identifier("o", f"{prefix}picking_id"),
                "reference": SQL.identifier("o", f"{prefix}picking_name"),
                "moment": SQL("o.delivery_at" if kind == "delivery" else "o.return_at"),
                "source": k["stock"] if kind == "delivery" else k["customers"],
                "destination": k["customers"] if kind == "delivery" else k["stock"],
                "sign": -1 if kind == "delivery" else 1,
                # standard cost: the layers of returns keep what they brought in
                "remaining": SQL("0" if kind == "delivery" else "l.qty"),
                "remaining_value": SQL(
                    "NULL::numeric"
                    if kind == "delivery"
                    else "round(l.qty * p.cost, 2)"
                ),
            }
            self.insert(
                "stock_move_line",
                "stock.move.line",
                SQL(
                    """
                    SELECT %(id)s AS id, %(picking)s AS picking_id, %(move)s AS move_id,
                           %(company)s AS company_id, l.product_id,
                           p.uom AS product_uom_id,
                           %(source)s AS location_id,
                           %(destination)s AS location_dest_id,
                           'done' AS state, %(reference)s AS reference,
                           l.qty AS quantity,
                           l.qty AS quantity_product_uom, true AS picked,
                           %(moment)s AS date,
                           1 AS create_uid, 1 AS write_uid, %(moment)s AS create_date,
                           %(moment)s AS write_date
                      FROM %(from)s WHERE %(id)s IS NOT NULL ORDER BY l.k
                    """,
                    **columns,
                    company=k["company"],
                    **{"from": source},
                ),
            )
            self.insert(
                "stock_valuation_layer",
                "stock.valuation.layer",
                SQL(
                    """
                    SELECT %(svl)s AS id, %(company)s AS company_id, l.product_id,
                           p.categ AS categ_id, %(move)s AS stock_move_id,
                           %(reference)s || ' - ' || p.name AS description,
                           %(sign)s * l.qty AS quantity, p.cost AS unit_cost,
                           %(sign)s * round(l.qty * p.cost, 2) AS value,
                           %(remaining)s AS remaining_qty,
                           %(remaining_value)s AS remaining_value, 1 AS create_uid,
                           1 AS write_uid, %(moment)s AS create_date,
                           %(moment)s AS write_date
                      FROM %(from)s WHERE %(svl)s IS NOT NULL ORDER BY l.k
                    """,
                    **columns,
                    company=k["company"],
                    **{"from": source},
                ),
            )
        self.update_quants()

    def update_quants(self):
        """Quants of stock and customers move by the net quantity delivered."""
        self.execute(
            SQL(
                """
                CREATE TEMPORARY TABLE demo_quant ON COMMIT DROP AS
                SELECT product_id, location_id, sum(qty) AS qty, min(moment) AS moment
                  FROM (SELECT l.product_id, %(stock)s AS location_id, -l.qty AS qty,
                               o.delivery_at AS moment
                          FROM demo_line l JOIN demo_order o ON o.seq = l.seq
                         WHERE l.ml_id IS NOT NULL
                        UNION ALL
                        SELECT l.product_id, %(customers)s, l.qty, o.delivery_at
                          FROM demo_line l JOIN demo_order o ON o.seq = l.seq
                         WHERE l.ml_id IS NOT NULL
                        UNION ALL
                        SELECT l.product_id, %(customers)s, -l.qty, o.return_at
                          FROM demo_line l JOIN demo_order o ON o.seq = l.seq
                         WHERE l.ret_ml_id IS NOT NULL
                        UNION ALL
                        SELECT l.product_id, %(stock)s, l.qty, o.return_at
                          FROM demo_line l JOIN demo_order o ON o.seq = l.seq
                         WHERE l.ret_ml_id IS NOT NULL) AS moves
                 GROUP BY product_id, location_id;

                UPDATE stock_quant q SET quantity = q.quantity + d.qty,
                       write_date = now()
                  FROM demo_quant d
                 WHERE q.id = (SELECT min(q2.id) FROM stock_quant q2
                                WHERE q2.product_id = d.product_id
                                  AND q2.location_id = d.location_id
                                  AND q2.lot_id IS NULL
                                  AND q2.package_id IS NULL AND q2.owner_id IS NULL)
                """,
                **self.params(),
            )
        )
        self.cr.execute("SELECT COALESCE(max(id), 0) FROM stock_quant")
        last_id = self.cr.fetchone()[0]
        count = self.insert(
            "stock_quant",
            "stock.quant",
            SQL(
                """
                SELECT d.product_id, d.location_id, %(company)s AS company_id,
                       d.qty AS quantity, 0 AS reserved_quantity, d.moment AS in_date,
                       1 AS create_uid, 1 AS write_uid, d.moment AS create_date,
                       d.moment AS write_date
                  FROM demo_quant d
                 WHERE NOT EXISTS (SELECT FROM stock_quant q
                                    WHERE q.product_id = d.product_id
                                      AND q.location_id = d.location_id
                                      AND q.lot_id IS NULL AND q.package_id IS NULL
                                      AND q.owner_id IS NULL)
                """,
                **self.params(),
            ),
        )
        if count:  # ids from the sequence: check them with the others
            self.ids.ranges["stock_quant"].append((last_id + 1, last_id + count))

    def insert_invoices(self):
        k = self.k
        self.insert(
            "account_full_reconcile",
            "account.full.reconcile",
            SQL(
                """
                SELECT o.full_id AS id, 1 AS create_uid, 1 AS write_uid,
                       COALESCE(o.payment_date,
                       o.refund_date)::timestamp AS create_date,
                       COALESCE(o.payment_date, o.refund_date)::timestamp AS write_date
                  FROM demo_order o WHERE o.full_id IS NOT NULL ORDER BY o.full_id
                """
            ),
        )
        # what invoices and credit notes share
        label = SQL(
            "CASE o.ref_kind WHEN 'return' THEN %s ELSE %s END || o.inv_name",
            "退货 ",
            "价格折让 ",
        )
        params = self.params(journal=k["journal"].id, receivable=k["receivable"])
        move_columns = SQL(
            """
            %(journal)s AS journal_id, %(company)s AS company_id,
            %(currency)s AS currency_id, o.partner_id,
            o.partner_id AS commercial_partner_id,
            o.partner_id AS partner_shipping_id,
            o.payment_term_id AS invoice_payment_term_id,
            o.user_id AS invoice_user_id, o.team_id, 'posted' AS state,
            'no' AS auto_post,
            o.partner_name AS invoice_partner_display_name, o.so_name AS invoice_origin,
            1.0 AS invoice_currency_rate, false AS is_storno,
            false AS always_tax_exigible, true AS checked, true AS posted_before,
            false AS made_sequence_gap, false AS is_manually_modified, 1 AS create_uid,
            1 AS write_uid
            """,
            **params,
        )
        # documents: (move id, name, prefix, number, type, date, due, amounts, sign...)
        documents = {
            "inv": {
                "id": SQL("o.inv_id"),
                "name": SQL("o.inv_name"),
                "prefix": SQL("o.inv_prefix"),
                "number": SQL("o.inv_number"),
                "type": "out_invoice",
                "date": SQL("o.invoice_date"),
                "due": SQL("o.due_date"),
                "untaxed": SQL("o.untaxed"),
                "tax": SQL("o.tax"),
                "total": SQL("o.total"),
                "residual": SQL("o.inv_residual"),
                "sign": 1,
                "ref": SQL("o.client_order_ref"),
                "payment_reference": SQL("o.inv_name"),
                "payment_state": SQL("o.inv_payment_state"),
                "bank": SQL("%s::int", k["invoice_bank"]),
                "reversed": SQL("NULL::int"),
                "delivery": SQL("o.delivery_at::date"),
            },
            "ref": {
                "id": SQL("o.ref_id"),
                "name": SQL("o.ref_name"),
                "prefix": SQL("o.ref_prefix"),
                "number": SQL("o.ref_number"),
                "type": "out_refund",
                "date": SQL("o.refund_date"),
                "due": SQL("o.ref_due"),
                "untaxed": SQL("o.ref_untaxed"),
                "tax": SQL("o.ref_tax"),
                "total": SQL("o.ref_total"),
                "residual": SQL("0"),
                "sign": -1,
                "ref": label,
                "payment_reference": None,
                "payment_state": "paid",
                "bank": SQL("NULL::int"),
                "reversed": SQL("o.inv_id"),
                # the lines of a return still point to the delivered order lines
                "delivery": SQL(
                    "CASE WHEN o.ref_kind = 'return' THEN o.delivery_at::date END"
                ),
            },
        }
        for doc in documents.values():
            self.insert(
                "account_move",
                "account.move",
                SQL(
                    """
                    SELECT %(id)s AS id, %(name)s AS name,
                           %(prefix)s AS sequence_prefix,
                           %(number)s AS sequence_number, %(type)s AS move_type,
                           %(payment_reference)s AS payment_reference,
                           %(payment_state)s AS payment_state,
                           %(bank)s AS partner_bank_id, %(ref)s AS ref,
                           %(reversed)s AS reversed_entry_id, %(date)s AS date,
                           %(date)s AS invoice_date, %(due)s AS invoice_date_due,
                           %(delivery)s AS delivery_date, %(untaxed)s AS amount_untaxed,
                           %(tax)s AS amount_tax, %(total)s AS amount_total,
                           %(residual)s AS amount_residual,
                           %(sign)s * %(untaxed)s AS amount_untaxed_signed,
                           %(sign)s * %(untaxed)s AS amount_untaxed_in_currency_signed,
                           %(sign)s * %(tax)s AS amount_tax_signed,
                           %(sign)s * %(total)s AS amount_total_signed,
                           %(sign)s * %(total)s AS amount_total_in_currency_signed,
                           %(sign)s * %(residual)s AS amount_residual_signed,
                           %(move_columns)s,
                           %(date)s + interval '2 hours' AS create_date,
                           %(date)s + interval '2 hours' AS write_date
                      FROM demo_order o WHERE %(id)s IS NOT NULL ORDER BY o.seq
                    """,
                    move_columns=move_columns,
                    **doc,
                ),
            )
        line_columns = SQL(
            """
            %(journal)s AS journal_id, %(company)s AS company_id,
            %(currency)s AS company_currency_id, %(currency)s AS currency_id,
            o.partner_id,
            'posted' AS parent_state, 0 AS discount, false AS is_imported,
            false AS is_downpayment, 1 AS create_uid, 1 AS write_uid
            """,
            **params,
        )
        # product lines: credit on invoices, debit on credit notes
        for kind, doc in documents.items():
            invoice = kind == "inv"
            line = {
                "id": SQL("l.inv_aml_id" if invoice else "l.ref_aml_id"),
                "name": SQL("p.display_name" if invoice else "l.ref_name"),
                "price": SQL("l.price_unit" if invoice else "l.ref_price_unit"),
                "subtotal": SQL("l.subtotal" if invoice else "l.ref_subtotal"),
                "total": SQL("l.total" if invoice else "l.ref_total"),
            }
            self.insert(
                "account_move_line",
                "account.move.line",
                SQL(
                    """
                    SELECT %(line_id)s AS id, %(move_id)s AS move_id,
                           %(move_name)s AS move_name, %(ref)s AS ref,
                           l.position AS sequence, p.income AS account_id, l.product_id,
                           p.uom AS product_uom_id, %(line_name)s AS name,
                           'product' AS display_type, %(date)s AS date,
                           %(date)s AS invoice_date,
                           GREATEST(-%(sign)s * %(subtotal)s, 0) AS debit,
                           GREATEST(%(sign)s * %(subtotal)s, 0) AS credit,
                           -%(sign)s * %(subtotal)s AS balance,
                           -%(sign)s * %(subtotal)s AS amount_currency,
                           0 AS amount_residual, 0 AS amount_residual_currency,
                           0 AS tax_base_amount, l.qty AS quantity,
                           %(price)s AS price_unit,
                           %(subtotal)s AS price_subtotal, %(total)s AS price_total,
                           %(invert)s AS tax_tag_invert, false AS reconciled,
                           %(line_columns)s,
                           %(date)s + interval '2 hours' AS create_date,
                           %(date)s + interval '2 hours' AS write_date
                      FROM demo_line l
                      JOIN demo_order o ON o.seq = l.seq
                      JOIN demo_product p ON p.id = l.product_id
                     WHERE %(line_id)s IS NOT NULL ORDER BY l.k
                    """,
                    line_id=line["id"],
                    move_id=doc["id"],
                    move_name=doc["name"],
                    ref=doc["ref"],
                    line_name=line["name"],
                    date=doc["date"],
                    sign=doc["sign"],
                    subtotal=line["subtotal"],
                    price=line["price"],
                    total=line["total"],
                    invert=invoice,
                    line_columns=line_columns,
                ),
            )
        # tax lines
        self.insert(
            "account_move_line",
            "account.move.line",
            SQL(
                """
                SELECT t.aml_id AS id, t.move_id,
                       CASE WHEN t.kind = 'inv' THEN o.inv_name ELSE o.ref_name END
                           AS move_name,
                       CASE WHEN t.kind = 'inv' THEN o.client_order_ref
                            ELSE %(label)s END
                           AS ref,
                       10000 AS sequence, x.account AS account_id,
                       t.tax_id AS tax_line_id,
                       x.tax_group AS tax_group_id,
                       x.repartition AS tax_repartition_line_id,
                       x.name, 'tax' AS display_type, d.day AS date,
                       d.day AS invoice_date,
                       CASE WHEN t.kind = 'inv' THEN 0 ELSE t.amount END AS debit,
                       CASE WHEN t.kind = 'inv' THEN t.amount ELSE 0 END AS credit,
                       d.sign * t.amount AS balance,
                       d.sign * t.amount AS amount_currency,
                       0 AS amount_residual, 0 AS amount_residual_currency,
                       t.base AS tax_base_amount, 0 AS quantity, 0 AS price_unit,
                       0 AS price_subtotal, 0 AS price_total,
                       t.kind = 'inv' AS tax_tag_invert, false AS reconciled,
                       %(line_columns)s, d.day + interval '2 hours' AS create_date,
                       d.day + interval '2 hours' AS write_date
                  FROM demo_tax_line t
                  JOIN demo_order o ON o.seq = t.seq
                  JOIN demo_tax x ON x.id = t.tax_id AND x.kind = t.kind
                 CROSS JOIN LATERAL (
                       SELECT CASE WHEN t.kind = 'inv' THEN o.invoice_date
                                   ELSE o.refund_date END AS day,
                              CASE WHEN t.kind = 'inv' THEN -1 ELSE 1 END AS sign) AS d
                 ORDER BY t.aml_id
                """,
                label=label,
                line_columns=line_columns,
            ),
        )
        # receivable lines; named as account.move.line._compute_name names them
        for kind, doc in documents.items():
            invoice = kind == "inv"
            self.insert(
                "account_move_line",
                "account.move.line",
                SQL(
                    """
                    SELECT %(line_id)s AS id, %(move_id)s AS move_id,
                           %(move_name)s AS move_name, %(ref)s AS ref,
                           12000 AS sequence,
                           %(receivable)s AS account_id, %(line_name)s AS name,
                           'payment_term' AS display_type, %(date)s AS date,
                           %(date)s AS invoice_date, %(due)s AS date_maturity,
                           GREATEST(%(sign)s * %(total)s, 0) AS debit,
                           GREATEST(-%(sign)s * %(total)s, 0) AS credit,
                           %(sign)s * %(total)s AS balance,
                           %(sign)s * %(total)s AS amount_currency,
                           %(residual)s AS amount_residual,
                           %(residual)s AS amount_residual_currency,
                           0 AS tax_base_amount,
                           0 AS quantity, 0 AS price_unit, 0 AS price_subtotal,
                           0 AS price_total, 0 AS discount_amount_currency,
                           0 AS discount_balance, false AS tax_tag_invert,
                           %(reconciled)s AS reconciled, o.full_id AS full_reconcile_id,
                           %(matching)s AS matching_number, %(line_columns)s,
                           %(date)s + interval '2 hours' AS create_date,
                           %(date)s + interval '2 hours' AS write_date
                      FROM demo_order o WHERE %(move_id)s IS NOT NULL ORDER BY o.seq
                    """,
                    line_id=SQL("o.inv_recv_aml" if invoice else "o.ref_recv_aml"),
                    move_id=doc["id"],
                    move_name=doc["name"],
                    ref=doc["ref"],
                    receivable=k["receivable"],
                    line_name=SQL(
                        "COALESCE(o.client_order_ref || ' - ', '') || o.inv_name"
                        if invoice
                        else "NULL"
                    ),
                    date=doc["date"],
                    due=doc["due"],
                    sign=doc["sign"],
                    total=doc["total"],
                    residual=SQL("o.inv_residual" if invoice else "0"),
                    reconciled=SQL("o.inv_reconciled" if invoice else "true"),
                    matching=SQL("o.inv_matching" if invoice else "o.ref_matching"),
                    line_columns=line_columns,
                ),
            )
        self.execute(
            SQL(
                """
                INSERT INTO account_move_line_account_tax_rel
                       (account_move_line_id, account_tax_id)
                SELECT inv_aml_id, tax_id FROM demo_line
                 WHERE inv_aml_id IS NOT NULL AND tax_id IS NOT NULL
                 UNION ALL
                SELECT ref_aml_id, tax_id FROM demo_line
                 WHERE ref_aml_id IS NOT NULL AND tax_id IS NOT NULL;

                INSERT INTO account_account_tag_account_move_line_rel
                       (account_move_line_id, account_account_tag_id)
                SELECT l.inv_aml_id, g.tag_id FROM demo_line l
                  JOIN demo_tax_tag g
                    ON g.tax_id = l.tax_id AND g.kind = 'inv' AND g.role = 'base'
                 WHERE l.inv_aml_id IS NOT NULL
                 UNION ALL
                SELECT l.ref_aml_id, g.tag_id FROM demo_line l
                  JOIN demo_tax_tag g
                    ON g.tax_id = l.tax_id AND g.kind = 'ref' AND g.role = 'base'
                 WHERE l.ref_aml_id IS NOT NULL
                 UNION ALL
                SELECT t.aml_id, g.tag_id FROM demo_tax_line t
                  JOIN demo_tax_tag g
                    ON g.tax_id = t.tax_id AND g.kind = t.kind AND g.role = 'tax';

                -- a return's credit note lines undo the invoiced quantities
                INSERT INTO sale_order_line_invoice_rel (invoice_line_id, order_line_id)
                SELECT inv_aml_id, sol_id FROM demo_line WHERE inv_aml_id IS NOT NULL
                 UNION ALL
                SELECT l.ref_aml_id, l.sol_id FROM demo_line l
                  JOIN demo_order o ON o.seq = l.seq
                 WHERE l.ref_aml_id IS NOT NULL AND o.ref_kind = 'return'
                """
            )
        )

    def insert_payments(self):
        k = self.k
        params = self.params(
            bank=k["bank"].id,
            outstanding=k["outstanding"],
            receivable=k["receivable"],
            label=k["method_label"],
        )
        created = SQL("o.payment_date + interval '3 hours'")
        self.insert(
            "account_payment",
            "account.payment",
            SQL(
                """
                SELECT o.pay_id AS id, %(bank)s AS journal_id,
                       %(company)s AS company_id,
                       %(method_line)s AS payment_method_line_id,
                       %(method)s AS payment_method_id, %(currency)s AS currency_id,
                       o.partner_id, %(outstanding)s AS outstanding_account_id,
                       %(receivable)s AS destination_account_id, o.pay_name AS name,
                       %(partner_bank)s AS partner_bank_id, 'paid' AS state,
                       'inbound' AS payment_type, 'customer' AS partner_type,
                       o.inv_name AS memo, o.payment_date AS date,
                       o.pay_amount AS amount,
                       o.pay_amount AS amount_company_currency_signed,
                       true AS is_reconciled, false AS is_matched, false AS is_sent,
                       1 AS create_uid, 1 AS write_uid, %(created)s AS create_date,
                       %(created)s AS write_date
                  FROM demo_order o WHERE o.pay_id IS NOT NULL ORDER BY o.seq
                """,
                method_line=k["method_line"],
                method=k["method"],
                partner_bank=SQL("%s::int", k["payment_bank"]),
                created=created,
                **params,
            ),
        )
        self.insert(
            "account_move",
            "account.move",
            SQL(
                """
                SELECT o.pay_move_id AS id, o.pay_name AS name,
                       o.pay_prefix AS sequence_prefix, o.pay_number AS sequence_number,
                       %(bank)s AS journal_id, %(company)s AS company_id,
                       %(currency)s AS currency_id, o.pay_id AS origin_payment_id,
                       o.partner_id, o.partner_id AS commercial_partner_id,
                       o.inv_name AS ref, 'posted' AS state, 'entry' AS move_type,
                       'no' AS auto_post, 'not_paid' AS payment_state,
                       o.partner_name AS invoice_partner_display_name,
                       o.payment_date AS date, o.payment_date AS invoice_date_due,
                       0 AS invoice_currency_rate, 0 AS amount_untaxed, 0 AS amount_tax,
                       o.pay_amount AS amount_total, 0 AS amount_residual,
                       0 AS amount_untaxed_signed,
                       0 AS amount_untaxed_in_currency_signed,
                       0 AS amount_tax_signed, o.pay_amount AS amount_total_signed,
                       o.pay_amount AS amount_total_in_currency_signed,
                       0 AS amount_residual_signed, false AS is_storno,
                       true AS always_tax_exigible, true AS checked,
                       true AS posted_before,
                       false AS made_sequence_gap, false AS is_manually_modified,
                       1 AS create_uid, 1 AS write_uid, %(created)s AS create_date,
                       %(created)s AS write_date
                  FROM demo_order o WHERE o.pay_id IS NOT NULL ORDER BY o.seq
                """,
                created=created,
                **params,
            ),
        )
        self.execute(
            SQL(
                """
                UPDATE account_payment p SET move_id = o.pay_move_id
                  FROM demo_order o WHERE p.id = o.pay_id
                """
            )
        )
        # the money on the outstanding account, the receivable settled
        for side in ("outstanding", "receivable"):
            outstanding = side == "outstanding"
            self.insert(
                "account_move_line",
                "account.move.line",
                SQL(
                    """
                    SELECT %(line_id)s AS id, o.pay_move_id AS move_id,
                           %(bank)s AS journal_id, %(company)s AS company_id,
                           %(currency)s AS company_currency_id,
                           %(currency)s AS currency_id,
                           o.partner_id, o.pay_id AS payment_id,
                           o.pay_name AS move_name,
                           'posted' AS parent_state, o.inv_name AS ref,
                           %(label)s || ': ' || o.inv_name AS name,
                           'product' AS display_type, 100 AS sequence,
                           o.payment_date AS date, o.payment_date AS date_maturity,
                           %(account)s AS account_id,
                           GREATEST(%(sign)s * o.pay_amount, 0) AS debit,
                           GREATEST(-%(sign)s * o.pay_amount, 0) AS credit,
                           %(sign)s * o.pay_amount AS balance,
                           %(sign)s * o.pay_amount AS amount_currency,
                           %(residual)s AS amount_residual,
                           %(residual)s AS amount_residual_currency,
                           %(sign)s * o.pay_amount AS price_subtotal,
                           %(sign)s * o.pay_amount AS price_total,
                           %(reconciled)s AS reconciled, %(full)s AS full_reconcile_id,
                           %(matching)s AS matching_number, 0 AS tax_base_amount,
                           1 AS quantity, 0 AS price_unit, 0 AS discount,
                           false AS tax_tag_invert, false AS is_imported,
                           false AS is_downpayment, 1 AS create_uid, 1 AS write_uid,
                           %(created)s AS create_date, %(created)s AS write_date
                      FROM demo_order o WHERE o.pay_id IS NOT NULL ORDER BY o.seq
                    """,
                    line_id=SQL("o.pay_out_aml" if outstanding else "o.pay_cp_aml"),
                    account=k["outstanding"] if outstanding else k["receivable"],
                    sign=1 if outstanding else -1,
                    residual=SQL("o.pay_amount" if outstanding else "0"),
                    reconciled=not outstanding,
                    full=SQL("NULL::int" if outstanding else "o.full_id"),
                    matching=SQL("NULL" if outstanding else "o.inv_matching"),
                    created=created,
                    **params,
                ),
            )
        self.execute(
            SQL(
                """
                INSERT INTO account_move__account_payment (invoice_id, payment_id)
                SELECT inv_id, pay_id FROM demo_order WHERE pay_id IS NOT NULL
                """
            )
        )
        # invoice receivable (debit) with the credit note's, then with the payment's
        for side in ("credit note", "payment"):
            refund = side == "credit note"
            self.insert(
                "account_partial_reconcile",
                "account.partial.reconcile",
                SQL(
                    """
                    SELECT %(id)s AS id, o.inv_recv_aml AS debit_move_id,
                           %(credit)s AS credit_move_id, o.full_id AS full_reconcile_id,
                           %(currency)s AS debit_currency_id,
                           %(currency)s AS credit_currency_id,
                           %(company)s AS company_id,
                           %(day)s AS max_date, %(amount)s AS amount,
                           %(amount)s AS debit_amount_currency,
                           %(amount)s AS credit_amount_currency, 1 AS create_uid,
                           1 AS write_uid, %(day)s + interval '3 hours' AS create_date,
                           %(day)s + interval '3 hours' AS write_date
                      FROM demo_order o WHERE %(id)s IS NOT NULL ORDER BY o.seq
                    """,
                    id=SQL("o.apr_ref_id" if refund else "o.apr_pay_id"),
                    credit=SQL("o.ref_recv_aml" if refund else "o.pay_cp_aml"),
                    day=SQL("o.refund_date" if refund else "o.payment_date"),
                    amount=SQL("o.ref_total" if refund else "o.pay_amount"),
                    **params,
                ),
            )

    def finish(self):
        """Customer ranks as confirmations and postings raise them; fresh statistics."""
        if not self.bulk_partners:  # bulk partners got their rank at creation
            self.execute(
                SQL(
                    """
                    UPDATE res_partner p SET customer_rank = p.customer_rank + c.n
                      FROM (SELECT partner_id, count(*) + count(inv_id) AS n
                              FROM demo_order WHERE state = 'sale'
                             GROUP BY partner_id) AS c
                     WHERE p.id = c.partner_id
                    """
                )
            )
        for table in (
            "demo_order", "demo_line", "demo_tax_line", "demo_product", "demo_tax",
            "demo_tax_tag", "demo_quant",
        ):  # fmt: skip
            self.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(table)))
        for table in (
            "res_partner", "sale_order", "sale_order_line", "stock_picking",
            "stock_move", "stock_move_line", "stock_valuation_layer", "stock_quant",
            "account_move", "account_move_line", "account_payment",
            "account_partial_reconcile",
        ):  # fmt: skip
            self.execute(SQL("ANALYZE %s", SQL.identifier(table)))
