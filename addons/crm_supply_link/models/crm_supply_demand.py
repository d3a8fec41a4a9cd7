from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.stock.models.stock_rule import ProcurementException

from .key_account_reallocation import KeyAccountReallocation
from .supply_demand_projection import SupplyDemandProjection

BLOCKED_REASONS = [
    ("no_vendor", "No vendor"),
    ("currency", "Vendor sells in another currency"),
    ("lead_time", "Vendor lead time is zero"),
]


class CrmSupplyDemand(models.Model):
    """Projected customer demand per product and warehouse over the company's
    horizon (拉式供应链): confirmed undelivered quantities and quotations
    weighted by their opportunity's probability, against Odoo's forecast. The
    rows are rewritten by :class:`SupplyDemandProjection` each time the screen
    opens or an RFQ is made; nothing here is typed in."""

    _name = "crm.supply.demand"
    _description = "Customer Demand"
    _order = "has_key_account desc, shortage_qty desc, id"
    _rec_name = "product_id"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, readonly=True)
    product_id = fields.Many2one("product.product", required=True, readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", required=True, readonly=True)
    uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    source_ids = fields.One2many(
        "crm.supply.demand.source", "demand_id", string="Customer Orders"
    )
    customer_ids = fields.Many2many(
        "res.partner", string="Customers", compute="_compute_customers"
    )
    has_key_account = fields.Boolean(string="Key Account Demand", readonly=True)
    confirmed_qty = fields.Float(
        string="Confirmed",
        digits="Product Unit of Measure",
        readonly=True,
        help="Undelivered quantities of confirmed orders due within the horizon "
        "(their delivery moves; also part of Odoo's outgoing quantity).",
    )
    quotation_qty = fields.Float(
        string="Quoted", digits="Product Unit of Measure", readonly=True
    )
    weighted_quotation_qty = fields.Float(
        string="Quoted (Weighted)",
        digits="Product Unit of Measure",
        readonly=True,
        help="Quotations weighted by the probability of their opportunity, or by "
        "the company's default weight.",
    )
    demand_qty = fields.Float(
        string="Projected Demand", digits="Product Unit of Measure", readonly=True
    )
    key_account_qty = fields.Float(
        string="Key Account Demand (Qty)",
        digits="Product Unit of Measure",
        readonly=True,
    )
    on_hand_qty = fields.Float(
        string="On Hand", digits="Product Unit of Measure", readonly=True
    )
    incoming_qty = fields.Float(
        string="Incoming", digits="Product Unit of Measure", readonly=True
    )
    outgoing_qty = fields.Float(
        string="Outgoing", digits="Product Unit of Measure", readonly=True
    )
    rfq_qty = fields.Float(
        string="In Draft RFQs", digits="Product Unit of Measure", readonly=True
    )
    forecast_qty = fields.Float(
        string="Forecast",
        digits="Product Unit of Measure",
        readonly=True,
        help="Odoo's forecast in the warehouse at the horizon (on hand + incoming "
        "- outgoing) plus the quantities of draft RFQs.",
    )
    shortage_qty = fields.Float(
        string="Shortage", digits="Product Unit of Measure", readonly=True
    )
    supplierinfo_id = fields.Many2one("product.supplierinfo", readonly=True)
    vendor_id = fields.Many2one("res.partner", readonly=True)
    vendor_min_qty = fields.Float(
        string="Vendor Minimum", digits="Product Unit of Measure", readonly=True
    )
    vendor_delay = fields.Integer(string="Lead Time (Days)", readonly=True)
    order_qty = fields.Float(
        string="To Order",
        digits="Product Unit of Measure",
        readonly=True,
        help="The shortage rounded up to the unit and to the vendor's minimum "
        "quantity.",
    )
    blocked_reason = fields.Selection(
        BLOCKED_REASONS, string="Cannot Order", readonly=True
    )

    _sql_constraints = [
        (
            "product_warehouse_uniq",
            "unique(company_id, product_id, warehouse_id)",
            "One line of customer demand per product and warehouse.",
        ),
    ]

    @api.depends("source_ids.partner_id")
    def _compute_customers(self):
        for demand in self:
            demand.customer_ids = demand.source_ids.partner_id

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    @api.model
    def action_open_customer_demand(self):
        """Project the demand of the user's companies afresh, then show it."""
        for company in self.env.companies:
            SupplyDemandProjection(self.env, company).run()
        return self.env["ir.actions.act_window"]._for_xml_id(
            "crm_supply_link.crm_supply_demand_action"
        )

    @api.model
    def _cron_project(self):
        """Keep the screen and its figures current between openings."""
        for company in self.env["res.company"].search([]):
            SupplyDemandProjection(self.env, company).run()

    def action_refresh(self):
        for company in self.env.companies:
            SupplyDemandProjection(self.env, company).run()
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_create_rfqs(self):
        """Draft RFQs for the selected shortages, through Odoo's buy route: the
        demand is projected again first, so draft RFQs made since count as
        incoming and a second run orders nothing."""
        if not self.env.user.has_group("purchase.group_purchase_user"):
            raise AccessError(self.env._("Only purchase users can create RFQs."))
        for company in self.company_id:
            products = self.filtered(lambda d, c=company: d.company_id == c).product_id
            SupplyDemandProjection(self.env, company, product_ids=products.ids).run()
        demands = self.exists().filtered(lambda d: d.shortage_qty > 0)
        blocked = demands.filtered("blocked_reason")
        if blocked:
            reasons = dict(
                self._fields["blocked_reason"]._description_selection(self.env)
            )
            raise UserError(
                self.env._(
                    "No RFQ was created. These products cannot be ordered:\n%(lines)s",
                    lines="\n".join(
                        f"- {d.product_id.display_name} ({d.warehouse_id.name}): "
                        f"{reasons[d.blocked_reason]}"
                        for d in blocked
                    ),
                )
            )
        if not demands:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "message": self.env._(
                        "No shortage left: draft RFQs already cover the demand."
                    ),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        procurements = [demand._prepare_procurement() for demand in demands]
        ProcurementGroup = self.env["procurement.group"]
        try:
            with self.env.cr.savepoint():
                ProcurementGroup.run(procurements)
        except ProcurementException as error:
            raise UserError(
                self.env._(
                    "No RFQ was created:\n%(errors)s",
                    errors="\n".join(
                        message for __, message in error.procurement_exceptions
                    ),
                )
            ) from error
        lines = self.env["purchase.order.line"].search(
            [
                ("state", "=", "draft"),
                ("product_id", "in", demands.product_id.ids),
                ("customer_order_ids", "in", demands.source_ids.order_id.ids),
            ]
        )
        for company in demands.company_id:
            SupplyDemandProjection(
                self.env, company, product_ids=demands.product_id.ids
            ).run()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Draft RFQs"),
            "res_model": "purchase.order",
            "view_mode": "list,form",
            "domain": [("id", "in", lines.order_id.ids)],
        }

    def action_reallocate(self):
        """Reallocate to key accounts the selected products in their warehouse."""
        if not self.env.user.has_group("stock.group_stock_user"):
            raise AccessError(
                self.env._("Only inventory users can reallocate reservations.")
            )
        touched = self.env["stock.picking"]
        for demand in self:
            touched |= KeyAccountReallocation(
                self.env, demand.product_id, demand.warehouse_id
            ).run()
        return touched._supply_reallocation_notification()

    def _prepare_procurement(self):
        self.ensure_one()
        product = self.product_id
        seller = self.supplierinfo_id
        qty = self.order_qty
        warehouse = self.warehouse_id
        values = {
            "company_id": self.company_id,
            "warehouse_id": warehouse,
            "route_ids": warehouse.buy_pull_id.route_id,
            "supplierinfo_id": seller,
            "date_planned": fields.Datetime.add(
                fields.Datetime.now(), days=seller.delay
            ),
            "orderpoint_id": self.env["stock.warehouse.orderpoint"],
            "move_dest_ids": self.env["stock.move"],
            "group_id": False,
            "customer_order_ids": self.source_ids.order_id,
        }
        return self.env["procurement.group"].Procurement(
            product,
            qty,
            product.uom_id,
            warehouse.lot_stock_id,
            product.display_name,
            self.env._("Customer Demand"),
            self.company_id,
            values,
        )
