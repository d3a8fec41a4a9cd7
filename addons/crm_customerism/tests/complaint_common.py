from odoo import Command
from odoo.tests import TransactionCase, new_test_user


class ComplaintCase(TransactionCase):
    """Two companies, a complaint team, a complaint user, a manager, a
    customer with a contact, and a Monday-Friday 8-17 calendar (UTC)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Complaint desk 8-17 UTC",
                "tz": "UTC",
                "company_id": cls.company.id,
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"Day {day} {period}",
                            "dayofweek": str(day),
                            "hour_from": hour_from,
                            "hour_to": hour_to,
                            "day_period": period,
                        }
                    )
                    for day in range(5)
                    for hour_from, hour_to, period in (
                        (8, 12, "morning"),
                        (13, 17, "afternoon"),
                    )
                ],
            }
        )
        cls.company.resource_calendar_id = cls.calendar
        cls.company2 = cls.env["res.company"].create({"name": "Customerism South"})
        cls.manager = new_test_user(
            cls.env,
            login="cx_complaint_manager",
            name="Complaint Manager",
            email="manager@example.com",
            groups="crm_customerism.group_crm_customerism_manager",
            company_ids=[Command.link(cls.company.id)],
        )
        cls.agent = new_test_user(
            cls.env,
            login="cx_complaint_agent",
            name="Complaint Agent",
            email="agent@example.com",
            groups="crm_customerism.group_crm_customerism_user",
            company_ids=[Command.link(cls.company.id)],
        )
        cls.outsider = new_test_user(
            cls.env,
            login="cx_complaint_outsider",
            name="Other Team Agent",
            groups="crm_customerism.group_crm_customerism_user",
            company_ids=[Command.link(cls.company.id)],
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Complaint Desk",
                "user_id": cls.manager.id,
                "company_id": cls.company.id,
                "member_ids": [Command.link(cls.agent.id)],
            }
        )
        cls.other_team = cls.env["crm.team"].create(
            {
                "name": "Other Desk",
                "company_id": cls.company.id,
                "member_ids": [Command.link(cls.outsider.id)],
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Hangzhou Tea Co.",
                "is_company": True,
                "email": "info@tea.example",
            }
        )
        cls.contact = cls.env["res.partner"].create(
            {
                "name": "Wang Fang",
                "parent_id": cls.customer.id,
                "email": "wang.fang@tea.example",
            }
        )
        cls.category = cls.env.ref("crm_customerism.crm_complaint_category_product")
        cls.Complaint = cls.env["crm.complaint"]

    @classmethod
    def _complaint(cls, **vals):
        values = {
            "subject": "Broken tea cups",
            "partner_id": cls.contact.id,
            "channel": "phone",
            "category_id": cls.category.id,
            "team_id": cls.team.id,
            "severity": "normal",
        }
        values.update(vals)
        return cls.Complaint.create(values)

    @classmethod
    def _closed_complaint(cls, **vals):
        """A complaint resolved and closed: its rating request is pending."""
        complaint = cls._complaint(**{**cls._close_values(cls.agent), **vals})
        complaint.action_resolve()
        complaint.action_close()
        return complaint

    @staticmethod
    def _close_values(user):
        return {
            "user_id": user.id,
            "root_cause_type": "product",
            "root_cause": "Packaging too thin",
            "resolution": "<p>Replacement shipped</p>",
        }
