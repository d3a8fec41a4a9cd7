"""Projected customer demand per product and warehouse (拉式供应链).

Steps, each one set-based over the company:

1. sources: the undelivered delivery moves of confirmed orders due within the
   horizon (the moves to the customer only, so a pick-pack-ship chain counts
   once) and the open quotations weighted by their opportunity's probability;
2. demand: the sources summed per product and warehouse;
3. forecast: Odoo's own figures per warehouse at the horizon
   (``_compute_quantities_dict``: on hand, incoming, outgoing, forecast) and
   the quantities of draft RFQs (``_get_quantity_in_progress``);
4. vendor: the product's first vendor in Odoo's seller order, its minimum
   quantity and lead time, and why it cannot be ordered from, if so;
5. shortage: weighted quotations beyond the forecast (confirmed orders are
   already in Odoo's outgoing quantity: they are not subtracted twice), and the
   quantity to order, rounded up to the unit and the vendor's minimum.
"""

from collections import defaultdict
from datetime import timedelta

from odoo import fields
from odoo.tools import SQL


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
        self._delete_sources()
        self._insert_sources()
        self._upsert_demand()
        self._fill_forecast()
        self._fill_vendor()
        self._fill_shortage()
        self.env["crm.supply.demand"].invalidate_model()
        self.env["crm.supply.demand.source"].invalidate_model()

    def _product_filter(self, column):
        if self.product_ids is None:
            return SQL("TRUE")
        return SQL("%s = ANY(%s)", column, self.product_ids)

    def _delete_sources(self):
        self.env.cr.execute(
            SQL(
                "DELETE FROM crm_supply_demand_source WHERE company_id = %s AND %s",
                self.company.id,
                self._product_filter(SQL.identifier("product_id")),
            )
        )

    def _insert_sources(self):
        self.env.cr.execute(
            SQL(
                """
INSERT INTO crm_supply_demand_source (
    company_id, product_id, warehouse_id, order_id, partner_id, kind, qty,
    probability, weighted_qty, is_key_account, date_needed,
    create_uid, create_date, write_uid, write_date)
SELECT src.company_id, src.product_id, src.warehouse_id, src.order_id,
       src.partner_id, src.kind, src.qty, src.probability,
       src.qty * src.probability / 100.0,
       COALESCE(profile.is_key_account, FALSE), src.date_needed,
       %(uid)s, %(now)s, %(uid)s, %(now)s
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
 WHERE src.qty * src.probability > 0
""",
                uid=self.env.uid,
                now=self.now,
                company=self.company.id,
                horizon_end=self.horizon_end,
                today=self.today,
                default_probability=self.company.supply_quotation_probability,
                product_filter_move=self._product_filter(SQL("sm.product_id")),
                product_filter_line=self._product_filter(SQL("sol.product_id")),
            )
        )

    def _upsert_demand(self):
        """One row per product and warehouse, updated in place: the ids on a
        screen another user opened stay valid; rows left without demand go."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """
INSERT INTO crm_supply_demand (
    company_id, product_id, warehouse_id, confirmed_qty, quotation_qty,
    weighted_quotation_qty, demand_qty, key_account_qty, has_key_account,
    create_uid, create_date, write_uid, write_date)
SELECT company_id, product_id, warehouse_id,
       COALESCE(SUM(qty) FILTER (WHERE kind = 'confirmed'), 0),
       COALESCE(SUM(qty) FILTER (WHERE kind = 'quotation'), 0),
       COALESCE(SUM(weighted_qty) FILTER (WHERE kind = 'quotation'), 0),
       SUM(weighted_qty),
       COALESCE(SUM(weighted_qty) FILTER (WHERE is_key_account), 0),
       BOOL_OR(is_key_account),
       %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM crm_supply_demand_source
 WHERE company_id = %(company)s AND demand_id IS NULL
 GROUP BY company_id, product_id, warehouse_id
    ON CONFLICT (company_id, product_id, warehouse_id) DO UPDATE
   SET confirmed_qty = EXCLUDED.confirmed_qty,
       quotation_qty = EXCLUDED.quotation_qty,
       weighted_quotation_qty = EXCLUDED.weighted_quotation_qty,
       demand_qty = EXCLUDED.demand_qty,
       key_account_qty = EXCLUDED.key_account_qty,
       has_key_account = EXCLUDED.has_key_account,
       write_uid = EXCLUDED.write_uid,
       write_date = EXCLUDED.write_date
""",
                uid=self.env.uid,
                now=self.now,
                company=self.company.id,
            )
        )
        cr.execute(
            SQL(
                """
UPDATE crm_supply_demand_source src
   SET demand_id = d.id
  FROM crm_supply_demand d
 WHERE src.company_id = %(company)s AND src.demand_id IS NULL
   AND d.company_id = src.company_id AND d.product_id = src.product_id
   AND d.warehouse_id = src.warehouse_id
""",
                company=self.company.id,
            )
        )
        cr.execute(
            SQL(
                """
DELETE FROM crm_supply_demand d
 WHERE d.company_id = %(company)s AND %(product_filter)s
   AND NOT EXISTS (
       SELECT 1 FROM crm_supply_demand_source src WHERE src.demand_id = d.id)
