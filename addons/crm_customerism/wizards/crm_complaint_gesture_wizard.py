from odoo import api, fields, models
from odoo.exceptions import UserError


class CrmComplaintGestureWizard(models.TransientModel):
    """Apology gesture on a complaint through Odoo's loyalty programs: a coupon,
    a gift card or loyalty points for the customer."""

    _name = "crm.complaint.gesture.wizard"
    _description = "Complaint Apology Gesture"

    complaint_id = fields.Many2one("crm.complaint", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="complaint_id.company_id")
    partner_id = fields.Many2one(
        "res.partner", compute="_compute_partner_id", store=True, readonly=False
    )
    program_id = fields.Many2one(
        "loyalty.program",
        required=True,
        domain="[('company_id', 'in', (company_id, False)),"
        " ('program_type', 'in', ('coupons', 'gift_card', 'loyalty', 'ewallet'))]",
    )
    points = fields.Float(
        default=1.0,
        help="Coupons: usually 1 (one use). Loyalty programs: the points granted.",
    )
    note = fields.Char(string="Message")

    @api.depends("complaint_id")
    def _compute_partner_id(self):
        for wizard in self:
            wizard.partner_id = wizard.complaint_id.partner_id

    def action_apply(self):
        self.ensure_one()
        complaint = self.complaint_id
        complaint.check_access("write")
        if self.points <= 0:
            raise UserError(self.env._("An apology gesture gives a positive amount."))
        if not self.partner_id:
            raise UserError(
                self.env._("Complaint %(name)s has no customer.", name=complaint.name)
            )
        card = self.program_id._customerism_grant(
            self.partner_id,
            self.points,
            # on the customer's portal, in their language
            self.with_context(lang=self.partner_id.lang).env._(
                "Apology for complaint %(name)s", name=complaint.name
            ),
            complaint,
        )
        complaint.write({"gesture_card_ids": [fields.Command.link(card.id)]})
        complaint.message_post(
            body=self.env._(
                "Apology gesture: %(points)s on %(program)s (%(code)s) for "
                "%(partner)s. %(note)s",
                points=self.points,
                program=self.program_id.name,
                code=card.code,
                partner=self.partner_id.display_name,
                note=self.note or "",
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}
