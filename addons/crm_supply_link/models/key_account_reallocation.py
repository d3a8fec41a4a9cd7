"""Reallocation to key accounts (关键客户优先).

Odoo reserves in priority order when goods arrive, but never takes back stock
already reserved. For each product (and warehouse), the waiting moves of key
account transfers (priority set) take the reservations of ordinary transfers:
those, the latest due first, are unreserved as far as the key accounts need;
the key accounts' moves are assigned, then the ordinary ones take back what is
left. Every transfer touched gets a note in its chatter of what moved where.
Quantities are conserved: only reservations move, through Odoo's own
``_do_unreserve`` and ``_action_assign``."""

from odoo.tools import float_compare, float_is_zero


class KeyAccountReallocation:
    def __init__(self, env, products, warehouse=None):
        self.env = env
        self.products = products
        self.warehouse = warehouse

    def _moves(self, product):
        domain = [
            ("product_id", "=", product.id),
            ("picking_id.sale_id", "!=", False),
            ("location_id.usage", "=", "internal"),
            ("state", "in", ("confirmed", "partially_available", "assigned")),
            ("picked", "=", False),
        ]
        if self.warehouse:
            domain.append(("location_id.warehouse_id", "=", self.warehouse.id))
        return self.env["stock.move"].search(domain, order="date, id")

    def run(self):
        """:return: the number of transfers touched"""
        touched = self.env["stock.picking"]
        for product in self.products:
            touched |= self._reallocate(product)
        return touched

    def _reallocate(self, product):
        rounding = product.uom_id.rounding
        moves = self._moves(product)
        waiting = moves.filtered(
            lambda m: (
                m.priority == "1"
                and float_compare(
                    m.quantity, m.product_qty, precision_rounding=rounding
                )
                < 0
            )
        )
        if not waiting:
            return self.env["stock.picking"]
        need = sum(waiting.mapped("product_qty")) - sum(waiting.mapped("quantity"))
        donors = self.env["stock.move"]
        # the ordinary transfers due last give up their reservation first
        for move in moves.filtered(
            lambda m: (
                m.priority == "0"
                and not float_is_zero(m.quantity, precision_rounding=rounding)
            )
        ).sorted(lambda m: (m.date, m.id), reverse=True):
            if float_compare(need, 0, precision_rounding=rounding) <= 0:
                break
            donors |= move
            need -= move.quantity
        if not donors:
            return self.env["stock.picking"]
        involved = waiting | donors
        before = {move: move.quantity for move in involved}
        donors._do_unreserve()
        waiting._action_assign()
        donors._action_assign()
        changes = []
        gainers = waiting.filtered(lambda m: m.quantity > before[m]).picking_id
        losers = donors.filtered(lambda m: m.quantity < before[m]).picking_id
        for move in involved:
            if float_compare(move.quantity, before[move], precision_rounding=rounding):
                others = losers if move.quantity > before[move] else gainers
                changes.append(
                    (move.picking_id, product, before[move], move.quantity, others)
                )
        self.env["stock.picking"]._supply_log_reallocation(changes)
        return gainers | losers
