"""ORM path: write the plan through Odoo's business methods, in batches.

Masters (customers on the demo scale, opening stock, purchase orders) and
the recent orders of the demo scale go through the ORM: order creation and
confirmation, picking validation, invoices prepared by the orders, posting,
payments reconciled with the invoices, the return wizard and the reversal
of invoices, opportunities. Records are created many at a time and posted in
date order, so document numbers follow dates. Where those methods stamp
"now" (confirmation date, picking, stock move and valuation dates,
opportunity dates), the planned date is written afterwards with one
set-based UPDATE per table.
"""

import logging
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import datetime, timedelta

from odoo import Command
from odoo.tools import SQL, split_every

from . import bench_supply, names
from .master import MODULE

_logger = logging.getLogger(__name__)

BATCH = 250


@contextmanager
def timed(label):
    start = time.monotonic()
    yield
    _logger.info("%s: %.1f s", label, time.monotonic() - start)


class OrmLoader:
    def __init__(self, env, master, plan, orders):
        self.env = env
        self.master = master
        self.plan = plan
        self.orders = orders  # the plan's orders this loader writes, in date order
        self.partner_ids = {}  # customer index -> res.partner id
        self.order_ids = []  # sale.order id per plan order (same index)
        self.invoice_ids = {}  # plan order index -> account.move id
        self.stock_location = master.warehouse.lot_stock_id
        self.term_30 = env.ref("account.account_payment_term_30days").id
        self.term_now = env.ref("account.account_payment_term_immediate").id

    def run_masters(self):
        """Customers (unless the bulk path made them), opening stock and purchases."""
        if not self.partner_ids:
            with timed("customers"):
                self.create_customers()
        with timed("initial inventory"):
            self.create_initial_inventory()
        with timed("purchase orders"):
            self.create_purchases()

    def run_orders(self):
        """The sale orders of ``self.orders`` and everything that follows them."""
        if not self.orders:
            return
        with timed("sale orders"):
            self.create_sale_orders()
        with timed("confirmations"):
            self.confirm_orders()
        with timed("deliveries"):
            self.validate_deliveries()
        with timed("invoices"):
            self.create_invoices()
        with timed("refunds"):
            self.create_allowances()
            self.create_returns()
        with timed("payments"):
            self.register_payments()

    # --- helpers ---------------------------------------------------------------

    def execute(self, query):
        self.env.flush_all()
        self.env.cr.execute(query)
        self.env.invalidate_all()

    def backdate_pickings(self, pairs):
        """Set the dates of pickings, their moves, move lines and valuation.

        ``pairs`` are (picking id, creation moment, moment of the transfer);
        done pickings get the transfer moment as their date done.
        """
        if not pairs:
            return
        ids, created, moments = (list(col) for col in zip(*pairs, strict=True))
        self.execute(
            SQL(
                """
                UPDATE stock_picking p
                   SET date = v.created, scheduled_date = v.moment,
                       date_deadline = NULL,
                       date_done = CASE WHEN p.state = 'done' THEN v.moment END,
                       create_date = v.created
                  FROM unnest(%s::int[], %s::timestamp[], %s::timestamp[])
                       AS v(id, created, moment)
                 WHERE p.id = v.id
                """,
                ids,
                created,
                moments,
            )
        )
        self.execute(
            SQL(
                """
                UPDATE stock_move m
                   SET date = p.scheduled_date, date_deadline = NULL,
                       create_date = p.date
                  FROM stock_picking p
                 WHERE m.picking_id = p.id AND p.id = ANY(%s)
                """,
                ids,
            )
        )
        self.execute(
            SQL(
                """
                UPDATE stock_move_line ml SET date = m.date, create_date = m.date
                  FROM stock_move m WHERE ml.move_id = m.id AND m.picking_id = ANY(%s)
                """,
                ids,
            )
        )
        self.execute(
            SQL(
                """
                UPDATE stock_valuation_layer svl SET create_date = m.date
                  FROM stock_move m
                 WHERE svl.stock_move_id = m.id AND m.picking_id = ANY(%s)
                """,
                ids,
            )
        )

    # --- customers ---------------------------------------------------------------

    def create_customers(self):
        master = self.master
        vals_list = []
        for customer in self.plan.customers:
            vals = {
                "name": customer.name,
                "is_company": customer.is_company,
                "street": customer.street,
                "zip": customer.zip,
                "phone": customer.phone,
                "email": customer.email,
                "user_id": master.users[customer.salesperson],
                "customer_rank": 1,
                "tz": "Asia/Shanghai",
                "property_payment_term_id": self.term_30
                if customer.is_company
                else self.term_now,
                **master.partner_address(customer.city),
            }
            if not customer.is_company:
                vals["mobile"] = customer.phone
            if master.lang:
                vals["lang"] = master.lang
            vals_list.append(vals)
        partners = self.env["res.partner"].create(vals_list)
        self.partner_ids = {
            c.index: p.id for c, p in zip(self.plan.customers, partners, strict=True)
        }
        self.env["ir.model.data"]._update_xmlids(
            [
                {
                    "xml_id": f"{MODULE}.customer_{c.profile}_{c.index:06d}",
                    "record": p,
                    "noupdate": True,
                }
                for c, p in zip(self.plan.customers, partners, strict=True)
            ]
        )
        contacts = [
            {
                "parent_id": self.partner_ids[c.index],
                "type": "contact",
                "name": name,
                "function": function,
                "email": email,
                "mobile": phone,
                "phone": phone,
                "tz": "Asia/Shanghai",
            }
            for c in self.plan.customers
            for name, function, email, phone in c.contacts
        ]
        self.env["res.partner"].create(contacts)
        # customers exist from shortly before their first document
        first = {}
        for order in self.plan.orders:
            first.setdefault(order.customer.index, order.date)
        for lead in self.plan.leads:
            moment = datetime.combine(lead.date, datetime.min.time())
            first[lead.customer.index] = min(
                first.get(lead.customer.index, moment), moment
            )
        ids, moments = [], []
        for c in self.plan.customers:
            moment = first.get(
                c.index,
                datetime.combine(self.plan.today, datetime.min.time())
                - timedelta(days=90),
            )
            ids.append(self.partner_ids[c.index])
            moments.append(moment - timedelta(days=7 + c.index % 23))
        self.execute(
            SQL(
                """
                UPDATE res_partner p SET create_date = v.moment
                  FROM unnest(%s::int[], %s::timestamp[]) AS v(id, moment)
                 WHERE p.id = v.id OR p.parent_id = v.id
                """,
                ids,
                moments,
            )
        )
        _logger.info("%d customers, %d contacts", len(partners), len(contacts))

    # --- stock -------------------------------------------------------------------

    def create_initial_inventory(self):
        """Opening stock a few days before the history: enough for every delivery.

        The sizes of the bench catalogue get theirs copied set-based from
        their product's (``bench_supply.copy_opening_stock``)."""
        delivered = self.plan.delivered_quantities()
        products = self.master.products[: len(names.PRODUCTS)]
        quants = (
            self.env["stock.quant"]
            .with_context(inventory_mode=True)
            .create(
                [
                    {
                        "product_id": product_id,
                        "location_id": self.stock_location.id,
                        "inventory_quantity": round(delivered[i] * 1.1)
                        + names.PRODUCTS[i][5] * 20,
                    }
                    for i, product_id in enumerate(products)
                ]
            )
        )
        quants.action_apply_inventory()
        moment = datetime.combine(
            self.plan.start - timedelta(days=3), datetime.min.time()
        ) + timedelta(hours=1)
        moves = self.env["stock.move"].search(
            [
                ("product_id", "in", products),
                ("is_inventory", "=", True),
                ("state", "=", "done"),
            ]
        )
        self.execute(
            SQL(
                """
                UPDATE stock_move SET date = %(moment)s,
                       create_date = %(moment)s WHERE id = ANY(%(ids)s);
                UPDATE stock_move_line SET date = %(moment)s,
                       create_date = %(moment)s WHERE move_id = ANY(%(ids)s);
                UPDATE stock_valuation_layer SET create_date = %(moment)s
                 WHERE stock_move_id = ANY(%(ids)s);
                UPDATE stock_quant SET in_date = %(moment)s
                 WHERE product_id = ANY(%(products)s) AND location_id = %(location)s
                """,
                moment=moment,
                ids=moves.ids,
                products=products,
                location=self.stock_location.id,
            )
        )
        bench_supply.copy_opening_stock(self.env, self.master, self.plan)

    def create_purchases(self):
        env = self.env
        purchases = self.plan.purchases
        seller_price = {}
        for info in env["product.supplierinfo"].search(
            [("partner_id", "in", self.master.suppliers)]
        ):
            seller_price[(info.partner_id.id, info.product_tmpl_id.id)] = info.price
        products = env["product.product"].browse(self.master.products)
        vals_list = []
        for purchase in purchases:
            supplier = self.master.suppliers[purchase.supplier]
            lines = []
            for p, qty in purchase.lines:
                product = products[p]
                price = seller_price.get(
                    (supplier, product.product_tmpl_id.id), product.standard_price
                )
                lines.append(
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_qty": qty,
                            "price_unit": price,
                            "date_planned": purchase.date,
                        }
                    )
                )
            vals_list.append(
                {
                    "partner_id": supplier,
                    "date_order": purchase.date,
                    "order_line": lines,
                }
            )
        orders = env["purchase.order"].create(vals_list)
        orders.button_confirm()
        pickings, bills, payments = [], [], defaultdict(list)
        for purchase, order in zip(purchases, orders, strict=True):
            picking = order.picking_ids[:1]
            pickings.append((picking, purchase))
        done = env["stock.picking"].browse(
            [p.id for p, purchase in pickings if purchase.receipt_at]
        )
        done.move_ids.picked = True
        done.with_context(cancel_backorder=True)._action_done()
        for purchase, order in zip(purchases, orders, strict=True):
            if purchase.bill_date:
                bill = env["account.move"].browse(
                    order.action_create_invoice()["res_id"]
                )
                bill.write(
                    {"invoice_date": purchase.bill_date, "ref": f"FP{order.name[1:]}"}
                )
                bills.append(bill)
                if purchase.payment_date:
                    payments[purchase.payment_date].append(bill.id)
        env["account.move"].concat(*bills).sorted(
            lambda m: (m.invoice_date, m.id)
        ).action_post()
        self._pay(payments)
        self.execute(
            SQL(
                """
                UPDATE purchase_order po
                   SET date_order = v.moment, date_approve = v.moment,
                       date_planned = v.moment + interval '7 days',
                       create_date = v.moment
                  FROM unnest(%s::int[], %s::timestamp[]) AS v(id, moment)
                 WHERE po.id = v.id;
                UPDATE purchase_order_line pol SET date_planned = po.date_planned,
                       create_date = po.date_order
                  FROM purchase_order po WHERE pol.order_id = po.id AND po.id = ANY(%s)
                """,
                orders.ids,
                [p.date for p in purchases],
                orders.ids,
            )
        )
        self.backdate_pickings(
            [
                (
                    p.id,
                    purchase.date,
                    purchase.receipt_at or purchase.date + timedelta(days=7),
                )
                for p, purchase in pickings
            ]
        )

    # --- sales -------------------------------------------------------------------

    def create_sale_orders(self):
        products = self.master.products
        users = self.master.users
        vals_list = []
        for order in self.orders:
            customer = order.customer
            vals = {
                "partner_id": self.partner_ids[customer.index],
                "user_id": users[customer.salesperson],
                "date_order": order.date,
                "validity_date": (order.date + timedelta(days=30)).date(),
                "order_line": [
                    Command.create(
                        {
                            "product_id": products[p],
                            "product_uom_qty": qty,
                            "price_unit": price,
                        }
                    )
                    for p, qty, price in order.lines
                ],
            }
            if customer.is_company:
                vals["client_order_ref"] = (
                    f"PO{order.date:%y%m%d}-{customer.index % 1000:03d}"
                )
            vals_list.append(vals)
        SaleOrder = self.env["sale.order"]
        for batch in split_every(BATCH, vals_list, list):
            self.order_ids.extend(SaleOrder.create(batch).ids)
        self.execute(
            SQL(
                """
                UPDATE sale_order so SET create_date = v.moment
                  FROM unnest(%s::int[], %s::timestamp[]) AS v(id, moment)
                 WHERE so.id = v.id
                """,
                self.order_ids,
                [o.date for o in self.orders],
            )
        )
        _logger.info(
            "%d sale orders, %d lines",
            len(self.order_ids),
            sum(len(o.lines) for o in self.orders),
        )

    def orders_where(self, predicate):
        return self.env["sale.order"].browse(
            [
                oid
                for oid, order in zip(self.order_ids, self.orders, strict=True)
                if predicate(order)
            ]
        )

    def confirm_orders(self):
        to_confirm = self.orders_where(lambda o: o.state == "sale")
        for batch in split_every(BATCH, to_confirm.ids, self.env["sale.order"].browse):
            batch.action_confirm()
        self.orders_where(lambda o: o.state == "cancel")._action_cancel()
        self.orders_where(lambda o: o.state == "sent").write({"state": "sent"})
        confirmed = [
            (oid, o.date)
            for oid, o in zip(self.order_ids, self.orders, strict=True)
            if o.state == "sale"
        ]
        self.execute(
            SQL(
                """
                UPDATE sale_order so SET date_order = v.moment
                  FROM unnest(%s::int[], %s::timestamp[]) AS v(id, moment)
                 WHERE so.id = v.id
                """,
                [oid for oid, _moment in confirmed],
                [moment for _oid, moment in confirmed],
            )
        )
        _logger.info("%d orders confirmed", len(to_confirm))

    def validate_deliveries(self):
        pairs = []
        to_validate = []
        for oid, order in zip(self.order_ids, self.orders, strict=True):
            if order.state != "sale":
                continue
            picking = (
                self.env["sale.order"]
                .browse(oid)
                .picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
            )
            moment = order.delivery_at or order.date + timedelta(days=2)
            pairs.extend((p.id, order.date, moment) for p in picking)
            if order.delivery_at:
                to_validate.extend(picking.ids)
        Picking = self.env["stock.picking"]
        for batch in split_every(BATCH, to_validate, Picking.browse):
            unreserved = batch.filtered(lambda p: p.state != "assigned")
            if unreserved:
                unreserved.action_assign()
            batch.move_ids.picked = True
            batch.with_context(cancel_backorder=True)._action_done()
        not_done = Picking.browse(to_validate).filtered(lambda p: p.state != "done")
        if not_done:
            raise RuntimeError(
                f"{len(not_done)} deliveries could not be validated (not enough stock?)"
            )
        self.backdate_pickings(pairs)
        self.execute(
            SQL(
                """
                UPDATE sale_order so SET effective_date = sub.done
                  FROM (SELECT p.sale_id, min(p.date_done) AS done
                          FROM stock_picking p
                          JOIN stock_location l ON l.id = p.location_dest_id
                         WHERE p.state = 'done' AND l.usage = 'customer'
                           AND p.sale_id = ANY(%s)
                         GROUP BY p.sale_id) AS sub
                 WHERE so.id = sub.sale_id
                """,
                self.order_ids,
            )
        )
        _logger.info("%d deliveries validated", len(to_validate))

    def create_invoices(self):
        """Invoice the delivered orders on their planned dates.

        What ``sale.order._create_invoices`` does, with the date set at create.
        """
        env = self.env
        todo = sorted(
            (i for i, order in enumerate(self.orders) if order.invoice_date),
            key=lambda i: (self.orders[i].invoice_date, i),
        )
        Move = env["account.move"].with_context(default_move_type="out_invoice")
        for chunk in split_every(BATCH, todo, list):
            orders = env["sale.order"].browse([self.order_ids[i] for i in chunk])
            vals_list = []
            for i, order in zip(chunk, orders, strict=True):
                vals = order._prepare_invoice()
                vals["invoice_date"] = self.orders[i].invoice_date
                vals["invoice_line_ids"] = [
                    Command.create(line._prepare_invoice_line(sequence=sequence))
                    for sequence, line in enumerate(
                        order._get_invoiceable_lines(), start=1
                    )
                ]
                vals_list.append(vals)
            moves = Move.create(vals_list)
            self.invoice_ids.update(zip(chunk, moves.ids, strict=True))
        # post in date order so that invoice numbers follow dates
        for chunk in split_every(BATCH, [self.invoice_ids[i] for i in todo], list):
            env["account.move"].browse(chunk).action_post()
        _logger.info("%d invoices posted", len(todo))

    def _receivable_lines(self, moves):
        return moves.line_ids.filtered(
            lambda line: (
                line.account_id.account_type == "asset_receivable"
                and not line.reconciled
            )
        )

    def create_allowances(self):
        """Price allowances (折让): partial credit notes settled against the invoice."""
        env = self.env
        todo = [i for i, order in enumerate(self.orders) if order.refund == "allowance"]
        if not todo:
            return
        invoices = env["account.move"].browse([self.invoice_ids[i] for i in todo])
        vals_list = []
        for i, invoice in zip(todo, invoices, strict=True):
            order = self.orders[i]
            label = f"价格折让 {order.refund_ratio:.0%}"
            vals_list.append(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "invoice_date": order.refund_date,
                    "reversed_entry_id": invoice.id,
                    "invoice_origin": invoice.invoice_origin,
                    "invoice_user_id": invoice.invoice_user_id.id,
                    "team_id": invoice.team_id.id,
                    "ref": f"价格折让 {invoice.name}",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": line.product_id.id,
                                "name": f"{label}：{line.product_id.name}",
                                "quantity": line.quantity,
                                "price_unit": invoice.currency_id.round(
                                    line.price_unit * order.refund_ratio
                                ),
                                "tax_ids": [Command.set(line.tax_ids.ids)],
                            }
                        )
                        for line in invoice.invoice_line_ids
                    ],
                }
            )
        refunds = env["account.move"].create(vals_list)
        refunds.sorted(lambda m: (m.invoice_date, m.id)).action_post()
        env["account.move.line"]._reconcile_plan(
            [
                self._receivable_lines(invoice | refund)
                for invoice, refund in zip(invoices, refunds, strict=True)
            ]
        )
        _logger.info("%d price allowances", len(refunds))

    def create_returns(self):
        """Full returns: a done return picking, a credit note cancelling the invoice."""
        env = self.env
        todo = sorted(
            (i for i, order in enumerate(self.orders) if order.refund == "return"),
            key=lambda i: (self.orders[i].refund_date, i),
        )
        pairs = []
        for i in todo:
            order = self.orders[i]
            sale = env["sale.order"].browse(self.order_ids[i])
            delivery = sale.picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing" and p.state == "done"
            )
            wizard = (
                env["stock.return.picking"]
                .with_context(active_id=delivery.id, active_model="stock.picking")
                .create({})
            )
            for line in wizard.product_return_moves:
                line.quantity = line.move_id.quantity
            returned = wizard._create_return()
            for move in returned.move_ids.filtered(lambda m: not m.quantity):
                move.quantity = move.product_uom_qty
            returned.move_ids.picked = True
            returned.with_context(cancel_backorder=True)._action_done()
            moment = datetime.combine(
                order.refund_date, datetime.min.time()
            ) + timedelta(hours=2)
            pairs.append((returned.id, moment, moment))
            invoice = env["account.move"].browse(self.invoice_ids[i])
            invoice._reverse_moves(
                [
                    {
                        "invoice_date": order.refund_date,
                        "date": order.refund_date,
                        "ref": f"退货 {invoice.name}",
                    }
                ],
                cancel=True,
            )
        self.backdate_pickings(pairs)
        _logger.info("%d returns", len(todo))

    def register_payments(self):
        payments = defaultdict(list)
        for i, order in enumerate(self.orders):
            if order.payment_date:
                payments[order.payment_date].append(self.invoice_ids[i])
        self._pay(payments)
        _logger.info("%d invoices paid", sum(len(ids) for ids in payments.values()))

    def _pay(self, moves_by_date):
        """Pay each move in full on its date: one payment per move, reconciled.

        What the payment wizard does, for all the moves at once: one create,
        one post and one reconciliation plan.
        """
        env = self.env
        bank = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.master.company.id)],
            limit=1,
        )
        methods = {
            "inbound": bank.inbound_payment_method_line_ids[:1].id,
            "outbound": bank.outbound_payment_method_line_ids[:1].id,
        }
        vals_list, to_reconcile = [], []
        for day in sorted(moves_by_date):
            for move in env["account.move"].browse(moves_by_date[day]):
                lines = self._receivable_lines(move) | move.line_ids.filtered(
                    lambda line: (
                        line.account_id.account_type == "liability_payable"
                        and not line.reconciled
                    )
                )
                if not lines or move.currency_id.is_zero(move.amount_residual):
                    continue
                payment_type = "inbound" if move.is_inbound() else "outbound"
                vals_list.append(
                    {
                        "date": day,
                        "amount": move.amount_residual,
                        "payment_type": payment_type,
                        "partner_type": "customer"
                        if move.is_sale_document()
                        else "supplier",
                        "partner_id": move.commercial_partner_id.id,
                        "memo": move.name,
                        "journal_id": bank.id,
                        "payment_method_line_id": methods[payment_type],
                        "destination_account_id": lines[0].account_id.id,
                        "invoice_ids": [Command.set(move.ids)],
                    }
                )
                to_reconcile.append(lines)
        if not vals_list:
            return
        payments = (
            env["account.payment"]
            .with_context(skip_invoice_sync=True)
            .create(vals_list)
        )
        payments.action_post()
        plan = []
        for payment, lines in zip(payments, to_reconcile, strict=True):
            account = lines[0].account_id
            counterpart = payment.move_id.line_ids.filtered(
                lambda line, account=account: line.account_id == account
            )
            plan.append(counterpart | lines)
        env["account.move.line"]._reconcile_plan(plan)

    # --- opportunities --------------------------------------------------------------

    def create_leads(self):
        env = self.env
        stages = {
            "new": env.ref("crm.stage_lead1").id,
            "qualified": env.ref("crm.stage_lead2").id,
            "proposition": env.ref("crm.stage_lead3").id,
            "won": env.ref("crm.stage_lead4").id,
            "lost": env.ref("crm.stage_lead3").id,
        }
        leads = env["crm.lead"].create(
            [
                {
                    "name": f"{lead.customer.name}：{lead.name}",
                    "type": "opportunity",
                    "partner_id": self.partner_ids[lead.customer.index],
                    "user_id": self.master.users[lead.customer.salesperson],
                    "expected_revenue": lead.revenue,
                    "stage_id": stages[lead.stage],
                    "date_deadline": lead.deadline,
                }
                for lead in self.plan.leads
            ]
        )
        lost = [
            rec.id
            for rec, plan_lead in zip(leads, self.plan.leads, strict=True)
            if plan_lead.stage == "lost"
        ]
        if lost:
            env["crm.lead"].browse(lost).action_set_lost(
                lost_reason_id=env.ref("crm.lost_reason_1").id
            )
        opened = [
            datetime.combine(lead.date, datetime.min.time()) + timedelta(hours=2)
            for lead in self.plan.leads
        ]
        closed = [
            moment + (lead.deadline - lead.date) / 2
            if lead.stage in ("won", "lost")
            else None
            for moment, lead in zip(opened, self.plan.leads, strict=True)
        ]
        self.execute(
            SQL(
                """
                UPDATE crm_lead l
                   SET create_date = v.opened, date_open = v.opened,
                       date_last_stage_update = COALESCE(v.closed, v.opened),
                       date_closed = v.closed,
                       date_conversion = v.opened
                  FROM unnest(%s::int[], %s::timestamp[], %s::timestamp[])
                       AS v(id, opened, closed)
                 WHERE l.id = v.id
                """,
                leads.ids,
                opened,
                closed,
            )
        )
        _logger.info("%d opportunities", len(leads))
