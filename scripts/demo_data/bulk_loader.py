"""Bulk path: write customers and sale documents of the plan with set-based SQL.

:mod:`.bulk_staging` computes, per order and per line, every value Odoo
would store; this module streams those rows with COPY into temporary
staging tables, and :mod:`.bulk_inserts` moves them into Odoo's tables with
one ``INSERT ... SELECT`` per table and document kind:

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
  of invoices with payments and credit notes;
- complaints on the bench scales (``complaint_every``): ``crm_complaint``
  and ``rating_rating``, see :mod:`.bulk_complaints`.

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
from .bulk_complaints import ComplaintInserts
from .bulk_inserts import DocumentInserts
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


class BulkLoader(DocumentInserts, ComplaintInserts):
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
            if self.complaint_every:
                self._step("complaints", self.insert_complaints)
        self._step("finishing", self.finish)
        self.env.invalidate_all()
        # the ORM keeps the last number of journal sequences for the transaction
        self.env["account.move"]._get_sequence_cache().clear()
        if self.complaint_count:
            self._step("complaint risk flags", self.flag_complaint_risks)
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
            self.analyze_filled_tables()
            return
        self.cr.execute("SET LOCAL session_replication_role = replica")
        try:
            yield
        finally:
            self.cr.execute("SET LOCAL session_replication_role = origin")
        self.analyze_filled_tables()
        start = time.monotonic()
        self.check_foreign_keys()
        _logger.info("bulk foreign keys checked: %.1f s", time.monotonic() - start)

    def analyze_filled_tables(self):
        """ANALYZE the tables the bulk path filled, before anything joins them.

        Their statistics still describe the tables before the inserts (often
        nearly empty, on a new database): the foreign key check, the ORM
        after it and the first recompute would be planned as nested loops
        over tables believed empty, which takes hours on the bench data set.
        Every table with reserved ids is in the list (complaints and ratings
        too), with the many2many tables and the quants.
        """
        start = time.monotonic()
        for table in [*self.ids.ranges, *RELATION_TABLES, "stock_quant"]:
            self.execute(SQL("ANALYZE %s", SQL.identifier(table)))
        _logger.info("bulk tables analyzed: %.1f s", time.monotonic() - start)

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
        # the ORM then reads customers and xml ids among rows the planner
        # does not know yet
        self.execute(SQL("ANALYZE res_partner"))
        self.execute(SQL("ANALYZE ir_model_data"))
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
