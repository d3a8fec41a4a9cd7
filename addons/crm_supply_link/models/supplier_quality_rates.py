"""Supplier quality (供应商质量): complaint rates per supplier and product over
a period and the period before, in one set-based statement.

Units: the done stock move lines of a company leaving for a customer
location (not returns from customers) in the period, in the product's unit.
Each goes to the supplier the supply linkage gives it: the vendor(s) of the
receipts that brought its lot in (purchase order vendor, else the receipt's
partner, in proportion to what each received), else the product's main
vendor (first ``product.supplierinfo`` in Odoo's seller order).
Deliveries: the distinct transfers holding those lines. Complaints: the
complaints of the company with a supplier root cause (not cancelled, not
merged into another), received (``sla_start``) in the period, counted for
their traced supplier (and product, when given).

Rate: complaints per 1,000 units delivered; per delivery: complaints over
deliveries. Rank: 1 for the highest rate per 1,000 units, among suppliers and
among products (no units: ranked last)."""

from datetime import datetime, time

from dateutil.relativedelta import relativedelta

from odoo.tools import SQL


def previous_period(date_from, date_to):
    """The period just before [date_from, date_to]: as many whole months
    when the period is whole months, otherwise as many days."""
    if date_from.day == 1 and (date_to + relativedelta(days=1)).day == 1:
        months = relativedelta(date_to + relativedelta(days=1), date_from)
        span = months.years * 12 + months.months
        return (
            date_from - relativedelta(months=span),
            date_from - relativedelta(days=1),
        )
    days = (date_to - date_from).days + 1
    return date_from - relativedelta(days=days), date_from - relativedelta(days=1)


def month_period(today):
    """The calendar month of ``today``: the period of the nightly check."""
    date_from = today.replace(day=1)
    return date_from, date_from + relativedelta(months=1, days=-1)


