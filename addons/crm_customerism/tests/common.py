from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user

TODAY = "2025-06-30"


class CustomerismCase(TransactionCase):
    """Hand-built purchase histories: orders are confirmed at their own date
    (freeze_time), so the incremental triggers run as in real life."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.Profile = cls.env["crm.customer.profile"]
        cls.product = cls.env["product.product"].create(
            {
                "name": "Consulting day",
                "type": "service",
                "list_price": 100.0,
                "taxes_id": False,
            }
        )
        cls.manager = new_test_user(
            cls.env,
            login="cv_manager",
            groups="crm_customerism.group_crm_customerism_manager,sales_team.group_sale_manager",
            company_ids=[Command.link(cls.company.id)],
        )
        cls.user = new_test_user(
            cls.env,
            login="cv_user",
            groups="crm_customerism.group_crm_customerism_user",
            company_ids=[Command.link(cls.company.id)],
        )

    @classmethod
    def _partner(cls, name, **vals):
        return cls.env["res.partner"].create({"name": name, "is_company": True, **vals})

    @classmethod
    def _order(cls, partner, date, amount, company=None, pricelist=None):
        company = company or cls.company
        vals = {
            "partner_id": partner.id,
            "company_id": company.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": cls.product.id,
                        "product_uom_qty": 1,
                        "price_unit": amount,
                        "tax_id": False,
                    }
                )
            ],
        }
        if pricelist:
            vals["pricelist_id"] = pricelist.id
        order = cls.env["sale.order"].with_company(company).create(vals)
        with freeze_time(f"{date} 10:00:00"):
            order.action_confirm()
        return order

    @classmethod
    def _invoice(cls, partner, date, due, amount):
        """A posted customer invoice of ``amount`` (no tax, no order) dated
        ``date``, due ``due``."""
        with freeze_time(f"{date} 10:00:00"):
            invoice = cls.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": date,
                    "invoice_date_due": due,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": cls.product.id,
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": False,
                            }
                        )
                    ],
                }
            )
            invoice.action_post()
        return invoice

    @classmethod
    def _refund(cls, partner, date, amount, order):
        """A posted credit note of ``amount`` on a line of ``order`` (only the
        credit notes of counted orders lower the value)."""
        move = cls.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": partner.id,
                "invoice_date": date,
                "date": date,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": False,
                            "sale_line_ids": [Command.link(order.order_line[0].id)],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def _profile(self, partner, company=None):
        return self.Profile.with_context(active_test=False).search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", (company or self.company).id),
            ]
        )

    def _recompute(self, company=None, date=TODAY):
        with freeze_time(f"{date} 12:00:00"):
            self.Profile._recompute_all(company=company or self.company)
        return fields.Date.to_date(date)
