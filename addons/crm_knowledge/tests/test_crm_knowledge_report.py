from odoo.tests import tagged

from .knowledge_common import KnowledgeFeedbackCase


@tagged("post_install", "-at_install")
class TestCrmKnowledgeReport(KnowledgeFeedbackCase):
    def test_report_figures(self):
        used = self.publish("退货流程", "<p>七天无理由退货</p>")
        read = self.publish("发票问题", "<p>专用发票</p>")
        self.publish("服务礼仪")
        complaints = self.env["crm.complaint"].create(
            [
                {
                    "subject": f"投诉 {n}",
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                }
                for n in range(2)
            ]
        )
        for complaint in (complaints[0], complaints[0], complaints[1]):
            complaint.with_user(self.handler)._insert_article_in_reply(used)
        for user in (self.reader, self.reader2, self.handler):
            read.with_user(user).web_read({"body": {}})
        used.with_user(self.reader).web_read({"body": {}})
        used.with_user(self.reader)._vote(False, "不够详细")
        used.with_user(self.reader2)._vote(False)
        used.with_user(self.handler)._vote(True)
        read.with_user(self.reader)._vote(True)
        self.env.flush_all()
        Report = self.env["crm.knowledge.article.report"].with_user(self.reader)
        rows = {
            row.article_id: row
            for row in Report.search([("company_id", "=", self.company.id)])
        }
        self.assertEqual(len(rows), 3)
        self.assertEqual(
            (rows[used].view_count, rows[used].usage_count, rows[used].complaint_count),
            (1, 3, 2),
        )
        self.assertEqual(
            (rows[used].helpful_count, rows[used].not_helpful_count), (1, 2)
        )
        self.assertAlmostEqual(rows[used].not_helpful_share, 200 / 3)
        self.assertEqual((rows[read].view_count, rows[read].usage_count), (3, 0))
        # most viewed first
        self.assertEqual(
            Report.search([("company_id", "=", self.company.id)], limit=2).article_id,
            read | used,
        )
        self.assertEqual(
            Report.search([("company_id", "=", self.company.id)], limit=1).article_id,
            read,
        )
        # pivot / graph figures
        [group] = Report._read_group(
            [("company_id", "=", self.company.id)],
            ["article_type"],
            ["view_count:sum", "usage_count:sum", "not_helpful_count:sum"],
        )
        self.assertEqual(group[1:], (4, 3, 2))
        self.company.write(
            {"knowledge_not_helpful_threshold": 50.0, "knowledge_min_votes": 3}
        )
        self.env.flush_all()
        self.assertEqual(
            Report.search(
                [
                    ("company_id", "=", self.company.id),
                    "|",
                    ("needs_update", "=", True),
                    ("needs_review", "=", True),
                ]
            ).article_id,
            used,
        )
        # another company's reader sees none of it
        self.assertFalse(
            self.env["crm.knowledge.article.report"]
            .with_user(self.outsider)
            .search([("article_id", "in", [used.id, read.id])])
        )
