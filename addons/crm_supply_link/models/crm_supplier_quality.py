from odoo import fields, models


class CrmSupplierQuality(models.Model):
    """One figure line of a supplier quality period (供应商质量): a supplier
    (level supplier) or one of its products (level product), written by
    crm.supplier.quality.period._refresh (supplier_quality_rates)."""

    _name = "crm.supplier.quality"
    _description = "Supplier Quality"
    _order = "period_id desc, level desc, rank, id"
    _rec_name = "supplier_id"

    period_id = fields.Many2one(
        "crm.supplier.quality.period",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True
    )
    date_from = fields.Date(related="period_id.date_from", store=True)
    date_to = fields.Date(related="period_id.date_to", store=True)
    supplier_id = fields.Many2one(
        "res.partner", required=True, index=True, readonly=True
    )
    product_id = fields.Many2one("product.product", readonly=True)
    level = fields.Selection(
        [("supplier", "Supplier"), ("product", "Product")], required=True, readonly=True
    )
    complaint_count = fields.Integer(string="Complaints", readonly=True)
    units = fields.Float(
        string="Units Delivered", digits="Product Unit of Measure", readonly=True
    )
    delivery_count = fields.Integer(string="Deliveries", readonly=True)
    rate = fields.Float(
        string="Complaint Rate (per 1,000 Units)",
        digits=(16, 2),
        readonly=True,
        aggregator=False,
        help="Complaints with a supplier root cause per 1,000 units delivered.",
    )
    rate_per_delivery = fields.Float(
        string="Complaints per Delivery",
        digits=(16, 4),
        readonly=True,
        aggregator=False,
    )
    prev_complaint_count = fields.Integer(
        string="Complaints (Previous Period)", readonly=True
    )
    prev_units = fields.Float(
        string="Units (Previous Period)",
        digits="Product Unit of Measure",
        readonly=True,
    )
    prev_delivery_count = fields.Integer(
        string="Deliveries (Previous Period)", readonly=True
    )
    prev_rate = fields.Float(
        string="Complaint Rate (Previous Period)",
        digits=(16, 2),
        readonly=True,
        aggregator=False,
    )
    prev_rate_per_delivery = fields.Float(
        string="Complaints per Delivery (Previous Period)",
        digits=(16, 4),
        readonly=True,
        aggregator=False,
    )
    rank = fields.Integer(
        readonly=True,
        aggregator=False,
        help="1 for the highest complaint rate per 1,000 units of the period, "
        "among suppliers or among products.",
    )
    above_threshold = fields.Boolean(
        readonly=True,
        help="Supplier whose rate and complaints reach the company's supplier "
        "quality thresholds.",
    )
