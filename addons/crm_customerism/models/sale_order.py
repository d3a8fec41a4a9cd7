from odoo import Command, api, models
from odoo.tools.misc import formatLang

from .crm_winback_campaign_line import RECOVERABLE_STATES
from .customerism_api import (
    MAX_KEY,
    ItemError,
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


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.depends("company_id", "partner_id", "amount_total")
    def _compute_partner_credit_warning(self):
        """Odoo's credit warning of a quotation (shown when the company uses
        credit limits) also names the customer's overdue receivables when they
        exceed the company's overdue limits: one banner, Odoo's."""
        res = super()._compute_partner_credit_warning()
        quotations = self.filtered(
            lambda order: (
                order.state in ("draft", "sent")
                and order.company_id.account_use_credit_limit
                and order.partner_id
            )
        )
        if not quotations:
            return res
        profiles = (
            self.env["crm.customer.profile"]
            .sudo()
            .search(
                [
                    (
                        "partner_id",
                        "in",
                        quotations.partner_id.commercial_partner_id.ids,
                    ),
                    ("company_id", "in", quotations.company_id.ids),
                ]
            )
        )
        by_key = {(p.partner_id.id, p.company_id.id): p for p in profiles}
        for order in quotations:
            company = order.company_id
            profile = by_key.get(
                (order.partner_id.commercial_partner_id.id, company.id)
            )
            if not (
                profile
                and profile.overdue_amount > company.customerism_overdue_amount
                and profile.overdue_days > company.customerism_overdue_days
            ):
                continue
            overdue = self.env._(
                "%(partner)s has overdue receivables of %(amount)s, the oldest "
                "%(days)s days past due.",
                partner=profile.partner_id.name,
                amount=formatLang(
                    self.env, profile.overdue_amount, currency_obj=company.currency_id
                ),
                days=profile.overdue_days,
            )
            order.partner_credit_warning = "\n".join(
                filter(None, [order.partner_credit_warning, overdue])
            )
        return res

    def _action_confirm(self):
        res = super()._action_confirm()
        self._customerism_recompute()
        self._customerism_winback_recover()
        return res

    def _action_cancel(self):
        confirmed = self.filtered(lambda order: order.state == "sale")
        res = super()._action_cancel()
        confirmed._customerism_recompute()
        return res

    def _customerism_recompute(self):
        """Incremental recompute of the customers of the orders, per company
        (deferred by an import, which recomputes once for its batch)."""
        if self.env.context.get("customerism_defer_recompute"):
            return
        Profile = self.env["crm.customer.profile"]
        for company, orders in self.grouped("company_id").items():
            Profile._recompute_partners(orders.partner_id.ids, company=company)

    def _customerism_winback_recover(self):
        """Win back at once the targets of the running campaigns that confirm an
        order (since the launch, in the campaign's company): one search for all
        the orders."""
        orders = self.filtered(lambda order: order.state == "sale")
        if not orders:
            return
        # sudo: the order's confirmation marks the customer won back, whoever
        # confirms it (only the order's own customer and company are searched)
        lines = (
            self.env["crm.winback.campaign.line"]
            .sudo()
            .search(
                [
                    ("campaign_id.state", "=", "running"),
                    ("state", "in", RECOVERABLE_STATES),
                    ("partner_id", "in", orders.partner_id.commercial_partner_id.ids),
                    ("company_id", "in", orders.company_id.ids),
                    ("campaign_id.date_start", "<=", max(orders.mapped("date_order"))),
                ]
            )
        )
        lines._recover(orders)

    def _program_check_compute_points(self, programs):
        """Key accounts earn the loyalty points at the program's higher rate."""
        result = super()._program_check_compute_points(programs)
        factors = {
            program: program.customerism_key_account_factor
            for program in programs
            if program.program_type == "loyalty"
            and program.customerism_key_account_factor not in (0, 1)
        }
        if factors and programs[:1]._customerism_is_key_account(
            self.partner_id, self.company_id
        ):
            for program, factor in factors.items():
                status = result.get(program, {})
                if "points" in status:
                    status["points"] = [points * factor for points in status["points"]]
        return result

    # ------------------------------------------------------------------
    # XML-RPC API (docs/API.md)
    # ------------------------------------------------------------------

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
        company = self.env.company
        imported = self.browse()

        def process(item, label):
            nonlocal imported
            order, status = self._customerism_import_one(item, label, company)
            if status == "created":
                imported |= order
            return order, status

        results = run_batch(self, items, process)
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
