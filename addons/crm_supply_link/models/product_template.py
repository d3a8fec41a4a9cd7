from odoo import models
from odoo.exceptions import AccessError

from .key_account_reallocation import KeyAccountReallocation


class ProductTemplate(models.Model):
    _inherit = "product.template"

    def action_supply_reallocate(self):
        """Reallocate the reserved stock of these products to the waiting
        transfers of key accounts, in every warehouse."""
        if not self.env.user.has_group("stock.group_stock_user"):
            raise AccessError(
                self.env._("Only inventory users can reallocate reservations.")
            )
        touched = KeyAccountReallocation(self.env, self.product_variant_ids).run()
        return touched._supply_reallocation_notification()
