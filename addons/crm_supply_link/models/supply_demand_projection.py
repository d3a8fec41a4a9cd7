"""Projected customer demand per product and warehouse (拉式供应链).

Steps, each one set-based over the company:

1. sources: the undelivered delivery moves of confirmed orders due within the
   horizon (the moves to the customer only, so a pick-pack-ship chain counts
   once) and the open quotations weighted by their opportunity's probability,
   into a temporary table;
2. forecast: Odoo's own figures per warehouse at the horizon
   (``_compute_quantities_dict``: on hand, incoming, outgoing, forecast) and
   the quantities of draft RFQs (``_get_quantity_in_progress``) of the
   products with demand, into a temporary table;
3. demand: one statement per product and warehouse: the sources summed, the
   forecast, the product's first vendor in Odoo's seller order (its minimum
   quantity and lead time, and why it cannot be ordered from, if so), the
   shortage (weighted quotations beyond the forecast: confirmed orders are
   already in Odoo's outgoing quantity, they are not subtracted twice) and the
   quantity to order, rounded up to the unit and the vendor's minimum;
4. the stored sources follow the temporary ones.

The rows of ``crm.supply.demand`` and ``crm.supply.demand.source`` are
updated in place and only where a figure changed: the ids on a screen another
user opened stay valid, and reopening the screen on unchanged data writes
nothing (each written row costs PostgreSQL a new row version and the checks
of its foreign keys).
"""

from datetime import timedelta

from odoo import fields
from odoo.tools import SQL

# a table written by this transaction is analyzed when it grew by more than
# this share of the rows its statistics know (autovacuum does not see rows
# not committed yet, and the next statements join it)
ANALYZE_SHARE = 0.2

# the figures of a source and of a demand row: a row is rewritten only when
# one of them changed
SOURCE_VALUES = (
    "partner_id",
    "qty",
    "probability",
    "weighted_qty",
    "is_key_account",
    "date_needed",
)
DEMAND_VALUES = (
    "confirmed_qty",
    "quotation_qty",
    "weighted_quotation_qty",
    "demand_qty",
    "key_account_qty",
    "has_key_account",
    "on_hand_qty",
    "incoming_qty",
    "outgoing_qty",
    "rfq_qty",
    "forecast_qty",
    "supplierinfo_id",
    "vendor_id",
    "vendor_min_qty",
    "vendor_delay",
    "blocked_reason",
    "shortage_qty",
    "order_qty",
)


class SupplyDemandProjection:
    def __init__(self, env, company, product_ids=None):
        self.env = env
        self.company = company
        self.product_ids = list(product_ids) if product_ids is not None else None
        self.now = fields.Datetime.now()
        self.horizon_end = self.now + timedelta(days=company.supply_demand_horizon_days)
        self.today = fields.Date.context_today(env.user)

    def run(self):
        self.env.flush_all()
        cr = self.env.cr
        # one projection at a time per company: concurrent screens wait
        cr.execute(SQL("SELECT pg_advisory_xact_lock(%s, %s)", 7410, self.company.id))
        products_by_warehouse = self._collect_sources()
        self._collect_forecast(products_by_warehouse)
        self._write_demand()
        self._write_sources()
        cr.execute(
            SQL("DROP TABLE supply_demand_projected_source, supply_demand_forecast")
        )
        self.env["crm.supply.demand"].invalidate_model()
        self.env["crm.supply.demand.source"].invalidate_model()

    def _product_filter(self, column):
        if self.product_ids is None:
            return SQL("TRUE")
        return SQL("%s = ANY(%s)", column, self.product_ids)

    def _collect_sources(self):
        """The sources into supply_demand_projected_source (the columns of
        crm_supply_demand_source, so that the figures are those stored);
        return {warehouse id: [product ids with demand]}."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """
