from odoo import models

from .crm_winback_campaign_line import RECOVERABLE_STATES


class SaleOrder(models.Model):
    _inherit = "sale.order"

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
