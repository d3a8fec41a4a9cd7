from odoo import api, fields, models
from odoo.exceptions import UserError

GESTURE_PROGRAM_TYPES = ("coupons", "gift_card", "loyalty", "ewallet")


class CrmComplaintGestureWizard(models.TransientModel):
    """Apology gesture on a complaint through Odoo's loyalty programs: a coupon,
    a gift card or loyalty points for the complaint's own customer, within the
    company's limit unless a Customerism manager grants it."""

    _name = "crm.complaint.gesture.wizard"
    _description = "Complaint Apology Gesture"

    complaint_id = fields.Many2one("crm.complaint", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="complaint_id.company_id")
    # the gesture goes to the complaint's customer, never to someone chosen here
    # (no inverse: a value given at creation is not written anywhere)
    partner_id = fields.Many2one("res.partner", compute="_compute_partner_id")
    program_id = fields.Many2one(
        "loyalty.program",
        required=True,
        domain="[('company_id', 'in', (company_id, False)),"
        f" ('program_type', 'in', {GESTURE_PROGRAM_TYPES})]",
    )
    points = fields.Float(
        default=1.0,
        help="Coupons: usually 1 (one use). Gift cards and eWallets: the amount. "
        "Loyalty programs: the points granted.",
    )
    gesture_limit = fields.Float(related="company_id.customerism_gesture_limit")
    note = fields.Char(string="Message")

    @api.depends("complaint_id")
    def _compute_partner_id(self):
        for wizard in self:
            wizard.partner_id = wizard.complaint_id.partner_id

    @api.model
    def _is_manager(self):
        return self.env.user.has_group("crm_customerism.group_crm_customerism_manager")

    def _check_gesture(self):
        complaint = self.complaint_id
        complaint.check_access("write")
        program = self.program_id
        if not self.partner_id:
            raise UserError(
                self.env._("Complaint %(name)s has no customer.", name=complaint.name)
            )
        if (
            not program.active
            or program.program_type not in GESTURE_PROGRAM_TYPES
            or program.company_id not in (complaint.company_id, self.env["res.company"])
        ):
            raise UserError(
                self.env._(
                    "Program %(program)s cannot give an apology gesture for "
                    "complaint %(name)s: choose an active coupon, gift card, "
                    "loyalty or eWallet program of the complaint's company.",
                    program=program.display_name,
                    name=complaint.name,
                )
            )
        if self.points <= 0:
            raise UserError(self.env._("An apology gesture gives a positive amount."))
        limit = complaint.company_id.customerism_gesture_limit
        if self.points > limit and not self._is_manager():
            raise UserError(
                self.env._(
                    "An apology gesture above %(limit)s points (or amount) needs "
                    "the approval of a Customerism manager: ask a manager to "
                    "grant it.",
                    limit=limit,
                )
            )

    def action_apply(self):
        self.ensure_one()
        self._check_gesture()
        complaint = self.complaint_id
        # _customerism_grant creates the card as superuser (a complaint user
        # cannot create loyalty cards): checked above are the write access to
        # the complaint, its own customer, the program and the limit
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
                "%(partner)s, granted by %(user)s. %(note)s",
                points=self.points,
                program=self.program_id.name,
                code=card.code,
                partner=self.partner_id.display_name,
                user=self.env.user.name,
                note=self.note or "",
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}