CREATE TEMPORARY TABLE supply_demand_projected_source (
    company_id int, product_id int, warehouse_id int, order_id int,
    partner_id int, kind varchar, qty float8, probability float8,
    weighted_qty float8, is_key_account bool, date_needed timestamp
) ON COMMIT DROP;
INSERT INTO supply_demand_projected_source
SELECT src.company_id, src.product_id, src.warehouse_id, src.order_id,
       src.partner_id, src.kind, src.qty, src.probability,
       src.qty * src.probability / 100.0,
       COALESCE(profile.is_key_account, FALSE), src.date_needed
  FROM (
    -- confirmed: what the delivery moves to the customer still have to ship
    SELECT sm.company_id, sm.product_id, spt.warehouse_id, so.id AS order_id,
           customer.commercial_partner_id AS partner_id,
           'confirmed' AS kind, SUM(sm.product_qty) AS qty,
           100.0 AS probability, MIN(sm.date) AS date_needed
      FROM stock_move sm
      JOIN stock_location dest ON dest.id = sm.location_dest_id
      JOIN stock_picking_type spt ON spt.id = sm.picking_type_id
      JOIN sale_order_line sol ON sol.id = sm.sale_line_id
      JOIN sale_order so ON so.id = sol.order_id
      JOIN res_partner customer ON customer.id = so.partner_id
      JOIN product_product pp ON pp.id = sm.product_id
      JOIN product_template pt ON pt.id = pp.product_tmpl_id
     WHERE sm.company_id = %(company)s
       -- the open states, listed: the index on state finds them among all moves
       AND sm.state IN ('waiting', 'confirmed', 'partially_available', 'assigned')
       AND dest.usage = 'customer'
       AND spt.warehouse_id IS NOT NULL
       AND sm.date <= %(horizon_end)s
       AND pt.is_storable
       AND %(product_filter_move)s
  GROUP BY sm.company_id, sm.product_id, spt.warehouse_id, so.id,
           customer.commercial_partner_id
 UNION ALL
    -- quotations: weighted by their opportunity, else the company default
    SELECT so.company_id, sol.product_id, so.warehouse_id, so.id,
           customer.commercial_partner_id,
           'quotation',
           SUM(sol.product_uom_qty / line_uom.factor * product_uom.factor),
           CASE WHEN so.opportunity_id IS NULL THEN %(default_probability)s
                ELSE COALESCE(lead.probability, 0) END,
           COALESCE(so.commitment_date, so.date_order)
      FROM sale_order_line sol
      JOIN sale_order so ON so.id = sol.order_id
      JOIN res_partner customer ON customer.id = so.partner_id
      LEFT JOIN crm_lead lead ON lead.id = so.opportunity_id
      JOIN product_product pp ON pp.id = sol.product_id
      JOIN product_template pt ON pt.id = pp.product_tmpl_id
      JOIN uom_uom line_uom ON line_uom.id = sol.product_uom
      JOIN uom_uom product_uom ON product_uom.id = pt.uom_id
     WHERE so.company_id = %(company)s
       AND so.state IN ('draft', 'sent')
       AND so.warehouse_id IS NOT NULL
       AND sol.display_type IS NULL
       AND pt.is_storable
       AND (so.validity_date IS NULL OR so.validity_date >= %(today)s)
       AND COALESCE(so.commitment_date, so.date_order) <= %(horizon_end)s
       AND %(product_filter_line)s
  GROUP BY so.company_id, sol.product_id, so.warehouse_id, so.id,
           customer.commercial_partner_id, lead.probability
  ) src
  LEFT JOIN crm_customer_profile profile
    ON profile.partner_id = src.partner_id AND profile.company_id = src.company_id
 WHERE src.qty * src.probability > 0;
ANALYZE supply_demand_projected_source;
SELECT warehouse_id, array_agg(DISTINCT product_id)
  FROM supply_demand_projected_source GROUP BY warehouse_id
""",
                company=self.company.id,
                horizon_end=self.horizon_end,
                today=self.today,
                default_probability=self.company.supply_quotation_probability,
                product_filter_move=self._product_filter(SQL("sm.product_id")),
                product_filter_line=self._product_filter(SQL("sol.product_id")),
            )
        )
        return dict(cr.fetchall())

    def _collect_forecast(self, products_by_warehouse):
        """Odoo's forecast of the products with demand, one batch of products
        per warehouse, into supply_demand_forecast."""
        # Odoo's figures of the whole warehouse, whoever opens the screen
        Product = self.env["product.product"].sudo().with_company(self.company)
        columns = {name: [] for name in ("product", "warehouse", "on_hand")}
        columns.update(incoming=[], outgoing=[], rfq=[], forecast=[])
        in_progress = {}
        if products_by_warehouse:
            all_products = {p for ids in products_by_warehouse.values() for p in ids}
            in_progress = Product.browse(all_products)._get_quantity_in_progress(
                warehouse_ids=list(products_by_warehouse)
            )[1]
        for warehouse_id, product_ids in products_by_warehouse.items():
            products = Product.with_context(warehouse_id=warehouse_id).browse(
                product_ids
            )
            by_product = products._compute_quantities_dict(
                None, None, None, to_date=self.horizon_end
            )
            rfq = [in_progress.get((pid, warehouse_id), 0.0) for pid in product_ids]
            qties = [by_product[pid] for pid in product_ids]
            columns["product"] += product_ids
            columns["warehouse"] += [warehouse_id] * len(product_ids)
            columns["on_hand"] += [q["qty_available"] for q in qties]
            columns["incoming"] += [q["incoming_qty"] for q in qties]
            columns["outgoing"] += [q["outgoing_qty"] for q in qties]
            columns["rfq"] += rfq
            columns["forecast"] += [
                q["virtual_available"] + r for q, r in zip(qties, rfq, strict=True)
            ]
        self.env.cr.execute(
            SQL(
                """
