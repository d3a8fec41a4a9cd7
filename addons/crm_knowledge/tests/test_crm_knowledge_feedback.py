from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .knowledge_common import KnowledgeFeedbackCase


@tagged("post_install", "-at_install")
class TestCrmKnowledgeFeedback(KnowledgeFeedbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.article = cls.publish(
            "退货运费由谁承担", "<p>七天内退货，运费由我方承担。</p>"
        )
        cls.company.write(
            {"knowledge_not_helpful_threshold": 40.0, "knowledge_min_votes": 3}
        )

    def _vote(self, user, helpful, comment=False):
        article = self.article.with_user(user)
        if helpful:
            article.action_vote_helpful()
            return
        action = article.action_vote_not_helpful()
        self.assertEqual(action["res_model"], "crm.knowledge.vote.wizard")
        wizard = Form(
            self.env["crm.knowledge.vote.wizard"]
            .with_user(user)
            .with_context(**action["context"])
        )
        wizard.comment = comment
        wizard.save().action_confirm()

    def test_one_vote_per_user_changeable(self):
        self._vote(self.reader, True)
        self.assertEqual(
            (self.article.helpful_count, self.article.not_helpful_count), (1, 0)
        )
        self.assertEqual(self.article.with_user(self.reader).my_vote, "helpful")
        self.assertFalse(self.article.with_user(self.reader2).my_vote)
        self._vote(self.reader, False, "  缺少偏远地区的运费说明 ")
        votes = self.env["crm.knowledge.vote"].search(
            [("article_id", "=", self.article.id)]
        )
        self.assertEqual(len(votes), 1)
        self.assertEqual(votes.comment, "缺少偏远地区的运费说明")
        self.assertFalse(votes.helpful)
        self.assertEqual(
            (self.article.helpful_count, self.article.not_helpful_count), (0, 1)
        )
        self.assertEqual(self.article.with_user(self.reader).my_vote, "not_helpful")
        # back to helpful: the comment goes with the old opinion
        self._vote(self.reader, True)
        self.assertFalse(votes.comment)
        self.assertEqual(self.article.helpful_count, 1)

    def test_votes_only_on_published_articles(self):
        draft = self.Article.create({"name": "草稿文章"})
        with self.assertRaises(UserError):
            draft.with_user(self.reader).action_vote_helpful()
        self.assertFalse(draft.vote_ids)

    def test_needs_update_flag(self):
        self._vote(self.reader, False)
        self._vote(self.reader2, False)
        # 100 % not helpful, but only 2 votes of the 3 needed
        self.assertFalse(self.article.needs_update)
        self._vote(self.reviewer, True)
        # 2 of 3 = 66.7 % > 40 %
        self.assertAlmostEqual(self.article.not_helpful_share, 200 / 3)
        self.assertTrue(self.article.needs_update)
        self.assertIn(
            self.article,
            self.env["crm.knowledge.article"].search([("needs_update", "=", True)]),
        )
        self.company.knowledge_not_helpful_threshold = 70.0
        self.assertFalse(self.article.needs_update)
        self.company.knowledge_not_helpful_threshold = 40.0
        self.assertTrue(self.article.needs_update)
        self._vote(self.reader2, True)  # 1 of 3 = 33 %
        self.assertFalse(self.article.needs_update)
        with self.assertRaises(ValidationError):
            self.company.knowledge_not_helpful_threshold = 120.0
        with self.assertRaises(ValidationError):
            self.company.knowledge_min_votes = 0

    def test_votes_belong_to_their_voter(self):
        self._vote(self.reader, True)
        vote = self.article.vote_ids
        # another reader sees the vote but cannot change or remove it
        self.assertEqual(
            vote.with_user(self.reader2).read(["helpful"])[0]["helpful"], True
        )
        with self.assertRaises(AccessError):
            vote.with_user(self.reader2).write({"helpful": False})
        with self.assertRaises(AccessError):
            vote.with_user(self.reader).unlink()
        # another company sees nothing of it
        with self.assertRaises(AccessError):
            vote.with_user(self.outsider).read(["helpful"])
        self.assertTrue(vote.helpful)

    def test_views_are_logged_without_writing_the_article(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT write_date FROM crm_knowledge_article WHERE id = %s",
            [self.article.id],
        )
        [write_date] = self.env.cr.fetchone()
        article = self.article.with_user(self.reader)
        start = fields.Datetime.now()
        with freeze_time(start):
            article.web_read({"name": {}, "body": {}})
            article.web_read({"name": {}, "body": {}})  # a reload: same reading
            # lists, kanbans and saves are not readings
            article.web_search_read([("id", "=", article.id)], {"name": {}, "body": {}})
            article.web_save({"sequence": 5}, {"name": {}, "body": {}})
        self.assertEqual(self.article.view_count, 1)
        with freeze_time(start + timedelta(minutes=31)):
            article.web_read({"name": {}, "body": {}})
            self.article.with_user(self.reader2).web_read({"body": {}})
        self.article.invalidate_recordset(["view_count"])
        self.assertEqual(self.article.view_count, 3)
        self.env.cr.execute(
            "SELECT write_date FROM crm_knowledge_article WHERE id = %s",
            [self.article.id],
        )
        self.assertEqual(self.env.cr.fetchone()[0], write_date)
        views = self.env["crm.knowledge.article.view"].search(
            [("article_id", "=", self.article.id)]
        )
        self.assertEqual(views.user_id, self.reader | self.reader2)
        self.assertEqual(views.company_id, self.company)
        self.assertFalse(
            self.env["crm.knowledge.article.view"]
            .with_user(self.outsider)
            .search([("article_id", "=", self.article.id)])
        )
