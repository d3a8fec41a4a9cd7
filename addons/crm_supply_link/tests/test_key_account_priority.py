from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import SupplyLinkCase


@tagged("post_install", "-at_install")
class TestKeyAccountPriority(SupplyLinkCase):
    """Key accounts' deliveries carry Odoo's priority, follow grade changes and
    take back stock reserved by ordinary customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "supply_priority_vip": True,
                "supply_priority_major": True,
                "supply_priority_expert": False,
            }
        )
        cls.gear = cls._product("齿轮", cls.vendor_a)
        cls.stock_user = new_test_user(
            cls.env, login="kp_stock", groups="stock.group_stock_user"
        )

    def _reserved(self, order):
        return sum(order.picking_ids.move_ids.mapped("quantity"))

    def test_priority_on_creation_and_grade_change(self):
        vip_order = self._order(self.vip, [(self.gear, 1, 10)])
        ordinary_order = self._order(self.ordinary, [(self.gear, 1, 10)])
        self.assertEqual(vip_order.picking_ids.priority, "1")
        self.assertTrue(vip_order.picking_ids.supply_key_account_priority)
        self.assertEqual(vip_order.picking_ids.move_ids.priority, "1")
        self.assertEqual(ordinary_order.picking_ids.priority, "0")
        # the ordinary customer becomes a major account, then stops being one
        profile = self.ordinary_profile
        profile.grade_override = "major"
        self.assertEqual(ordinary_order.picking_ids.priority, "1")
        profile.grade_override = "small"
        self.assertEqual(ordinary_order.picking_ids.priority, "0")
        self.assertFalse(ordinary_order.picking_ids.supply_key_account_priority)
        # a priority set by hand is left alone
        ordinary_order.picking_ids.priority = "1"
        profile.grade_override = "ordinary"
        self.assertEqual(ordinary_order.picking_ids.priority, "1")
        # the company stops prioritising VIP customers
        self.company.supply_priority_vip = False
        self.assertEqual(vip_order.picking_ids.priority, "0")
        # the expert tier alone is enough when configured
        self.company.supply_priority_expert = True
        self.assertEqual(self.vip_profile.service_tier, "expert")
        self.assertEqual(vip_order.picking_ids.priority, "1")
        # done deliveries are history: never touched
        done_order = self._order(self.ordinary, [(self.gear, 1, 10)])
        self.env["stock.quant"]._update_available_quantity(
            self.gear, self.stock_location, 5
        )
        done_order.picking_ids.action_assign()
        done_order.picking_ids.move_ids.picked = True
        done_order.picking_ids.button_validate()
        self.assertEqual(done_order.picking_ids.state, "done")
        profile.grade_override = "vip"
        self.assertEqual(done_order.picking_ids.priority, "0")

    def test_arrival_serves_key_accounts_first(self):
        ordinary_order = self._order(self.ordinary, [(self.gear, 10, 10)])
        vip_order = self._order(self.vip, [(self.gear, 6, 10)])
        purchase = self.env["purchase.order"].create(
            {
                "partner_id": self.vendor_a.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.gear.id, "product_qty": 6, "price_unit": 5}
                    )
                ],
            }
        )
        purchase.button_confirm()
        receipt = purchase.picking_ids
        receipt.move_ids.quantity = 6
        receipt.move_ids.picked = True
        receipt.button_validate()
        self.assertEqual(self._reserved(vip_order), 6)
        self.assertEqual(self._reserved(ordinary_order), 0)

    def test_reallocate_under_shortage(self):
        self.env["stock.quant"]._update_available_quantity(
            self.gear, self.stock_location, 10
        )
        ordinary_order = self._order(self.ordinary, [(self.gear, 10, 10)])
        self.assertEqual(self._reserved(ordinary_order), 10)
        vip_order = self._order(self.vip, [(self.gear, 6, 10)])
        self.assertEqual(self._reserved(vip_order), 0)
        with self.assertRaises(AccessError):
            self.gear.product_tmpl_id.with_user(
                new_test_user(
                    self.env, login="kp_sales", groups="sales_team.group_sale_salesman"
                )
            ).action_supply_reallocate()
        result = self.gear.product_tmpl_id.with_user(
            self.stock_user
        ).action_supply_reallocate()
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual(self._reserved(vip_order), 6)
        self.assertEqual(self._reserved(ordinary_order), 4)
        # conserved: 10 on hand, 10 reserved
        self.assertEqual(
            self.gear.with_context(warehouse_id=self.warehouse.id).free_qty, 0
        )
        vip_note = vip_order.picking_ids.message_ids[0].body
        self.assertIn("0.0 reserved before, 6.0 after", vip_note)
        self.assertIn(ordinary_order.picking_ids.name, vip_note)
        ordinary_note = ordinary_order.picking_ids.message_ids[0].body
        self.assertIn("10.0 reserved before, 4.0 after", ordinary_note)
        self.assertIn(vip_order.picking_ids.name, ordinary_note)
        # nothing left to take: a second run changes nothing
        again = self.gear.product_tmpl_id.with_user(
            self.stock_user
        ).action_supply_reallocate()
        self.assertEqual(again["params"]["type"], "info")
        self.assertEqual(self._reserved(vip_order), 6)
        self.assertEqual(self._reserved(ordinary_order), 4)

    def test_reallocate_from_demand_screen(self):
        self.env["stock.quant"]._update_available_quantity(
            self.gear, self.stock_location, 3
        )
        ordinary_order = self._order(self.ordinary, [(self.gear, 3, 10)])
        vip_order = self._order(self.vip, [(self.gear, 5, 10)])
        Demand = self.env["crm.supply.demand"].with_user(self.stock_user)
        Demand.action_open_customer_demand()
        demand = Demand.search([("product_id", "=", self.gear.id)])
        self.assertTrue(demand.has_key_account)
        demand.action_reallocate()
        # the VIP takes all 3; its delivery still waits for 2
        self.assertEqual(self._reserved(vip_order), 3)
        self.assertEqual(self._reserved(ordinary_order), 0)
