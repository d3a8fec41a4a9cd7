"""Bulk path, first half: compute the staging rows of the planned orders.

For every order of the plan, and every line, the values Odoo would store:
ids taken from blocks reserved in the tables' id sequences, document names
continuing Odoo's sequences in date order, amounts and taxes rounded as the
ORM rounds them, quantities and states. :mod:`.bulk_loader` streams the rows
into the staging tables ``demo_order``, ``demo_line`` and ``demo_tax_line``
(columns below) and moves them into Odoo's tables with SQL.

Ids are arithmetic: for order ``i`` of ``n`` and line ``k`` of ``m``, the sale
order is ``base + i``, its invoice ``base + i``, its credit note ``base + n +
i``, the stock move of the line ``base + k``, its return ``base + m + k``...
A document that does not exist leaves a hole in its block, which is harmless.
"""

import math
import re
from collections import defaultdict, namedtuple
from datetime import datetime, time, timedelta

from odoo.tools import SQL, float_round, float_utils
from odoo.tools.float_utils import float_invert

ORDER_COLUMNS = [
    ("seq", "int"), ("so_id", "int"), ("so_name", "varchar"), ("partner_id", "int"),
    ("partner_name", "varchar"), ("user_id", "int"), ("team_id", "int"),
    ("date_order", "timestamp"), ("validity_date", "date"), ("state", "varchar"),
    ("client_order_ref", "varchar"), ("payment_term_id", "int"), ("untaxed", "numeric"),
    ("tax", "numeric"), ("total", "numeric"), ("invoice_status", "varchar"),
    ("delivery_status", "varchar"),
    # delivery and return
    ("pg_id", "int"), ("picking_id", "int"), ("picking_name", "varchar"),
    ("picking_state", "varchar"), ("scheduled", "timestamp"),
    ("delivery_at", "timestamp"), ("ret_picking_id", "int"),
    ("ret_picking_name", "varchar"), ("return_at", "timestamp"),
    # invoice
    ("inv_id", "int"), ("inv_name", "varchar"), ("inv_prefix", "varchar"),
    ("inv_number", "int"), ("invoice_date", "date"), ("due_date", "date"),
    ("inv_payment_state", "varchar"), ("inv_residual", "numeric"),
    ("inv_recv_aml", "int"),
    ("inv_matching", "varchar"), ("inv_reconciled", "bool"),
    # credit note (price allowance or return)
    ("ref_id", "int"), ("ref_kind", "varchar"), ("ref_name", "varchar"),
    ("ref_prefix", "varchar"), ("ref_number", "int"), ("refund_date", "date"),
    ("ref_due", "date"), ("ref_untaxed", "numeric"), ("ref_tax", "numeric"),
    ("ref_total", "numeric"), ("ref_recv_aml", "int"), ("ref_matching", "varchar"),
    # payment and reconciliation
    ("pay_id", "int"), ("pay_move_id", "int"), ("pay_name", "varchar"),
    ("pay_prefix", "varchar"), ("pay_number", "int"), ("payment_date", "date"),
    ("pay_amount", "numeric"), ("pay_out_aml", "int"), ("pay_cp_aml", "int"),
    ("full_id", "int"), ("apr_pay_id", "int"), ("apr_ref_id", "int"),
]  # fmt: skip
LINE_COLUMNS = [
    ("k", "int"), ("seq", "int"), ("sol_id", "int"), ("position", "int"),
    ("product_id", "int"), ("qty", "numeric"), ("price_unit", "numeric"),
    ("subtotal", "numeric"), ("tax_amount", "numeric"), ("total", "numeric"),
    ("tax_id", "int"), ("qty_delivered", "numeric"), ("qty_invoiced", "numeric"),
    ("qty_to_invoice", "numeric"), ("amount_invoiced", "numeric"),
    ("amount_to_invoice", "numeric"), ("invoice_status", "varchar"),
    ("move_id", "int"), ("ml_id", "int"), ("svl_id", "int"), ("ret_move_id", "int"),
    ("ret_ml_id", "int"), ("ret_svl_id", "int"), ("inv_aml_id", "int"),
    ("ref_aml_id", "int"), ("ref_price_unit", "numeric"), ("ref_subtotal", "numeric"),
    ("ref_tax", "numeric"), ("ref_total", "numeric"), ("ref_name", "varchar"),
]  # fmt: skip
TAX_LINE_COLUMNS = [
    ("aml_id", "int"), ("move_id", "int"), ("seq", "int"), ("kind", "varchar"),
    ("tax_id", "int"), ("base", "numeric"), ("amount", "numeric"),
]  # fmt: skip
MAX_TAXES = 4  # per order: the id blocks of tax lines hold that many

