import importlib.util
import os

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.mail.tools.discuss import Store

from .common import CustomerismCase


def note_body(message, lang):
    """The body of ``message`` as the web client receives it in ``lang``."""
    store = Store()
    message.with_context(lang=lang)._to_store(store)
    [data] = [
        vals for vals in store.get_result()["mail.message"] if vals["id"] == message.id
    ]
    return str(data["body"])


@tagged("post_install", "-at_install", "customerism")
class TestReaderLanguage(CustomerismCase):
    """Stage reasons, stage-change notes, complaint risk reasons and the portal
    filing note are rendered in each reader's language, whatever the
    language of the company or of the user who caused them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            ["crm_customerism"], ["zh_CN"], overwrite=True
        )
        cls.company.partner_id.lang = "zh_CN"
        cls.prospect = cls._partner("Reader prospect", customer_rank=1)
        cls.lapsed = cls._partner("Reader lapsed", customer_rank=1)
        cls._order(cls.lapsed, "2024-01-10", 700)
        cls.steady = cls._partner("Reader steady", customer_rank=1)
        for date in ("2024-10-15", "2025-01-15", "2025-04-15", "2025-06-15"):
            cls._order(cls.steady, date, 300)

    def test_stage_reason_and_note_per_reader(self):
        self._recompute()
        prospect = self._profile(self.prospect)
        self.assertEqual(
            prospect.with_context(lang="en_US").stage_reason, "No confirmed order yet."
        )
        self.assertEqual(
            prospect.with_context(lang="zh_CN").stage_reason, "尚无已确认订单。"
        )
        line = self._profile(self.lapsed).stage_history_ids.sorted("id")[-1]
        self.assertEqual(line.stage_to, "lapsed")
        self.assertIn("lapse limit: 365 days", line.with_context(lang="en_US").reason)
        self.assertNotIn("lapse", line.with_context(lang="zh_CN").reason)
        note = self.lapsed.message_ids.filtered(
            lambda m: m.customerism_stage_history_id == line
        )
        self.assertEqual(note.customerism_note, "stage_change")
        # stored once in the company's language (e-mails, searches)
        self.assertIn("中断期", str(note.body))
        english = note_body(note, "en_US")
        self.assertIn("Lapsed", english)
        self.assertIn("lapse limit: 365 days", english)
        self.assertNotIn("中断期", english)
        chinese = note_body(note, "zh_CN")
        self.assertIn("生命周期阶段", chinese)
        self.assertIn("中断期", chinese)

    def test_termination_reason_per_reader(self):
        self._recompute()
        profile = self._profile(self.steady)
        with freeze_time("2025-07-01"):
            profile.with_user(self.user)._record_termination_notice(
                profile.last_order_date, "Moving to a competitor"
            )
        line = profile.stage_history_ids.sorted("id")[-1]
        self.assertEqual(line.user_id, self.user)
        english = line.with_context(lang="en_US").reason
        self.assertIn(f"Termination notice recorded by {self.user.name}", english)
        self.assertIn("Moving to a competitor", english)
        chinese = line.with_context(lang="zh_CN").reason
        self.assertIn("记录了解约通知", chinese)
        self.assertIn("Moving to a competitor", chinese)

    def test_complaint_risk_reason_per_reader(self):
        with freeze_time("2025-06-30 10:00:00"):
            complaint = self.env["crm.complaint"].create(
                {
                    "subject": "Broken pump",
                    "partner_id": self.steady.id,
                    "severity": "critical",
                }
            )
        self.assertTrue(complaint.lifecycle_risk)
        self.assertEqual(
            complaint.with_context(lang="en_US").lifecycle_risk_reason,
            f"Open Critical complaint {complaint.name}: Broken pump",
        )
        chinese = complaint.with_context(lang="zh_CN").lifecycle_risk_reason
        self.assertIn("紧急", chinese)
        self.assertNotIn("Critical", chinese)
        profile = self._profile(self.steady)
        self.assertEqual(profile.lifecycle_stage, "at_risk")
        self.assertIn(complaint.name, profile.with_context(lang="zh_CN").stage_reason)
        self.assertIn("Critical", profile.with_context(lang="en_US").stage_reason)

    def test_user_who_acted_is_on_the_history(self):
        """A stage change caused by a user's action (here an order) names the
        user; the nightly recompute names none."""
        salesman = new_test_user(
            self.env,
            login="reader_salesman",
            groups="sales_team.group_sale_salesman_all_leads,"
            "crm_customerism.group_crm_customerism_user",
            company_ids=[Command.link(self.company.id)],
        )
        self._recompute()
        profile = self._profile(self.prospect)
        self.assertFalse(profile.stage_history_ids.sorted("id")[-1].user_id)
        order = (
            self.env["sale.order"]
            .with_user(salesman)
            .create(
                {
                    "partner_id": self.prospect.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "price_unit": 100,
                                "tax_id": False,
                            }
                        )
                    ],
                }
            )
        )
        with freeze_time("2025-07-01 10:00:00"):
            order.action_confirm()
        line = profile.stage_history_ids.sorted("id")[-1]
        self.assertEqual((line.stage_to, line.user_id), ("new", salesman))

    def test_stage_history_pivot_and_graph(self):
        """The stage history is analysed in a pivot and a graph, by stage and
        by the user who acted, not only listed."""
        action = self.env.ref("crm_customerism.crm_customer_stage_history_action")
        self.assertEqual(
            action.view_mode.split(","), ["list", "pivot", "graph", "form"]
        )
        History = self.env["crm.customer.stage.history"].with_user(self.user)
        views = History.get_views([(False, "pivot"), (False, "graph")])["views"]
        self.assertIn('name="stage_to"', views["pivot"]["arch"])
        self.assertIn('name="date"', views["graph"]["arch"])
        self._recompute()
        groups = History.read_group(
            [], ["__count"], ["stage_to", "user_id"], lazy=False
        )
        self.assertLessEqual(
            {"prospect", "lapsed", "growth"}, {group["stage_to"] for group in groups}
        )

    def test_portal_filing_note_per_reader(self):
        complaint = self.env["crm.complaint"].create(
            {"subject": "Late delivery", "partner_id": self.steady.id}
        )
        message = complaint._post_portal_filing_note(self.steady)
        self.assertIn("客户门户", str(message.body))
        self.assertIn(
            "Complaint filed on the customer portal.", note_body(message, "en_US")
        )
        self.assertNotIn("Complaint filed", note_body(message, "zh_CN"))

    def test_existing_texts_migrated(self):
        """Reasons stored as text before (English or Chinese) become codes,
        rendered for each reader; an unknown text is kept as it was."""
        self._recompute()
        profile = self._profile(self.lapsed)
        line = profile.stage_history_ids.sorted("id")[-1]
        user_line = line.copy({"stage_from": "lapsed", "stage_to": "recovered"})
        odd_line = line.copy({"stage_from": "recovered", "stage_to": "lapsed"})
        note = self.lapsed.message_ids.filtered(
            lambda m: m.customerism_stage_history_id == line
        )
        note.write({"customerism_note": False, "customerism_stage_history_id": False})
        self.env.flush_all()
        self.env.cr.execute(
            """
            UPDATE crm_customer_stage_history SET reason_code = NULL,
                   reason_values = NULL, reason_legacy = CASE id
                   WHEN %s THEN '尚无已确认订单。'
                   WHEN %s THEN 'Termination notice withdrawn by Li Lei. No order '
                             || 'for 400 days (lapse limit: 365 days).'
                   ELSE 'Written by hand' END
             WHERE id IN %s
            """,
            [line.id, user_line.id, (line.id, user_line.id, odd_line.id)],
        )
        self.env.invalidate_all()
        self._post_migration().migrate_stage_history(self.env)
        self.env.invalidate_all()
        self.assertEqual(line.reason_code, "prospect")
        self.assertEqual(
            line.with_context(lang="en_US").reason, "No confirmed order yet."
        )
        self.assertEqual(user_line.reason_code, "lapsed")
        self.assertEqual(
            user_line.with_context(lang="en_US").reason,
            "Termination notice withdrawn by Li Lei. No order for 400 days "
            "(lapse limit: 365 days).",
        )
        self.assertIn("Li Lei", user_line.with_context(lang="zh_CN").reason)
        self.assertNotIn("lapse", user_line.with_context(lang="zh_CN").reason)
        self.assertFalse(odd_line.reason_code)
        self.assertEqual(odd_line.with_context(lang="zh_CN").reason, "Written by hand")
        self.assertEqual(
            (note.customerism_note, note.customerism_stage_history_id),
            ("stage_change", line),
        )

    def _post_migration(self):
        path = os.path.join(
            os.path.dirname(os.path.dirname(__file__)),
            "migrations",
            "18.0.1.1.0",
            "post-migration.py",
        )
        spec = importlib.util.spec_from_file_location("customerism_post_1_1", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