CREATE TEMPORARY TABLE supply_demand_forecast ON COMMIT DROP AS
SELECT * FROM unnest(%s::int[], %s::int[], %s::float8[], %s::float8[],
                     %s::float8[], %s::float8[], %s::float8[])
    AS f(product_id, warehouse_id, on_hand_qty, incoming_qty, outgoing_qty,
         rfq_qty, forecast_qty);
ANALYZE supply_demand_forecast
""",
                columns["product"],
                columns["warehouse"],
                columns["on_hand"],
                columns["incoming"],
                columns["outgoing"],
                columns["rfq"],
                columns["forecast"],
            )
        )

    def _write_demand(self):
        """One row per product and warehouse with demand, inserted or updated
        where a figure changed; the rows left without demand go (with their
        sources)."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """
WITH demand AS (
    SELECT company_id, product_id, warehouse_id,
           COALESCE(SUM(qty) FILTER (WHERE kind = 'confirmed'), 0) AS confirmed_qty,
           COALESCE(SUM(qty) FILTER (WHERE kind = 'quotation'), 0) AS quotation_qty,
           COALESCE(SUM(weighted_qty) FILTER (WHERE kind = 'quotation'), 0)
               AS weighted_quotation_qty,
           SUM(weighted_qty) AS demand_qty,
           COALESCE(SUM(weighted_qty) FILTER (WHERE is_key_account), 0)
               AS key_account_qty,
           BOOL_OR(is_key_account) AS has_key_account
      FROM supply_demand_projected_source
  GROUP BY company_id, product_id, warehouse_id
),
seller AS (
    -- the first vendor in Odoo's seller order
    SELECT DISTINCT ON (pp.id)
           pp.id AS product_id, si.id AS supplierinfo_id, si.partner_id,
           (si.min_qty / seller_uom.factor * product_uom.factor)::float8 AS min_qty,
           si.delay, si.currency_id
      FROM product_product pp
      JOIN product_template pt ON pt.id = pp.product_tmpl_id
      JOIN uom_uom product_uom ON product_uom.id = pt.uom_id
      JOIN product_supplierinfo si
        ON si.product_tmpl_id = pp.product_tmpl_id
       AND (si.product_id IS NULL OR si.product_id = pp.id)
       AND (si.company_id IS NULL OR si.company_id = %(company)s)
       AND (si.date_start IS NULL OR si.date_start <= %(today)s)
       AND (si.date_end IS NULL OR si.date_end >= %(today)s)
      JOIN res_partner vendor ON vendor.id = si.partner_id AND vendor.active
      JOIN uom_uom seller_uom ON seller_uom.id = pt.uom_po_id
     WHERE pp.id IN (SELECT product_id FROM supply_demand_projected_source)
  ORDER BY pp.id, si.sequence, si.min_qty DESC, si.price, si.id
),
projected AS (
    SELECT d.*, f.on_hand_qty, f.incoming_qty, f.outgoing_qty, f.rfq_qty,
           f.forecast_qty, seller.supplierinfo_id, seller.partner_id AS vendor_id,
           COALESCE(seller.min_qty, 0) AS vendor_min_qty,
           COALESCE(seller.delay, 0) AS vendor_delay,
           CASE WHEN seller.supplierinfo_id IS NULL THEN 'no_vendor'
                WHEN seller.currency_id <> company.currency_id THEN 'currency'
                WHEN seller.delay <= 0 THEN 'lead_time'
           END AS blocked_reason,
           d.weighted_quotation_qty - f.forecast_qty AS missing,
           uom.rounding
      FROM demand d
      JOIN supply_demand_forecast f
        ON f.product_id = d.product_id AND f.warehouse_id = d.warehouse_id
      JOIN res_company company ON company.id = d.company_id
      JOIN product_product pp ON pp.id = d.product_id
      JOIN product_template pt ON pt.id = pp.product_tmpl_id
      JOIN uom_uom uom ON uom.id = pt.uom_id
 LEFT JOIN seller ON seller.product_id = d.product_id
),
written AS (
    INSERT INTO crm_supply_demand (
        company_id, product_id, warehouse_id, %(columns)s,
        create_uid, create_date, write_uid, write_date)
    SELECT company_id, product_id, warehouse_id, confirmed_qty, quotation_qty,
           weighted_quotation_qty, demand_qty, key_account_qty, has_key_account,
           on_hand_qty, incoming_qty, outgoing_qty, rfq_qty, forecast_qty,
           supplierinfo_id, vendor_id, vendor_min_qty, vendor_delay,
           blocked_reason,
           GREATEST(missing, 0),
           CASE WHEN missing > 0 THEN GREATEST(
                    CEIL(ROUND((missing / rounding)::numeric, 6)) * rounding,
                    vendor_min_qty)
                ELSE 0 END,
           %(uid)s, %(now)s, %(uid)s, %(now)s
      FROM projected
        ON CONFLICT (company_id, product_id, warehouse_id) DO UPDATE
       SET %(updates)s, write_uid = EXCLUDED.write_uid,
           write_date = EXCLUDED.write_date
     WHERE (%(old)s) IS DISTINCT FROM (%(new)s)
 RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted),
       (SELECT reltuples FROM pg_class WHERE oid = 'crm_supply_demand'::regclass)
  FROM written
