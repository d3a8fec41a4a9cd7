from odoo import Command
from odoo.tests import TransactionCase


class SupplyLinkCase(TransactionCase):
    """Vendors, customers and products of the supply link tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.vendor_a = cls._partner("苏州精密五金供应商")
        cls.vendor_b = cls._partner("宁波包装材料厂")
        cls.vip = cls._partner("上海重要客户集团")
        cls.ordinary = cls._partner("杭州普通客户商行")
        # grades set by hand: with so few customers, the computed ranks would
        # make everyone a key account
        cls.vip_profile, cls.ordinary_profile = (
            cls.env["crm.customer.profile"]
            .sudo()
            .create(
                [
                    {
                        "partner_id": cls.vip.id,
                        "company_id": cls.company.id,
                        "grade_override": "vip",
                        "grade_override_reason": "Strategic account",
                    },
                    {
                        "partner_id": cls.ordinary.id,
                        "company_id": cls.company.id,
                        "grade_override": "ordinary",
                        "grade_override_reason": "Occasional buyer",
                    },
                ]
            )
        )

    @classmethod
    def _partner(cls, name):
        return cls.env["res.partner"].create({"name": name, "is_company": True})

    @classmethod
    def _product(cls, name, vendor=None, price=10.0, **values):
        sellers = []
        if vendor:
            sellers = [
                Command.create(
                    {
                        "partner_id": vendor.id,
                        "price": price,
                        "min_qty": values.pop("min_qty", 0),
                        "delay": values.pop("delay", 1),
                    }
                )
            ]
        return cls.env["product.product"].create(
            {
                "name": name,
                "is_storable": True,
                "seller_ids": sellers,
                **values,
            }
        )

    @classmethod
    def _order(cls, customer, lines, confirm=True, **values):
        order = cls.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "warehouse_id": cls.warehouse.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "price_unit": price,
                        }
                    )
                    for product, qty, price in lines
                ],
                **values,
            }
        )
        if confirm:
            order.action_confirm()
        return order
