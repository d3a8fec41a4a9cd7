import random

from odoo import fields
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
        # on a small table the planner may prefer a full scan of the primary key
        self.env.cr.execute(SQL("SET LOCAL enable_seqscan = off"))
        self.env.cr.execute(SQL("SET LOCAL enable_indexscan = off"))
        ids_sql = knowledge_bigram_index.matching_ids_sql(
            self.Article._table, knowledge_bigram_index.normalize("退货")
        )
        self.env.cr.execute(
            SQL("EXPLAIN SELECT id FROM crm_knowledge_article WHERE id IN %s", ids_sql)
        )
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        self.assertIn("crm_knowledge_article_search_vector_idx", plan)


@tagged("post_install", "-at_install")
class TestCrmKnowledgeSearchRanking(BaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "排序测试公司"})
        cls.Article = cls.env["crm.knowledge.article"].with_company(cls.company)

    def _create(self, name, body, published="2026-01-01 08:00:00"):
        article = self.Article.create(
            {"name": name, "body": body, "state": "published"}
        )
        article.published_date = published
        return article

    def test_ranking(self):
        once = self._create("物流说明", "<p>退货请联系客服。</p>", "2026-01-01")
        recent = self._create("配送说明", "<p>退货请联系物流。</p>", "2026-03-01")
        thrice = self._create(
            "售后说明", "<p>退货、退货再退货，都要登记。</p>", "2025-01-01"
        )
        title = self._create("退货政策", "<p>见正文。</p>", "2024-01-01")
        liked = self._create("仓库说明", "<p>退货入库。</p>", "2025-06-01")
        self.env["crm.knowledge.vote"].create(
            [
                {"article_id": liked.id, "user_id": user.id, "helpful": True}
                for user in (self.env.user, self.env.ref("base.user_admin"))
            ]
        )
        disliked = self._create("质检说明", "<p>退货质检。</p>", "2027-01-01")
        self.env["crm.knowledge.vote"].create(
            {"article_id": disliked.id, "user_id": self.env.uid, "helpful": False}
        )
        expected = [title, thrice, liked, recent, once, disliked]
        domain = [("company_id", "=", self.company.id)]
        self.assertEqual(list(self.Article._search_by_text("退货", domain)), expected)
        # the list and kanban views get the same order when they give none
        result = self.Article.web_search_read(
            [*domain, ("text_search", "ilike", "退货")], {"name": {}}
        )
        self.assertEqual([r["id"] for r in result["records"]], [a.id for a in expected])
        self.assertEqual(result["length"], 6)
        # an order given by the user wins
        result = self.Article.web_search_read(
            [*domain, ("text_search", "ilike", "退货")], {"name": {}}, order="name"
        )
        self.assertEqual(
            [r["name"] for r in result["records"]],
            sorted(a.name for a in expected),
        )
        self.assertEqual(
            list(self.Article._search_by_text("退货", domain, limit=2)), expected[:2]
        )

    def test_hits_equal_ilike(self):
        """The index search finds exactly what an ILIKE with %, _ and \\
        escaped finds, on Chinese, mixed, English, wildcard and punctuation
        queries."""
        rng = random.Random(7)
        alphabet = "退货发票物流集成ERPkx-20_%\\ 。，'"
        articles = self.Article.create(
            [
                {
                    "name": f"文{n}",
                    "body": "<p>{}</p>".format(
                        "".join(
                            rng.choice(alphabet) for _i in range(rng.randint(1, 40))
                        )
                        .replace("&", "")
                        .replace("<", "")
                    ),
                }
                for n in range(150)
            ]
        )
        self.env.flush_all()
        queries = [
            "退",
            "票",
            "退货",
            "发票",
            "ERP 集成",
            "erp",
            "KX-20",
            "%",
            "_",
            "\\",
            "%_",
            "20_",
            "。",
            "货发票",
            "物流集成e",
        ]
        queries += [
            "".join(rng.choice(alphabet) for _i in range(n)) for n in (1, 2, 2, 3, 4)
        ]
        for query in queries:
            normalized = knowledge_bigram_index.normalize(query)
            if not normalized:
                continue
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM crm_knowledge_article WHERE id = ANY(%s) "
                    "AND search_text ILIKE %s ESCAPE '\\'",
                    articles.ids,
                    knowledge_bigram_index.like_pattern(normalized),
                )
            )
            expected = {row[0] for row in self.env.cr.fetchall()}
            found = self.Article.search(
                [("id", "in", articles.ids), ("text_search", "ilike", query)]
            )
            self.assertEqual(set(found.ids), expected, f"query {query!r}")

    def test_unanswered_searches_are_logged(self):
        Log = self.env["crm.knowledge.search.log"]
        self._create("退货政策", "<p>七天无理由退货</p>")
        domain = [("company_id", "=", self.company.id)]
        Article = self.Article.with_company(self.company)
        for _i in range(2):
            Article.web_search_read(
                [*domain, ("text_search", "ilike", "  保修  期 ")], {"name": {}}
            )
        Article.web_search_read(
            [*domain, ("text_search", "ilike", "退货")], {"name": {}}
        )
        Article.web_search_read(domain, {"name": {}})
        # the kanban grouped by type asks web_read_group
        Article.web_read_group(
            [*domain, ("text_search", "ilike", "发票%")],
            ["article_type"],
            ["article_type"],
        )
        Article.web_read_group(
            [*domain, ("text_search", "ilike", "退货")],
            ["article_type"],
            ["article_type"],
        )
        logs = Log.search([("company_id", "=", self.company.id)], order="query")
        self.assertEqual(
            [(log.query, log.count, log.user_id) for log in logs],
            [("保修 期", 2, self.env.user), ("发票%", 1, self.env.user)],
        )
        self.assertEqual(logs.mapped("date"), [fields.Date.today()] * 2)