""",
                company=self.company.id,
                product_filter=self._product_filter(SQL("d.product_id")),
            )
        )
        cr.execute(SQL("ANALYZE crm_supply_demand"))

    def _demand_rows(self):
        self.env.cr.execute(
            SQL(
                "SELECT id, product_id, warehouse_id FROM crm_supply_demand"
                " WHERE company_id = %s AND %s",
                self.company.id,
                self._product_filter(SQL.identifier("product_id")),
            )
        )
        return self.env.cr.fetchall()

    def _fill_forecast(self):
        """Odoo's forecast per warehouse, one batch of products per warehouse."""
        rows = self._demand_rows()
        products_by_warehouse = defaultdict(set)
        for __, product_id, warehouse_id in rows:
            products_by_warehouse[warehouse_id].add(product_id)
        # Odoo's figures of the whole warehouse, whoever opens the screen
        Product = self.env["product.product"].sudo().with_company(self.company)
        quantities = {}
        for warehouse_id, product_ids in products_by_warehouse.items():
            products = Product.with_context(warehouse_id=warehouse_id).browse(
                product_ids
            )
            by_product = products._compute_quantities_dict(
                None, None, None, to_date=self.horizon_end
            )
            for product_id, qties in by_product.items():
                quantities[product_id, warehouse_id] = qties
        in_progress = (
            Product.browse({row[1] for row in rows})._get_quantity_in_progress(
                warehouse_ids=list(products_by_warehouse)
            )[1]
            if rows
            else {}
        )
        columns = defaultdict(list)
        for demand_id, product_id, warehouse_id in rows:
            qties = quantities[product_id, warehouse_id]
            rfq = in_progress.get((product_id, warehouse_id), 0.0)
            columns["id"].append(demand_id)
            columns["on_hand"].append(qties["qty_available"])
            columns["incoming"].append(qties["incoming_qty"])
            columns["outgoing"].append(qties["outgoing_qty"])
            columns["rfq"].append(rfq)
            columns["forecast"].append(qties["virtual_available"] + rfq)
        self.env.cr.execute(
            SQL(
                """
UPDATE crm_supply_demand d
   SET on_hand_qty = v.on_hand, incoming_qty = v.incoming,
       outgoing_qty = v.outgoing, rfq_qty = v.rfq, forecast_qty = v.forecast
  FROM unnest(%s::int[], %s::float8[], %s::float8[], %s::float8[],
              %s::float8[], %s::float8[])
       AS v(id, on_hand, incoming, outgoing, rfq, forecast)
 WHERE d.id = v.id
""",
                columns["id"],
                columns["on_hand"],
                columns["incoming"],
                columns["outgoing"],
                columns["rfq"],
                columns["forecast"],
            )
        )

    def _fill_vendor(self):
        self.env.cr.execute(
            SQL(
                """
WITH seller AS (
    SELECT DISTINCT ON (d.id)
           d.id AS demand_id, si.id AS supplierinfo_id, si.partner_id,
           si.min_qty / seller_uom.factor * product_uom.factor AS min_qty,
           si.delay, si.currency_id
      FROM crm_supply_demand d
      JOIN product_product pp ON pp.id = d.product_id
      JOIN product_template pt ON pt.id = pp.product_tmpl_id
      JOIN uom_uom product_uom ON product_uom.id = pt.uom_id
      JOIN product_supplierinfo si
        ON si.product_tmpl_id = pp.product_tmpl_id
       AND (si.product_id IS NULL OR si.product_id = pp.id)
       AND (si.company_id IS NULL OR si.company_id = d.company_id)
       AND (si.date_start IS NULL OR si.date_start <= %(today)s)
       AND (si.date_end IS NULL OR si.date_end >= %(today)s)
      JOIN res_partner vendor ON vendor.id = si.partner_id AND vendor.active
      JOIN uom_uom seller_uom ON seller_uom.id = pt.uom_po_id
     WHERE d.company_id = %(company)s AND %(product_filter)s
  ORDER BY d.id, si.sequence, si.min_qty DESC, si.price, si.id
)
UPDATE crm_supply_demand d
   SET supplierinfo_id = seller.supplierinfo_id,
       vendor_id = seller.partner_id,
       vendor_min_qty = COALESCE(seller.min_qty, 0),
       vendor_delay = COALESCE(seller.delay, 0),
       blocked_reason = CASE
           WHEN seller.supplierinfo_id IS NULL THEN 'no_vendor'
           WHEN seller.currency_id <> company.currency_id THEN 'currency'
           WHEN seller.delay <= 0 THEN 'lead_time'
       END
  FROM crm_supply_demand d2
  JOIN res_company company ON company.id = d2.company_id
  LEFT JOIN seller ON seller.demand_id = d2.id
 WHERE d.id = d2.id AND d2.company_id = %(company)s AND %(product_filter2)s
""",
                today=self.today,
                company=self.company.id,
                product_filter=self._product_filter(SQL("d.product_id")),
                product_filter2=self._product_filter(SQL("d2.product_id")),
            )
        )

    def _fill_shortage(self):
        self.env.cr.execute(
            SQL(
                """
UPDATE crm_supply_demand d
   SET shortage_qty = GREATEST(d.weighted_quotation_qty - d.forecast_qty, 0),
       order_qty = CASE
           WHEN d.weighted_quotation_qty - d.forecast_qty > 0 THEN GREATEST(
               CEIL(ROUND(((d.weighted_quotation_qty - d.forecast_qty)
                          / uom.rounding)::numeric, 6)) * uom.rounding,
               d.vendor_min_qty)
           ELSE 0 END
  FROM product_product pp
  JOIN product_template pt ON pt.id = pp.product_tmpl_id
  JOIN uom_uom uom ON uom.id = pt.uom_id
 WHERE pp.id = d.product_id AND d.company_id = %(company)s AND %(product_filter)s
""",
                company=self.company.id,
                product_filter=self._product_filter(SQL("d.product_id")),
            )
        )
