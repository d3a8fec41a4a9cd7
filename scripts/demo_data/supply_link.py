"""Supply-link demo content (crm_supply_link), through the ORM, after the
customer profiles are computed:

- opportunities with probabilities behind some open quotations, so that the
  Customer Demand screen weighs them;
- two lot-tracked products of two suppliers, bought, received in lots and
  delivered to key accounts, so that the supplier-customer linkage traces
  spend through the lots;
- a shortage: an ordinary customer holds all the stock of a bearing, a key
  account's order waits behind it, and a key account's quotation asks for
  more, so that Customer Demand shows a shortage to order and the product can
  be reallocated to the key account;
- complaints about the lot-tracked goods with each kind of remedy (补救措施):
  a return, partial and full credit notes, a replacement, and a supplier
  claim (return to vendor and draft vendor credit note).
"""

import logging
from datetime import datetime, time

from odoo import Command
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

PROBABILITIES = (10, 30, 50, 70, 90)


def load_supply_link(env, master, today):
    """The content above, dated on ``today``, the data set's last day."""
    if "crm.supply.demand" not in env:
        return
    profiles = env["crm.customer.profile"].search(
        [("company_id", "=", master.company.id)], order="current_value desc, id"
    )
    key_accounts = profiles.filtered("is_key_account").partner_id
    ordinary = profiles.filtered(lambda p: p.grade == "ordinary").partner_id
    if len(key_accounts) < 3 or not ordinary:
        _logger.warning("supply link demo: too few graded customers, skipped")
        return
    _link_opportunities(env)
    created = _lot_tracked_goods(env, master, key_accounts[:3])
    _complaint_remedies(env, created, today)
    created += _shortage(env, master, key_accounts[:2], ordinary[-1])
    _backdate(env, created, datetime.combine(today, time(10)))
    # the linkage report reads stored rows: fill them for the demo at once
    env["crm.supplier.customer.report"]._refresh_changed(full=True)
    _logger.info("supply link demo: opportunities, lots and a shortage created")


def _link_opportunities(env):
    quotations = env["sale.order"].search(
        [("state", "in", ("draft", "sent")), ("opportunity_id", "=", False)],
        order="id",
        limit=15,
    )
    leads = env["crm.lead"].create(
        [
            {
                "name": f"{order.partner_id.name}：{order.name}",
                "type": "opportunity",
                "partner_id": order.partner_id.id,
                "user_id": order.user_id.id,
                "expected_revenue": order.amount_untaxed,
                "probability": PROBABILITIES[i % len(PROBABILITIES)],
            }
            for i, order in enumerate(quotations)
        ]
    )
    for order, lead in zip(quotations, leads, strict=True):
        order.opportunity_id = lead


def _product(env, master, name, code, supplier_id, **values):
    return env["product.product"].create(
        {
            "name": name,
            "default_code": code,
            "is_storable": True,
            "list_price": values.pop("list_price", 100.0),
            "standard_price": values.pop("cost", 60.0),
            "categ_id": next(iter(master.categories.values())),
            "seller_ids": [
                Command.create(
                    {
                        "partner_id": supplier_id,
                        "price": 60.0,
                        "min_qty": values.pop("min_qty", 0),
                        "delay": values.pop("delay", 7),
                    }
                )
            ],
            **values,
        }
    )


def _receive(env, supplier_id, product, qty, lot_name=None):
    purchase = env["purchase.order"].create(
        {
            "partner_id": supplier_id,
            "order_line": [
                Command.create(
                    {"product_id": product.id, "product_qty": qty, "price_unit": 60.0}
                )
            ],
        }
    )
    purchase.button_confirm()
    receipt = purchase.picking_ids
    if lot_name:
        lot = env["stock.lot"].create({"name": lot_name, "product_id": product.id})
        receipt.move_ids.move_line_ids.write({"lot_id": lot.id, "quantity": qty})
    else:
        receipt.move_ids.quantity = qty
    receipt.move_ids.picked = True
    receipt.button_validate()
    return purchase


def _sell(env, customer, product, qty, confirm=True, **values):
    order = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "order_line": [
                Command.create({"product_id": product.id, "product_uom_qty": qty})
            ],
            **values,
        }
    )
    if confirm:
        order.action_confirm()
    return order


def _lot_tracked_goods(env, master, customers):
    # Inventory > Settings > Lots & Serial Numbers, for every internal user
    env.ref("base.group_user").write(
        {"implied_ids": [Command.link(env.ref("stock.group_production_lot").id)]}
    )
    created = []
    for index, (name, code) in enumerate(
        (("批次追溯树脂", "LOT-RESIN"), ("批次追溯涂料", "LOT-PAINT"))
    ):
        supplier_id = master.suppliers[index]
        product = _product(env, master, name, code, supplier_id, tracking="lot")
        created.append(
            _receive(
                env, supplier_id, product, 60, lot_name=f"{code}-2026-{index + 1:03d}"
            )
        )
        for customer in customers:
            order = _sell(env, customer, product, 8)
            order.picking_ids.move_ids.picked = True
            order.picking_ids.button_validate()
            created.append(order)
    return created


