from odoo import Command, api, models

from .customerism_api import (
    MAX_KEY,
    ItemError,
    check_user,
    clean,
    run_batch,
)

# an order of the customer's history (see docs/API.md)
ORDER_SCHEMA = {
    "source": ("str", MAX_KEY),
    "key": ("str", MAX_KEY),
    "customer_key": ("str", MAX_KEY),
    "date_order": ("datetime", None),
    "lines": ("list", 500),
}
LINE_SCHEMA = {
    "product_code": ("str", 64),
    "quantity": ("float", (0.0001, 1e9)),
    "price_unit": ("float", (-1e12, 1e12)),
    "description": ("str", 1000),
}


# the XML-RPC API apart from the model's fields and business logic
class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def customerism_import_orders(self, items):
        """Import confirmed orders of the customers' history, idempotent by
        external reference (source + key): an order already imported is left
        as it is (status unchanged). The customer is the partner upserted
        with the same source and ``customer_key``; products are found by
        internal reference (default_code). The orders are confirmed with their
        original date, then the customers' value, grade and stage are
        recomputed once for the batch (incremental recompute).

        :return: per-item results as res.partner.customerism_upsert
        """
        check_user(self.env)
        self.check_access("create")
        company = self.env.company
        imported = self.browse()

        def process(item, label):
            nonlocal imported
            order, status = self._customerism_import_one(item, label, company)
            if status == "created":
                imported |= order
            return order, status

        results = run_batch(self.env, items, process)
        if imported:
            self.env["crm.customer.profile"]._recompute_partners(
                imported.partner_id.ids, company=company
            )
        return results

    def _customerism_import_one(self, item, label, company):
        data = clean(
            self.env,
            label,
            item,
            ORDER_SCHEMA,
            required=("source", "key", "customer_key", "date_order", "lines"),
        )
        Reference = self.env["crm.external.reference"]
        customer = Reference._find_record(
            "res.partner", data["source"], data["customer_key"], company
        )
        if not customer:
            raise ItemError(
                self.env._(
                    "Item %(item)s: field %(field)s: unknown customer %(value)s "
                    "(upsert it first with res.partner.customerism_upsert).",
                    item=label,
                    field="customer_key",
                    value="/".join((data["source"], data["customer_key"])),
                )
            )
        lines = [
            self._customerism_line_vals(f"{label} lines[{position}]", line, company)
            for position, line in enumerate(data["lines"])
        ]
        if not lines:
            raise ItemError(
                self.env._(
                    "Item %(item)s: field %(field)s is required.",
                    item=label,
                    field="lines",
                )
            )
        reference, __ = Reference._reserve(
            "sale.order", data["source"], data["key"], company
        )
        order = reference._record("sale.order")
        if order:
            return order, "unchanged"
        order = self.create(
            {
                "partner_id": customer.id,
                "company_id": company.id,
                "client_order_ref": data["key"],
                "origin": data["source"],
                "order_line": [Command.create(vals) for vals in lines],
            }
        )
        # the recompute follows once for the whole batch
        order.with_context(customerism_defer_recompute=True).action_confirm()
        # confirming dates the order today: an imported order keeps its date
        order.date_order = data["date_order"]
        reference.res_id = order.id
        return order, "created"

    def _customerism_line_vals(self, label, line, company):
        data = clean(
            self.env,
            label,
            line,
            LINE_SCHEMA,
            required=("product_code", "quantity", "price_unit"),
        )
        product = self.env["product.product"].search(
            [
                ("default_code", "=", data["product_code"]),
                ("company_id", "in", [company.id, False]),
            ],
            limit=1,
        )
        if not product:
            raise ItemError(
                self.env._(
                    "Item %(item)s: field %(field)s: unknown product %(value)s.",
                    item=label,
                    field="product_code",
                    value=data["product_code"],
                )
            )
        vals = {
            "product_id": product.id,
            "product_uom_qty": data["quantity"],
            "price_unit": data["price_unit"],
        }
        if data.get("description"):
            vals["name"] = data["description"]
        return vals
