"""A small data set for the report models, the management report and
the dashboard: figures computed by hand in the tests."""

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user
from odoo.tools import SQL

from odoo.addons.crm_customerism.tests.common import CustomerismCase


class ReportData(CustomerismCase):
    """Three customers of the main company (grades overridden to VIP, major
    and small: alphabetically major, small, vip), one of another company;
    three complaints with known SLA times; two articles; demand, an RFQ and
    two remedies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Report Other Co"})
        china = cls.env.ref("base.cn")
        shanghai, beijing = cls.env["res.country.state"].search(
            [("country_id", "=", china.id)], limit=2, order="id"
        )
        cls.shanghai = shanghai
        cls.alpha = cls._partner(
            "报表客户甲",
            country_id=china.id,
            state_id=shanghai.id,
            user_id=cls.manager.id,
        )
        cls.beta = cls._partner("报表客户乙", country_id=china.id, state_id=beijing.id)
        cls.gamma = cls._partner("报表客户丙", country_id=china.id, state_id=beijing.id)
        cls.outsider = cls._partner("Other Company Customer")
        order = cls._order(cls.alpha, "2025-05-10", 5000)
        cls.alpha_june = cls._order(cls.alpha, "2025-06-05", 3000)
        cls._order(cls.beta, "2025-06-20", 200)
        cls._order(cls.gamma, "2025-04-02", 700)
        cls._order(cls.outsider, "2025-06-03", 9999, company=cls.other_company)
        cls.refund = cls._refund(cls.alpha, "2025-06-25", 500, cls.alpha_june)
        cls.first_order = order
        cls._recompute_class()
        for partner, grade in (
            (cls.alpha, "major"),
            (cls.beta, "vip"),
            (cls.gamma, "small"),
        ):
            cls.Profile.search(
                [("partner_id", "=", partner.id), ("company_id", "=", cls.company.id)]
            ).write({"grade_override": grade, "grade_override_reason": "报表测试"})
        cls._complaint_data()
        cls._knowledge_data()
        cls._supply_data()
        cls.report_manager = new_test_user(
            cls.env,
            login="report_manager",
            groups="crm_analytics.group_crm_analytics_manager",
            company_ids=[Command.link(cls.company.id)],
        )

    @classmethod
    def _recompute_class(cls):
        with freeze_time("2025-06-30 12:00:00"):
            cls.Profile._recompute_all(company=cls.company)

    @classmethod
    def _complaint_data(cls):
        Complaint = cls.env["crm.complaint"]
        cls.supplier = cls._partner("报表供应商")
        cls.team = cls.env["crm.team"].create({"name": "投诉处理组"})
        cls.category = cls.env["crm.complaint.category"].create({"name": "产品质量"})
        common = {"category_id": cls.category.id, "team_id": cls.team.id}
        cls.c1, cls.c2 = Complaint.create(
            [
                {
                    "subject": "破损",
                    "partner_id": cls.alpha.id,
                    "root_cause_type": "product",
                    "supplier_id": cls.supplier.id,
                    **common,
                },
                {
                    "subject": "质量差",
                    "partner_id": cls.beta.id,
                    "root_cause_type": "product",
                    "supplier_id": cls.supplier.id,
                    **common,
                },
            ]
        )
        cls.c3 = Complaint.create(
            {
                "subject": "迟到",
                "partner_id": cls.gamma.id,
                "root_cause_type": "delivery",
            }
        )
        cls.c_other = Complaint.with_company(cls.other_company).create(
            {
                "subject": "Other company",
                "partner_id": cls.outsider.id,
                "company_id": cls.other_company.id,
            }
        )
        # a real credit note remedy on c1 (its cost: 500) and a replacement
        # not yet made (no document, no cost)
        cls.env["crm.complaint.remedy"].create(
            [
                {
                    "complaint_id": cls.c1.id,
                    "remedy_type": "credit_note",
                    "move_id": cls.refund.id,
                },
                {"complaint_id": cls.c1.id, "remedy_type": "replacement"},
            ]
        )
        # the SLA clock and the customer's rating, set as time would have:
        # c1 answered in 2 h (deadline 4 h), resolved in 24 h (deadline 48 h),
        # rated 4; c2 answered in 6 h (deadline 4 h), resolved in 120 h
        # (deadline 48 h), rated 2; c3 open, never answered, its response
        # deadline long past and its resolution deadline to come
        cls.env.flush_all()
        for complaint, values in (
            (
                cls.c1,
                (
                    "2025-06-01 08:00",
                    "2025-06-01 10:00",
                    "2025-06-02 08:00",
                    "2025-06-01 12:00",
                    "2025-06-03 08:00",
                    "closed",
                    4,
                ),
            ),
            (
                cls.c2,
                (
                    "2025-06-10 08:00",
                    "2025-06-10 14:00",
                    "2025-06-15 08:00",
                    "2025-06-10 12:00",
                    "2025-06-12 08:00",
                    "closed",
                    2,
                ),
            ),
            (
                cls.c3,
                (
                    "2025-06-20 08:00",
                    None,
                    None,
                    "2025-06-20 12:00",
                    "2099-01-01 00:00",
                    "new",
                    0,
                ),
            ),
        ):
            start, ack, resolved, response_dl, resolution_dl, stage, rating = values
            cls.env.cr.execute(
                SQL(
                    """UPDATE crm_complaint
                          SET sla_start = %s, acknowledged_date = %s,
                              resolved_date = %s, response_deadline = %s,
                              resolution_deadline = %s, stage = %s,
                              rating_last_value = %s
                        WHERE id = %s""",
                    start,
                    ack,
                    resolved,
                    response_dl,
                    resolution_dl,
                    stage,
                    rating,
                    complaint.id,
                )
            )
        cls.env.invalidate_all()

    @classmethod
    def _knowledge_data(cls):
        cls.kb_category = cls.env["crm.knowledge.category"].create({"name": "退货政策"})
        cls.article1, cls.article2 = cls.env["crm.knowledge.article"].create(
            [
                {"name": "退货流程", "category_id": cls.kb_category.id},
                {"name": "换货流程", "category_id": cls.kb_category.id},
            ]
        )
        readers = [
            new_test_user(cls.env, login=f"report_reader{i}", groups="base.group_user")
            for i in range(3)
        ]
        cls.env["crm.knowledge.article.view"].create(
            [
                {
                    "article_id": article.id,
                    "user_id": readers[0].id,
                    "company_id": cls.company.id,
                }
                for article in (cls.article1, cls.article1, cls.article1, cls.article2)
            ]
        )
        cls.env["crm.knowledge.vote"].create(
            [
                {
                    "article_id": cls.article1.id,
                    "user_id": readers[0].id,
                    "helpful": True,
                },
                {
                    "article_id": cls.article1.id,
                    "user_id": readers[1].id,
                    "helpful": True,
                },
                {
                    "article_id": cls.article1.id,
                    "user_id": readers[2].id,
                    "helpful": False,
                },
            ]
        )
        cls.env["crm.knowledge.usage"].create(
            [
                {"article_id": cls.article1.id, "complaint_id": cls.c1.id},
                {"article_id": cls.article1.id, "complaint_id": cls.c2.id},
            ]
        )

    @classmethod
    def _supply_data(cls):
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        goods = cls.env["product.product"].create(
            [{"name": f"报表商品{i}", "is_storable": True} for i in range(3)]
        )
        cls.env["crm.supply.demand"].create(
            [
                {
                    "company_id": cls.company.id,
                    "product_id": product.id,
                    "warehouse_id": warehouse.id,
                    "demand_qty": demand,
                    "shortage_qty": shortage,
                }
                for product, demand, shortage in zip(
                    goods, (10, 5, 2), (4, 0, 2), strict=True
                )
            ]
        )
        purchases = cls.env["purchase.order"].create(
            [
                {
                    "partner_id": cls.supplier.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": goods[0].id,
                                "product_qty": qty,
                                "price_unit": 25,
                                "taxes_id": False,
                            }
                        )
                    ],
                }
                for qty in (4, 7)
            ]
        )
        # only the first is made for a customer order
        purchases[0].order_line.customer_order_ids = cls.first_order
