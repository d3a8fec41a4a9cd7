import re
import xmlrpc.client

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.base.tests.common import BaseCommon

from .common import create_knowledge_users


def _marked(diff):
    """The inserted and the deleted text of a comparison."""
    return (
        "".join(re.findall(r"<ins>(.*?)</ins>", diff or "")),
        "".join(re.findall(r"<del>(.*?)</del>", diff or "")),
    )


@tagged("post_install", "-at_install")
class TestCrmKnowledgeRevision(BaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.editor, cls.reviewer = create_knowledge_users(cls.env)
        cls.Article = cls.env["crm.knowledge.article"]
        cls.Revision = cls.env["crm.knowledge.article.revision"]

    def _published(self, name="退货流程", body="<p>七天无理由退货</p>", **vals):
        article = self.Article.with_user(self.editor).create(
            {"name": name, "body": body, **vals}
        )
        article.action_submit()
        article.with_user(self.reviewer).action_publish()
        return article

    def _live_revisions(self, article):
        return self.Revision.search(
            [("article_id", "=", article.id), ("is_live", "=", True)]
        )

    def test_publishing_keeps_numbered_revisions(self):
        article = self._published(summary="退货须知")
        first = article.live_revision_id
        self.assertEqual(article.revision_ids, first)
        self.assertEqual(
            (first.number, first.name, first.summary, first.body),
            (1, "退货流程", "退货须知", "<p>七天无理由退货</p>"),
        )
        self.assertEqual(first.published_by_id, self.reviewer)
        self.assertTrue(first.published_date)
        self.assertTrue(first.is_major_change, "the first revision is a major one")
        self.assertTrue(first.is_live)
        self.assertIn("Revision 1", first.display_name)

        # an editor starts a new edit of the published article
        article.with_user(self.editor).action_back_to_draft()
        self.assertEqual(article.state, "draft")
        article.with_user(self.editor).write({"body": "<p>三十天内可退货</p>"})
        # the published text is still what readers see
        self.assertEqual(article.live_revision_id, first)
        self.assertEqual(article.live_body, "<p>七天无理由退货</p>")
        self.assertEqual(self._live_revisions(article), first)
        article.with_user(self.editor).action_submit()
        self.assertEqual(article.live_revision_id, first)
        article.with_user(self.reviewer).write({"is_major_change": True})
        article.with_user(self.reviewer).action_publish()
        second = article.live_revision_id
        self.assertEqual(second.number, 2)
        self.assertEqual(second.body, "<p>三十天内可退货</p>")
        self.assertTrue(second.is_major_change)
        self.assertFalse(article.is_major_change, "reset for the next edit")
        self.assertEqual(self._live_revisions(article), second)
        self.assertFalse(first.is_live)
        self.assertEqual(sorted(article.revision_ids.mapped("number")), [1, 2])

        # a reviewer's direct edit of a published article is published at once
        article.with_user(self.reviewer).write({"name": "退货与换货流程"})
        third = article.live_revision_id
        self.assertEqual((third.number, third.name), (3, "退货与换货流程"))
        self.assertFalse(third.is_major_change)
        # a review date or a tag is no new revision
        article.with_user(self.reviewer).write({"review_date": "2030-01-01"})
        self.assertEqual(article.live_revision_id, third)

        # archiving takes the article offline; nothing is deleted
        article.with_user(self.reviewer).action_archive_article()
        self.assertFalse(article.live_revision_id)
        self.assertFalse(self._live_revisions(article))
        self.assertEqual(len(article.revision_ids), 3)

    def test_editor_cannot_bypass_the_review(self):
        article = self._published()
        first = article.live_revision_id
        as_editor = article.with_user(self.editor)
        for vals in (
            {"body": "<p>偷改正文</p>"},
            {"state": "archived"},
            {"live_revision_id": False},
            {"published_by_id": self.editor.id},
            {"is_major_change": True},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                as_editor.write(vals)
        as_editor.action_back_to_draft()
        other = self._published(name="别的文章", body="<p>另一篇</p>")
        for vals in (
            # point the live revision elsewhere, or mark a change major
            {"live_revision_id": other.live_revision_id.id},
            {"published_date": "2020-01-01 00:00:00"},
            {"is_major_change": True},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                as_editor.write(vals)
        with self.assertRaises(AccessError):
            self.Article.with_user(self.editor).create(
                {"name": "伪造", "live_revision_id": first.id}
            )
        # revisions are written by publishing only
        with self.assertRaises(AccessError):
            first.with_user(self.editor).write({"body": "<p>改历史</p>"})
        with self.assertRaises(AccessError):
            first.with_user(self.reviewer).unlink()
        with self.assertRaises(AccessError):
            self.Revision.with_user(self.reviewer).create(
                {
                    "article_id": article.id,
                    "number": 9,
                    "name": "伪造",
                    "visibility": "public",
                    "published_by_id": self.reviewer.id,
                    "published_date": "2026-01-01 00:00:00",
                }
            )
        with self.assertRaises(AccessError):
            as_editor.write({"revision_ids": [(0, 0, {"number": 9, "name": "伪造"})]})
        self.assertEqual(article.live_revision_id, first)
        self.assertEqual(first.body, "<p>七天无理由退货</p>")
        self.assertEqual(len(article.revision_ids), 1)

    def test_restore_an_older_revision(self):
        article = self._published(summary="旧摘要", visibility="public")
        first = article.live_revision_id
        article.with_user(self.reviewer).write(
            {"body": "<p>新正文</p>", "summary": "新摘要", "visibility": "internal"}
        )
        second = article.live_revision_id
        self.assertEqual(second.number, 2)
        # an editor restores revision 1: a new draft, the live text unchanged
        article.with_user(self.editor).action_restore_revision(first.id)
        self.assertEqual(article.state, "draft")
        self.assertEqual(
            (article.body, article.summary, article.visibility),
            ("<p>七天无理由退货</p>", "旧摘要", "public"),
        )
        self.assertEqual(article.live_revision_id, second)
        article.with_user(self.editor).action_submit()
        article.with_user(self.reviewer).action_publish()
        third = article.live_revision_id
        self.assertEqual((third.number, third.body), (3, "<p>七天无理由退货</p>"))
        self.assertEqual(article.revision_ids, first | second | third)

    def test_restore_of_another_articles_revision_is_refused(self):
        article = self._published()
        other = self._published(name="发票问题", body="<p>开具发票</p>")
        with self.assertRaisesRegex(UserError, "退货流程"):
            article.with_user(self.editor).action_restore_revision(
                other.live_revision_id.id
            )
        with self.assertRaises(UserError):
            article.with_user(self.editor).action_restore_revision(999999999)
        self.assertEqual(article.state, "published")
        self.assertEqual(article.body, "<p>七天无理由退货</p>")
        # restoring into an article in review is an editor's edit, refused
        other.with_user(self.editor).action_back_to_draft()
        other.with_user(self.editor).write({"body": "<p>开具发票（新）</p>"})
        other.with_user(self.editor).action_submit()
        with self.assertRaises(AccessError):
            other.with_user(self.editor).action_restore_revision(
                other.revision_ids[-1].id
            )
        self.assertEqual(other.body, "<p>开具发票（新）</p>")

    def test_compare_two_revisions(self):
        article = self._published(body="<p>七天无理由退货</p><p>需要发票</p>")
        first = article.live_revision_id
        article.with_user(self.reviewer).write(
            {"name": "退货政策", "body": "<p>三十天无理由退货</p><p>需要发票</p>"}
        )
        second = article.live_revision_id
        action = second.with_user(self.editor).action_compare()
        wizard = self.env["crm.knowledge.revision.compare"].browse(action["res_id"])
        self.assertEqual(
            (wizard.old_revision_id, wizard.new_revision_id), (first, second)
        )
        inserted, deleted = _marked(wizard.diff_body)
        self.assertIn("三十天", inserted)
        self.assertIn("七天", deleted)
        self.assertIn("需要发票", wizard.diff_body)
        self.assertNotIn("需要发票", inserted + deleted)
        self.assertEqual(_marked(wizard.diff_title), ("退货政策", "退货流程"))
        # the first revision compares with itself: no change marked
        action = first.action_compare()
        same = self.env["crm.knowledge.revision.compare"].browse(action["res_id"])
        self.assertEqual(_marked(same.diff_body), ("", ""))
        other = self._published(name="发票问题")
        with self.assertRaises(ValidationError):
            self.env["crm.knowledge.revision.compare"].create(
                {
                    "article_id": article.id,
                    "old_revision_id": first.id,
                    "new_revision_id": other.live_revision_id.id,
                }
            )
        # restoring from the comparison brings the older text back as a draft
        wizard.with_user(self.editor).action_restore_old()
        self.assertEqual(article.state, "draft")
        self.assertEqual(article.name, "退货流程")
        self.assertEqual(article.live_revision_id, second)


@tagged("post_install", "-at_install")
class TestCrmKnowledgeRevisionRpc(HttpCase):
    def test_rpc_bypass_attempts_fail(self):
        editor, reviewer = create_knowledge_users(self.env)
        Article = self.env["crm.knowledge.article"]
        article = Article.with_user(editor).create(
            {"name": "RPC 修订", "body": "<p>已发布</p>", "state": "in_review"}
        )
        article.with_user(reviewer).action_publish()
        other = Article.with_user(reviewer).create(
            {"name": "另一篇", "state": "published"}
        )
        live = article.live_revision_id

        def rpc(model, method, *args):
            return self.xmlrpc_object.execute(
                self.env.cr.dbname, editor.id, "kb_editor", model, method, *args
            )

        rpc("crm.knowledge.article", "write", [article.id], {"state": "draft"})
        rpc("crm.knowledge.article", "write", [article.id], {"body": "<p>待审</p>"})
        for model, method, args in (
            (
                "crm.knowledge.article",
                "write",
                ([article.id], {"live_revision_id": False}),
            ),
            (
                "crm.knowledge.article",
                "write",
                ([article.id], {"is_major_change": True}),
            ),
            ("crm.knowledge.article", "write", ([article.id], {"state": "published"})),
            ("crm.knowledge.article", "action_publish", ([article.id],)),
            (
                "crm.knowledge.article",
                "action_restore_revision",
                ([article.id], other.live_revision_id.id),
            ),
            (
                "crm.knowledge.article.revision",
                "write",
                ([live.id], {"body": "<p>x</p>"}),
            ),
            ("crm.knowledge.article.revision", "unlink", ([live.id],)),
        ):
            with (
                self.subTest(method=method, args=args),
                self.assertRaises(xmlrpc.client.Fault),
            ):
                rpc(model, method, *args)
        [values] = rpc(
            "crm.knowledge.article",
            "read",
            [article.id],
            ["state", "live_revision_id", "live_body"],
        )
        self.assertEqual(values["state"], "draft")
        self.assertEqual(values["live_revision_id"][0], live.id)
        self.assertEqual(values["live_body"], "<p>已发布</p>")
