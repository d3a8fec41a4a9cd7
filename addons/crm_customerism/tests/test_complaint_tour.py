from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "customerism")
class TestComplaintTour(HttpCase):
    def test_complaint_tour(self):
        new_test_user(
            self.env,
            login="cx_complaint_tour",
            groups="crm_customerism.group_crm_customerism_manager",
        )
        self.env["res.partner"].create(
            {
                "name": "Tour Tea Customer",
                "is_company": True,
                "email": "tour@tea.example",
            }
        )
        self.start_tour(
            "/odoo/action-crm_customerism.crm_complaint_action",
            "crm_complaint_tour",
            login="cx_complaint_tour",
        )
        complaint = self.env["crm.complaint"].search(
            [("subject", "=", "Tour: broken teapot")]
        )
        self.assertEqual(complaint.stage, "acknowledged")
        self.assertEqual(complaint.severity, "high")
        self.assertTrue(complaint.resolution_deadline)
