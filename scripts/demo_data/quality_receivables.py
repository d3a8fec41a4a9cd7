"""Supplier quality and receivables demo content (crm_supply_link,
crm_customerism), through the ORM, after the supply-link content:

- supplier quality (供应商质量): a seal of one supplier delivered to customers
  this month and last month with complaints traced to that supplier (a
  quality problem: its complaint rate is far above the company's threshold,
  so the purchasing manager gets an activity), and a gasket of another
  supplier with one complaint (above the rate, below the minimum number of
  complaints: no activity); both months computed for the report;
- receivables (财务风险): a customer with an invoice 47 days overdue of
  ¥12,300 (at risk, with that reason, and Odoo's credit warning on its
  quotation, the company using credit limits) and one with a small overdue
  amount (shown, not flagged).
"""

import logging
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.tools import SQL

from .supply_link import _backdate, _product, _receive, _sell

_logger = logging.getLogger(__name__)


def load_quality_and_receivables(env, master, today):
    """The content above, dated on ``today``, the data set's last day."""
    if "crm.supplier.quality.period" not in env:
        return
    profiles = env["crm.customer.profile"].search(
        [
            ("company_id", "=", master.company.id),
            ("lifecycle_stage", "in", ("growth", "maturity", "new", "recovered")),
        ],
        order="current_value desc, id",
    )
    if len(profiles) < 8:
        _logger.warning("quality demo: too few active customers, skipped")
        return
    _supplier_quality(env, master, today, profiles[:6].partner_id)
    _overdue_receivables(env, master, today, profiles[6:8].partner_id)
    _logger.info("quality demo: supplier complaint rates and overdue invoices")


def _deliver(env, customers, product, qty):
    orders = []
    for customer in customers:
        order = _sell(env, customer, product, qty)
        order.picking_ids.move_ids.picked = True
        order.picking_ids.button_validate()
        orders.append(order)
    return orders


def _backdate_sales(env, orders, moment):
    """Date sale orders and their transfers on ``moment`` (as _backdate
    does, for orders without purchases)."""
    sales = env["sale.order"].union(*orders)
    pickings = tuple(sales.picking_ids.ids)
    env.flush_all()
    env.cr.execute(
        SQL(
            "UPDATE sale_order SET date_order = %s WHERE id IN %s",
            moment,
            tuple(sales.ids),
        )
    )
    env.cr.execute(
        SQL(
            "UPDATE stock_picking SET scheduled_date = %s,"
            " date_done = CASE WHEN state = 'done' THEN %s END WHERE id IN %s",
            moment,
            moment,
            pickings,
        )
    )
    for table in ("stock_move", "stock_move_line"):
        env.cr.execute(
            SQL(
                "UPDATE %s SET date = %s WHERE picking_id IN %s",
                SQL.identifier(table),
                moment,
                pickings,
            )
        )
    env.invalidate_all()


def _complain(env, order, supplier_id, moment, subject):
    complaint = env["crm.complaint"].create(
        {
            "subject": subject,
            "partner_id": order.partner_id.id,
            "channel": "phone",
            "sale_order_id": order.id,
            "picking_id": order.picking_ids[:1].id,
            "product_id": order.order_line[:1].product_id.id,
            "root_cause_type": "supplier",
            "supplier_id": supplier_id,
            "description": f"<p>{subject}</p>",
        }
    )
    complaint.sla_start = moment
    # received on the data set's day, as the other complaints are dated
    env.flush_all()
    env.cr.execute(
        SQL(
            "UPDATE crm_complaint SET create_date = %s WHERE id = %s",
            moment,
            complaint.id,
        )
    )
    complaint.invalidate_recordset(["create_date"])
    return complaint


def _supplier_quality(env, master, today, customers):
    # a supplier of the seal only: its whole rate is the seal's
    bad_supplier = (
        env["res.partner"]
        .create(
            {
                "name": "常州恒密密封件有限公司",
                "is_company": True,
                "supplier_rank": 1,
                "city": "常州",
                "company_id": master.company.id,
            }
        )
        .id
    )
    good_supplier = master.suppliers[4]
    seal = _product(env, master, "演示密封圈", "QA-SEAL", bad_supplier)
    gasket = _product(env, master, "演示密封垫", "QA-GASKET", good_supplier)
    received = [
        _receive(env, bad_supplier, seal, 400),
        _receive(env, good_supplier, gasket, 400),
    ]
    last_month = datetime.combine(today - relativedelta(months=1), time(10))
    now = datetime.combine(today, time(10))
    # last month: 3 x 40 seals, 1 complaint; 2 x 30 gaskets
    before = _deliver(env, customers[:3], seal, 40)
    before_gaskets = _deliver(env, customers[3:5], gasket, 30)
    _backdate(env, received + before + before_gaskets, last_month)
    _complain(env, before[0], bad_supplier, last_month, "密封圈渗漏")
    # this month: 4 x 25 seals, 4 complaints (40 per 1,000 units); 2 x 30
    # gaskets, 1 complaint
    current = _deliver(env, customers[:4], seal, 25)
    for order, subject in zip(
        current,
        ("密封圈开裂", "密封圈尺寸不符", "密封圈老化", "密封圈渗漏"),
        strict=True,
    ):
        _complain(env, order, bad_supplier, now, subject)
    gaskets = _deliver(env, customers[4:6], gasket, 30)
    _backdate_sales(env, current + gaskets, now)
    _complain(env, gaskets[0], good_supplier, now, "密封垫表面划痕")
    Period = env["crm.supplier.quality.period"]
    month_start = today.replace(day=1)
    previous_start = month_start - relativedelta(months=1)
    Period._get_period(
        master.company, previous_start, month_start - timedelta(days=1)
    )._refresh()
    period = Period._get_period(
        master.company, month_start, month_start + relativedelta(months=1, days=-1)
    )
    period._refresh()
    period._alert()


def _overdue_receivables(env, master, today, customers):
    company = master.company
    company.account_use_credit_limit = True
    product = env["product.product"].browse(master.products[0])
    for customer, amount, days in zip(
        customers, (12300.0, 3000.0), (47, 20), strict=True
    ):
        invoice = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_date": today - timedelta(days=days + 30),
                "invoice_date_due": today - timedelta(days=days),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": False,
                        }
                    )
                ],
            }
        )
        invoice.action_post()
    flagged = customers[0]
    flagged.with_company(company).credit_limit = 15000.0
    # a quotation of the overdue customer: Odoo's credit warning names the debt
    _sell(env, flagged, product, 2, confirm=False)
    env["crm.customer.profile"]._recompute_partners(customers.ids, company=company)
