from odoo import models


class LoyaltyHistory(models.Model):
    _inherit = "loyalty.history"

    def _get_order_portal_url(self):
        """Points of an apology gesture link to the complaint on the portal."""
        if self.order_model == "crm.complaint":
            return self.env["crm.complaint"].browse(self.order_id).get_portal_url()
        return super()._get_order_portal_url()
