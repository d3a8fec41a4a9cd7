from markupsafe import Markup

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from odoo.addons.crm_knowledge.models import knowledge_suggestion

from .knowledge_common import KnowledgeFeedbackCase


@tagged("post_install", "-at_install")
class TestCrmKnowledgeComplaint(KnowledgeFeedbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chair_article = cls.publish(
            "办公椅气压杆漏气的处理方法",
            "<p>座椅自动下沉时，由售后上门更换气压杆。</p>",
            product_ids=cls.chair.ids,
        )
        cls.invoice_article = cls.publish(
            "如何申请重开增值税专用发票",
            "<p>客户在收到发票 180 天内可申请重开。</p>",
            complaint_category_ids=cls.billing.ids,
        )
        cls.freight_article = cls.publish(
            "退货运费由谁承担", "<p>质量问题退货的运费由我方承担。</p>"
        )
        cls.unrelated = cls.publish("新员工服务礼仪", "<p>电话三声内接听。</p>")
        cls.draft = cls.Article.create(
            {
                "name": "退货运费草稿",
                "body": "<p>退货运费</p>",
                "product_ids": cls.chair.ids,
            }
        )
        cls.elsewhere = (
            cls.env["crm.knowledge.article"]
            .with_company(cls.other_company)
            .create(
                {
                    "name": "退货运费（其他公司）",
                    "state": "published",
                    "company_id": cls.other_company.id,
                    "product_ids": cls.chair.ids,
                }
            )
        )
        cls.Complaint = (
            cls.env["crm.complaint"]
            .with_company(cls.company)
            .with_user(cls.handler)
            .with_context(tracking_disable=True)
        )

    def _complaint(self, **vals):
        return self.Complaint.create(
            {
                "subject": "一般咨询",
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                **vals,
            }
        )

    def test_suggestions_by_product_category_and_text(self):
        complaint = self._complaint(product_id=self.chair.id)
        self.assertEqual(complaint.suggested_article_ids, self.chair_article)
        complaint = self._complaint(category_id=self.billing.id)
        self.assertEqual(complaint.suggested_article_ids, self.invoice_article)
        complaint = self._complaint(
            subject="退货运费谁来出？",
            description="<p>客户要求退货，问运费由谁承担。</p>",
        )
        # drafts and other companies' articles are never suggested
        self.assertEqual(complaint.suggested_article_ids, self.freight_article)
        complaint = self._complaint(
            subject="办公椅退货运费",
            product_id=self.chair.id,
            category_id=self.billing.id,
        )
        # product (3) + text before category (2) alone
        self.assertEqual(
            complaint.suggested_article_ids.ids,
            [self.chair_article.id, self.freight_article.id, self.invoice_article.id],
        )

    def test_at_most_five_suggestions(self):
        articles = self.Article.create(
            [
                {
                    "name": f"办公椅常见问题 {n}",
                    "state": "published",
                    "product_ids": self.chair.ids,
                }
                for n in range(7)
            ]
        )
        complaint = self._complaint(product_id=self.chair.id)
        self.assertEqual(len(complaint.suggested_article_ids), 5)
        self.assertLessEqual(
            complaint.suggested_article_ids, articles | self.chair_article
        )

    def test_suggestions_follow_the_form(self):
        with Form(self.Complaint) as form:
            form.partner_id = self.customer
            form.subject = "发票抬头开错了"
            self.assertFalse(form.suggested_article_ids)
            form.category_id = self.billing
            self.assertEqual(form.suggested_article_ids[:], self.invoice_article)
            form.subject = "申请重开发票"
            form.category_id = self.env["crm.complaint.category"]
            self.assertEqual(form.suggested_article_ids[:], self.invoice_article)
            form.product_id = self.chair
            self.assertEqual(
                form.suggested_article_ids[:], self.chair_article | self.invoice_article
            )

    def test_linked_articles_compete_with_text_matches(self):
        """An article linked by product only is looked up only when its bonus
        can bring it among the best: the answer is the same either way."""

        def best(subject, limit):
            terms = knowledge_suggestion.text_terms(subject, "")
            request = (0, self.company.id, self.chair.id, False, terms)
            return knowledge_suggestion.suggestions(self.env, [request], limit)[0]

        # 2 pieces of text (退货运, 货运费) score less than the product (3)
        self.assertEqual(best("退货运费", 1), self.chair_article.ids)
        self.assertEqual(
            best("退货运费", 2), [self.chair_article.id, self.freight_article.id]
        )
        # 4 pieces (退货运 货运费 运费由 费由谁) score more than the product
        self.assertEqual(best("退货运费由谁", 1), self.freight_article.ids)
        self.assertEqual(
            best("退货运费由谁", 2), [self.freight_article.id, self.chair_article.id]
        )

    def test_a_rare_specific_term_outranks_common_words(self):
        """Words most articles share (客户反映退货流程) do not bury the one
        article about the complaint's specific problem (轴承啸叫)."""
        common = self.Article.create(
            [
                {
                    "name": f"客户反映退货流程 {n}",
                    "body": "<p>客户反映退货流程需要登记。</p>",
                    "state": "published",
                }
                for n in range(30)
            ]
        )
        bearing = self.publish("电机轴承啸叫的处理", "<p>轴承啸叫时更换轴承。</p>")
        self.env.flush_all()
        # the statistics the suggestions read their word frequencies from
        self.env.cr.execute("ANALYZE crm_knowledge_article")
        complaint = self._complaint(
            subject="客户反映退货流程太慢",
            description="<p>客户反映退货流程太慢，电机轴承啸叫。</p>",
        )
        self.assertEqual(complaint.suggested_article_ids[:1], bearing)
        self.assertLessEqual(complaint.suggested_article_ids, common | bearing)

    def test_suggestions_of_many_complaints_in_one_query(self):
        complaints = self._complaint(product_id=self.chair.id) | self._complaint(
            category_id=self.billing.id
        )
        complaints.invalidate_recordset(["suggested_article_ids"])
        with self.assertQueryCount(__system__=4):
            suggested = [c.suggested_article_ids for c in complaints.sudo()]
        self.assertEqual(suggested, [self.chair_article, self.invoice_article])

    def test_insert_article_into_reply(self):
        complaint = self._complaint(product_id=self.chair.id)
        action = (
            self.chair_article.with_user(self.handler)
            .with_context(knowledge_complaint_id=complaint.id)
            .action_insert_in_complaint_reply()
        )
        self.assertEqual(action["res_model"], "mail.compose.message")
        context = action["context"]
        self.assertEqual(context["default_res_ids"], complaint.ids)
        self.assertIn("办公椅气压杆漏气的处理方法", context["default_body"])
        self.assertIn("由售后上门更换气压杆", context["default_body"])
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.handler)
            .with_context(**context)
            .create({})
        )
        composer.action_send_mail()
        self.assertIn("由售后上门更换气压杆", complaint.message_ids[0].body)
        self.assertEqual(complaint.knowledge_usage_ids.article_id, self.chair_article)
        self.assertEqual(complaint.knowledge_usage_ids.user_id, self.handler)
        self.assertEqual(self.chair_article.usage_count, 1)
        with self.assertRaises(UserError):
            self.chair_article.with_user(
                self.handler
            ).action_insert_in_complaint_reply()

    def test_reply_gets_the_published_text_not_a_pending_edit(self):
        complaint = self._complaint(product_id=self.chair.id)
        article = self.chair_article.with_user(self.reviewer)
        article.action_back_to_draft()
        article.write({"name": "气压杆（修订中）", "body": "<p>未审核的新做法</p>"})
        context = (
            self.chair_article.with_user(self.handler)
            .with_context(knowledge_complaint_id=complaint.id)
            .action_insert_in_complaint_reply()["context"]
        )
        self.assertIn("办公椅气压杆漏气的处理方法", context["default_body"])
        self.assertIn("由售后上门更换气压杆", context["default_body"])
        self.assertNotIn("修订中", context["default_body"])
        self.assertNotIn("未审核", context["default_body"])
        # an article never published goes into no reply, and is not counted
        with self.assertRaises(UserError):
            self.draft.with_user(self.handler).with_context(
                knowledge_complaint_id=complaint.id
            ).action_insert_in_complaint_reply()
        self.assertEqual(complaint.knowledge_usage_ids.article_id, self.chair_article)

    def test_resolved_complaint_to_solution_article(self):
        complaint = self._complaint(
            subject="办公椅坐下后自动下沉",
            description="<p>客户反映新买的办公椅坐下后慢慢下沉。</p>",
            product_id=self.chair.id,
            category_id=self.billing.id,
            user_id=self.handler.id,
        )
        with self.assertRaises(UserError):
            complaint.action_create_solution_article()
        complaint.write(
            {
                "root_cause_type": "product",
                "resolution": Markup("<p>上门更换 CLASS 3 气压杆。</p>"),
            }
        )
        complaint.action_acknowledge()
        complaint.action_resolve()
        action = complaint.action_create_solution_article()
        article = self.env["crm.knowledge.article"].browse(action["res_id"])
        self.assertEqual(article.state, "draft")
        self.assertEqual(article.article_type, "solution")
        self.assertEqual(article.name, "办公椅坐下后自动下沉")
        self.assertEqual(article.summary, "客户反映新买的办公椅坐下后慢慢下沉。")
        self.assertIn("客户反映新买的办公椅坐下后慢慢下沉", article.body)
        self.assertIn("上门更换 CLASS 3 气压杆", article.body)
        self.assertLess(article.body.index("下沉"), article.body.index("气压杆"))
        self.assertEqual(article.product_ids, self.chair)
        self.assertEqual(article.complaint_category_ids, self.billing)
        self.assertEqual(article.author_id, self.handler)
        # linked both ways; asked again, the same article opens
        self.assertEqual(article.source_complaint_id, complaint)
        self.assertEqual(complaint.solution_article_ids, article)
        self.assertEqual(complaint.solution_article_count, 1)
        self.assertEqual(
            complaint.action_create_solution_article()["res_id"], article.id
        )
        self.assertEqual(complaint.solution_article_count, 1)
