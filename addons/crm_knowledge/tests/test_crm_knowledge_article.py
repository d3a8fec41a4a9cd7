from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.base.tests.common import BaseCommon


@tagged("post_install", "-at_install")
class TestCrmKnowledgeArticle(BaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Knowledge Co B"})
        cls.writer = new_test_user(
            cls.env, login="kb_writer", groups="crm_knowledge.group_crm_knowledge_user"
        )
        cls.manager = new_test_user(
            cls.env,
            login="kb_manager",
            groups="crm_knowledge.group_crm_knowledge_manager",
        )
        cls.outsider = new_test_user(
            cls.env,
            login="kb_outsider",
            groups="crm_knowledge.group_crm_knowledge_user",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )

    def test_user_writes_manager_deletes(self):
        Article = self.env["crm.knowledge.article"]
        article = Article.with_user(self.writer).create(
            {
                "name": "退货流程",
                "article_type": "policy",
                "body": "<p>七天无理由退货</p>",
            }
        )
        self.assertEqual(article.company_id, self.env.company)
        article.write({"name": "退货与换货流程"})
        self.assertEqual(article.name, "退货与换货流程")
        with self.assertRaises(AccessError):
            article.unlink()
        article.with_user(self.manager).unlink()
        self.assertFalse(article.exists())

    def test_company_rule(self):
        article = self.env["crm.knowledge.article"].create({"name": "常见问题"})
        visible = (
            self.env["crm.knowledge.article"]
            .with_user(self.outsider)
            .search([("id", "=", article.id)])
        )
        self.assertFalse(visible)
        with self.assertRaises(AccessError):
            article.with_user(self.outsider).read(["name"])

    def test_internal_user_without_group_has_no_access(self):
        user = new_test_user(self.env, login="kb_nobody", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["crm.knowledge.article"].with_user(user).create({"name": "x"})

    def test_category_tree(self):
        Category = self.env["crm.knowledge.category"]
        service = Category.create({"name": "售后服务"})
        returns = Category.create({"name": "退换货", "parent_id": service.id})
        self.assertEqual(returns.complete_name, "售后服务 / 退换货")
        self.assertEqual(
            Category.search([("id", "child_of", service.id)]), service | returns
        )
        with self.assertRaises(UserError):  # Odoo's parent store refuses cycles
            service.parent_id = returns
        article = self.env["crm.knowledge.article"].create(
            {"name": "退货须知", "category_id": returns.id}
        )
        self.assertEqual(
            self.env["crm.knowledge.article"].search(
                [("category_id", "child_of", service.id)]
            ),
            article,
        )

    def test_categories_and_tags_by_company(self):
        reviewer = new_test_user(
            self.env,
            login="kb_reviewer_b",
            groups="crm_knowledge.group_crm_knowledge_reviewer",
            company_id=self.company_b.id,
            company_ids=[(6, 0, self.company_b.ids)],
        )
        for model in ("crm.knowledge.category", "crm.knowledge.tag"):
            Model = self.env[model]
            shared = Model.create({"name": "共享"})
            own = Model.create({"name": "B 公司", "company_id": self.company_b.id})
            other = Model.create({"name": "本公司", "company_id": self.env.company.id})
            self.assertEqual(
                Model.with_user(reviewer).search(
                    [("id", "in", (shared | own | other).ids)]
                ),
                shared | own,
                model,
            )
        with self.assertRaises(AccessError):
            self.env["crm.knowledge.category"].with_user(self.writer).create(
                {"name": "编辑不能建分类"}
            )
        category = (
            self.env["crm.knowledge.category"]
            .with_user(reviewer)
            .create({"name": "审核人建分类", "company_id": self.company_b.id})
        )
        self.assertEqual(category.company_id, self.company_b)
        tag = (
            self.env["crm.knowledge.tag"]
            .with_user(self.writer)
            .create({"name": "退货"})
        )
        self.assertFalse(tag.company_id)
