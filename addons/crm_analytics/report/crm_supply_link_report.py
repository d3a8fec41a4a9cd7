from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.crm_supply_link.models.crm_complaint_remedy import REMEDY_TYPES

SUPPLY_KINDS = [
    ("demand", "Customer Demand"),
    ("rfq", "RFQ for Customers"),
    ("remedy", "Complaint Remedy"),
]


class CrmSupplyLinkReport(models.Model):
    """Supply-link figures (客户需求拉动供应链): the projected customer demand
    and how much of it the forecast covers, the purchase lines made for
    customer orders (RFQs) and the complaint remedies by kind. One row per
    demand line, RFQ line or remedy, told apart by ``kind``."""

    _name = "crm.supply.link.report"
    _description = "Supply Link Analysis"
    _inherit = ["crm.customerism.ordered.selection.mixin"]
    _auto = False
    _order = "date desc"

    kind = fields.Selection(SUPPLY_KINDS, readonly=True)
    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True)
    vendor_id = fields.Many2one("res.partner", string="Supplier", readonly=True)
    purchase_id = fields.Many2one("purchase.order", string="RFQ", readonly=True)
    complaint_id = fields.Many2one("crm.complaint", readonly=True)
    remedy_type = fields.Selection(REMEDY_TYPES, string="Remedy", readonly=True)
    demand_qty = fields.Float(string="Projected Demand", readonly=True)
    key_account_qty = fields.Float(string="Key Account Demand", readonly=True)
    covered_qty = fields.Float(
        string="Demand Covered",
        readonly=True,
        help="Projected demand the forecast covers: the demand less its shortage.",
    )
    shortage_qty = fields.Float(string="Shortage", readonly=True)
    rfq_line_count = fields.Integer(string="RFQ Lines", readonly=True)
    rfq_qty = fields.Float(string="Quantity Ordered", readonly=True)
    rfq_amount = fields.Monetary(
        string="RFQ Amount",
        readonly=True,
        help="Untaxed amount of the purchase lines, in company currency.",
    )
    remedy_count = fields.Integer(string="Remedies", readonly=True)
    remedy_amount = fields.Monetary(
        readonly=True,
        help="Credit notes: their total; replacements: the goods at cost.",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH rows AS (
                SELECT d.id * 3 AS id, 'demand' AS kind,
                       COALESCE(d.write_date, d.create_date)::date AS date,
                       d.company_id, d.product_id, d.warehouse_id, d.vendor_id,
                       NULL::integer AS purchase_id, NULL::integer AS complaint_id,
                       NULL::varchar AS remedy_type,
                       d.demand_qty, d.key_account_qty,
                       LEAST(GREATEST(d.demand_qty - d.shortage_qty, 0), d.demand_qty)
                           AS covered_qty,
                       d.shortage_qty, 0 AS rfq_line_count, 0.0 AS rfq_qty,
                       0.0 AS rfq_amount, 0 AS remedy_count, 0.0 AS remedy_amount
                  FROM crm_supply_demand d
                UNION ALL
                SELECT pol.id * 3 + 1, 'rfq', po.date_order::date, po.company_id,
                       pol.product_id, NULL, po.partner_id, po.id, NULL, NULL,
                       0.0, 0.0, 0.0, 0.0, 1, pol.product_qty,
                       CASE WHEN COALESCE(po.currency_rate, 0) IN (0, 1)
                            THEN pol.price_subtotal
                            ELSE pol.price_subtotal / po.currency_rate END,
                       0, 0.0
                  FROM purchase_order_line pol
                  JOIN purchase_order po ON po.id = pol.order_id
                 WHERE po.state <> 'cancel'
                   AND EXISTS (
                       SELECT 1 FROM crm_supply_purchase_line_sale_order_rel rel
                        WHERE rel.purchase_line_id = pol.id)
                UNION ALL
                SELECT r.id * 3 + 2, 'remedy', r.create_date::date, r.company_id,
                       c.product_id, NULL, c.supplier_id, NULL, r.complaint_id,
                       r.remedy_type, 0.0, 0.0, 0.0, 0.0, 0, 0.0, 0.0,
                       1, COALESCE(r.amount, 0)
                  FROM crm_complaint_remedy r
                  JOIN crm_complaint c ON c.id = r.complaint_id
                 WHERE r.state IS DISTINCT FROM 'cancel'
            )
            SELECT rows.*, co.currency_id
              FROM rows
              JOIN res_company co ON co.id = rows.company_id
            """
        )
