from odoo.tests import HttpCase, new_test_user, tagged

ADDONS = ["crm_customerism", "crm_knowledge", "crm_supply_link", "crm_analytics"]
# app root menu -> the user group that opens it
APP_MENUS = {f"{a}.{a}_menu_root": f"{a}.group_{a}_user" for a in ADDONS}


@tagged("post_install", "-at_install")
class TestCustomerismApps(HttpCase):
    def _visible_apps(self, user):
        menus = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        return {xmlid for xmlid in APP_MENUS if self.env.ref(xmlid).id in menus}

    def test_groups_open_their_app(self):
        """Each app's user group opens that app, and only the apps it implies."""
        for xmlid, group in APP_MENUS.items():
            user = new_test_user(
                self.env, login=f"app_{xmlid.split('.')[0]}", groups=group
            )
            self.assertIn(xmlid, self._visible_apps(user), group)
        # every internal user reads the knowledge base (its Reader group),
        # and opens no other Customerism app
        plain = new_test_user(self.env, login="app_plain", groups="base.group_user")
        self.assertEqual(
            self._visible_apps(plain), {"crm_knowledge.crm_knowledge_menu_root"}
        )

    def test_manager_groups_imply_user_groups(self):
        for group in APP_MENUS.values():
            manager = self.env.ref(group.replace("_user", "_manager"))
            self.assertIn(self.env.ref(group), manager.trans_implied_ids)
            self.assertIn(self.env.ref("base.user_admin"), manager.users)

    def test_apps_tour(self):
        self.start_tour("/odoo", "crm_analytics_apps_tour", login="admin")
