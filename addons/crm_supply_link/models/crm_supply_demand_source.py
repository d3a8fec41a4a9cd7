from odoo import fields, models


class CrmSupplyDemandSource(models.Model):
    """One customer order or quotation behind a line of projected demand,
    written by the demand projection (see ``supply_demand_projection.py``).

    A derived row: no log-access columns (the demand line's write date says
    when it was projected), and the product and warehouse read through the
    demand line. Each foreign key of
    a row is checked one by one on insert, which made the first projection
    of a catalogue (every row new) four times its floor."""

    _name = "crm.supply.demand.source"
    _description = "Customer Demand Source"
    _order = "is_key_account desc, weighted_qty desc, id"
    _check_company_auto = True
    _log_access = False

    demand_id = fields.Many2one(
        "crm.supply.demand", ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    product_id = fields.Many2one(related="demand_id.product_id")
    warehouse_id = fields.Many2one(related="demand_id.warehouse_id")
    order_id = fields.Many2one("sale.order", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    salesperson_id = fields.Many2one(
        related="order_id.user_id", string="Salesperson", readonly=True
    )
    kind = fields.Selection(
        [("confirmed", "Confirmed Order"), ("quotation", "Quotation")],
        readonly=True,
    )
    qty = fields.Float(
        string="Quantity", digits="Product Unit of Measure", readonly=True
    )
    probability = fields.Float(string="Weight (%)", readonly=True)
    weighted_qty = fields.Float(
        string="Weighted Quantity", digits="Product Unit of Measure", readonly=True
    )
    is_key_account = fields.Boolean(string="Key Account", readonly=True)
    date_needed = fields.Datetime(string="Needed On", readonly=True)
