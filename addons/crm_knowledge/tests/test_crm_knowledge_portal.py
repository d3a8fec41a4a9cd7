import xmlrpc.client

from odoo.tests import HttpCase, new_test_user, tagged

from .common import create_knowledge_users


@tagged("post_install", "-at_install")
class TestCrmKnowledgePortal(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.editor, cls.reviewer = create_knowledge_users(cls.env)
        cls.portal = new_test_user(
            cls.env, login="kb_portal", groups="base.group_portal"
        )
        Category = cls.env["crm.knowledge.category"]
        cls.service = Category.create({"name": "售后服务"})
        cls.returns = Category.create({"name": "退换货", "parent_id": cls.service.id})
        cls.billing = Category.create({"name": "发票"})
        Article = cls.env["crm.knowledge.article"].with_user(cls.reviewer)

        def published(name, body, **vals):
            return Article.create(
                {"name": name, "body": body, "state": "published", **vals}
            )

        cls.public = published(
            "如何办理退货手续",
            "<p>请在七天内联系客服办理退货。</p>",
            visibility="public",
            category_id=cls.returns.id,
        )
        cls.invoice = published(
            "发票开具说明",
            "<p>开具增值税发票需要提供税号。</p>",
            visibility="public",
            category_id=cls.billing.id,
        )
        cls.internal = published(
            "内部退货审批口径",
            "<p>退货金额超过一万元需经理审批。</p>",
            visibility="internal",
            category_id=cls.returns.id,
        )
        cls.draft = Article.create(
            {
                "name": "退货草稿文章",
                "visibility": "public",
                "category_id": cls.returns.id,
            }
        )
        # published and public, with an edit pending review
        cls.pending = published(
            "换货政策", "<p>质量问题可换货。</p>", visibility="public"
        )
        cls.pending.with_user(cls.editor).action_back_to_draft()
        cls.pending.with_user(cls.editor).write(
            {"name": "换货政策（修订中）", "body": "<p>未审核的秘密条款</p>"}
        )

    def _get(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return response

    def test_portal_sees_only_published_public_articles(self):
        self.authenticate("kb_portal", "kb_portal")
        listing = self._get("/my/knowledge").text
        self.assertIn("如何办理退货手续", listing)
        self.assertIn("发票开具说明", listing)
        self.assertIn("换货政策", listing)
        for hidden in ("内部退货审批口径", "退货草稿文章", "修订中"):
            self.assertNotIn(hidden, listing)
        # the categories that hold a public article, as filters
        self.assertIn("售后服务 / 退换货", listing)

        page = self._get(f"/my/knowledge/{self.public.id}").text
        self.assertIn("请在七天内联系客服办理退货", page)
        for article in (self.internal, self.draft):
            response = self.url_open(f"/my/knowledge/{article.id}")
            self.assertTrue(response.url.endswith("/my/knowledge"), article.name)
            self.assertNotIn(article.name, response.text)
        # the home page links the knowledge base
        self.assertIn('href="/my/knowledge"', self._get("/my").text)

    def test_portal_shows_the_published_text_not_the_pending_edit(self):
        self.authenticate("kb_portal", "kb_portal")
        page = self._get(f"/my/knowledge/{self.pending.id}").text
        self.assertIn("质量问题可换货", page)
        self.assertNotIn("未审核的秘密条款", page)
        self.assertNotIn("修订中", page)
        # a search finds the published text only
        self.assertIn("换货政策", self._get("/my/knowledge?search=可换货").text)
        self.assertNotIn("换货政策", self._get("/my/knowledge?search=秘密条款").text)
        # once a reviewer publishes the edit, the portal shows it
        self.pending.with_user(self.editor).action_submit()
        self.pending.with_user(self.reviewer).action_publish()
        page = self._get(f"/my/knowledge/{self.pending.id}").text
        self.assertIn("未审核的秘密条款", page)
        self.assertNotIn("质量问题可换货", page)

    def test_portal_search_and_categories(self):
        self.authenticate("kb_portal", "kb_portal")
        found = self._get("/my/knowledge?search=退货").text
        self.assertIn("如何办理退货手续", found)
        self.assertNotIn("发票开具说明", found)
        self.assertNotIn("内部退货审批口径", found)
        # a 1-character query, and SQL wildcards taken literally
        self.assertIn("发票开具说明", self._get("/my/knowledge?search=票").text)
        self.assertIn("No article found", self._get("/my/knowledge?search=%25").text)
        self.assertIn("No article found", self._get("/my/knowledge?search=_").text)
        by_category = self._get(f"/my/knowledge?category={self.service.id}").text
        self.assertIn("如何办理退货手续", by_category)  # a subcategory's article
        self.assertNotIn("发票开具说明", by_category)
        huge = self._get("/my/knowledge?search=" + "退货" * 300)
        self.assertIn("No article found", huge.text)

    def test_portal_rpc_reads_only_live_public_revisions(self):
        def rpc(model, method, *args, **kwargs):
            return self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                self.portal.id,
                "kb_portal",
                model,
                method,
                args,
                kwargs,
            )

        revisions = rpc(
            "crm.knowledge.article.revision", "search_read", [], fields=["name", "body"]
        )
        self.assertEqual(
            sorted(r["name"] for r in revisions),
            sorted(["如何办理退货手续", "发票开具说明", "换货政策"]),
        )
        self.assertNotIn("秘密", str(revisions))
        # the working copy (with the pending edit) stays out of reach
        with self.assertRaises(xmlrpc.client.Fault):
            rpc("crm.knowledge.article", "read", [self.pending.id], fields=["body"])
        with self.assertRaises(xmlrpc.client.Fault):
            rpc(
                "crm.knowledge.article.revision",
                "read",
                self.internal.live_revision_id.ids,
                fields=["body"],
            )

    def test_internal_user_reads_published_internal_articles(self):
        # every internal user is a knowledge reader (base.group_user implies it)
        new_test_user(self.env, login="kb_plain", groups="base.group_user")
        self.authenticate("kb_plain", "kb_plain")
        listing = self._get("/my/knowledge").text
        for shown in ("如何办理退货手续", "内部退货审批口径", "换货政策"):
            self.assertIn(shown, listing)
        for hidden in ("退货草稿文章", "修订中"):
            self.assertNotIn(hidden, listing)
        found = self._get("/my/knowledge?search=审批").text
        self.assertIn("内部退货审批口径", found)
        self.assertNotIn("如何办理退货手续", found)

    def test_web_client_reading_logs_the_view_in_one_transaction(self):
        """The reading view's web_read is routed read/write: the view is
        logged at the first try, not after a failed read-only attempt."""
        self.authenticate(self.editor.login, self.editor.login)
        params = {
            "model": "crm.knowledge.article",
            "method": "web_read",
            "args": [[self.invoice.id]],
            "kwargs": {"specification": {"name": {}, "body": {}}},
        }
        with self.assertNoLogs("odoo.http", "WARNING"):
            result = self.make_jsonrpc_request(
                "/web/dataset/call_kw/crm.knowledge.article/web_read", params
            )
        self.assertEqual(result[0]["name"], "发票开具说明")
        views = self.env["crm.knowledge.article.view"].search(
            [("article_id", "=", self.invoice.id)]
        )
        self.assertEqual(views.user_id, self.editor)
