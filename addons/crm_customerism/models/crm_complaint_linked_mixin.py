from odoo import api, fields, models
from odoo.osv import expression


class CrmComplaintLinkedMixin(models.AbstractModel):
    """Records of Odoo's generic models that hang on a document by
    ``res_model``/``res_id`` (ratings, followers): those of a complaint are
    visible only to the users who may read the complaint. Odoo gives every
    employee these models with no record rule; the rules of the inheriting
    models use ``customerism_complaint_readable``."""

    _name = "crm.complaint.linked.mixin"
    _description = "Record Linked to a Complaint"

    customerism_complaint_readable = fields.Boolean(
        compute="_compute_customerism_complaint_readable",
        search="_search_customerism_complaint_readable",
        help="Not about a complaint, or about a complaint the current user may read.",
    )

    def _customerism_user_complaints(self):
        """The complaints of the current user, even inside a record rule: rules
        are evaluated as superuser, which would read every complaint."""
        return self.env(su=False)["crm.complaint"].with_context(active_test=False)

    @api.depends_context("uid")
    def _compute_customerism_complaint_readable(self):
        linked = self.filtered(lambda rec: rec.res_model == "crm.complaint")
        readable = set()
        Complaint = self._customerism_user_complaints()
        if linked and Complaint.has_access("read"):
            readable = set(
                Complaint.browse(set(linked.mapped("res_id")))
                .exists()
                ._filtered_access("read")
                .ids
            )
        for rec in self:
            rec.customerism_complaint_readable = (
                rec.res_model != "crm.complaint" or rec.res_id in readable
            )

    def _search_customerism_complaint_readable(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(f"Unsupported search: {operator} {value!r}")
        Complaint = self._customerism_user_complaints()
        readable = [
            "|",
            ("res_model", "!=", "crm.complaint"),
            ("res_model", "=", False),
        ]
        if Complaint.has_access("read"):
            readable = expression.OR(
                [readable, [("res_id", "in", Complaint._search([]))]]
            )
        if (operator == "=") == value:
            return readable
        return ["!", *expression.normalize_domain(readable)]
