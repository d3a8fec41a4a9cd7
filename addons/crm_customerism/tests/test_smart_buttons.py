from lxml import etree

from odoo.tests import Form, tagged

from .common import CustomerismCase


@tagged("post_install", "-at_install", "customerism")
class TestSmartButtons(CustomerismCase):
    def _button_box(self, model, user):
        arch = (
            self.env[model]
            .with_user(user)
            .get_views([(False, "form")])["views"]["form"]
        )["arch"]
        return etree.fromstring(arch).xpath("//div[@name='button_box']")[0]

    def test_partner_customer_buttons_first(self):
        """The customer-centred smart buttons come first, before those of the
        other apps, so that they are not hidden under "More"."""
        box = self._button_box("res.partner", self.manager)
        names = [button.get("name") for button in box.xpath("./button")]
        self.assertGreater(len(names), 4, "other apps add their buttons too")
        self.assertEqual(
            names[:4],
            [
                "action_view_customerism_stage_history",
                "action_view_customerism_complaints",
                "action_view_customerism_complaints",  # satisfaction
                "action_view_customerism_interactions",
            ],
        )

    def test_complaint_profile_and_order_buttons(self):
        customer = self._partner("Button Co")
        order = self._order(customer, "2025-06-01", 1500)
        profile = self._profile(customer)
        complaint = self.env["crm.complaint"].create(
            {
                "subject": "Broken cups",
                "partner_id": customer.id,
                "sale_order_id": order.id,
            }
        )
        box = self._button_box("crm.complaint", self.manager)
        names = [button.get("name") for button in box.xpath("./button")]
        self.assertIn("action_open_customer_profile", names)
        self.assertIn("action_view_sale_order", names)
        form = Form(complaint.with_user(self.manager))
        self.assertEqual(form.customer_profile_id, profile)
        self.assertEqual(form.customer_grade, profile.grade)
        action = complaint.action_open_customer_profile()
        self.assertEqual(
            (action["res_model"], action["res_id"]),
            ("crm.customer.profile", profile.id),
        )
        action = complaint.action_view_sale_order()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("sale.order", order.id)
        )
        # no profile in another company, no order: no button to show
        other = self.env["crm.complaint"].create(
            {"subject": "Late", "partner_id": self._partner("No Profile Co").id}
        )
        self.assertFalse(other.customer_profile_id)
