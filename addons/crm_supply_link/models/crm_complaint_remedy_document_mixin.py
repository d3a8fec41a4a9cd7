from odoo import fields, models
from odoo.exceptions import AccessError


class CrmComplaintRemedyDocumentMixin(models.AbstractModel):
    """An Odoo document made as the remedy of a complaint (补救措施): a credit
    note, a return, a replacement, a return to vendor. It links back to the
    complaint; the complaint's user asks for it, and only the users of the
    group that handles such documents validate it."""

    _name = "crm.complaint.remedy.document.mixin"
    _description = "Complaint Remedy Document"

    customerism_complaint_id = fields.Many2one(
        "crm.complaint",
        string="Complaint",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Complaint this document remedies.",
    )

    def _customerism_check_remedy_validator(self, group, message):
        """Refuse with ``message`` to validate a complaint's document for a
        user outside ``group`` (xml id), even one whom Odoo lets validate
        such documents otherwise."""
        if (
            not self.env.su
            and self.filtered("customerism_complaint_id")
            and not self.env.user.has_group(group)
        ):
            raise AccessError(message)
