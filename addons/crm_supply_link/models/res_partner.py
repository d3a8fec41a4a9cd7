from odoo import fields, models
from odoo.tools import SQL

from .supplier_quality_rates import month_period, supplier_rates_query

QUALITY_GROUPS = (
    "crm_supply_link.group_crm_supply_link_user,purchase.group_purchase_user"
)


class ResPartner(models.Model):
    """Smart buttons of the supplier-customer linkage: the suppliers behind what
    a customer buys, the customers a supplier's problem would touch."""

    _inherit = "res.partner"

    supply_supplier_count = fields.Integer(
        string="Suppliers",
        compute="_compute_supply_linkage_counts",
        groups="crm_supply_link.group_crm_supply_link_user,"
        "purchase.group_purchase_user,sales_team.group_sale_salesman",
    )
    supply_customer_count = fields.Integer(
        string="Customers Touched",
        compute="_compute_supply_linkage_counts",
        groups="crm_supply_link.group_crm_supply_link_user,"
        "purchase.group_purchase_user,sales_team.group_sale_salesman",
    )

    # supplier quality (供应商质量) of the calendar month, the previous one beside
    supply_quality_complaint_count = fields.Integer(
        string="Supplier Complaints (Month)",
        compute="_compute_supply_quality",
        groups=QUALITY_GROUPS,
    )
    supply_quality_units = fields.Float(
        string="Units Delivered (Month)",
        compute="_compute_supply_quality",
        digits="Product Unit of Measure",
        groups=QUALITY_GROUPS,
    )
    supply_quality_delivery_count = fields.Integer(
        string="Deliveries (Month)",
        compute="_compute_supply_quality",
        groups=QUALITY_GROUPS,
    )
    supply_quality_rate = fields.Float(
        string="Complaint Rate (Month)",
        compute="_compute_supply_quality",
        digits=(16, 2),
        groups=QUALITY_GROUPS,
        help="Complaints with this supplier as root cause per 1,000 units of its "
        "goods delivered this month.",
    )
    supply_quality_rate_per_delivery = fields.Float(
        string="Complaints per Delivery (Month)",
        compute="_compute_supply_quality",
        digits=(16, 4),
        groups=QUALITY_GROUPS,
    )
    supply_quality_prev_rate = fields.Float(
        string="Complaint Rate (Previous Month)",
        compute="_compute_supply_quality",
        digits=(16, 2),
        groups=QUALITY_GROUPS,
    )
    supply_quality_rank = fields.Integer(
        string="Complaint Rate Rank (Month)",
        compute="_compute_supply_quality",
        groups=QUALITY_GROUPS,
        help="1 for the supplier with the highest complaint rate this month.",
    )

    def _compute_supply_linkage_counts(self):
        commercial = self.commercial_partner_id
        report = self.env["crm.supplier.customer.report"]
        domain = [("company_id", "in", self.env.companies.ids)]
        suppliers = dict(
            report._read_group(
                domain + [("customer_id", "in", commercial.ids)],
                ["customer_id"],
                ["supplier_id:count_distinct"],
            )
        )
        customers = dict(
            report._read_group(
                domain + [("supplier_id", "in", commercial.ids)],
                ["supplier_id"],
                ["customer_id:count_distinct"],
            )
        )
        for partner in self:
            partner.supply_supplier_count = suppliers.get(
                partner.commercial_partner_id, 0
            )
            partner.supply_customer_count = customers.get(
                partner.commercial_partner_id, 0
            )

    def _supply_linkage_action(self, field, name):
        action = self.env["crm.supplier.customer.report"].action_open_linkage()
        action["name"] = name
        action["domain"] = [(field, "=", self.commercial_partner_id.id)]
        return action

    def action_view_supply_suppliers(self):
        self.ensure_one()
        return self._supply_linkage_action(
            "customer_id",
            self.env._(
                "Suppliers of %(customer)s",
                customer=self.commercial_partner_id.display_name,
            ),
        )

    def action_view_supply_customers(self):
        self.ensure_one()
        return self._supply_linkage_action(
            "supplier_id",
            self.env._(
                "Customers touched by %(supplier)s",
                supplier=self.commercial_partner_id.display_name,
            ),
        )

    def _compute_supply_quality(self):
        """The month's figures of the suppliers among these partners, in one
        statement (supplier_quality_rates)."""
        # the vendors of purchases or of product price lists
        commercial = self.filtered("id").commercial_partner_id
        listed = self.env["product.supplierinfo"]._read_group(
            [("partner_id", "child_of", commercial.ids)], ["partner_id"]
        )
        suppliers = (
            commercial.filtered(lambda partner: partner.supplier_rank > 0)
            | (
                self.env["res.partner"].union(*(row[0] for row in listed))
            ).commercial_partner_id
        )
        rows = {}
        if suppliers:
            for model in ("stock.move.line", "crm.complaint"):
                self.env[model].flush_model()
            self.env.cr.execute(
                SQL(
                    "SELECT * FROM (%s) q WHERE q.level = 'supplier'",
                    supplier_rates_query(
                        self.env.company,
                        *month_period(fields.Date.context_today(self)),
                        supplier_ids=suppliers.ids,
                    ),
                )
            )
            rows = {row["supplier_id"]: row for row in self.env.cr.dictfetchall()}
        for partner in self:
            row = rows.get(partner.commercial_partner_id.id) or {}
            partner.supply_quality_complaint_count = row.get("complaint_count", 0)
            partner.supply_quality_units = row.get("units") or 0.0
            partner.supply_quality_delivery_count = row.get("delivery_count", 0)
            partner.supply_quality_rate = row.get("rate") or 0.0
            partner.supply_quality_rate_per_delivery = (
                row.get("rate_per_delivery") or 0.0
            )
            partner.supply_quality_prev_rate = row.get("prev_rate") or 0.0
            partner.supply_quality_rank = row.get("rank", 0)

    def action_view_supply_quality(self):
        """The supplier's quality lines of every computed period, the month
        refreshed first."""
        self.ensure_one()
        Period = self.env["crm.supplier.quality.period"]
        Period._get_period(
            self.env.company, *month_period(fields.Date.context_today(self))
        )._refresh()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_supply_link.crm_supplier_quality_action"
        )
        action["name"] = self.env._(
            "Supplier Quality of %(supplier)s",
            supplier=self.commercial_partner_id.display_name,
        )
        action["domain"] = [("supplier_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_group_by_period": 1}
        return action
