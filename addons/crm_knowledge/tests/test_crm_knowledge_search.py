import random

from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.base.tests.common import BaseCommon

from ..models import knowledge_bigram_index


@tagged("post_install", "-at_install")
class TestCrmKnowledgeSearch(BaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Article = cls.env["crm.knowledge.article"]
        cls.company = cls.env["res.company"].create({"name": "检索测试公司"})
        cls.Article = cls.Article.with_company(cls.company)
        create = cls.Article.create
        cls.returns = create(
            {"name": "如何办理退货手续", "body": "<p>请联系客服。</p>"}
        )
        cls.invoice = create(
            {
                "name": "发票问题",
                "summary": "增值税专用发票的开具与退回",
                "body": "<p>开具<b>发票</b>需要提供税号。</p><p>退货后发票作废。</p>",
            }
        )
        cls.erp = create(
            {
                "name": "ERP 集成指南",
                "body": "<p>通过 XML-RPC 与 ERP  集成，"
                "型号 KX-200_A 支持 100% 兼容。</p>",
            }
        )
        cls.english = create(
            {"name": "Return Policy", "body": "<p>Refunds within 30 days.</p>"}
        )
        cls.all = cls.returns | cls.invoice | cls.erp | cls.english

    def _search(self, query, operator="ilike"):
        return self.Article.search(
            [("company_id", "=", self.company.id), ("text_search", operator, query)]
        )

    def test_chinese_substrings(self):
        self.assertEqual(self._search("退货"), self.returns | self.invoice)
        self.assertEqual(self._search("办理退货手续"), self.returns)
        self.assertEqual(self._search("退货手续办理"), self.Article)
        # in the summary, and across an inline tag of the body
        self.assertEqual(self._search("专用发票"), self.invoice)
        self.assertEqual(self._search("开具发票需要"), self.invoice)
        # a 1-character query, also at the very end of a text
        self.assertEqual(self._search("退"), self.returns | self.invoice)
        self.assertEqual(self._search("废"), self.invoice)
        self.assertEqual(self._search("续"), self.returns)

    def test_mixed_and_english(self):
        self.assertEqual(self._search("ERP 集成"), self.erp)
        self.assertEqual(self._search("erp   集成"), self.erp)
        self.assertEqual(self._search("xml-rpc"), self.erp)
        self.assertEqual(self._search("kx-200_a"), self.erp)
        self.assertEqual(self._search("REFUNDS"), self.english)
        self.assertEqual(self._search("RETURN POL"), self.english)
        self.assertEqual(self._search("退货", "not ilike"), self.erp | self.english)

    def test_wildcards_punctuation_and_huge_queries_are_literal(self):
        self.assertEqual(self._search("100%"), self.erp)
        self.assertEqual(self._search("%"), self.erp)
        self.assertEqual(self._search("_"), self.erp)
        self.assertEqual(self._search("0_a"), self.erp)
        self.assertEqual(self._search("20_"), self.Article)
        self.assertEqual(self._search("%_%"), self.Article)
        self.assertEqual(self._search("'\\\"&|!:*()"), self.Article)
        self.assertEqual(self._search("。"), self.returns | self.invoice | self.erp)
        self.assertEqual(self._search("退货" * 5000), self.Article)
        self.assertEqual(self._search("   "), self.all)

    def test_hits_equal_substring_matching(self):
        """On random texts, every 1-, 2-, 3- and 4-character query finds
        exactly the articles whose text contains it."""
        rng = random.Random(12)
        alphabet = "退货发票客户投诉服务质量ab 1%_"
        texts = [
            "".join(rng.choice(alphabet) for _i in range(rng.randint(0, 30)))
            for _n in range(120)
        ]
        articles = self.Article.create(
            [{"name": f"T{n}", "body": f"<p>{t}</p>"} for n, t in enumerate(texts)]
        )
        by_id = {
            a.id: knowledge_bigram_index.normalize(f"T{n}\n\n{t}")
            for n, (a, t) in enumerate(zip(articles, texts, strict=True))
        }
        queries = {rng.choice(alphabet) for _i in range(10)}
        for length in (2, 3, 4):
            for _i in range(25):
                text = rng.choice(texts)
                if len(text) >= length:
                    start = rng.randint(0, len(text) - length)
                    queries.add(text[start : start + length])
                queries.add("".join(rng.choice(alphabet) for _j in range(length)))
        for query in queries:
            normalized = knowledge_bigram_index.normalize(query)
            if not normalized:
                continue
            expected = {i for i, text in by_id.items() if normalized in text}
            found = self.Article.search(
                [("id", "in", articles.ids), ("text_search", "ilike", query)]
            )
            self.assertEqual(set(found.ids), expected, f"query {query!r}")

    def test_search_text_follows_edits(self):
        self.returns.body = "<p>换货请走售后流程</p>"
        self.assertEqual(self._search("售后流程"), self.returns)
        self.assertEqual(self._search("客服"), self.Article)

    def test_gin_index_serves_the_search(self):
        self.env.flush_all()
        self.env.cr.execute(SQL("SET LOCAL enable_seqscan = off"))
        ids_sql = knowledge_bigram_index.matching_ids_sql(
            self.Article._table, knowledge_bigram_index.normalize("退货")
        )
        self.env.cr.execute(
            SQL("EXPLAIN SELECT id FROM crm_knowledge_article WHERE id IN %s", ids_sql)
        )
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        self.assertIn("crm_knowledge_article_search_vector_idx", plan)
