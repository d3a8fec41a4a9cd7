from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCrmSupplyLinkMenus(TransactionCase):
    def _visible(self, user, xmlid):
        return (
            self.env.ref(xmlid).id
            in self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        )

    def test_documents_follow_back_office_rights(self):
        """Supply Link users see suppliers; purchase orders and transfers
        only with the purchase and inventory rights."""
        user = new_test_user(
            self.env,
            login="sl_user",
            groups="crm_supply_link.group_crm_supply_link_user",
        )
        self.assertTrue(
            self._visible(user, "crm_supply_link.crm_supply_link_menu_suppliers")
        )
        self.assertFalse(
            self._visible(user, "crm_supply_link.crm_supply_link_menu_purchase_orders")
        )
        self.assertFalse(
            self._visible(user, "crm_supply_link.crm_supply_link_menu_deliveries")
        )
        buyer = new_test_user(
            self.env,
            login="sl_buyer",
            groups="crm_supply_link.group_crm_supply_link_user,"
            "purchase.group_purchase_user,stock.group_stock_user",
        )
        self.assertTrue(
            self._visible(buyer, "crm_supply_link.crm_supply_link_menu_purchase_orders")
        )
        self.assertTrue(
            self._visible(buyer, "crm_supply_link.crm_supply_link_menu_deliveries")
        )
        self.assertIn(
            self.env.ref("crm_customerism.group_crm_customerism_user"),
            self.env.ref(
                "crm_supply_link.group_crm_supply_link_user"
            ).trans_implied_ids,
        )
