from odoo import api, models
from odoo.exceptions import AccessError

# what the customer said and about what: set by the rating request and the
# customer's answer only
RATING_CONTENT_FIELDS = {
    "rating",
    "feedback",
    "consumed",
    "res_model_id",
    "res_model",
    "res_id",
    "partner_id",
    "rated_partner_id",
    "access_token",
}


class RatingRating(models.Model):
    """Satisfaction ratings of complaints: read by those who may read the
    complaint (record rule ``rating_rating_rule_complaint``), given by the
    customer only. Odoo creates and answers rating requests in superuser mode
    (the request's token, the rating page, ``rating_apply`` from the portal
    routes); an employee's own create or write of a complaint's rating would
    change the complaint's and the team's satisfaction, and is refused."""

    _name = "rating.rating"
    _inherit = ["rating.rating", "crm.complaint.linked.mixin"]

    def _customerism_check_customer_word(self, res_models, vals):
        if "crm.complaint" in res_models and RATING_CONTENT_FIELDS.intersection(vals):
            raise AccessError(
                self.env._(
                    "A complaint's satisfaction rating is given by its customer "
                    "through the rating request; it cannot be created or changed "
                    "by hand."
                )
            )

    def _customerism_model_of(self, vals):
        model_id = vals.get("res_model_id")
        return self.env["ir.model"].sudo().browse(model_id).model if model_id else None

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                res_models = {vals.get("res_model"), self._customerism_model_of(vals)}
                self._customerism_check_customer_word(res_models, vals)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            res_models = set(self.sudo().mapped("res_model"))
            res_models.add(self._customerism_model_of(vals))
            self._customerism_check_customer_word(res_models, vals)
        return super().write(vals)
