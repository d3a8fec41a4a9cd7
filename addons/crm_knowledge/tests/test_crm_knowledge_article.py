from odoo.exceptions import AccessError
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
