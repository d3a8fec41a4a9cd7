from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.base.tests.common import BaseCommon

from .common import create_knowledge_users

EDITOR = "crm_knowledge.group_crm_knowledge_user"
PAST, FUTURE = "2000-01-31", "2999-12-31"


@tagged("post_install", "-at_install")
class TestCrmKnowledgeTraining(BaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.editor, cls.reviewer = create_knowledge_users(cls.env)
        cls.manager = new_test_user(
            cls.env,
            login="kb_manager",
            groups="crm_knowledge.group_crm_knowledge_manager",
        )
        cls.group = cls.env["res.groups"].create({"name": "客服新人"})
        cls.wang = new_test_user(cls.env, login="kb_wang", groups=EDITOR)
        cls.li = new_test_user(cls.env, login="kb_li", groups=EDITOR)
        cls.group.users = cls.wang | cls.li
        cls.zhou = new_test_user(cls.env, login="kb_zhou", groups=EDITOR)
        cls.team = cls.env["crm.team"].create(
            {"name": "华东销售部", "member_ids": [Command.set(cls.zhou.ids)]}
        )
        cls.company_b = cls.env["res.company"].create({"name": "培训 B 公司"})
        # in the group, but not of the plan's company: not a trainee
        cls.outsider = new_test_user(
            cls.env,
            login="kb_outsider",
            groups=EDITOR,
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.group.users |= cls.outsider
        Article = cls.env["crm.knowledge.article"].with_user(cls.reviewer)
        cls.returns = Article.create(
            {"name": "退货流程", "body": "<p>七天无理由退货</p>", "state": "published"}
        )
        cls.complaints = Article.create(
            {
                "name": "投诉处理规范",
                "body": "<p>先道歉后处理</p>",
                "state": "published",
            }
        )
        cls.plan = cls.env["crm.knowledge.training.plan"].create(
            {
                "name": "客服新人必读",
                "due_date": PAST,
                "group_ids": [Command.link(cls.group.id)],
                "team_ids": [Command.link(cls.team.id)],
                "article_ids": [Command.set((cls.returns | cls.complaints).ids)],
            }
        )
        cls.Status = cls.env["crm.knowledge.training.status"]

    def _status(self):
        # a view over the source tables: nothing of it is cached
        self.Status.invalidate_model()
        rows = self.Status.search([("plan_id", "=", self.plan.id)])
        return {
            (row.user_id.login, row.article_id.name): (row.is_done, row.is_overdue)
            for row in rows
        }

    def test_completion_per_user_and_plan(self):
        self.returns.with_user(self.wang).action_confirm_read()
        self.complaints.with_user(self.wang).action_confirm_read()
        self.returns.with_user(self.li).action_confirm_read()
        # confirming twice keeps one confirmation
        self.returns.with_user(self.li).action_confirm_read()
        status = self._status()
        self.assertEqual(
            status,
            {
                ("kb_wang", "退货流程"): (True, False),
                ("kb_wang", "投诉处理规范"): (True, False),
                ("kb_li", "退货流程"): (True, False),
                ("kb_li", "投诉处理规范"): (False, True),
                ("kb_zhou", "退货流程"): (False, True),
                ("kb_zhou", "投诉处理规范"): (False, True),
            },
        )
        confirmation = self.env["crm.knowledge.read.confirmation"].search(
            [("user_id", "=", self.li.id)]
        )
        self.assertEqual(len(confirmation), 1)
        self.assertEqual(confirmation.revision_id, self.returns.live_revision_id)
        self.assertEqual(self.plan.user_count, 3)
        self.assertEqual(self.plan.completion_rate, 50.0)
        self.assertEqual(self.plan.overdue_count, 3)
        per_user = {
            user.login: rate
            for user, rate in self.Status._read_group(
                [("plan_id", "=", self.plan.id)], ["user_id"], ["completion_rate:avg"]
            )
        }
        self.assertEqual(per_user, {"kb_wang": 100.0, "kb_li": 50.0, "kb_zhou": 0.0})
        self.plan.due_date = FUTURE
        self.assertFalse(any(overdue for _done, overdue in self._status().values()))

    def test_major_revision_asks_for_confirmation_again(self):
        self.returns.with_user(self.wang).action_confirm_read()
        first = self.returns.live_revision_id
        # a minor revision: the confirmation still counts
        self.returns.with_user(self.reviewer).write({"summary": "错别字修正"})
        self.assertEqual(self.returns.live_revision_id.number, 2)
        self.assertEqual(self._status()[("kb_wang", "退货流程")], (True, False))
        # a major revision asks again
        self.returns.with_user(self.editor).action_back_to_draft()
        self.returns.with_user(self.editor).write({"body": "<p>三十天无理由退货</p>"})
        self.returns.with_user(self.editor).action_submit()
        self.returns.with_user(self.reviewer).write({"is_major_change": True})
        self.returns.with_user(self.reviewer).action_publish()
        third = self.returns.live_revision_id
        self.assertEqual((third.number, third.is_major_change), (3, True))
        row_domain = [
            ("plan_id", "=", self.plan.id),
            ("user_id", "=", self.wang.id),
            ("article_id", "=", self.returns.id),
        ]
        self.Status.invalidate_model()
        row = self.Status.search(row_domain)
        self.assertFalse(row.is_done)
        self.assertEqual(row.required_revision_id, third)
        self.returns.with_user(self.wang).action_confirm_read()
        self.Status.invalidate_model()
        self.assertTrue(self.Status.search(row_domain).is_done)
        self.assertEqual(
            self.env["crm.knowledge.read.confirmation"]
            .search([("user_id", "=", self.wang.id)])
            .revision_id,
            first | third,
        )

    def test_only_the_live_revision_is_confirmed(self):
        draft = (
            self.env["crm.knowledge.article"]
            .with_user(self.editor)
            .create({"name": "草稿"})
        )
        with self.assertRaises(UserError):
            draft.with_user(self.wang).action_confirm_read()
        old = self.returns.live_revision_id
        self.returns.with_user(self.reviewer).write({"summary": "新版"})
        Confirmation = self.env["crm.knowledge.read.confirmation"].with_user(self.wang)
        with self.assertRaises(UserError):
            Confirmation.create({"article_id": self.returns.id, "revision_id": old.id})
        # nobody confirms for someone else
        with self.assertRaises(AccessError):
            Confirmation.create(
                {
                    "user_id": self.li.id,
                    "article_id": self.returns.id,
                    "revision_id": self.returns.live_revision_id.id,
                }
            )
        self.assertFalse(Confirmation.sudo().search([]))

    def test_cron_reminds_once_per_plan_and_user(self):
        self.returns.with_user(self.wang).action_confirm_read()
        self.complaints.with_user(self.wang).action_confirm_read()
        self.plan._cron_remind_overdue()
        self.plan._cron_remind_overdue()  # the next night: nothing new
        reminders = self.env["mail.activity"].search(
            [("res_model", "=", self.plan._name), ("res_id", "=", self.plan.id)]
        )
        self.assertEqual(reminders.user_id, self.li | self.zhou)
        self.assertEqual(len(reminders), 2)
        self.assertEqual(
            reminders.activity_type_id,
            self.env.ref("crm_knowledge.mail_activity_type_training_reminder"),
        )
        # done reminders: the next overdue night reminds again
        reminders.filtered(lambda a: a.user_id == self.li).action_feedback()
        self.plan._cron_remind_overdue()
        self.assertEqual(
            len(
                self.env["mail.activity"].search(
                    [("res_model", "=", self.plan._name), ("res_id", "=", self.plan.id)]
                )
            ),
            2,
        )

    def test_access_per_group_and_company(self):
        self.returns.with_user(self.wang).action_confirm_read()
        # a trainee sees their own completion and confirmations only
        own = self.Status.with_user(self.wang).search([("plan_id", "=", self.plan.id)])
        self.assertEqual(own.user_id, self.wang)
        self.assertEqual(
            self.env["crm.knowledge.read.confirmation"].with_user(self.li).search([]),
            self.env["crm.knowledge.read.confirmation"],
        )
        # a manager sees everyone's
        self.assertEqual(
            len(
                self.Status.with_user(self.manager).search(
                    [("plan_id", "=", self.plan.id)]
                )
            ),
            6,
        )
        self.assertEqual(
            len(
                self.env["crm.knowledge.read.confirmation"]
                .with_user(self.manager)
                .search([])
            ),
            1,
        )
        # editors read plans, managers write them
        self.assertEqual(
            self.env["crm.knowledge.training.plan"]
            .with_user(self.wang)
            .search([("id", "=", self.plan.id)]),
            self.plan,
        )
        with self.assertRaises(AccessError):
            self.plan.with_user(self.wang).write({"due_date": FUTURE})
        with self.assertRaises(AccessError):
            self.env["crm.knowledge.training.plan"].with_user(self.wang).create(
                {"name": "自建计划", "due_date": FUTURE}
            )
        self.plan.with_user(self.manager).write({"due_date": FUTURE})
        # another company's user sees neither the plan nor its completion
        for model in ("crm.knowledge.training.plan", "crm.knowledge.training.status"):
            self.assertFalse(self.env[model].with_user(self.outsider).search([]), model)
        plan_b = self.env["crm.knowledge.training.plan"].create(
            {
                "name": "B 公司计划",
                "due_date": FUTURE,
                "company_id": self.company_b.id,
                "group_ids": [Command.link(self.group.id)],
            }
        )
        self.assertFalse(
            self.env["crm.knowledge.training.plan"]
            .with_user(self.manager)
            .search([("id", "=", plan_b.id)])
        )
