from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import SupplyLinkCase


@tagged("post_install", "-at_install")
class TestSupplierCustomerReport(SupplyLinkCase):
    """Spend of each customer attributed to the suppliers behind the goods: the
    lots actually delivered first, the main vendor for the rest."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id += cls.env.ref("stock.group_production_lot")
        cls.vendor_lot = cls._partner("无锡批次原料厂")
        cls.bolt = cls._product("螺栓", cls.vendor_a)
        cls.box = cls._product("纸箱", cls.vendor_b)
        # listed under vendor A, but the lot in stock was bought from another vendor
        cls.resin = cls._product("树脂", cls.vendor_a, tracking="lot")
        purchase = cls.env["purchase.order"].create(
            {
                "partner_id": cls.vendor_lot.id,
                "order_line": [
                    Command.create(
                        {"product_id": cls.resin.id, "product_qty": 10, "price_unit": 5}
                    )
                ],
            }
        )
        purchase.button_confirm()
        cls.lot = cls.env["stock.lot"].create(
            {"name": "RESIN-001", "product_id": cls.resin.id}
        )
        receipt = purchase.picking_ids
        receipt.move_ids.move_line_ids.write({"lot_id": cls.lot.id, "quantity": 10})
        receipt.move_ids.picked = True
        receipt.button_validate()

    def _rows(self, **domain):
        self.env["crm.supplier.customer.report"]._refresh_changed()
        return {
            (row.customer_id, row.supplier_id): row
            for row in self.env["crm.supplier.customer.report"].search(
                [(field, "=", value.id) for field, value in domain.items()]
            )
        }

    def test_shares_lots_and_value_at_stake(self):
        order = self._order(
            self.vip, [(self.bolt, 2, 100), (self.box, 1, 200), (self.resin, 4, 50)]
        )
        # half of the resin delivered, from the lot bought from vendor_lot
        delivery = order.picking_ids
        resin_move = delivery.move_ids.filtered(lambda m: m.product_id == self.resin)
        self.assertEqual(resin_move.move_line_ids.lot_id, self.lot)
        resin_move.move_line_ids.quantity = 2
        resin_move.picked = True
        delivery.with_context(
            skip_backorder=True, cancel_backorder=False
        ).button_validate()
        self.assertEqual(resin_move.state, "done")
        # an open quotation for bolts
        self._order(self.vip, [(self.bolt, 3, 100)], confirm=False)
        # another customer buys only boxes
        self._order(self.ordinary, [(self.box, 1, 80)])

        rows = self._rows(customer_id=self.vip)
        self.assertEqual(
            set(rows),
            {(self.vip, v) for v in (self.vendor_a, self.vendor_b, self.vendor_lot)},
        )
        vendor_a = rows[self.vip, self.vendor_a]
        vendor_b = rows[self.vip, self.vendor_b]
        vendor_lot = rows[self.vip, self.vendor_lot]
        # spend: bolts 200, boxes 200, resin 200 (100 by lot, 100 still vendor A)
        self.assertAlmostEqual(vendor_a.amount, 300)
        self.assertAlmostEqual(vendor_b.amount, 200)
        self.assertAlmostEqual(vendor_lot.amount, 100)
        self.assertAlmostEqual(vendor_lot.lot_amount, 100)
        self.assertAlmostEqual(vendor_a.lot_amount, 0)
        self.assertAlmostEqual(vendor_a.share, 50)
        self.assertAlmostEqual(vendor_b.share, 100 * 200 / 600)
        self.assertAlmostEqual(vendor_lot.share, 100 * 100 / 600)
        # at stake with vendor A: undelivered bolts 200, resin 100, quotation 300
        self.assertAlmostEqual(vendor_a.open_amount, 600)
        self.assertEqual(vendor_a.open_order_count, 2)
        self.assertAlmostEqual(vendor_b.open_amount, 200)
        self.assertAlmostEqual(vendor_lot.open_amount, 0)
        self.assertTrue(vendor_a.is_key_account)
        self.assertEqual(vendor_a.grade, "vip")
        orders = vendor_a.action_open_orders()

        # the customers a problem with vendor B touches: the key account first
        touched = self.env["crm.supplier.customer.report"].search(
            [("supplier_id", "=", self.vendor_b.id)]
        )
        self.assertEqual(touched.customer_id, self.vip | self.ordinary)
        self.assertEqual(touched[0].customer_id, self.vip)
        self.assertFalse(touched[1].is_key_account)
        self.assertAlmostEqual(touched[1].share, 100)

        # smart buttons
        self.assertEqual(self.vip.supply_supplier_count, 3)
        self.assertEqual(self.vendor_b.supply_customer_count, 2)
        expected = [(row.customer_id, row.supplier_id) for row in touched]
        # the smart button refreshes the rows first: the same lines, new ids
        action = self.vendor_b.action_view_supply_customers()
        self.assertEqual(
            [
                (row.customer_id, row.supplier_id)
                for row in self.env[action["res_model"]].search(action["domain"])
            ],
            expected,
        )
        self.assertEqual(
            self.env["sale.order"].search(orders["domain"]).partner_id, self.vip
        )
        self.assertEqual(len(self.env["sale.order"].search(orders["domain"])), 2)

    def test_multi_company_and_access(self):
        self._order(self.vip, [(self.bolt, 1, 100)])
        self.env["crm.supplier.customer.report"]._refresh_changed()
        other_company = self.env["res.company"].create({"name": "北京分公司"})
        buyer = new_test_user(
            self.env,
            login="sl_buyer_other",
            groups="purchase.group_purchase_user",
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )
        report = self.env["crm.supplier.customer.report"]
        self.assertTrue(report.search([("customer_id", "=", self.vip.id)]))
        self.assertFalse(
            report.with_user(buyer).search([("customer_id", "=", self.vip.id)])
        )
        salesman = new_test_user(
            self.env, login="sl_salesman", groups="sales_team.group_sale_salesman"
        )
        self.assertTrue(
            report.with_user(salesman).search([("customer_id", "=", self.vip.id)])
        )
        portal = new_test_user(self.env, login="sl_portal", groups="base.group_portal")
        with self.assertRaises(AccessError):
            report.with_user(portal).search([])

    def _table(self):
        """The stored rows, as comparable tuples."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT company_id, customer_id, supplier_id, grade, is_key_account,"
            " round(amount::numeric, 2), round(lot_amount::numeric, 2),"
            " round(share::numeric, 4), round(open_amount::numeric, 2),"
            " open_order_count FROM crm_supplier_customer_report"
            " WHERE customer_id = ANY(%s)",
            [(self.vip | self.ordinary).ids],
        )
        return set(self.env.cr.fetchall())

    def test_refresh_follows_changes(self):
        """The stored linkage follows orders, grades and vendors: per changed
        customer on the cron's refresh (or when the report opens), at once on a
        deletion; the result is what a full refresh computes."""
        Report = self.env["crm.supplier.customer.report"]
        cron = self.env.ref(
            "crm_supply_link.ir_cron_crm_supplier_customer_report_refresh"
        )
        order = self._order(self.ordinary, [(self.bolt, 2, 100)])
        cron.method_direct_trigger()
        rows = Report.search([("customer_id", "=", self.ordinary.id)])
        self.assertEqual(rows.supplier_id, self.vendor_a)
        self.assertAlmostEqual(rows.amount, 200)
        # what changes is read after the next refresh, from the menu here
        self._order(self.ordinary, [(self.box, 1, 50)], confirm=False)
        self.ordinary_profile.grade_override = "vip"
        self.assertFalse(Report.search([("supplier_id", "=", self.vendor_b.id)]))
        action = Report.action_open_linkage()
        self.assertEqual(action["res_model"], "crm.supplier.customer.report")
        box = Report.search(
            [
                ("customer_id", "=", self.ordinary.id),
                ("supplier_id", "=", self.vendor_b.id),
            ]
        )
        self.assertAlmostEqual(box.open_amount, 50)
        self.assertEqual(box.open_order_count, 1)
        self.assertTrue(box.is_key_account)
        incremental = self._table()
        Report._refresh()
        self.assertEqual(self._table(), incremental)
        # a deleted quotation leaves the linkage at once
        box_quotation = self.env["sale.order"].search(
            [("partner_id", "=", self.ordinary.id), ("state", "=", "draft")]
        )
        box_quotation.unlink()
        self.assertFalse(
            Report.search(
                [
                    ("customer_id", "=", self.ordinary.id),
                    ("supplier_id", "=", self.vendor_b.id),
                ]
            )
        )
        # a deleted vendor price: the bolts' next vendor takes over
        self.bolt.product_tmpl_id.seller_ids = [
            Command.create({"partner_id": self.vendor_b.id, "price": 3, "sequence": 99})
        ]
        self.bolt.product_tmpl_id.seller_ids.filtered(
            lambda s: s.partner_id == self.vendor_a
        ).unlink()
        rows = Report.search([("customer_id", "=", self.ordinary.id)])
        self.assertEqual(rows.supplier_id, self.vendor_b)
        self.assertAlmostEqual(rows.amount, 200)
        self.assertEqual(order.partner_id, self.ordinary)
        # the smart buttons open the refreshed linkage too
        self.assertEqual(self.vendor_b.supply_customer_count, 1)