def supplier_rates_query(company, date_from, date_to, supplier_ids=None):
    """SQL selecting one row per supplier (product_id NULL, level
    'supplier') and per supplier and product (level 'product') of
    ``company`` for [date_from, date_to] (dates, inclusive) with the
    previous period beside it: supplier_id, product_id, level,
    complaint_count, units, delivery_count, prev_complaint_count,
    prev_units, prev_delivery_count, rate, rate_per_delivery, prev_rate,
    prev_rate_per_delivery, rank. ``supplier_ids`` (commercial partners)
    keeps only those suppliers (ranks stay those of all suppliers)."""
    prev_from, __ = previous_period(date_from, date_to)
    prev_start = datetime.combine(prev_from, time.min)
    cur_start = datetime.combine(date_from, time.min)
    cur_end = datetime.combine(date_to + relativedelta(days=1), time.min)
    supplier_filter = SQL()
    if supplier_ids is not None:
        supplier_filter = SQL("WHERE r.supplier_id = ANY(%s)", list(supplier_ids))
    return SQL(
        """
WITH out_line AS (
    SELECT sml.picking_id, sml.product_id, sml.lot_id,
           sml.quantity_product_uom AS qty, sml.date >= %(cur_start)s AS cur
      FROM stock_move_line sml
      JOIN stock_location src ON src.id = sml.location_id
      JOIN stock_location dest ON dest.id = sml.location_dest_id
     WHERE sml.state = 'done' AND sml.company_id = %(company)s
       AND dest.usage = 'customer' AND src.usage <> 'customer'
       AND sml.date >= %(prev_start)s AND sml.date < %(cur_end)s
),
lot_in AS (
    -- the vendors whose receipts brought the delivered lots in
    SELECT sml.lot_id, vendor.commercial_partner_id AS vendor_id,
           SUM(sml.quantity_product_uom) AS qty
      FROM stock_move_line sml
      JOIN stock_move sm ON sm.id = sml.move_id
      JOIN stock_location src ON src.id = sm.location_id
 LEFT JOIN purchase_order_line pol ON pol.id = sm.purchase_line_id
 LEFT JOIN stock_picking receipt ON receipt.id = sml.picking_id
      JOIN res_partner vendor
        ON vendor.id = COALESCE(pol.partner_id, receipt.partner_id)
     WHERE sml.state = 'done' AND src.usage = 'supplier'
       AND sml.lot_id IN (SELECT lot_id FROM out_line WHERE lot_id IS NOT NULL)
  GROUP BY sml.lot_id, vendor.commercial_partner_id
),
lot_share AS (
    SELECT lot_id, vendor_id,
           qty / NULLIF(SUM(qty) OVER (PARTITION BY lot_id), 0) AS share
      FROM lot_in
),
main_vendor AS (
    SELECT DISTINCT ON (pp.id) pp.id AS product_id,
           vendor.commercial_partner_id AS vendor_id
      FROM product_product pp
      JOIN product_supplierinfo si
        ON si.product_tmpl_id = pp.product_tmpl_id
       AND (si.product_id IS NULL OR si.product_id = pp.id)
       AND (si.company_id IS NULL OR si.company_id = %(company)s)
      JOIN res_partner vendor ON vendor.id = si.partner_id
     WHERE pp.id IN (SELECT product_id FROM out_line)
  ORDER BY pp.id, si.sequence, si.min_qty DESC, si.price, si.id
),
delivered AS (
    SELECT o.picking_id, o.product_id, o.cur, ls.vendor_id, o.qty * ls.share AS qty
      FROM out_line o
      JOIN lot_share ls ON ls.lot_id = o.lot_id
 UNION ALL
    SELECT o.picking_id, o.product_id, o.cur, mv.vendor_id, o.qty
      FROM out_line o
      JOIN main_vendor mv ON mv.product_id = o.product_id
     WHERE o.lot_id IS NULL
        OR NOT EXISTS (SELECT 1 FROM lot_share ls WHERE ls.lot_id = o.lot_id)
),
delivery AS (
    SELECT vendor_id, product_id, GROUPING(product_id) AS total,
           round(SUM(qty) FILTER (WHERE cur), 4) AS units,
           COUNT(DISTINCT picking_id) FILTER (WHERE cur) AS deliveries,
           round(SUM(qty) FILTER (WHERE NOT cur), 4) AS prev_units,
           COUNT(DISTINCT picking_id) FILTER (WHERE NOT cur) AS prev_deliveries
      FROM delivered
  GROUP BY GROUPING SETS ((vendor_id), (vendor_id, product_id))
),
complaint AS (
    SELECT supplier.commercial_partner_id AS vendor_id, cc.product_id,
           GROUPING(cc.product_id) AS total,
           COUNT(*) FILTER (WHERE cc.sla_start >= %(cur_start)s) AS complaints,
           COUNT(*) FILTER (WHERE cc.sla_start < %(cur_start)s) AS prev_complaints
      FROM crm_complaint cc
      JOIN res_partner supplier ON supplier.id = cc.supplier_id
     WHERE cc.company_id = %(company)s
       AND cc.root_cause_type = 'supplier'
       AND cc.merged_into_id IS NULL
       AND cc.stage <> 'cancelled'
       AND cc.sla_start >= %(prev_start)s AND cc.sla_start < %(cur_end)s
  GROUP BY GROUPING SETS ((supplier.commercial_partner_id),
                          (supplier.commercial_partner_id, cc.product_id))
),
figures AS (
    SELECT COALESCE(d.vendor_id, c.vendor_id) AS supplier_id,
           COALESCE(d.product_id, c.product_id) AS product_id,
           CASE WHEN COALESCE(d.total, c.total) = 1
                THEN 'supplier' ELSE 'product' END AS level,
           COALESCE(c.complaints, 0) AS complaint_count,
           COALESCE(d.units, 0) AS units,
           COALESCE(d.deliveries, 0) AS delivery_count,
           COALESCE(c.prev_complaints, 0) AS prev_complaint_count,
           COALESCE(d.prev_units, 0) AS prev_units,
           COALESCE(d.prev_deliveries, 0) AS prev_delivery_count
      FROM delivery d
      FULL JOIN complaint c
        ON c.vendor_id = d.vendor_id AND c.total = d.total
       AND c.product_id IS NOT DISTINCT FROM d.product_id
),
r AS (
    SELECT f.*,
           round(1000.0 * f.complaint_count / NULLIF(f.units, 0), 4) AS rate,
           round(f.complaint_count::numeric / NULLIF(f.delivery_count, 0), 4)
               AS rate_per_delivery,
           round(1000.0 * f.prev_complaint_count / NULLIF(f.prev_units, 0), 4)
               AS prev_rate,
           round(f.prev_complaint_count::numeric
                 / NULLIF(f.prev_delivery_count, 0), 4) AS prev_rate_per_delivery
      FROM figures f
     -- a product row needs a product (complaints without one count for the
     -- supplier only), and every row something in the period or the one before
     WHERE (f.level = 'supplier' OR f.product_id IS NOT NULL)
       AND (f.complaint_count > 0 OR f.units > 0
            OR f.prev_complaint_count > 0 OR f.prev_units > 0)
)
SELECT * FROM (
    SELECT r.*,
           RANK() OVER (PARTITION BY r.level
                        ORDER BY r.rate DESC NULLS LAST, r.complaint_count DESC)
               AS rank
      FROM r
) r
%(supplier_filter)s
        """,
        company=company.id,
        prev_start=prev_start,
        cur_start=cur_start,
        cur_end=cur_end,
        supplier_filter=supplier_filter,
    )