""",
                company=self.company.id,
                today=self.today,
                uid=self.env.uid,
                now=self.now,
                columns=self._identifiers(DEMAND_VALUES),
                updates=SQL(", ").join(
                    SQL("%s = EXCLUDED.%s", SQL.identifier(name), SQL.identifier(name))
                    for name in DEMAND_VALUES
                ),
                old=self._identifiers(DEMAND_VALUES, "crm_supply_demand"),
                new=self._identifiers(DEMAND_VALUES, "excluded"),
            )
        )
        inserted, known = cr.fetchone()
        if inserted > ANALYZE_SHARE * max(known, 0):
            # the sources are inserted with a join on the new rows
            cr.execute(SQL("ANALYZE crm_supply_demand"))
        cr.execute(
            SQL(
                """
DELETE FROM crm_supply_demand d
 WHERE d.company_id = %(company)s AND %(product_filter)s
   AND NOT EXISTS (
       SELECT 1 FROM supply_demand_projected_source src
        WHERE src.product_id = d.product_id AND src.warehouse_id = d.warehouse_id)
""",
                company=self.company.id,
                product_filter=self._product_filter(SQL("d.product_id")),
            )
        )

    def _write_sources(self):
        """The stored sources follow the projected ones: one per demand line,
        order and kind, updated where a figure changed, deleted when gone,
        inserted when new."""
        self.env.cr.execute(
            SQL(
                """
CREATE TEMPORARY TABLE supply_demand_projected_line ON COMMIT DROP AS
SELECT d.id AS demand_id, src.*
  FROM supply_demand_projected_source src
  JOIN crm_supply_demand d
    ON d.company_id = src.company_id AND d.product_id = src.product_id
   AND d.warehouse_id = src.warehouse_id;
ANALYZE supply_demand_projected_line;
UPDATE crm_supply_demand_source s
   SET %(updates)s
  FROM supply_demand_projected_line src
 WHERE s.demand_id = src.demand_id AND s.order_id = src.order_id
   AND s.kind = src.kind
   AND (%(old)s) IS DISTINCT FROM (%(new)s);
DELETE FROM crm_supply_demand_source s
 USING crm_supply_demand d
 WHERE d.id = s.demand_id AND s.company_id = %(company)s AND %(product_filter)s
   AND NOT EXISTS (
       SELECT 1 FROM supply_demand_projected_line src
        WHERE src.demand_id = s.demand_id AND src.order_id = s.order_id
          AND src.kind = s.kind);
INSERT INTO crm_supply_demand_source (
    demand_id, company_id, order_id, kind, %(columns)s)
SELECT src.demand_id, src.company_id, src.order_id, src.kind, %(values)s
  FROM supply_demand_projected_line src
 WHERE NOT EXISTS (
       SELECT 1 FROM crm_supply_demand_source s
        WHERE s.demand_id = src.demand_id AND s.order_id = src.order_id
          AND s.kind = src.kind);
DROP TABLE supply_demand_projected_line
""",
                company=self.company.id,
                product_filter=self._product_filter(SQL("d.product_id")),
                updates=SQL(", ").join(
                    SQL("%s = src.%s", SQL.identifier(name), SQL.identifier(name))
                    for name in SOURCE_VALUES
                ),
                old=self._identifiers(SOURCE_VALUES, "s"),
                new=self._identifiers(SOURCE_VALUES, "src"),
                columns=self._identifiers(SOURCE_VALUES),
                values=self._identifiers(SOURCE_VALUES, "src"),
            )
        )

    @staticmethod
    def _identifiers(names, alias=None):
        """``alias.name, ...`` (or ``name, ...``) for the SQL of the writes."""
        return SQL(", ").join(
            SQL.identifier(alias, name) if alias else SQL.identifier(name)
            for name in names
        )
