from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import SupplyLinkCase

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


@tagged("post_install", "-at_install")
class TestSupplierQuality(SupplyLinkCase):
    """Complaint rates per supplier and product (供应商质量) against figures
    computed by hand, the ranking, the previous period, the alert of the
    purchasing manager (once per supplier and period) and access.

    October (current period):
      D1 vip 10-05: P1 x100 (A), P3 x50 (B)
      D2 ordinary 10-10: P1 x150 (A), P2 x250 (A)
      D3 vip 10-12: P4 x40 of lot L1, received from B (main vendor A)
    September (previous): D4 P1 x200 (A); D5 P3 x100 (B)
    August (outside): D6 P1 x1000 (A)
    Supplier complaints, October: A on P1 twice, on P2, without product; B on
    P4. September: A on P1. Not counted: a cancelled one, a product one.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id += cls.env.ref("stock.group_production_lot")
        cls.p1 = cls._product("质量测试轴承", cls.vendor_a)
        cls.p2 = cls._product("质量测试齿轮", cls.vendor_a)
        cls.p3 = cls._product("质量测试纸箱", cls.vendor_b)
        cls.p4 = cls._product("质量测试树脂", cls.vendor_a, tracking="lot")
        Quant = cls.env["stock.quant"]
        for product in (cls.p1, cls.p2, cls.p3):
            Quant._update_available_quantity(product, cls.stock_location, 5000)
        cls.lot = cls._receive_lot(cls.vendor_b, cls.p4, 100, "L1-2026")
        cls._deliver(cls.vip, [(cls.p1, 100), (cls.p3, 50)], "2026-10-05")
        cls._deliver(cls.ordinary, [(cls.p1, 150), (cls.p2, 250)], "2026-10-10")
        cls._deliver(cls.vip, [(cls.p4, 40)], "2026-10-12")
        cls._deliver(cls.vip, [(cls.p1, 200)], "2026-09-15")
        cls._deliver(cls.ordinary, [(cls.p3, 100)], "2026-09-20")
        cls._deliver(cls.vip, [(cls.p1, 1000)], "2026-08-20")
        for vendor, product, day in (
            (cls.vendor_a, cls.p1, "2026-10-06"),
            (cls.vendor_a, cls.p1, "2026-10-11"),
            (cls.vendor_a, cls.p2, "2026-10-15"),
            (cls.vendor_a, None, "2026-10-16"),
            (cls.vendor_b, cls.p4, "2026-10-13"),
            (cls.vendor_a, cls.p1, "2026-09-18"),
        ):
            cls._complaint(vendor, product, day)
        cls._complaint(cls.vendor_a, cls.p1, "2026-10-20").stage = "cancelled"
        cls._complaint(None, cls.p1, "2026-10-21", root_cause_type="product")
        cls.purchase_manager = new_test_user(
            cls.env,
            login="sq_purchase_manager",
            groups="purchase.group_purchase_manager",
            company_ids=[Command.link(cls.company.id)],
        )
        cls.purchase_user = new_test_user(
            cls.env,
            login="sq_purchase_user",
            groups="purchase.group_purchase_user",
            company_ids=[Command.link(cls.company.id)],
        )
        cls.company.write(
            {
                "supply_quality_rate_threshold": 6.0,
                "supply_quality_min_complaints": 2,
                "supply_quality_user_id": cls.purchase_manager.id,
            }
        )

    @classmethod
    def _receive_lot(cls, vendor, product, qty, lot_name):
        receipt = cls.env["stock.picking"].create(
            {
                "partner_id": vendor.id,
                "picking_type_id": cls.warehouse.in_type_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "location_id": cls.env.ref(
                                "stock.stock_location_suppliers"
                            ).id,
                            "location_dest_id": cls.stock_location.id,
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        lot = cls.env["stock.lot"].create({"name": lot_name, "product_id": product.id})
        receipt.move_ids.move_line_ids.write({"lot_id": lot.id, "quantity": qty})
        receipt.move_ids.picked = True
        receipt.button_validate()
        return lot

    @classmethod
    def _deliver(cls, customer, lines, day):
        picking = cls.env["stock.picking"].create(
            {
                "partner_id": customer.id,
                "picking_type_id": cls.warehouse.out_type_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "location_id": cls.stock_location.id,
                            "location_dest_id": cls.env.ref(
                                "stock.stock_location_customers"
                            ).id,
                        }
                    )
                    for product, qty in lines
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        picking.move_ids.picked = True
        picking.button_validate()
        picking.move_line_ids.date = datetime.fromisoformat(f"{day} 09:00:00")
        return picking

    @classmethod
    def _complaint(cls, vendor, product, day, **values):
        complaint = (
            cls.env["crm.complaint"]
            .sudo()
            .create(
                {
                    "subject": "质量问题",
                    "partner_id": cls.vip.id,
                    "product_id": product.id if product else False,
                    "root_cause_type": "supplier",
                    "supplier_id": vendor.id if vendor else False,
                    **values,
                }
            )
        )
        complaint.sla_start = datetime.fromisoformat(f"{day} 08:00:00")
        return complaint

    def _period(self, dates=OCTOBER, company=None):
        Period = self.env["crm.supplier.quality.period"]
        period = Period._get_period(company or self.company, *dates)
        period._refresh()
        return period

    def _line(self, period, supplier, product=None):
        return period.line_ids.filtered(
            lambda line: (
                line.supplier_id == supplier
                and line.product_id == (product or self.env["product.product"])
            )
        )

    def test_supplier_rates_against_hand_computed_figures(self):
        period = self._period()
        self.assertEqual(
            (period.prev_date_from, period.prev_date_to),
            (date(2026, 9, 1), date(2026, 9, 30)),
        )
        a = self._line(period, self.vendor_a)
        b = self._line(period, self.vendor_b)
        # A: 4 complaints, 100 + 150 + 250 units in D1 and D2 (P4's lot is B's)
        self.assertEqual((a.complaint_count, a.units, a.delivery_count), (4, 500.0, 2))
        self.assertAlmostEqual(a.rate, 8.0)  # 4 x 1000 / 500
        self.assertAlmostEqual(a.rate_per_delivery, 2.0)
        self.assertEqual(
            (a.prev_complaint_count, a.prev_units, a.prev_delivery_count),
            (1, 200.0, 1),
        )
        self.assertAlmostEqual(a.prev_rate, 5.0)
        # B: 1 complaint, 50 + 40 units in D1 and D3
        self.assertEqual((b.complaint_count, b.units, b.delivery_count), (1, 90.0, 2))
        self.assertAlmostEqual(b.rate, 1000 / 90, places=3)
        self.assertAlmostEqual(b.rate_per_delivery, 0.5)
        self.assertEqual((b.prev_complaint_count, b.prev_units), (0, 100.0))
        self.assertEqual((b.rank, a.rank), (1, 2))
        self.assertEqual((a.above_threshold, b.above_threshold), (True, False))
        # products: P4 25/1000 units, P1 8, P2 4, P3 0
        products = {
            line.product_id: line
            for line in period.line_ids.filtered(lambda x: x.level == "product")
        }
        self.assertEqual(set(products), {self.p1, self.p2, self.p3, self.p4})
        self.assertEqual(products[self.p4].supplier_id, self.vendor_b)
        self.assertEqual(
            [
                (p.rate, p.rank)
                for p in (self.p4, self.p1, self.p2, self.p3)
                for p in [products[p]]
            ],
            [(25.0, 1), (8.0, 2), (4.0, 3), (0.0, 4)],
        )
        self.assertEqual(
            (products[self.p1].units, products[self.p1].prev_units), (250.0, 200.0)
        )
        self.assertAlmostEqual(products[self.p1].prev_rate, 5.0)
        # a period of days: the same number of days before
        days = self._period((date(2026, 10, 5), date(2026, 10, 12)))
        self.assertEqual(
            (days.prev_date_from, days.prev_date_to),
            (date(2026, 9, 27), date(2026, 10, 4)),
        )
        self.assertEqual(self._line(days, self.vendor_a).units, 500.0)

    def test_supplier_form_figures(self):
        with freeze_time("2026-10-25 12:00:00"):
            vendor = self.vendor_a.with_user(self.purchase_user)
            vendor.invalidate_recordset()
            self.assertEqual(vendor.supply_quality_complaint_count, 4)
            self.assertAlmostEqual(vendor.supply_quality_rate, 8.0)
            self.assertAlmostEqual(vendor.supply_quality_prev_rate, 5.0)
            self.assertEqual(vendor.supply_quality_delivery_count, 2)
            self.assertEqual(vendor.supply_quality_rank, 2)
            action = vendor.action_view_supply_quality()
            lines = self.env["crm.supplier.quality"].search(action["domain"])
            self.assertEqual(set(lines.supplier_id.ids), {self.vendor_a.id})
            self.assertEqual({line.date_from for line in lines}, {OCTOBER[0]})

    def test_alert_once_per_supplier_and_period(self):
        Period = self.env["crm.supplier.quality.period"]

        def activities():
            return self.env["mail.activity"].search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", (self.vendor_a | self.vendor_b).ids),
                    ("user_id", "=", self.purchase_manager.id),
                ]
            )

        with freeze_time("2026-10-25 12:00:00"):
            Period._cron_supplier_quality()
            found = activities()
            self.assertEqual(found.res_id, self.vendor_a.id, "B has 1 complaint < 2")
            self.assertEqual(len(found), 1)
            self.assertIn("8.0", found.summary)
            # the next night: no second activity
            Period._cron_supplier_quality()
            self.assertEqual(activities(), found)
            # done: still none for the same month
            found.action_feedback(feedback="供应商已整改")
            Period._cron_supplier_quality()
            self.assertFalse(activities())
        # B reaches the minimum: alerted, A still not again
        self._complaint(self.vendor_b, self.p3, "2026-10-26")
        with freeze_time("2026-10-27 12:00:00"):
            Period._cron_supplier_quality()
            self.assertEqual(activities().res_id, self.vendor_b.id)
        # the threshold itself
        self.assertEqual(
            Period.search([("company_id", "=", self.company.id)]).alerted_supplier_ids,
            self.vendor_a | self.vendor_b,
        )

    def test_threshold_settings_are_checked(self):
        with self.assertRaises(ValidationError):
            self.company.supply_quality_min_complaints = 0
        with self.assertRaises(ValidationError):
            self.company.supply_quality_rate_threshold = -1
        with self.assertRaises(ValidationError):
            self.env["crm.supplier.quality.period"].create(
                {"date_from": "2026-10-31", "date_to": "2026-10-01"}
            )

    def test_access_per_group_and_company(self):
        period = self._period()
        company2 = self.env["res.company"].create({"name": "供应商质量二公司"})
        other = self._period(company=company2)
        self.purchase_user.company_ids += company2
        Line = (
            self.env["crm.supplier.quality"]
            .with_user(self.purchase_user)
            .with_context(allowed_company_ids=[self.company.id])
        )
        self.assertEqual(
            Line.search([]).period_id,
            period,
            "the lines of the user's current company only",
        )
        Period = (
            self.env["crm.supplier.quality.period"]
            .with_user(self.purchase_user)
            .with_context(allowed_company_ids=[self.company.id])
        )
        self.assertNotIn(other, Period.search([]))
        self.assertIn(
            other,
            Period.with_context(allowed_company_ids=[company2.id]).search([]),
        )
        with self.assertRaises(AccessError):
            Line.browse(period.line_ids[:1].id).unlink()
        clerk = new_test_user(self.env, login="sq_clerk", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["crm.supplier.quality"].with_user(clerk).search([])
        with self.assertRaises(AccessError):
            self.env["crm.supplier.quality.period"].with_user(clerk).search([])
