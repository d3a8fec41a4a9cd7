from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import SupplyLinkCase


@tagged("post_install", "-at_install")
class TestSupplyDemand(SupplyLinkCase):
    """Confirmed orders and weighted quotations against Odoo's forecast, turned
    into draft RFQs through the buy route."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.supply_quotation_probability = 20
        cls.company.supply_demand_horizon_days = 30
        cls.valve = cls._product("阀门", cls.vendor_a, min_qty=12, delay=3)
        cls.pump = cls._product("水泵", cls.vendor_a, delay=5)
        cls.env["stock.quant"]._update_available_quantity(
            cls.valve, cls.stock_location, 5
        )
        cls.salesman = new_test_user(
            cls.env, login="sd_salesman", groups="sales_team.group_sale_salesman"
        )
        cls.buyer = new_test_user(
            cls.env,
            login="sd_buyer",
            groups="purchase.group_purchase_user,sales_team.group_sale_salesman",
        )
        cls.stock_user = new_test_user(
            cls.env, login="sd_stock", groups="stock.group_stock_user"
        )
        # an ordinary customer's confirmed order, of the salesman
        cls.confirmed = cls._order(
            cls.ordinary,
            [(cls.valve, 8, 30), (cls.pump, 10, 90)],
            user_id=cls.salesman.id,
        )
        # the same later than the horizon: outside the projection
        cls._order(
            cls.ordinary,
            [(cls.valve, 100, 30)],
            commitment_date=fields.Datetime.now() + timedelta(days=60),
        )
        # a VIP quotation of a 50% opportunity, one without opportunity (20%)
        opportunity = cls.env["crm.lead"].create(
            {
                "name": "重要客户阀门项目",
                "type": "opportunity",
                "partner_id": cls.vip.id,
                "probability": 50,
            }
        )
        cls.vip_quotation = cls._order(
            cls.vip,
            [(cls.valve, 10, 30)],
            confirm=False,
            opportunity_id=opportunity.id,
            user_id=cls.buyer.id,
        )
        cls.plain_quotation = cls._order(
            cls.ordinary, [(cls.valve, 10, 30)], confirm=False, user_id=cls.buyer.id
        )
        # a draft RFQ to vendor A already holds 4 pumps (without a buyer, as
        # procurement makes them: Odoo merges into the vendor's draft RFQ of the
        # vendor's buyer)
        cls.draft_rfq = cls.env["purchase.order"].create(
            {
                "partner_id": cls.vendor_a.id,
                "user_id": False,
                "order_line": [
                    Command.create(
                        {"product_id": cls.pump.id, "product_qty": 4, "price_unit": 10}
                    )
                ],
            }
        )

        cls.manual_pump = cls.draft_rfq.order_line

    def _demand(self, product, user=None):
        Demand = self.env["crm.supply.demand"]
        if user:
            Demand = Demand.with_user(user)
        Demand.action_open_customer_demand()
        return Demand.search(
            [("product_id", "=", product.id), ("warehouse_id", "=", self.warehouse.id)]
        )

    def test_projection(self):
        valve = self._demand(self.valve)
        self.assertEqual(len(valve), 1)
        self.assertAlmostEqual(valve.confirmed_qty, 8)
        self.assertAlmostEqual(valve.quotation_qty, 20)
        self.assertAlmostEqual(valve.weighted_quotation_qty, 10 * 0.5 + 10 * 0.2)
        self.assertAlmostEqual(valve.demand_qty, 15)
        self.assertAlmostEqual(valve.key_account_qty, 5)
        self.assertTrue(valve.has_key_account)
        self.assertAlmostEqual(valve.on_hand_qty, 5)
        # Odoo's forecast at the horizon: 5 on hand - 8 confirmed
        self.assertAlmostEqual(valve.outgoing_qty, 8)
        self.assertAlmostEqual(valve.forecast_qty, -3)
        # weighted quotations 7 beyond a forecast of -3
        self.assertAlmostEqual(valve.shortage_qty, 10)
        # rounded up to the vendor's minimum of 12
        self.assertAlmostEqual(valve.order_qty, 12)
        self.assertEqual(valve.vendor_id, self.vendor_a)
        self.assertFalse(valve.blocked_reason)
        self.assertEqual(
            valve.source_ids.order_id,
            self.confirmed | self.vip_quotation | self.plain_quotation,
        )
        self.assertEqual(valve.customer_ids, self.vip | self.ordinary)
        # the key account's quotation is listed first
        self.assertEqual(valve.source_ids[0].order_id, self.vip_quotation)
        # a refresh updates the lines in place: a screen open elsewhere keeps them
        refresh = self.env["crm.supply.demand"].action_refresh()
        self.assertEqual(refresh["tag"], "soft_reload")
        self.assertTrue(valve.exists())
        self.assertAlmostEqual(valve.demand_qty, 15)
        pump = self._demand(self.pump)
        self.assertAlmostEqual(pump.rfq_qty, 4)
        self.assertAlmostEqual(pump.forecast_qty, -6)
        self.assertAlmostEqual(pump.shortage_qty, 6)
        self.assertFalse(pump.has_key_account)

    def test_cron_projects_demand(self):
        """The hourly cron projects the demand without anyone opening the
        screen: a new quotation shows in the figures after its run."""
        Demand = self.env["crm.supply.demand"]
        cron = self.env.ref("crm_supply_link.ir_cron_crm_supply_demand_project")
        cron.method_direct_trigger()
        valve = Demand.search(
            [
                ("product_id", "=", self.valve.id),
                ("warehouse_id", "=", self.warehouse.id),
            ]
        )
        self.assertAlmostEqual(valve.demand_qty, 15)
        self._order(self.ordinary, [(self.valve, 5, 30)], confirm=False)
        self.assertAlmostEqual(valve.demand_qty, 15)
        cron.method_direct_trigger()
        self.assertTrue(valve.exists())
        self.assertAlmostEqual(valve.quotation_qty, 25)
        self.assertAlmostEqual(valve.demand_qty, 15 + 5 * 0.2)

    def test_create_rfqs_twice(self):
        demand = self._demand(self.valve) | self._demand(self.pump)
        action = demand.with_user(self.buyer).action_create_rfqs()
        purchase = self.env["purchase.order"].search(action["domain"])
        # merged into the vendor's existing draft RFQ
        self.assertEqual(purchase, self.draft_rfq)
        manual_pump = self.manual_pump
        self.assertEqual(len(purchase.order_line), 3)
        # a line made by hand is left as it is (Odoo merges procurements into
        # the lines procurement made): the 6 missing pumps come on a new line
        self.assertAlmostEqual(manual_pump.product_qty, 4)
        valve_line, pump_line = (purchase.order_line - manual_pump).sorted(
            lambda line: line.product_id != self.valve
        )
        self.assertEqual(valve_line.product_id, self.valve)
        self.assertAlmostEqual(valve_line.product_qty, 12)
        self.assertAlmostEqual(pump_line.product_qty, 6)
        self.assertEqual(
            valve_line.customer_order_ids,
            self.confirmed | self.vip_quotation | self.plain_quotation,
        )
        self.assertEqual(pump_line.customer_order_ids, self.confirmed)
        self.assertFalse(manual_pump.customer_order_ids)
        # vendor lead time: planned 3 days out
        self.assertEqual(
            valve_line.date_planned.date(),
            (fields.Datetime.now() + timedelta(days=3)).date(),
        )
        self.assertEqual(self.vip_quotation.supply_purchase_count, 1)
        # the draft RFQs now count as incoming: a second run orders nothing
        again = self._demand(self.valve) | self._demand(self.pump)
        self.assertFalse(any(again.mapped("shortage_qty")))
        result = again.with_user(self.buyer).action_create_rfqs()
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(
            self.env["purchase.order"].search([("partner_id", "=", self.vendor_a.id)]),
            self.draft_rfq,
        )
        self.assertEqual(len(purchase.order_line), 3)
        self.assertAlmostEqual(valve_line.product_qty, 12)
        self.assertAlmostEqual(pump_line.product_qty, 6)
        # more demand: the valve line of the draft RFQ grows
        # (forecast -3 + 12 = 9; weighted quotations 7 + 50 x 20% = 17)
        new_quotation = self._order(self.vip, [(self.valve, 50, 30)], confirm=False)
        valve = self._demand(self.valve)
        self.assertAlmostEqual(valve.shortage_qty, 8)
        valve.with_user(self.buyer).action_create_rfqs()
        self.assertEqual(len(purchase.order_line), 3)
        self.assertAlmostEqual(valve_line.product_qty, 12 + 12)
        self.assertIn(new_quotation, valve_line.customer_order_ids)
        self.assertEqual(len(valve_line.customer_order_ids), 4)

    def test_new_rfq_without_draft(self):
        self.draft_rfq.button_cancel()
        demand = self._demand(self.pump)
        self.assertAlmostEqual(demand.shortage_qty, 10)
        action = demand.with_user(self.buyer).action_create_rfqs()
        purchase = self.env["purchase.order"].search(action["domain"])
        self.assertEqual(purchase.state, "draft")
        self.assertEqual(purchase.partner_id, self.vendor_a)
        self.assertEqual(purchase.picking_type_id, self.warehouse.in_type_id)
        self.assertAlmostEqual(purchase.order_line.product_qty, 10)

    def test_blocked_products_order_nothing(self):
        other_currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("id", "!=", self.company.currency_id.id)], limit=1)
        )
        no_vendor = self._product("无供应商配件")
        foreign = self._product("进口轴承", self.vendor_b)
        foreign.seller_ids.currency_id = other_currency
        no_delay = self._product("即时密封圈", self.vendor_b, delay=0)
        self._order(
            self.ordinary, [(no_vendor, 1, 10), (foreign, 1, 10), (no_delay, 1, 10)]
        )
        reasons = {
            product: self._demand(product).blocked_reason
            for product in (no_vendor, foreign, no_delay)
        }
        self.assertEqual(
            reasons,
            {no_vendor: "no_vendor", foreign: "currency", no_delay: "lead_time"},
        )
        purchases_before = self.env["purchase.order"].search_count([])
        selection = self._demand(self.valve) | self._demand(no_vendor)
        with self.assertRaisesRegex(UserError, "无供应商配件.*No vendor"):
            selection.with_user(self.buyer).action_create_rfqs()
        self.assertEqual(self.env["purchase.order"].search_count([]), purchases_before)
        self.assertEqual(self.draft_rfq.order_line.product_id, self.pump)

    def test_access(self):
        demand = self._demand(self.valve)
        with self.assertRaises(AccessError):
            demand.with_user(self.stock_user).action_create_rfqs()
        with self.assertRaises(AccessError):
            demand.with_user(self.salesman).action_create_rfqs()
        # the salesman sees the demand of his customers' orders only
        seen = self._demand(self.valve, user=self.salesman)
        self.assertEqual(seen, demand)
        sources = (
            self.env["crm.supply.demand.source"]
            .with_user(self.salesman)
            .search([("demand_id", "=", seen.id)])
        )
        self.assertEqual(sources.order_id, self.confirmed)
        other = new_test_user(
            self.env, login="sd_salesman_other", groups="sales_team.group_sale_salesman"
        )
        self.assertFalse(self._demand(self.valve, user=other))
        self.assertTrue(self._demand(self.valve, user=self.stock_user))
        # another company sees nothing of this one
        company = self.env["res.company"].create({"name": "深圳分公司"})
        foreign_buyer = new_test_user(
            self.env,
            login="sd_buyer_other",
            groups="purchase.group_purchase_user",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        self.assertFalse(
            self.env["crm.supply.demand"].with_user(foreign_buyer).search([])
        )

    def test_settings_validated(self):
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            self.company.supply_demand_horizon_days = 0
            self.company.flush_recordset()
        self.company.supply_demand_horizon_days = 90
        # the order due in 60 days is now within the horizon
        self.assertAlmostEqual(self._demand(self.valve).confirmed_qty, 108)
        self.company.supply_quotation_probability = 0
        self.assertAlmostEqual(self._demand(self.valve).weighted_quotation_qty, 5)
