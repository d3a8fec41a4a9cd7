from odoo import models


class ProductSupplierinfo(models.Model):
    _inherit = "product.supplierinfo"

    def unlink(self):
        # a deleted vendor price leaves no write_date behind: the customers of
        # these products may have another main vendor now
        templates = self.product_tmpl_id
        result = super().unlink()
        self.env["crm.supplier.customer.report"]._refresh_products(templates.ids)
        return result
