from odoo import api, fields, models


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
        # the target may come from outside complaint_ids (the domain is only
        # the UI's): _merge_from checks access, customer and company of them all
        target._merge_from(sources)
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.complaint",
            "res_id": target.id,
            "view_mode": "form",
        }
