from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_customerism.models.crm_customer_profile import GRADE_SELECTION

REFRESHED_AT_PARAM = "crm_supply_link.linkage_refreshed_at"
LOCK_KEY = 7411


class CrmSupplierCustomerReport(models.Model):
    """Supplier-customer linkage (供应商-客户关联): per company, customer and
    supplier, the customer's spend on goods of that supplier, its share of the
    customer's spend, and the open orders a problem with the supplier would
    touch.

    A sale order line is attributed to the vendor of the lots delivered on it
    (through the receipts of those lots, as ``stock.lot.purchase_order_ids``
    finds them), in proportion to the lot quantities; what no lot explains
    goes to the product's main vendor (the first ``product.supplierinfo`` in
    Odoo's seller order). Open quantities have no lot yet: they go to the main
    vendor. Amounts are untaxed, in company currency.

    The rows are stored: a supplier's customers are read by index, without
    going over all order lines. They are refreshed set-based, per customer,
    for the customers whose orders, profile or products' vendors changed
    (``_refresh_changed``: by a cron every 10 minutes and each time the report
    is opened from a menu or a smart button), and wholly the first time."""

    _name = "crm.supplier.customer.report"
    _description = "Supplier-Customer Linkage"
    _log_access = False
    _rec_name = "supplier_id"
    _order = "is_key_account desc, open_amount desc, amount desc, id"

    company_id = fields.Many2one(
        "res.company", readonly=True, index=True, ondelete="cascade"
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    customer_id = fields.Many2one(
        "res.partner", readonly=True, index=True, ondelete="cascade"
    )
    supplier_id = fields.Many2one(
        "res.partner", readonly=True, index=True, ondelete="cascade"
    )
    grade = fields.Selection(GRADE_SELECTION, readonly=True)
    is_key_account = fields.Boolean(string="Key Account", readonly=True)
    amount = fields.Monetary(
        string="Spend",
        readonly=True,
        help="Untaxed amount of the customer's confirmed order lines attributed "
        "to this supplier.",
    )
    lot_amount = fields.Monetary(
        string="Spend Traced by Lots",
        readonly=True,
        help="Part of the spend attributed through the lots actually delivered.",
    )
    share = fields.Float(
        string="Share of Spend (%)",
        readonly=True,
        aggregator="sum",
        help="Spend on this supplier's goods over the customer's whole confirmed "
        "spend in the company.",
    )
    open_amount = fields.Monetary(
        string="Value at Stake",
        readonly=True,
        help="Quotations and the undelivered part of confirmed orders for this "
        "supplier's goods.",
    )
    open_order_count = fields.Integer(string="Open Orders", readonly=True)

    def init(self):
        # the refresh finds the customers whose orders changed since the last one
        for table in ("sale_order", "sale_order_line"):
            self.env.cr.execute(
                SQL(
                    "CREATE INDEX IF NOT EXISTS %s ON %s (write_date)",
                    SQL.identifier(f"crm_supply_link_{table}_write_date_index"),
                    SQL.identifier(table),
                )
            )

    # ------------------------------------------------------------------
    # Refresh
    # ------------------------------------------------------------------

    @api.model
    def _refresh(self, customer_ids=None):
        """Recompute the linkage of ``customer_ids`` (commercial partners), or
        of everyone: one DELETE and one INSERT ... SELECT, set-based."""
        self.env.flush_all()
        cr = self.env.cr
        # one refresh at a time: a concurrent one waits, then redoes its customers
        cr.execute(SQL("SELECT pg_advisory_xact_lock(%s)", LOCK_KEY))
        if customer_ids is None:
            cr.execute(SQL("DELETE FROM %s", SQL.identifier(self._table)))
        elif customer_ids:
            cr.execute(
                SQL(
                    "DELETE FROM %s WHERE customer_id = ANY(%s)",
                    SQL.identifier(self._table),
                    list(customer_ids),
                )
            )
        else:
            return
        columns = [
            "company_id", "currency_id", "customer_id", "supplier_id", "grade",
            "is_key_account", "amount", "lot_amount", "share", "open_amount",
            "open_order_count",
        ]  # fmt: skip
        cr.execute(
            SQL(
                "INSERT INTO %s (%s) SELECT %s FROM (%s) AS linkage",
                SQL.identifier(self._table),
                SQL(", ").join(SQL.identifier(name) for name in columns),
                SQL(", ").join(SQL.identifier(name) for name in columns),
                self._query(customer_ids),
            )
        )
        if customer_ids is None:
            cr.execute(SQL("ANALYZE %s", SQL.identifier(self._table)))
        self.invalidate_model()

    @api.model
    def _refresh_changed(self, full=False):
        """Refresh the customers whose orders, order lines, customer profile or
        products' vendors changed since the last refresh (everyone with
        ``full`` or the first time).

        The next refresh starts from the start of the oldest transaction
        running now: what such a transaction writes is stamped with its start
        and committed after this refresh read the tables, so it is read next
        time."""
        self.env.flush_all()
        cr = self.env.cr
        params = self.env["ir.config_parameter"].sudo()
        last = params.get_param(REFRESHED_AT_PARAM)
        cr.execute(
            SQL(
                "SELECT LEAST(now(), min(xact_start)) AT TIME ZONE 'UTC'"
                " FROM pg_stat_activity"
                " WHERE datname = current_database() AND xact_start IS NOT NULL"
            )
        )
        stamp = cr.fetchone()[0]
        if full or not last:
            self._refresh()
        else:
            since = fields.Datetime.to_datetime(last)
            cr.execute(
                SQL(
                    """
SELECT cp.commercial_partner_id
  FROM sale_order so JOIN res_partner cp ON cp.id = so.partner_id
 WHERE so.write_date >= %(since)s
 UNION
SELECT cp.commercial_partner_id
  FROM sale_order_line sol
  JOIN sale_order so ON so.id = sol.order_id
  JOIN res_partner cp ON cp.id = so.partner_id
 WHERE sol.write_date >= %(since)s
 UNION
SELECT partner_id FROM crm_customer_profile WHERE write_date >= %(since)s
 UNION
SELECT cp.commercial_partner_id
  FROM product_supplierinfo si
  JOIN product_product pp ON pp.product_tmpl_id = si.product_tmpl_id
  JOIN sale_order_line sol ON sol.product_id = pp.id
  JOIN sale_order so ON so.id = sol.order_id
  JOIN res_partner cp ON cp.id = so.partner_id
 WHERE si.write_date >= %(since)s
""",
                    since=since,
                )
            )
            self._refresh([row[0] for row in cr.fetchall()])
        params.set_param(REFRESHED_AT_PARAM, fields.Datetime.to_string(stamp))

    @api.model
    def _refresh_products(self, template_ids):
        """Refresh the customers who ordered these products (their vendors
        changed in a way ``write_date`` does not show, e.g. a deletion)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
SELECT DISTINCT cp.commercial_partner_id
  FROM sale_order_line sol
  JOIN product_product pp ON pp.id = sol.product_id
  JOIN sale_order so ON so.id = sol.order_id
  JOIN res_partner cp ON cp.id = so.partner_id
 WHERE pp.product_tmpl_id = ANY(%s)
""",
                list(template_ids),
            )
        )
        self._refresh([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _cron_refresh(self):
        self._refresh_changed()

    @api.model
    def action_open_linkage(self):
        """Bring the linkage up to date, then show it."""
        self._refresh_changed()
        return self.env["ir.actions.act_window"]._for_xml_id(
            "crm_supply_link.crm_supplier_customer_report_action"
        )

    def _query(self, customer_ids=None):
        """The linkage rows of ``customer_ids`` (commercial partners), or of
        everyone."""
        if customer_ids is None:
            customer_filter = SQL("TRUE")
        else:
            # the orders of these customers and of their contacts, by index
            customer_filter = SQL(
                "so.partner_id IN (SELECT id FROM res_partner"
                " WHERE commercial_partner_id = ANY(%s))",
                list(customer_ids),
            )
        return SQL(
            """
WITH line AS (
    SELECT sol.id AS line_id,
           so.id AS order_id,
           so.company_id,
           so.state,
           cp.commercial_partner_id AS customer_id,
           sol.product_id,
           pp.product_tmpl_id,
           sol.product_uom_qty / line_uom.factor * product_uom.factor AS qty,
           sol.price_subtotal / COALESCE(NULLIF(so.currency_rate, 0), 1.0)
               AS amount,
           CASE WHEN so.state = 'sale'
                THEN GREATEST(sol.product_uom_qty - sol.qty_delivered, 0)
                     * sol.price_reduce_taxexcl
                ELSE sol.price_subtotal
           END / COALESCE(NULLIF(so.currency_rate, 0), 1.0) AS open_amount
      FROM sale_order_line sol
      JOIN sale_order so ON so.id = sol.order_id
      JOIN res_partner cp ON cp.id = so.partner_id
      JOIN product_product pp ON pp.id = sol.product_id
      JOIN product_template pt ON pt.id = pp.product_tmpl_id
      JOIN uom_uom line_uom ON line_uom.id = sol.product_uom
      JOIN uom_uom product_uom ON product_uom.id = pt.uom_id
     WHERE so.state IN ('draft', 'sent', 'sale')
       AND %(customer_filter)s
       AND sol.display_type IS NULL
       AND NOT COALESCE(sol.is_downpayment, FALSE)
),
main_vendor AS (
    SELECT DISTINCT ON (pc.product_id, pc.company_id)
           pc.product_id, pc.company_id, vendor.commercial_partner_id AS vendor_id
      FROM (SELECT DISTINCT product_id, product_tmpl_id, company_id FROM line) pc
      JOIN product_supplierinfo si
        ON si.product_tmpl_id = pc.product_tmpl_id
       AND (si.product_id IS NULL OR si.product_id = pc.product_id)
       AND (si.company_id IS NULL OR si.company_id = pc.company_id)
      JOIN res_partner vendor ON vendor.id = si.partner_id
  ORDER BY pc.product_id, pc.company_id, si.sequence, si.min_qty DESC,
           si.price, si.id
),
lot_out AS (
    -- lots delivered to the customer on each line, in the product's unit
    SELECT sm.sale_line_id AS line_id, sml.lot_id,
           SUM(sml.quantity_product_uom) AS qty
      FROM stock_move_line sml
      JOIN stock_move sm ON sm.id = sml.move_id
      JOIN stock_location dest ON dest.id = sml.location_dest_id
     WHERE sml.state = 'done'
       AND sml.lot_id IS NOT NULL
       AND sm.sale_line_id IS NOT NULL
       AND dest.usage = 'customer'
  GROUP BY sm.sale_line_id, sml.lot_id
),
lot_in AS (
    -- the vendors whose receipts brought each of these lots in
    SELECT sml.lot_id, vendor.commercial_partner_id AS vendor_id,
           SUM(sml.quantity_product_uom) AS qty
      FROM stock_move_line sml
      JOIN stock_move sm ON sm.id = sml.move_id
      JOIN stock_location src ON src.id = sm.location_id
      JOIN purchase_order_line pol ON pol.id = sm.purchase_line_id
      JOIN purchase_order po ON po.id = pol.order_id
      JOIN res_partner vendor ON vendor.id = po.partner_id
     WHERE sml.state = 'done'
       AND src.usage IN ('supplier', 'transit')
       AND sml.lot_id IN (SELECT lot_id FROM lot_out)
  GROUP BY sml.lot_id, vendor.commercial_partner_id
),
line_lot AS (
    SELECT lo.line_id, li.vendor_id,
           SUM(lo.qty * li.qty / lot_total.qty) AS qty
      FROM lot_out lo
      JOIN lot_in li ON li.lot_id = lo.lot_id
      JOIN (SELECT lot_id, SUM(qty) AS qty FROM lot_in GROUP BY lot_id) lot_total
        ON lot_total.lot_id = lo.lot_id
  GROUP BY lo.line_id, li.vendor_id
),
attributed AS (
    SELECT l.company_id, l.customer_id, ll.vendor_id, l.order_id, l.state,
           l.amount * LEAST(ll.qty / NULLIF(l.qty, 0), 1) AS amount,
           l.amount * LEAST(ll.qty / NULLIF(l.qty, 0), 1) AS lot_amount,
           0 AS open_amount
      FROM line l
      JOIN line_lot ll ON ll.line_id = l.line_id
     WHERE l.state = 'sale'
 UNION ALL
    SELECT l.company_id, l.customer_id, mv.vendor_id, l.order_id, l.state,
           l.amount * GREATEST(
               1 - COALESCE(traced.qty / NULLIF(l.qty, 0), 0), 0
           ) AS amount,
           0 AS lot_amount,
           l.open_amount
      FROM line l
      JOIN main_vendor mv
        ON mv.product_id = l.product_id AND mv.company_id = l.company_id
 LEFT JOIN (SELECT line_id, SUM(qty) AS qty FROM line_lot GROUP BY line_id) traced
        ON traced.line_id = l.line_id
),
linkage AS (
    SELECT company_id, customer_id, vendor_id AS supplier_id,
           SUM(amount) FILTER (WHERE state = 'sale') AS amount,
           SUM(lot_amount) AS lot_amount,
           SUM(open_amount) AS open_amount,
           COUNT(DISTINCT order_id) FILTER (WHERE open_amount > 0)
               AS open_order_count
      FROM attributed
  GROUP BY company_id, customer_id, vendor_id
),
customer_total AS (
    SELECT company_id, customer_id, SUM(amount) AS amount
      FROM line
     WHERE state = 'sale'
  GROUP BY company_id, customer_id
)
SELECT lk.company_id,
       company.currency_id,
       lk.customer_id,
       lk.supplier_id,
       profile.grade,
       COALESCE(profile.is_key_account, FALSE) AS is_key_account,
       COALESCE(lk.amount, 0) AS amount,
       lk.lot_amount,
       COALESCE(100.0 * lk.amount / NULLIF(ct.amount, 0), 0) AS share,
       lk.open_amount,
       lk.open_order_count
  FROM linkage lk
  JOIN res_company company ON company.id = lk.company_id
  LEFT JOIN customer_total ct
    ON ct.company_id = lk.company_id AND ct.customer_id = lk.customer_id
  LEFT JOIN crm_customer_profile profile
    ON profile.partner_id = lk.customer_id AND profile.company_id = lk.company_id
 WHERE lk.customer_id <> lk.supplier_id
""",
            customer_filter=customer_filter,
        )

    def action_open_orders(self):
        """The customer's open orders and quotations holding this supplier's
        goods (by main vendor, as the value at stake is counted)."""
        self.ensure_one()
        products = self.env["product.supplierinfo"].search(
            [("partner_id", "child_of", self.supplier_id.id)]
        )
        templates = products.product_tmpl_id
        domain = [
            ("partner_id", "child_of", self.customer_id.id),
            ("company_id", "=", self.company_id.id),
            ("order_line.product_id.product_tmpl_id", "in", templates.ids),
            "|",
            ("state", "in", ("draft", "sent")),
            "&",
            ("state", "=", "sale"),
            ("delivery_status", "!=", "full"),
        ]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Open orders of %(customer)s with goods of %(supplier)s",
                customer=self.customer_id.display_name,
                supplier=self.supplier_id.display_name,
            ),
            "res_model": "sale.order",
            "view_mode": "list,form",
            "domain": domain,
        }
