import json

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.base.tests.common import BaseCommon
from odoo.addons.mail.tools.discuss import Store

PUBLISHED = {
    "name": "换货政策",
    "summary": "七天内可换货",
    "body": "<p>签收后七天内可换货</p>",
}
# the pending edit of an editor: no reader may ever get any of it
PENDING = {
    "name": "换货政策（修订中）",
    "summary": "未审核的摘要",
    "body": "<p>未审核的正文：十五天内可换货</p>",
}


def make_pending_article(env, company):
    """A published article whose editor is changing its title, summary and
    body (back in draft: the published revision stays live)."""
    article = (
        env["crm.knowledge.article"]
        .with_company(company)
        .create({**PUBLISHED, "company_id": company.id, "state": "published"})
    )
    article.action_back_to_draft()
    # end the creation's tracking (discarded when created without tracking)
    env.flush_all()
    env.cr.precommit.run()
    article.with_context(tracking_disable=False, mail_notrack=False).write(PENDING)
    env.flush_all()
    env.cr.precommit.run()  # the tracking message of the title
    return article


@tagged("post_install", "-at_install")
class TestCrmKnowledgeReaderSeesPublished(BaseCommon):
    """A knowledge reader (an internal user who is not an editor) gets the
    published text of an article through every read path, never an edit
    waiting for review; an editor gets the working copy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "知识读者测试公司"})

        def user(login, groups):
            return new_test_user(
                cls.env,
                login=login,
                groups=groups,
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )

        cls.reader = user("kbr_reader", "base.group_user,base.group_allow_export")
        cls.editor = user(
            "kbr_editor",
            "crm_knowledge.group_crm_knowledge_user,base.group_allow_export",
        )
        cls.article = make_pending_article(cls.env, cls.company)
        cls.as_reader = cls.article.with_user(cls.reader)
        cls.Reader = cls.env["crm.knowledge.article"].with_user(cls.reader)

    def assertNothingPending(self, values):
        text = json.dumps(values, ensure_ascii=False, default=str)
        for pending in ("修订中", "未审核"):
            self.assertNotIn(pending, text)

    def test_read_search_read_web_read(self):
        [values] = self.as_reader.read(["name", "summary", "body", "search_text"])
        self.assertEqual(values["name"], PUBLISHED["name"])
        self.assertEqual(values["summary"], PUBLISHED["summary"])
        self.assertEqual(values["body"], PUBLISHED["body"])
        self.assertIn("签收后七天内可换货", values["search_text"])
        self.assertNothingPending(values)
        self.assertNothingPending(
            self.Reader.search_read([("id", "=", self.article.id)], [])
        )
        self.assertNothingPending(
            self.as_reader.web_read(
                {"name": {}, "summary": {}, "body": {}, "display_name": {}}
            )
        )
        # the editor reads the working copy
        [values] = self.article.with_user(self.editor).read(["name", "body"])
        self.assertEqual(values["name"], PENDING["name"])
        self.assertEqual(values["body"], PENDING["body"])

    def test_export(self):
        fields = ["name", "summary", "body", "search_text", "display_name"]
        rows = self.as_reader.export_data(fields)["datas"]
        self.assertEqual(rows[0][:3], [PUBLISHED[name] for name in fields[:3]])
        self.assertNothingPending(rows)
        rows = self.article.with_user(self.editor).export_data(["name"])["datas"]
        self.assertEqual(rows, [[PENDING["name"]]])

    def test_display_name_and_name_search(self):
        self.assertEqual(self.as_reader.display_name, PUBLISHED["name"])
        self.assertEqual(self.as_reader.sudo().display_name, PUBLISHED["name"])
        self.assertEqual(
            self.article.with_user(self.editor).display_name, PENDING["name"]
        )
        self.assertFalse(self.Reader.name_search("修订中"))
        self.assertEqual(
            self.Reader.name_search("换货政策"), [(self.article.id, PUBLISHED["name"])]
        )

    def test_search_domains_and_text_search_find_the_published_text(self):
        for domain in (
            [("name", "ilike", "修订中")],
            [("summary", "ilike", "未审核")],
            [("body", "ilike", "十五天")],
            [("search_text", "ilike", "十五天")],
            [("text_search", "ilike", "十五天")],
            [("display_name", "ilike", "修订中")],
        ):
            with self.subTest(domain=domain):
                self.assertFalse(self.Reader.search(domain))
                self.assertEqual(
                    self.env["crm.knowledge.article"]
                    .with_user(self.editor)
                    .search(domain),
                    self.article,
                )
        self.assertEqual(
            self.Reader.search([("text_search", "ilike", "七天内可换货")]), self.article
        )
        self.assertEqual(self.Reader._search_by_text("七天内"), self.article)
        self.assertFalse(self.Reader._search_by_text("十五天"))
        # a first page (ranked on the published text, restricted to what can
        # reach it)
        self.assertEqual(self.Reader._search_by_text("换货", limit=1), self.article)
        self.assertFalse(self.Reader._search_by_text("十五天内可换货", limit=1))
        result = self.Reader.web_search_read(
            [("text_search", "ilike", "换货")], {"name": {}, "summary": {}}
        )
        self.assertEqual(result["length"], 1)
        self.assertNothingPending(result)

    def test_grouping_by_the_text_is_refused(self):
        with self.assertRaises(AccessError):
            self.Reader.read_group([], ["name"], ["name"])
        # other groupings stay open
        self.assertTrue(self.Reader.read_group([], ["state"], ["state"]))

    def test_chatter_hides_the_tracked_title_of_the_working_copy(self):
        messages = self.env["mail.message"].search(
            [("model", "=", self.article._name), ("res_id", "=", self.article.id)]
        )
        self.assertIn(
            "name", messages.sudo().tracking_value_ids.field_id.mapped("name")
        )

        def chatter(user):
            store = Store()
            messages.with_user(user)._to_store(store, for_current_user=True)
            return store.get_result()

        self.assertIn("修订中", json.dumps(chatter(self.editor), ensure_ascii=False))
        self.assertNothingPending(chatter(self.reader))


@tagged("post_install", "-at_install")
class TestCrmKnowledgeReaderRpc(HttpCase):
    def test_xmlrpc_reader_gets_the_published_text(self):
        company = self.env.company
        reader = new_test_user(
            self.env, login="kbr_rpc_reader", groups="base.group_user"
        )
        article = make_pending_article(self.env, company)

        def rpc(method, *args, **kwargs):
            return self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                reader.id,
                "kbr_rpc_reader",
                "crm.knowledge.article",
                method,
                list(args),
                kwargs,
            )

        [values] = rpc("read", [article.id], ["name", "summary", "body"])
        self.assertEqual({name: values[name] for name in PUBLISHED}, PUBLISHED)
        [values] = rpc(
            "search_read", [("id", "=", article.id)], fields=["name", "display_name"]
        )
        self.assertEqual(values["name"], PUBLISHED["name"])
        self.assertEqual(values["display_name"], PUBLISHED["name"])
        self.assertFalse(rpc("search", [("body", "ilike", "十五天")]))
