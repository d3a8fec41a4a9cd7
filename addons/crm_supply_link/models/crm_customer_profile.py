from odoo import api, models


class CrmCustomerProfile(models.Model):
    """Open transfers follow when a customer becomes or stops being a key
    account: after a grade override, a recompute or a new tier mapping."""

    _inherit = "crm.customer.profile"

    @api.model_create_multi
    def create(self, vals_list):
        profiles = super().create(vals_list)
        profiles._supply_sync_priority()
        return profiles

    def write(self, vals):
        res = super().write(vals)
        if {"grade_override", "computed_grade", "service_tier"} & set(vals):
            self._supply_sync_priority()
        return res

    def _supply_sync_priority(self):
        Picking = self.env["stock.picking"].sudo()
        for company in self.company_id:
            partners = self.filtered(lambda p, c=company: p.company_id == c).partner_id
            Picking._supply_sync_priority(company, partner_ids=partners.ids)

    @api.model
    def _profiles_written(self, company, partner_ids=None):
        res = super()._profiles_written(company, partner_ids=partner_ids)
        self.env["stock.picking"].sudo()._supply_sync_priority(
            company, partner_ids=partner_ids
        )
        return res

    @api.model
    def _update_service_tiers(self, companies):
        res = super()._update_service_tiers(companies)
        self.env["stock.picking"].sudo()._supply_sync_priority(companies)
        return res
