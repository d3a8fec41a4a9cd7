from odoo import api, fields, models
from odoo.exceptions import UserError


class CrmComplaintMergeWizard(models.TransientModel):
    """Merge duplicate complaints of a customer into one survivor: messages,
    attachments, activities, followers and links move to the survivor."""

    _name = "crm.complaint.merge.wizard"
    _description = "Merge Complaints"

    complaint_ids = fields.Many2many(
        "crm.complaint", string="Complaints", required=True
    )
    target_id = fields.Many2one(
        "crm.complaint",
        string="Keep",
        compute="_compute_target_id",
        store=True,
        readonly=False,
        required=True,
        domain="[('id', 'in', complaint_ids)]",
        help="Complaint that survives; the others are cancelled and point to it.",
    )

    @api.depends("complaint_ids")
    def _compute_target_id(self):
        for wizard in self:
            open_ones = wizard.complaint_ids.filtered(lambda c: c.stage != "cancelled")
            candidates = open_ones or wizard.complaint_ids
            wizard.target_id = candidates.sorted(lambda c: c._origin.id or 0)[
                :1
            ]._origin

    def action_merge(self):
        self.ensure_one()
        target = self.target_id
        sources = self.complaint_ids - target
        if not sources:
            raise UserError(self.env._("Select at least two complaints to merge."))
        if len(self.complaint_ids.commercial_partner_id) != 1:
            raise UserError(
                self.env._(
                    "Only complaints of one and the same customer can be merged."
                )
            )
        if target.stage == "cancelled":
            raise UserError(
                self.env._(
                    "Complaint %(name)s is cancelled: keep an open complaint.",
                    name=target.name,
                )
            )
        if any(source.stage == "closed" for source in sources):
            raise UserError(
                self.env._("A closed complaint cannot be merged into another one.")
            )
        target.check_access("write")
        sources.check_access("write")
        target._merge_from(sources)
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.complaint",
            "res_id": target.id,
            "view_mode": "form",
        }
