from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCrmKnowledgeComplaintTour(HttpCase):
    def test_suggested_article_into_reply_then_vote(self):
        handler = new_test_user(
            self.env,
            login="kb_tour_handler",
            groups="crm_customerism.group_crm_customerism_user,"
            "crm_knowledge.group_crm_knowledge_user",
        )
        product = self.env["product.product"].create({"name": "人体工学办公椅"})
        article = self.env["crm.knowledge.article"].create(
            {
                "name": "退货运费由谁承担",
                "summary": "质量问题退货的运费由我方承担。",
                "body": "<p>七天内退货，运费由我方承担。</p>",
                "product_ids": [Command.set(product.ids)],
                "state": "published",
            }
        )
        complaint = self.env["crm.complaint"].create(
            {
                "subject": "办公椅扶手断裂",
                "partner_id": self.env["res.partner"]
                .create({"name": "杭州茶叶有限公司", "email": "tea@example.com"})
                .id,
                "product_id": product.id,
                "user_id": handler.id,
            }
        )
        self.start_tour(
            f"/odoo/action-crm_customerism.crm_complaint_action/{complaint.id}",
            "crm_knowledge_complaint_tour",
            login="kb_tour_handler",
        )
        self.assertEqual(complaint.knowledge_usage_ids.article_id, article)
        self.assertEqual(article.usage_count, 1)
        self.assertIn("七天内退货", complaint.message_ids[0].body)
        self.assertEqual(
            (
                article.vote_ids.user_id,
                article.vote_ids.helpful,
                article.vote_ids.comment,
            ),
            (handler, False, "缺少偏远地区的运费说明"),
        )
        self.assertEqual(article.not_helpful_count, 1)
