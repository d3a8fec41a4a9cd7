from odoo import Command
from odoo.tests import Form, TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestCrmComplaintTrace(TransactionCase):
    """A supplier-caused complaint names the vendor the complained lot was
    bought from, not merely the product's first listed vendor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env.user.groups_id += cls.env.ref("stock.group_production_lot")
        cls.listed_vendor = cls.env["res.partner"].create({"name": "苏州首选供应商"})
        cls.lot_vendor = cls.env["res.partner"].create(
            {"name": "无锡实际供应商", "is_company": True}
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "杭州茶叶有限公司", "is_company": True}
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "保温杯",
                "is_storable": True,
                "tracking": "lot",
                "seller_ids": [Command.create({"partner_id": cls.listed_vendor.id})],
            }
        )
        purchase = cls.env["purchase.order"].create(
            {
                "partner_id": cls.lot_vendor.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "product_qty": 5,
                            "price_unit": 20,
                        }
                    )
                ],
            }
        )
        purchase.button_confirm()
        receipt = purchase.picking_ids
        cls.lot = cls.env["stock.lot"].create(
            {"name": "LOT-2026-001", "product_id": cls.product.id}
        )
        receipt.move_ids.move_line_ids.write({"lot_id": cls.lot.id, "quantity": 5})
        receipt.move_ids.picked = True
        receipt.button_validate()
        cls.receipt = receipt

    def _complaint(self, **values):
        return self.env["crm.complaint"].create(
            {
                "subject": "杯子漏水",
                "partner_id": self.customer.id,
                "product_id": self.product.id,
                **values,
            }
        )

    def test_supplier_traced_from_lot_receipt(self):
        complaint = self._complaint(lot_id=self.lot.id, root_cause_type="supplier")
        self.assertEqual(complaint.supplier_id, self.lot_vendor)

    def test_without_lot_falls_back_to_listed_vendor(self):
        complaint = self._complaint(root_cause_type="supplier")
        self.assertEqual(complaint.supplier_id, self.listed_vendor)

    def test_supplier_traced_from_mto_purchase(self):
        """Make to order + buy: confirming the sales order buys the goods from
        the vendor; a supplier complaint about that order names this vendor,
        even once another vendor is listed first on the product."""
        # Odoo 18 ships the MTO route archived
        mto_route = self.env.ref("stock.route_warehouse0_mto")
        self.assertFalse(mto_route.active)
        mto_route.active = True
        buy_route = self.env.ref("purchase_stock.route_warehouse0_buy")
        mto_vendor = self.env["res.partner"].create(
            {"name": "宁波定制茶具厂", "is_company": True}
        )
        product = self.env["product.product"].create(
            {
                "name": "定制茶具",
                "is_storable": True,
                "route_ids": [Command.set((mto_route | buy_route).ids)],
                "seller_ids": [Command.create({"partner_id": mto_vendor.id})],
            }
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 3})
                ],
            }
        )
        order.action_confirm()
        delivery = order.picking_ids
        self.assertEqual(delivery.picking_type_code, "outgoing")
        self.assertEqual(delivery.move_ids.procure_method, "make_to_order")
        purchase = self.env["purchase.order"].search(
            [("order_line.product_id", "=", product.id)]
        )
        self.assertEqual(purchase.partner_id, mto_vendor)
        self.assertEqual(purchase.order_line.product_qty, 3)
        purchase.button_confirm()
        self.assertEqual(
            delivery.move_ids.move_orig_ids.purchase_line_id, purchase.order_line
        )
        # since then, purchasing lists another vendor first
        product.seller_ids = [
            Command.create({"partner_id": self.listed_vendor.id, "sequence": 0})
        ]
        # read back in their order
        product.product_tmpl_id.invalidate_recordset(["seller_ids"])
        self.assertEqual(product.seller_ids[:1].partner_id, self.listed_vendor)

        def complaint(**values):
            return self.env["crm.complaint"].create(
                {
                    "subject": "茶具开裂",
                    "partner_id": self.customer.id,
                    "product_id": product.id,
                    "sale_order_id": order.id,
                    "root_cause_type": "supplier",
                    **values,
                }
            )

        # on the delivery, or on the order alone
        self.assertEqual(complaint(picking_id=delivery.id).supplier_id, mto_vendor)
        self.assertEqual(complaint().supplier_id, mto_vendor)
        # the goods received, the trace still holds
        receipt = purchase.picking_ids
        receipt.move_ids.quantity = 3
        receipt.move_ids.picked = True
        receipt.button_validate()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(complaint(picking_id=delivery.id).supplier_id, mto_vendor)
        # without the order or the delivery, only the first listed vendor is known
        self.assertEqual(complaint(sale_order_id=False).supplier_id, self.listed_vendor)

    def test_lot_fills_product(self):
        form = Form(self.env["crm.complaint"])
        form.subject = "批次问题"
        form.partner_id = self.customer
        form.lot_id = self.lot
        self.assertEqual(form.product_id, self.product)

    def test_merge_keeps_delivery_and_lot(self):
        other_lot = self.env["stock.lot"].create(
            {"name": "LOT-2026-002", "product_id": self.product.id}
        )
        survivor = self._complaint()
        duplicate = self._complaint(lot_id=self.lot.id, picking_id=self.receipt.id)
        other = self._complaint(lot_id=other_lot.id)
        survivor._merge_from(duplicate | other)
        self.assertEqual(survivor.lot_id, self.lot)
        self.assertEqual(survivor.picking_id, self.receipt)
        # the second lot is not lost: the merge note links it
        note = survivor.message_ids.filtered(lambda m: "Merged duplicates" in m.body)
        self.assertRegex(
            note.body,
            rf"data-oe-model=[\"']stock.lot[\"'] data-oe-id=[\"']{other_lot.id}[\"']",
        )
        self.assertIn("LOT-2026-002", note.body)

    def test_one_pair_of_delivery_and_lot_fields(self):
        """With the supply link, the delivery and the lot themselves replace
        the text references of crm_customerism: one pair on the form."""
        form = Form(self.env["crm.complaint"])
        for fname in ("picking_id", "lot_id"):
            self.assertFalse(form._get_modifier(fname, "invisible"), fname)
        for fname in ("delivery_reference", "lot_reference"):
            self.assertTrue(form._get_modifier(fname, "invisible"), fname)
        # a text reference given by mail or XML-RPC stays readable until linked
        complaint = self._complaint(delivery_reference="WB-8812")
        form = Form(complaint)
        self.assertFalse(form._get_modifier("delivery_reference", "invisible"))
        self.assertTrue(form._get_modifier("delivery_reference", "readonly"))
        self.assertTrue(form._get_modifier("lot_reference", "invisible"))
        form.picking_id = self.receipt
        self.assertTrue(form._get_modifier("delivery_reference", "invisible"))
