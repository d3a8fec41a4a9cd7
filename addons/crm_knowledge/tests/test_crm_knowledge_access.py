from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.base.tests.common import BaseCommon

READER = "crm_knowledge.group_crm_knowledge_reader"


@tagged("post_install", "-at_install")
class TestCrmKnowledgeAccess(BaseCommon):
    """Groups: every internal user is a reader (published articles of their
    companies), editors also read and write drafts; record rules per company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "知识权限测试公司"})
        cls.other_company = cls.env["res.company"].create({"name": "其他公司 B"})

        def user(login, groups, company=cls.company):
            return new_test_user(
                cls.env,
                login=login,
                groups=groups,
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )

        # a plain internal user, with no knowledge group given
        cls.reader = user("kba_reader", "base.group_user")
        cls.editor = user("kba_editor", "crm_knowledge.group_crm_knowledge_user")
        cls.other_reader = user(
            "kba_other_reader", "base.group_user", company=cls.other_company
        )
        Article = cls.env["crm.knowledge.article"].with_company(cls.company)

        def article(name, **vals):
            return Article.create({"name": name, "company_id": cls.company.id, **vals})

        cls.internal = article("内部退货审批口径", state="published")
        cls.public = article("如何办理退货", state="published", visibility="public")
        cls.draft = article("退货草稿")
        cls.pending = article("换货政策", state="published", body="<p>可换货</p>")
        cls.pending.action_back_to_draft()
        cls.pending.write({"body": "<p>未审核的修改</p>"})
        cls.archived = article("旧退货政策", state="published")
        cls.archived.action_archive_article()
        cls.elsewhere = (
            cls.env["crm.knowledge.article"]
            .with_company(cls.other_company)
            .create(
                {
                    "name": "其他公司的退货政策",
                    "state": "published",
                    "company_id": cls.other_company.id,
                }
            )
        )
        cls.all_articles = (
            cls.internal
            | cls.public
            | cls.draft
            | cls.pending
            | cls.archived
            | cls.elsewhere
        )

    def _visible(self, user, model="crm.knowledge.article", field="id"):
        ids = self.all_articles.ids
        if model != "crm.knowledge.article":
            ids = self.all_articles.revision_ids.ids
        return self.env[model].with_user(user).search([(field, "in", ids)])

    def test_every_internal_user_is_a_reader(self):
        self.assertTrue(self.reader.has_group(READER))
        self.assertTrue(self.editor.has_group(READER))
        portal = new_test_user(self.env, login="kba_portal", groups="base.group_portal")
        self.assertFalse(portal.has_group(READER))

    def test_reader_reads_published_articles_of_own_company(self):
        # published, internal or public, and published ones being edited
        self.assertEqual(
            self._visible(self.reader), self.internal | self.public | self.pending
        )
        self.assertEqual(self._visible(self.other_reader), self.elsewhere)
        with self.assertRaises(AccessError):
            self.draft.with_user(self.reader).read(["name"])
        with self.assertRaises(AccessError):
            self.elsewhere.with_user(self.reader).read(["name"])
        # the published text, not the edit in review
        self.assertIn("可换货", self.pending.with_user(self.reader).live_body)
        # revisions of the articles it reads, never another company's
        self.assertEqual(
            self._visible(self.reader, "crm.knowledge.article.revision").article_id,
            self.internal | self.public | self.pending,
        )

    def test_reader_cannot_write_but_votes_and_confirms(self):
        Article = self.env["crm.knowledge.article"].with_user(self.reader)
        with self.assertRaises(AccessError):
            Article.create({"name": "读者写的文章"})
        with self.assertRaises(AccessError):
            self.internal.with_user(self.reader).write({"name": "改标题"})
        with self.assertRaises(AccessError):
            self.internal.with_user(self.reader).unlink()
        self.internal.with_user(self.reader).action_vote_helpful()
        self.assertEqual(self.internal.helpful_count, 1)
        self.internal.with_user(self.reader).action_confirm_read()
        confirmation = self.env["crm.knowledge.read.confirmation"].search(
            [("user_id", "=", self.reader.id)]
        )
        self.assertEqual(confirmation.revision_id, self.internal.live_revision_id)

    def test_editor_reads_every_article_of_own_company(self):
        self.assertEqual(self._visible(self.editor), self.all_articles - self.elsewhere)
        self.assertEqual(
            self._visible(self.editor, "crm.knowledge.article.revision").article_id,
            self.all_articles - self.draft - self.elsewhere,
        )
