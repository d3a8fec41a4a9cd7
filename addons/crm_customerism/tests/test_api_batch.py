from odoo import Command
from odoo.tests import TransactionCase, new_test_user


class TestApiBatch(TransactionCase):
    """The batch upsert's set-based path (res.partner.customerism_upsert):
    the number of queries of a batch does not grow with its new customers,
    and at most by each item's savepoint for the unchanged ones; the result
    is the same as item by item."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integrator = new_test_user(
            cls.env,
            login="api_batch_integrator",
            groups="crm_customerism.group_crm_customerism_user,base.group_partner_manager",
            company_ids=[Command.link(cls.env.company.id)],
        )
        cls.Partner = cls.env["res.partner"].with_user(cls.integrator)

    def items(self, prefix, count):
        return [
            {
                "source": "batch-test",
                "key": f"{prefix}{n:04d}",
                "name": f"批量客户 {prefix}{n:04d}",
                "email": f"{prefix.lower()}{n}@example.com",
                "city": "上海",
                "country_code": "cn",
            }
            for n in range(count)
        ]

    def upsert(self, items):
        """The results of the call and the number of its queries."""
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        results = self.Partner.customerism_upsert(items)
        self.env.flush_all()
        return results, self.env.cr.sql_log_count - before

    def test_new_customers_queries_do_not_grow_with_the_batch(self):
        small, small_queries = self.upsert(self.items("S", 5))
        large, large_queries = self.upsert(self.items("L", 100))
        self.assertEqual({r["status"] for r in small + large}, {"created"})
        # one batch create and one insert of the references, whatever the
        # number of customers (a per-item query would add 95 here)
        self.assertLess(large_queries - small_queries, 10)
        partners = self.env["res.partner"].browse(r["id"] for r in large)
        self.assertEqual(len(partners), 100)
        self.assertEqual(partners.country_id.code, "CN")
        self.assertEqual(
            partners.mapped("email")[:2], ["l0@example.com", "l1@example.com"]
        )
        self.assertTrue(all(partners.mapped("is_company")))
        # no chatter note or follower per imported partner
        self.assertFalse(partners.message_ids)
        self.assertFalse(partners.message_follower_ids)
        references = self.env["crm.external.reference"].search(
            [("source", "=", "batch-test"), ("key", "=like", "L%")]
        )
        self.assertEqual(sorted(references.mapped("res_id")), sorted(partners.ids))

    def test_unchanged_and_updated_reuse_the_batch_lookup(self):
        items = self.items("U", 60)
        self.upsert(items)
        again, queries = self.upsert(items)
        self.assertEqual({r["status"] for r in again}, {"unchanged"})
        # each item's savepoint (SAVEPOINT, RELEASE), one lookup of the
        # references and one read of their partners for the whole batch
        self.assertLess(queries, 2 * len(items) + 15)
        items[3]["city"] = "杭州"
        updated, __ = self.upsert(items)
        self.assertEqual(updated[3]["status"], "updated")
        self.assertEqual(self.env["res.partner"].browse(updated[3]["id"]).city, "杭州")
        self.assertEqual({r["status"] for r in updated[4:]}, {"unchanged"})

    def test_deleted_partner_recreated_and_bad_item_alone(self):
        items = self.items("D", 3)
        first, __ = self.upsert(items)
        self.env["res.partner"].browse(first[1]["id"]).unlink()
        items.append(dict(self.items("D", 4)[3], country_code="XX"))
        again, __ = self.upsert(items)
        self.assertEqual(
            [r["status"] for r in again], ["unchanged", "created", "unchanged", "error"]
        )
        self.assertNotEqual(again[1]["id"], first[1]["id"])
        self.assertIn("country_code", again[3]["message"])
        reference = self.env["crm.external.reference"].search(
            [("source", "=", "batch-test"), ("key", "=", "D0001")]
        )
        self.assertEqual(reference.res_id, again[1]["id"])
        self.assertFalse(
            self.env["crm.external.reference"].search(
                [("source", "=", "batch-test"), ("key", "=", "D0003")]
            )
        )