@tagged("post_install", "-at_install")
class TestCrmKnowledgeRankedFirstPage(BaseCommon):
    """The first page of a ranked search is computed from the rows that can
    reach it (title hits, then the articles the index finds holding the query
    at least 3, 6 or 12 times): every page must be exactly the page of the
    full ranking (title hits first, then more occurrences first, then
    helpfulness, then the most recently published)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "分页排序测试公司"})
        cls.Article = cls.env["crm.knowledge.article"].with_company(cls.company)
        rng = random.Random(12)
        voters = [cls.env.user, cls.env.ref("base.user_admin")]
        cls.articles = cls.Article
        for i in range(40):
            returns = rng.choice([1, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 15])
            laughs = rng.choice([0, 1, 2, 3, 7])
            title = "退货须知" if i % 9 == 0 else "售后说明"
            parts = ["办理退货要登记。"] * returns + ["哈" * (laughs + 1)] * 3
            rng.shuffle(parts)
            article = cls.Article.create(
                {
                    "name": f"{title} {i}",
                    "body": "".join(f"<p>{part}</p>" for part in parts),
                    "state": "published",
                }
            )
            article.published_date = f"2026-{1 + i % 12:02d}-{1 + i % 7:02d} 08:00:00"
            votes = rng.choice([0, 0, 1, 2])
            cls.env["crm.knowledge.vote"].create(
                [
                    {"article_id": article.id, "user_id": user.id, "helpful": True}
                    for user in voters[:votes]
                ]
            )
            cls.articles |= article
        cls.env.flush_all()

    def _expected(self, query):
        hits = self.articles.filtered(lambda a: query in a.search_text)
        return sorted(
            hits,
            key=lambda a: (
                query in a.name.lower(),
                a.search_text.count(query),
                a.helpful_count - a.not_helpful_count,
                a.published_date,
                a.id,
            ),
            reverse=True,
        )

    def _page(self, query, offset, limit):
        return list(
            self.Article.with_context(knowledge_rank_query=query).search(
                [
                    ("company_id", "=", self.company.id),
                    ("text_search", "ilike", query),
                ],
                offset=offset,
                limit=limit,
            )
        )

    def test_every_page_is_the_page_of_the_full_ranking(self):
        for query in ("退货", "办理退货", "哈哈", "哈哈哈"):
            expected = self._expected(query)
            self.assertGreater(len(expected), 10, query)
            self.assertEqual(self._page(query, 0, None), expected, query)
            for offset, limit in ((0, 1), (0, 3), (0, 5), (2, 4), (0, 10), (5, 20)):
                with self.subTest(query=query, offset=offset, limit=limit):
                    self.assertEqual(
                        self._page(query, offset, limit),
                        expected[offset : offset + limit],
                    )

    def test_first_page_reads_only_what_can_reach_it(self):
        query = self.Article.with_context(knowledge_rank_query="退货")._search(
            [("company_id", "=", self.company.id), ("text_search", "ilike", "退货")],
            limit=3,
        )
        # restricted to the ids the index finds with the query in their title
        # or holding it at least 3, 6, 12, ... times: fewer than the hits
        [restriction] = [
            param for param in query.where_clause.params if isinstance(param, list)
        ]
        hits = {article.id for article in self._expected("退货")}
        self.assertLess(len(hits & set(restriction)), len(hits))
        self.assertEqual(
            list(self.Article.browse(query.get_result_ids())),
            self._expected("退货")[:3],
        )
