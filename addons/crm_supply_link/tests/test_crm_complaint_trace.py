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
