from odoo import fields, models

from .crm_customer_profile import KEY_ACCOUNT_GRADES


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    customerism_key_account_factor = fields.Float(
        string="Key Account Point Factor",
        default=1.0,
        digits=(16, 2),
        help="Loyalty points earned by key accounts (VIP and major customers) are "
        "multiplied by this factor.",
    )

    def _customerism_is_key_account(self, partner, company):
        # sudo: only the grade is read, for the points factor
        profile = (
            self.env["crm.customer.profile"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.commercial_partner_id.id),
                    ("company_id", "=", company.id),
                ],
                limit=1,
            )
        )
        return profile.grade in KEY_ACCOUNT_GRADES

    def _customerism_grant(self, partner, points, description, origin=None):
        """Card of this program for ``partner`` with ``points`` more: a new coupon
        or gift card, or the points added to the customer's loyalty card. The
        grant is logged in the card's history, as Odoo's own coupon generation
        and balance update do: ``description`` and the ``origin`` record, which
        the customer sees on the portal.

        Odoo's own coupon mails (the program's communication plan, at creation
        and at a points milestone) are not sent: they would bypass the consent
        and the marketing cap. The code reaches the customer through the
        caller's channel: the win-back mail, the account owner's activity or
        the complaint's note."""
        self.ensure_one()
        # sudo: complaint and win-back users cannot create loyalty cards; the
        # callers check who may grant what (the gesture wizard: the complaint's
        # own customer within the company's limit; win-back: the campaign's
        # manager)
        Card = self.env["loyalty.card"].sudo().with_context(loyalty_no_mail=True)
        card = Card
        if self.program_type in ("loyalty", "ewallet"):
            card = Card.search(
                [("program_id", "=", self.id), ("partner_id", "=", partner.id)],
                limit=1,
            )
        if card:
            card.points += points
        else:
            card = Card.create(
                {"program_id": self.id, "partner_id": partner.id, "points": points}
            )
        self.env["loyalty.history"].sudo().create(
            {
                "card_id": card.id,
                "description": description,
                "issued": points,
                "order_model": origin and origin._name,
                "order_id": origin and origin.id,
            }
        )
        return card
