from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.base.tests.common import BaseCommon


class KnowledgeFeedbackCase(BaseCommon):
    """A company of its own with a reviewer, two readers (editors), a complaint
    handler who reads the knowledge base, a customer, two products and
    published articles."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "知识反馈测试公司"})
        cls.other_company = cls.env["res.company"].create({"name": "其他公司"})

        def user(login, groups, company=cls.company):
            return new_test_user(
                cls.env,
                login=login,
                groups=groups,
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )

        cls.reviewer = user(
            "kbf_reviewer", "crm_knowledge.group_crm_knowledge_reviewer"
        )
        cls.reader = user("kbf_reader", "crm_knowledge.group_crm_knowledge_user")
        cls.reader2 = user("kbf_reader2", "crm_knowledge.group_crm_knowledge_user")
        cls.handler = user(
            "kbf_handler",
            "crm_customerism.group_crm_customerism_user,"
            "crm_knowledge.group_crm_knowledge_user",
        )
        cls.outsider = user(
            "kbf_outsider",
            "crm_knowledge.group_crm_knowledge_manager",
            company=cls.other_company,
        )
        cls.Article = (
            cls.env["crm.knowledge.article"]
            .with_company(cls.company)
            .with_user(cls.reviewer)
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "杭州茶叶有限公司", "is_company": True, "email": "tea@example.com"}
        )
        cls.chair, cls.desk = cls.env["product.product"].create(
            [{"name": "人体工学办公椅"}, {"name": "电动升降办公桌"}]
        )
        cls.billing = cls.env["crm.complaint.category"].create({"name": "开票问题"})
        cls.delivery = cls.env["crm.complaint.category"].create({"name": "物流配送"})

    @classmethod
    def publish(cls, name, body="", **vals):
        return cls.Article.create(
            {"name": name, "body": body, "state": "published", **vals}
        )