def _complaint_remedies(env, documents, today):
    """Three complaints about the resin's deliveries, invoiced: the supplier's
    lot leaked (return of 3, validated; partial credit note, posted; supplier
    claim); a damaged drum replaced (return-and-exchange of 2); a billing
    error credited in full (draft, for accounting to post)."""
    if "crm.complaint.remedy.wizard" not in env:
        return
    orders = [doc for doc in documents if doc._name == "sale.order"][:3]
    complaints = []
    for order, subject, root_cause in zip(
        orders,
        ("树脂批次渗漏", "树脂桶运输破损", "发票单价错误"),
        ("supplier", "delivery", "billing"),
        strict=True,
    ):
        invoice = order._create_invoices()
        invoice.invoice_date = today
        invoice.action_post()
        delivery = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing"
        )
        complaints.append(
            env["crm.complaint"].create(
                {
                    "subject": subject,
                    "partner_id": order.partner_id.id,
                    "sale_order_id": order.id,
                    "invoice_id": invoice.id,
                    "picking_id": delivery.id,
                    "product_id": delivery.move_ids.product_id.id,
                    "lot_id": delivery.move_line_ids.lot_id[:1].id,
                    "root_cause_type": root_cause,
                    "severity": "high",
                }
            )
        )
    leak, damage, billing = complaints
    _remedy(env, leak, "return", 3)
    _validate_remedy(leak.remedy_ids.picking_id)
    _remedy(env, leak, "credit_note", 3, credit_mode="partial")
    leak.remedy_ids.move_id.action_post()
    _remedy(env, leak, "supplier_claim")
    _remedy(env, damage, "replacement", 2)
    _remedy(env, billing, "credit_note")
    _date_remedies(env, complaints, today)


def _date_remedies(env, complaints, today):
    """The complaints and their credit notes dated on the data set's last day,
    like the rest of the history (they were made through the wizards today)."""
    complaints = env["crm.complaint"].browse([c.id for c in complaints])
    moves = complaints.remedy_ids.move_id
    moment = datetime.combine(today, time(11))
    env.flush_all()
    env.cr.execute(
        SQL(
            "UPDATE crm_complaint SET create_date = %s, sla_start = %s"
            " WHERE id = ANY(%s)",
            moment,
            moment,
            complaints.ids,
        )
    )
    if moves:
        env.cr.execute(
            SQL(
                "UPDATE account_move SET date = %s,"
                " invoice_date = COALESCE(LEAST(invoice_date, %s), %s)"
                " WHERE id = ANY(%s)",
                today,
                today,
                today,
                moves.ids,
            )
        )
        env.cr.execute(
            SQL(
                "UPDATE account_move_line SET date = %s WHERE move_id = ANY(%s)",
                today,
                moves.ids,
            )
        )
    env.invalidate_all()


def _remedy(env, complaint, remedy_type, quantity=None, **values):
    wizard = env["crm.complaint.remedy.wizard"].create(
        {"complaint_id": complaint.id, "remedy_type": remedy_type, **values}
    )
    if quantity is not None:
        for line in wizard.line_ids.filtered("quantity"):
            line.quantity = quantity
    wizard.action_confirm()


def _validate_remedy(pickings):
    for move in pickings.move_ids:
        move.quantity = move.product_uom_qty
        lot = move.origin_returned_move_id.move_line_ids.lot_id[:1]
        move.move_line_ids.filtered(lambda ml: not ml.lot_id).lot_id = lot
    pickings.move_ids.picked = True
    pickings.button_validate()


def _shortage(env, master, key_accounts, ordinary):
    supplier_id = master.suppliers[2]
    bearing = _product(
        env, master, "紧缺精密轴承", "SHORT-BEARING", supplier_id, min_qty=20, delay=5
    )
    created = [_receive(env, supplier_id, bearing, 10)]
    # its order would lift a customer of a small data set into the key accounts:
    # a manager keeps it ordinary
    env["crm.customer.profile"].search(
        [("partner_id", "=", ordinary.id), ("company_id", "=", master.company.id)]
    ).write(
        {
            "grade_override": "ordinary",
            "grade_override_reason": "演示：普通客户占用了全部库存",
        }
    )
    # the ordinary customer's order reserves all ten; the key account waits
    created.append(_sell(env, ordinary, bearing, 10))
    created.append(_sell(env, key_accounts[0], bearing, 6))
    lead = env["crm.lead"].create(
        {
            "name": f"{key_accounts[1].name}：紧缺精密轴承年度采购",
            "type": "opportunity",
            "partner_id": key_accounts[1].id,
            "probability": 60,
        }
    )
    created.append(
        _sell(env, key_accounts[1], bearing, 20, confirm=False, opportunity_id=lead.id)
    )
    return created


def _backdate(env, documents, moment):
    """Odoo stamps the documents, their transfers and moves with the real
    date: they are dated on the data set's last day, as the rest of the
    history is (and so a given seed and day give the same data)."""
    sales = env["sale.order"].union(*(d for d in documents if d._name == "sale.order"))
    purchases = env["purchase.order"].union(
        *(d for d in documents if d._name == "purchase.order")
    )
    pickings = (sales.picking_ids | purchases.picking_ids).ids
    env.flush_all()
    for query in (
        SQL(
            "UPDATE sale_order SET date_order = %s WHERE id IN %s",
            moment,
            tuple(sales.ids),
        ),
        SQL(
            "UPDATE purchase_order SET date_order = %s, date_approve = %s,"
            " date_planned = %s WHERE id IN %s",
            moment,
            moment,
            moment,
            tuple(purchases.ids),
        ),
        SQL(
            "UPDATE stock_picking SET scheduled_date = %s,"
            " date_done = CASE WHEN state = 'done' THEN %s END WHERE id IN %s",
            moment,
            moment,
            tuple(pickings),
        ),
        SQL(
            "UPDATE stock_move SET date = %s WHERE picking_id IN %s",
            moment,
            tuple(pickings),
        ),
        SQL(
            "UPDATE stock_move_line SET date = %s WHERE picking_id IN %s",
            moment,
            tuple(pickings),
        ),
    ):
        env.cr.execute(query)
    env.invalidate_all()
