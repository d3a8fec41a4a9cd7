from odoo import Command
from odoo.tests import TransactionCase, new_test_user


class RemedyData:
    """A supplier's lot bought, received, sold and delivered to a customer
    with another product, invoiced and posted; a complaint about the lot."""

    @classmethod
    def _setup_remedy_data(cls):
        cls.company = cls.env.company
        cls.env.user.groups_id += cls.env.ref("stock.group_production_lot")
        cls.vendor = cls.env["res.partner"].create(
            {"name": "无锡保温杯供应商", "is_company": True}
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "杭州茶叶有限公司", "is_company": True}
        )
        cls.cup = cls.env["product.product"].create(
            {
                "name": "保温杯",
                "is_storable": True,
                "tracking": "lot",
                "standard_price": 40.0,
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
                "supplier_taxes_id": [Command.clear()],
            }
        )
        cls.lid = cls.env["product.product"].create(
            {
                "name": "杯盖",
                "is_storable": True,
                "standard_price": 5.0,
                "list_price": 50.0,
                "taxes_id": [Command.clear()],
                "supplier_taxes_id": [Command.clear()],
            }
        )
        cls.purchase = cls.env["purchase.order"].create(
            {
                "partner_id": cls.vendor.id,
                "order_line": [
                    Command.create(
                        {"product_id": cls.cup.id, "product_qty": 10, "price_unit": 40}
                    ),
                    Command.create(
                        {"product_id": cls.lid.id, "product_qty": 10, "price_unit": 5}
                    ),
                ],
            }
        )
        cls.purchase.button_confirm()
        cls.receipt = cls.purchase.picking_ids
        cls.lot = cls.env["stock.lot"].create(
            {"name": "LOT-CUP-001", "product_id": cls.cup.id}
        )
        for move in cls.receipt.move_ids:
            if move.product_id == cls.cup:
                move.move_line_ids.write({"lot_id": cls.lot.id, "quantity": 10})
            else:
                move.quantity = 10
        cls.receipt.move_ids.picked = True
        cls.receipt.button_validate()

        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.cup.id,
                            "product_uom_qty": 5,
                            "price_unit": 100,
                        }
                    ),
                    Command.create(
                        {
                            "product_id": cls.lid.id,
                            "product_uom_qty": 2,
                            "price_unit": 50,
                        }
                    ),
                ],
            }
        )
        cls.order.action_confirm()
        cls.delivery = cls.order.picking_ids
        cls.delivery.move_ids.picked = True
        cls.delivery.button_validate()
        cls.invoice = cls.order._create_invoices()
        cls.invoice.action_post()

        cls.complaint_user = new_test_user(
            cls.env,
            login="remedy_requester",
            groups="crm_customerism.group_crm_customerism_user",
        )
        cls.stock_user = new_test_user(
            cls.env, login="remedy_stock", groups="stock.group_stock_user"
        )
        cls.billing_user = new_test_user(
            cls.env,
            login="remedy_billing",
            groups="account.group_account_invoice,crm_customerism.group_crm_customerism_user",
        )
        cls.complaint = cls.env["crm.complaint"].create(
            {
                "subject": "保温杯漏水",
                "partner_id": cls.customer.id,
                "user_id": cls.complaint_user.id,
                "product_id": cls.cup.id,
                "lot_id": cls.lot.id,
                "picking_id": cls.delivery.id,
                "sale_order_id": cls.order.id,
                "invoice_id": cls.invoice.id,
            }
        )


class RemedyCase(RemedyData, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls._setup_remedy_data()

    def _wizard(self, remedy_type, complaint=None, user=None, **values):
        complaint = complaint or self.complaint
        env = self.env(user=user) if user else self.env
        return env["crm.complaint.remedy.wizard"].create(
            {"complaint_id": complaint.id, "remedy_type": remedy_type, **values}
        )

    @staticmethod
    def _set_quantities(wizard, quantities):
        """``quantities``: product -> quantity asked; other lines 0."""
        for line in wizard.line_ids:
            line.quantity = quantities.get(line.product_id, 0.0)

    def _remedies(self, remedy_type, complaint=None):
        complaint = complaint or self.complaint
        return complaint.remedy_ids.filtered(lambda r: r.remedy_type == remedy_type)

    def _validate(self, picking):
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            if move.has_tracking != "none":
                move.move_line_ids.filtered(lambda ml: not ml.lot_id).lot_id = self.lot
        picking.move_ids.picked = True
        picking.button_validate()
