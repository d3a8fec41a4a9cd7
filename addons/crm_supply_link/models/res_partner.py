from odoo import fields, models


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
