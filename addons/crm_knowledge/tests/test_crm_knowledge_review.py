import xmlrpc.client
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.base.tests.common import BaseCommon

from .common import create_knowledge_users


@tagged("post_install", "-at_install")
class TestCrmKnowledgeReview(BaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.editor, cls.reviewer = create_knowledge_users(cls.env)
        cls.Article = cls.env["crm.knowledge.article"]

    def _draft(self, **vals):
        return self.Article.with_user(self.editor).create(
            {"name": "退货流程", "body": "<p>七天无理由退货</p>", **vals}
        )

    def _flush_tracking(self):
        # tracking messages are written when the transaction commits
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _state_tracking(self, article):
        self._flush_tracking()
        return [
            (value.old_value_char, value.new_value_char)
            for value in self.env["mail.tracking.value"].search(
                [
                    ("mail_message_id.res_id", "=", article.id),
                    ("mail_message_id.model", "=", article._name),
                    ("field_id.name", "=", "state"),
                ],
                order="id",
            )
        ]

    @freeze_time("2026-03-01 09:00:00")
    def test_editor_submits_reviewer_publishes(self):
        # BaseCommon turns tracking off: this test reads the chatter
        self.Article = self.Article.with_context(
            tracking_disable=False, mail_notrack=False
        )
        article = self._draft()
        self._flush_tracking()  # created and submitted in two transactions
        self.assertEqual(article.state, "draft")
        self.assertEqual(article.author_id, self.editor)
        article.action_submit()
        self.assertEqual(article.state, "in_review")
        self._flush_tracking()
        with self.assertRaises(AccessError):
            article.action_publish()
        self.assertEqual(article.state, "in_review")
        article.with_user(self.reviewer).action_publish()
        self.assertEqual(article.state, "published")
        self.assertEqual(article.published_by_id, self.reviewer)
        self.assertEqual(article.review_date, date(2026, 8, 28))  # + 180 days
        self.assertEqual(
            self._state_tracking(article),
            [("Draft", "In Review"), ("In Review", "Published")],
        )

    def test_direct_state_write_is_checked(self):
        article = self._draft()
        with self.assertRaises(UserError):
            article.write({"state": "published"})
        with self.assertRaises(UserError):
            # no edge draft -> published, not even for a reviewer
            article.with_user(self.reviewer).write({"state": "published"})
        article.write({"state": "in_review"})
        with self.assertRaises(AccessError):
            article.write({"state": "published"})
        with self.assertRaises(AccessError):
            self.Article.with_user(self.editor).create(
                {"name": "直接发布", "state": "published"}
            )
        self.assertEqual(article.state, "in_review")
        # a reviewer may create an article published right away
        published = self.Article.with_user(self.reviewer).create(
            {"name": "直接发布", "state": "published"}
        )
        self.assertEqual(published.published_by_id, self.reviewer)

    def test_editor_cannot_change_a_submitted_or_published_article(self):
        article = self._draft()
        article.action_submit()
        with self.assertRaises(AccessError):
            article.write({"body": "<p>审核中改正文</p>"})
        article.with_user(self.reviewer).action_publish()
        for vals in (
            {"body": "<p>已发布后偷改</p>"},
            {"name": "新标题"},
            {"review_date": "2030-01-01"},
        ):
            with self.assertRaises(AccessError):
                article.write(vals)
        with self.assertRaises(AccessError):
            article.action_archive_article()
        self.assertEqual(article.body, "<p>七天无理由退货</p>")
        # the reviewer edits, archives, and reopens as a draft for the editor
        article.with_user(self.reviewer).write({"summary": "退货须知"})
        article.with_user(self.reviewer).action_archive_article()
        self.assertEqual(article.state, "archived")
        article.with_user(self.reviewer).action_back_to_draft()
        article.write({"body": "<p>三十天内可退货</p>"})
        self.assertEqual(article.body, "<p>三十天内可退货</p>")

    def test_editor_withdraws_from_review(self):
        article = self._draft()
        article.action_submit()
        article.action_back_to_draft()
        self.assertEqual(article.state, "draft")

    def test_needs_review(self):
        with freeze_time("2026-01-10"):
            article = self._draft()
            article.action_submit()
            article.with_user(self.reviewer).action_publish()
            draft = self._draft(name="草稿", review_date="2026-02-01")
        domain = [("id", "in", (article | draft).ids), ("needs_review", "=", True)]
        with freeze_time("2026-07-08"):  # 179 days later
            self.assertFalse(self.Article.search(domain))
            self.assertFalse(article.needs_review)
        with freeze_time("2026-07-09"):
            self.assertEqual(self.Article.search(domain), article)
            self.assertEqual(
                self.Article.search(
                    [("id", "in", (article | draft).ids), ("needs_review", "=", False)]
                ),
                draft,
            )
            article.invalidate_recordset(["needs_review"])
            self.assertTrue(article.needs_review)

    def test_body_is_sanitized_and_title_required(self):
        article = self._draft(body="<p>正文</p><script>alert('x')</script>")
        self.assertNotIn("script", article.body)
        self.assertIn("正文", article.body)
        with self.assertRaises(ValidationError):
            self._draft(name="   ")


@tagged("post_install", "-at_install")
class TestCrmKnowledgeReviewRpc(HttpCase):
    def test_rpc_write_of_state_cannot_publish(self):
        editor, _reviewer = create_knowledge_users(self.env)
        article = (
            self.env["crm.knowledge.article"]
            .with_user(editor)
            .create({"name": "RPC 审核", "state": "in_review"})
        )

        def rpc(method, *args):
            return self.xmlrpc_object.execute(
                self.env.cr.dbname,
                editor.id,
                "kb_editor",
                "crm.knowledge.article",
                method,
                *args,
            )

        for method, args in (
            ("write", ([article.id], {"state": "published"})),
            ("action_publish", ([article.id],)),
            ("create", ({"name": "RPC 直接发布", "state": "published"},)),
        ):
            with self.subTest(method=method), self.assertRaises(xmlrpc.client.Fault):
                rpc(method, *args)
        self.assertEqual(
            rpc("read", [article.id], ["state"]),
            [{"id": article.id, "state": "in_review"}],
        )
        self.assertFalse(
            self.env["crm.knowledge.article"].search([("name", "=", "RPC 直接发布")])
        )