# amounts of one document: per line (price, subtotal, tax), per tax (base, amount)
Amounts = namedtuple("Amounts", "lines taxes untaxed tax total")


def round_half_up(value, rounding):
    """odoo.tools.float_round (HALF-UP) minus its checks: it runs millions of times."""
    if not value:
        return 0.0
    if rounding >= 1:
        return float_round(value, precision_rounding=rounding)
    factor = float_invert(rounding)
    normalized = value * factor
    normalized += math.copysign(2 ** (math.log2(abs(normalized)) - 50), normalized)
    return float_utils.round(normalized) / factor


class Stager:
    """Staging rows of ``loader.orders``; see the module docstring."""

    def __init__(self, loader):
        self.loader = loader
        self.env = loader.env
        self.k = loader.k
        self.orders = loader.orders
        self.products = loader.products
        self.n_orders = len(self.orders)
        self.n_lines = sum(len(order.lines) for order in self.orders)
        self.rates = {p["tax"]: p["rate"] for p in self.products if p["tax"]}

    def round(self, value):
        return round_half_up(value, self.k["rounding"])

    def stage(self):
        """Return (order rows, line rows, tax line rows)."""
        self._reserve_ids()
        self._name_documents()
        order_rows, line_rows, tax_rows = [], [], []
        k_line = 0
        for i, order in enumerate(self.orders):
            order_row, lines, taxes = self._order_rows(i, order, k_line)
            order_rows.append(order_row)
            line_rows.extend(lines)
            tax_rows.extend(taxes)
            k_line += len(order.lines)
        return order_rows, line_rows, tax_rows

    # --- ids and names ----------------------------------------------------------------

    def _reserve_ids(self):
        reserve, n, m = self.loader.ids.reserve, self.n_orders, self.n_lines
        self.base = {
            "so": reserve("sale_order", n),
            "sol": reserve("sale_order_line", m),
            "pg": reserve("procurement_group", n),
            "picking": reserve("stock_picking", 2 * n),  # delivery, return
            "move": reserve("stock_move", 2 * m),
            "ml": reserve("stock_move_line", 2 * m),
            "svl": reserve("stock_valuation_layer", 2 * m),
            "am": reserve("account_move", 3 * n),  # invoice, credit note, payment
            # product lines of invoices and credit notes; per order 4 lines
            # (receivables of invoice and credit note, payment), then the tax lines
            "aml": reserve("account_move_line", 2 * m + (4 + 2 * MAX_TAXES) * n),
            "pay": reserve("account_payment", n),
            "apr": reserve("account_partial_reconcile", 2 * n),
            "afr": reserve("account_full_reconcile", n),
        }
        self.aml_other = self.base["aml"] + 2 * m  # receivables, payment lines
        self.aml_tax = self.aml_other + 4 * n

    def _name_documents(self):
        """Names of orders, pickings and journal entries, numbered in date order."""
        k, orders = self.k, self.orders
        self.so_names = self._sequence_names(k["so_sequence"], [o.date for o in orders])
        self.scheduled = {
            i: o.delivery_at or o.date + timedelta(days=2)
            for i, o in enumerate(orders)
            if o.state == "sale"
        }
        by_date = sorted(self.scheduled, key=lambda i: (self.scheduled[i], i))
        self.picking_names = dict(
            zip(
                by_date,
                self._sequence_names(
                    k["out_sequence"], [self.scheduled[i] for i in by_date]
                ),
                strict=True,
            )
        )
        returns = sorted(
            (i for i, o in enumerate(orders) if o.refund == "return"),
            key=lambda i: (orders[i].refund_date, i),
        )
        self.return_names = dict(
            zip(
                returns,
                self._sequence_names(
                    k["return_sequence"], [orders[i].refund_date for i in returns]
                ),
                strict=True,
            )
        )
        self.inv_names = self._move_names(
            k["journal"], "out_invoice", "invoice_date", lambda o: o.invoice_date
        )
        self.ref_names = self._move_names(
            k["journal"], "out_refund", "refund_date", lambda o: o.refund
        )
        self.pay_names = self._move_names(
            k["bank"], "entry", "payment_date", lambda o: o.payment_date, payment=True
        )

    def _sequence_names(self, sequence, moments):
        """Take ``len(moments)`` numbers of an ir.sequence, named for these moments."""
        sequence = sequence.sudo()
        start, step = sequence.number_next_actual, sequence.number_increment
        affixes = {}  # prefix and suffix per day: their interpolation is slow
        names = []
        for n, moment in enumerate(moments):
            day = moment.date() if isinstance(moment, datetime) else moment
            if day not in affixes:
                affixes[day] = sequence._get_prefix_suffix(date=day)
            prefix, suffix = affixes[day]
            names.append(f"{prefix}{start + n * step:0{sequence.padding}d}{suffix}")
        if moments:
            sequence.write({"number_next": start + len(moments) * step})
        return names

    def _move_names(self, journal, move_type, date_field, selected, payment=False):
        """{order index: (name, prefix, number)} continuing the journal's numbering.

        The prefix of each date comes from account.move's own starting sequence
        (fiscal years, refund and payment prefixes); numbers go on from the last
        one of that prefix, in date order.
        """
        Move = self.env["account.move"].with_context(is_payment=payment)
        dated = sorted(
            (getattr(o, date_field), i)
            for i, o in enumerate(self.orders)
            if selected(o)
        )
        prefixes = {}
        for day in {day for day, _i in dated}:
            starting = Move.new(
                {"journal_id": journal.id, "date": day, "move_type": move_type}
            )._get_starting_sequence()
            match = re.match(r"^(.*?)(\d+)$", starting)
            prefixes[day] = (match.group(1), len(match.group(2)))
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT sequence_prefix, max(sequence_number) FROM account_move
                 WHERE journal_id = %s AND sequence_prefix = ANY(%s)
                 GROUP BY sequence_prefix
                """,
                journal.id,
                list({prefix for prefix, _padding in prefixes.values()}),
            )
        )
        last = dict(cr.fetchall())
        names = {}
        for day, i in dated:
            prefix, padding = prefixes[day]
            last[prefix] = number = last.get(prefix, 0) + 1
            names[i] = (f"{prefix}{number:0{padding}d}", prefix, number)
        return names

    # --- amounts --------------------------------------------------------------------

    def _amounts(self, lines):
        """Amounts of a document with ``lines`` [(product, quantity, unit price)]."""
        per_line = []
        bases, taxes = defaultdict(float), defaultdict(float)
        for product, qty, price in lines:
            subtotal = self.round(qty * price)
            tax = self.round(subtotal * product["rate"])
            per_line.append((price, subtotal, tax))
            if product["tax"]:
                bases[product["tax"]] += subtotal
                taxes[product["tax"]] += tax
        if len(bases) > MAX_TAXES:
            raise RuntimeError(f"bulk path: more than {MAX_TAXES} taxes on one order")
        if self.k["round_globally"]:
            taxes = {t: self.round(base * self.rates[t]) for t, base in bases.items()}
        untaxed = self.round(sum(subtotal for _p, subtotal, _t in per_line))
        tax = self.round(sum(taxes.values()))
        return Amounts(
            per_line,
            {t: (bases[t], taxes[t]) for t in sorted(bases)},
            untaxed,
            tax,
            self.round(untaxed + tax),
        )

    def _refund_amounts(self, order, products):
        if order.refund == "return":
            lines = [
                (p, qty, price)
                for p, (_i, qty, price) in zip(products, order.lines, strict=True)
            ]
        else:  # price allowance: a share of each unit price
            lines = [
                (p, qty, self.round(price * order.refund_ratio))
                for p, (_i, qty, price) in zip(products, order.lines, strict=True)
            ]
        return self._amounts(lines)

    # --- rows -----------------------------------------------------------------------

    def _order_rows(self, i, order, k_first):
        k, base, n, m = self.k, self.base, self.n_orders, self.n_lines
        customer = order.customer
        products = [self.products[p] for p, _qty, _price in order.lines]
        amounts = self._amounts(
            [
                (p, qty, price)
                for p, (_i, qty, price) in zip(products, order.lines, strict=True)
            ]
        )
        refund = self._refund_amounts(order, products) if order.refund else None
        is_sale, invoiced = order.state == "sale", bool(order.invoice_date)
        returned = order.refund == "return"

        # settlement: credit note first, then the payment of what is left
        residual = pay_amount = None
        if invoiced:
            residual = self.round(amounts.total - (refund.total if refund else 0.0))
            if order.payment_date:
                pay_amount, residual = residual, 0.0
        if not invoiced:
            payment_state = None
        elif returned:
            payment_state = "reversed"
        elif order.payment_date:
            payment_state = "paid"
        else:
            payment_state = "partial" if order.refund else "not_paid"
        apr_pay = base["apr"] + i if order.payment_date else None
        apr_ref = base["apr"] + n + i if order.refund else None
        settled = invoiced and residual == 0 and (order.payment_date or order.refund)
        full_id = base["afr"] + i if settled else None
        if full_id:
            matching = str(full_id)
        elif apr_ref or apr_pay:
            matching = f"P{min(x for x in (apr_ref, apr_pay) if x)}"
        else:
            matching = None

        line_rows, statuses = [], []
        for position, (product, (_p, qty, price), line_amounts) in enumerate(
            zip(products, order.lines, amounts.lines, strict=True), start=1
        ):
            kl = k_first + position - 1
            row = self._line_row(
                i, kl, position, order, product, qty, price, line_amounts, refund
            )
            statuses.append(row[16])
            line_rows.append(row)
        if "to invoice" in statuses:
            invoice_status = "to invoice"
        elif is_sale and all(status == "invoiced" for status in statuses):
            invoice_status = "invoiced"
        else:
            invoice_status = "no"

        inv_id = base["am"] + i if invoiced else None
        ref_id = base["am"] + n + i if order.refund else None
        tax_rows = []
        for kind, move_id, doc in (("inv", inv_id, amounts), ("ref", ref_id, refund)):
            if move_id:
                for n_tax, (tax_id, (tax_base, tax)) in enumerate(doc.taxes.items()):
                    aml_id = (
                        self.aml_tax + 2 * (i * MAX_TAXES + n_tax) + (kind == "ref")
                    )
                    tax_rows.append((aml_id, move_id, i, kind, tax_id, tax_base, tax))

        due_days = timedelta(days=order.due_days)
        names = (
            self.inv_names.get(i, (None,) * 3)
            + self.ref_names.get(i, (None,) * 3)
            + self.pay_names.get(i, (None,) * 3)
        )
        order_row = (
            i, base["so"] + i, self.so_names[i],
            self.loader.partner_ids[customer.index],
            customer.name, self.loader.master.users[customer.salesperson],
            k["teams"][self.loader.master.users[customer.salesperson]], order.date,
            (order.date + timedelta(days=30)).date(), order.state,
            f"PO{order.date:%y%m%d}-{customer.index % 1000:03d}"
            if customer.is_company else None,
            k["terms"][30 if customer.is_company else 0],
            amounts.untaxed, amounts.tax, amounts.total, invoice_status,
            ("full" if order.delivery_at else "pending") if is_sale else None,
            # delivery and return
            base["pg"] + i if is_sale else None,
            base["picking"] + i if is_sale else None,
            self.picking_names.get(i),
            ("done" if order.delivery_at else "confirmed") if is_sale else None,
            self.scheduled.get(i), order.delivery_at,
            base["picking"] + n + i if returned else None, self.return_names.get(i),
            datetime.combine(order.refund_date, time(2)) if returned else None,
            # invoice
            inv_id, *names[0:3], order.invoice_date,
            order.invoice_date + due_days if invoiced else None,
            payment_state, residual,
            base["aml"] + 2 * m + i if invoiced else None, matching,
            invoiced and not residual,
            # credit note
            ref_id, order.refund, *names[3:6], order.refund_date,
            order.refund_date + due_days if order.refund else None,
            refund.untaxed if refund else None, refund.tax if refund else None,
            refund.total if refund else None,
            self.aml_other + n + i if order.refund else None,
            (str(full_id) if full_id else f"P{apr_ref}") if order.refund else None,
            # payment and reconciliation
            base["pay"] + i if order.payment_date else None,
            base["am"] + 2 * n + i if order.payment_date else None,
            *names[6:9], order.payment_date, pay_amount,
            self.aml_other + 2 * n + i if order.payment_date else None,
            self.aml_other + 3 * n + i if order.payment_date else None,
            full_id, apr_pay, apr_ref,
        )  # fmt: skip
        return order_row, line_rows, tax_rows

    def _line_row(self, i, kl, position, order, product, qty, price, amounts, refund):
        base, m = self.base, self.n_lines
        _price, subtotal, tax = amounts
        is_sale, delivered = order.state == "sale", bool(order.delivery_at)
        invoiced, returned = bool(order.invoice_date), order.refund == "return"
        # what is back with the customer does not count: returns undo both
        qty_delivered = qty if delivered and not returned else 0.0
        qty_invoiced = qty if invoiced and not returned else 0.0
        qty_to_invoice = qty_delivered - qty_invoiced if is_sale else 0.0
        if not is_sale:
            status = "no"
        elif qty_to_invoice:
            status = "to invoice"
        else:
            status = "invoiced" if qty_invoiced >= qty else "no"
        ref_price = ref_subtotal = ref_tax = ref_total = ref_name = None
        if refund:
            ref_price, ref_subtotal, ref_tax = refund.lines[position - 1]
            ref_total = self.round(ref_subtotal + ref_tax)
            ref_name = product["display_name"]
            if order.refund == "allowance":
                ref_name = f"价格折让 {order.refund_ratio:.0%}：{product['name']}"
        return (
            kl, i, base["sol"] + kl, position, product["id"], qty, price, subtotal, tax,
            self.round(subtotal + tax), product["tax"], qty_delivered, qty_invoiced,
            qty_to_invoice, subtotal if qty_invoiced else 0.0,
            self.round(qty_to_invoice * price), status,
            base["move"] + kl if is_sale else None,
            base["ml"] + kl if delivered else None,
            base["svl"] + kl if delivered else None,
            base["move"] + m + kl if returned else None,
            base["ml"] + m + kl if returned else None,
            base["svl"] + m + kl if returned else None,
            base["aml"] + kl if invoiced else None,
            base["aml"] + m + kl if refund else None,
            ref_price, ref_subtotal, ref_tax, ref_total, ref_name,
        )  # fmt: skip
