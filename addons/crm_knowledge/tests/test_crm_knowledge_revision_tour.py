from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCrmKnowledgeRevisionTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.editor = new_test_user(
            cls.env,
            login="kb_tour_editor",
            groups="crm_knowledge.group_crm_knowledge_user",
        )
        # a plain internal user: a knowledge reader through base.group_user
        cls.reader = new_test_user(cls.env, login="kb_tour_reader")
        Article = cls.env["crm.knowledge.article"]
        cls.article = Article.create(
            {
                "name": "退货政策",
                "body": "<p>七天内可退货。</p>",
                "state": "published",
            }
        )
        cls.article.write(
            {"name": "退货政策（修订）", "body": "<p>十五天内可退货。</p>"}
        )
        cls.invoice = Article.create(
            {
                "name": "发票开具说明",
                "body": "<p>开具增值税发票需要提供税号。</p>",
                "state": "published",
            }
        )

    def test_compare_and_restore_a_revision(self):
        first, second = self.article.revision_ids.sorted("number")
        self.assertEqual(self.article.live_revision_id, second)
        self.start_tour(
            f"/odoo/action-crm_knowledge.crm_knowledge_article_action/{self.article.id}",
            "crm_knowledge_revision_restore_tour",
            login="kb_tour_editor",
        )
        self.assertEqual(self.article.state, "draft")
        self.assertEqual(self.article.name, "退货政策")
        self.assertIn("七天内可退货", self.article.body)
        # nothing deleted, the published revision still what readers see
        self.assertEqual(self.article.revision_ids, first | second)
        self.assertEqual(self.article.live_revision_id, second)
        self.assertIn(
            "Revision 1 restored", "".join(self.article.message_ids.mapped("body"))
        )

    def test_reader_confirms_required_reading(self):
        trainees = self.env["res.groups"].create(
            {"name": "Tour trainees", "users": [Command.link(self.reader.id)]}
        )
        self.env["crm.knowledge.training.plan"].create(
            {
                "name": "售后入职培训",
                "due_date": fields.Date.today() + timedelta(days=7),
                "group_ids": [Command.set(trainees.ids)],
                "article_ids": [Command.set((self.article | self.invoice).ids)],
            }
        )
        # an edit in progress: the reader confirms the published text
        self.article.action_back_to_draft()
        self.article.write({"body": "<p>未审核的修改</p>"})
        self.start_tour(
            "/odoo/action-crm_knowledge.crm_knowledge_training_status_action_mine",
            "crm_knowledge_training_confirm_tour",
            login="kb_tour_reader",
        )
        confirmation = self.env["crm.knowledge.read.confirmation"].search(
            [("user_id", "=", self.reader.id)]
        )
        self.assertEqual(confirmation.article_id, self.article)
        self.assertEqual(confirmation.revision_id, self.article.live_revision_id)
