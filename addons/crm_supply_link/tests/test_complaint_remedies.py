from contextlib import closing

from odoo import SUPERUSER_ID, Command, api, sql_db
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .remedy_common import RemedyCase


@tagged("post_install", "-at_install")
class TestComplaintRemedies(RemedyCase):
    def test_partial_return_then_the_rest_never_more(self):
        wizard = self._wizard("return", user=self.complaint_user)
        lines = {line.product_id: line for line in wizard.line_ids}
        # the complained product by default, at what was delivered
        self.assertEqual(lines[self.cup].available_quantity, 5)
        self.assertEqual(lines[self.cup].quantity, 5)
        self.assertEqual(lines[self.lid].quantity, 0)
        self._set_quantities(wizard, {self.cup: 2})
        wizard.action_confirm()
        remedy = self._remedies("return")
        picking = remedy.picking_id
        self.assertEqual(picking.picking_type_code, "incoming")
        self.assertEqual(picking.return_id, self.delivery)
        self.assertEqual(picking.customerism_complaint_id, self.complaint)
        self.assertEqual(picking.move_ids.product_id, self.cup)
        self.assertEqual(picking.move_ids.product_uom_qty, 2)
        self.assertTrue(picking.move_ids.to_refund)
        self.assertEqual((remedy.state, remedy.quantity), ("open", 2))
        self.assertEqual(self.complaint.remedy_return_count, 1)
        # a second click while the return is open: refused, no second return
        with self.assertRaisesRegex(UserError, "already has an open Return"):
            self._wizard("return", user=self.complaint_user).action_confirm()
        self.assertEqual(len(self._remedies("return")), 1)
        # the complaint user asks, a stock user validates
        with self.assertRaises(AccessError):
            picking.with_user(self.complaint_user).button_validate()
        self._validate(picking.with_user(self.stock_user))
        self.assertEqual(remedy.state, "done")
        cup_line = self.order.order_line.filtered(
            lambda sol: sol.product_id == self.cup
        )
        self.assertEqual(cup_line.qty_delivered, 3)
        # three left: four are refused, three are returned, then nothing is left
        wizard = self._wizard("return", user=self.complaint_user)
        self.assertEqual(
            wizard.line_ids.filtered(
                lambda l: l.product_id == self.cup
            ).available_quantity,
            3,
        )
        self._set_quantities(wizard, {self.cup: 4})
        with self.assertRaisesRegex(UserError, "4.0 asked, only 3.0 left"):
            wizard.action_confirm()
        self._set_quantities(wizard, {self.cup: 3})
        wizard.action_confirm()
        self.assertEqual(sum(self._remedies("return").mapped("quantity")), 5)
        self._validate(self._remedies("return")[-1].picking_id)
        wizard = self._wizard("return", user=self.complaint_user)
        self.assertEqual(
            wizard.line_ids.filtered(
                lambda l: l.product_id == self.cup
            ).available_quantity,
            0,
        )
        self._set_quantities(wizard, {self.cup: 1})
        with self.assertRaisesRegex(UserError, "only 0.0 left"):
            wizard.action_confirm()

    def test_return_without_refund_keeps_delivered_quantity(self):
        wizard = self._wizard("return", to_refund=False)
        self._set_quantities(wizard, {self.cup: 1})
        wizard.action_confirm()
        picking = self._remedies("return").picking_id
        self.assertFalse(picking.move_ids.to_refund)
        self._validate(picking)
        cup_line = self.order.order_line.filtered(
            lambda sol: sol.product_id == self.cup
        )
        self.assertEqual(cup_line.qty_delivered, 5)

    def test_full_credit_note(self):
        self.assertEqual(self.invoice.amount_total, 600)
        action = self._wizard("credit_note", user=self.complaint_user).action_confirm()
        remedy = self._remedies("credit_note")
        credit_note = remedy.move_id
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "draft")
        self.assertEqual(credit_note.reversed_entry_id, self.invoice)
        self.assertEqual(credit_note.customerism_complaint_id, self.complaint)
        self.assertEqual(credit_note.amount_total, 600)
        # the complaint user may not read invoices: the dialog closes on the
        # complaint, whose Remedies tab lists the credit note
        self.assertEqual(action["type"], "ir.actions.act_window_close")
        self.assertEqual(
            self.complaint.with_user(self.complaint_user).remedy_ids.name,
            credit_note.name,
        )
        self.assertEqual(
            (remedy.state, remedy.amount, remedy.quantity), ("draft", 600, 7)
        )
        self.assertEqual(self.complaint.remedy_credit_amount, 600)
        self.assertEqual(self.complaint.remedy_cost, 600)
        # a second request while the credit note is a draft: refused
        with self.assertRaisesRegex(UserError, "already has an open Credit Note"):
            self._wizard("credit_note", user=self.complaint_user).action_confirm()
        # the complaint user may not post it; an accounting user does
        with self.assertRaises(AccessError):
            credit_note.with_user(self.complaint_user).action_post()
        credit_note.with_user(self.billing_user).action_post()
        self.assertEqual(remedy.state, "done")
        with self.assertRaisesRegex(UserError, "already fully credited"):
            self._wizard("credit_note", user=self.complaint_user).action_confirm()
        # a cancelled credit note costs nothing
        credit_note.button_draft()
        credit_note.button_cancel()
        self.assertEqual(remedy.state, "cancel")
        self.assertEqual(self.complaint.remedy_cost, 0)

    def test_partial_credit_notes_up_to_the_invoice(self):
        wizard = self._wizard("credit_note", credit_mode="partial")
        lines = {line.product_id: line for line in wizard.line_ids}
        self.assertEqual(lines[self.cup].available_quantity, 5)
        self.assertEqual(lines[self.lid].available_quantity, 2)
        self._set_quantities(wizard, {self.cup: 2})
        wizard.action_confirm()
        first = self._remedies("credit_note").move_id
        self.assertEqual(first.invoice_line_ids.product_id, self.cup)
        self.assertEqual(first.invoice_line_ids.quantity, 2)
        self.assertEqual(first.amount_total, 200)
        first.action_post()
        # more than left on a line: refused
        wizard = self._wizard("credit_note", credit_mode="partial")
        self._set_quantities(wizard, {self.cup: 4})
        with self.assertRaisesRegex(UserError, "4.0 asked, only 3.0 left"):
            wizard.action_confirm()
        # "full" credits what is left: 3 cups and 2 lids
        self._wizard("credit_note", credit_mode="full").action_confirm()
        second = self._remedies("credit_note").move_id - first
        self.assertEqual(
            {line.product_id: line.quantity for line in second.invoice_line_ids},
            {self.cup: 3, self.lid: 2},
        )
        self.assertEqual(second.amount_total, 400)
        self.assertEqual(self.complaint.remedy_credit_amount, 600)
        second.action_post()
        with self.assertRaisesRegex(UserError, "already fully credited"):
            self._wizard("credit_note", credit_mode="partial").action_confirm()

    def test_credit_note_counts_odoo_own_credit_notes(self):
        """A credit note made from the invoice by Odoo's own button counts."""
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=self.invoice.ids)
            .create({"journal_id": self.invoice.journal_id.id})
        )
        reversal.refund_moves()
        reversal.new_move_ids.action_post()
        with self.assertRaisesRegex(UserError, "already fully credited"):
            self._wizard("credit_note").action_confirm()

    def test_unposted_invoice_refused(self):
        draft = self.invoice.copy()
        self.complaint.invoice_id = draft
        with self.assertRaisesRegex(UserError, "not a posted customer invoice"):
            self._wizard("credit_note").action_confirm()
        self.assertFalse(self.complaint.remedy_ids)

    def test_posting_needs_billing_rights(self):
        """A purchase user may write journal entries, not post a complaint's
        credit note."""
        buyer = new_test_user(
            self.env,
            login="remedy_buyer",
            groups="purchase.group_purchase_user",
        )
        self._wizard("credit_note").action_confirm()
        credit_note = self._remedies("credit_note").move_id
        with self.assertRaisesRegex(AccessError, "Billing"):
            credit_note.with_user(buyer).action_post()
        self.assertEqual(credit_note.state, "draft")

    def test_replacement_is_odoo_exchange_at_cost(self):
        wizard = self._wizard("replacement", user=self.complaint_user)
        self._set_quantities(wizard, {self.cup: 2})
        wizard.action_confirm()
        remedies = self._remedies("replacement")
        back = remedies.picking_id.filtered(lambda p: p.picking_type_code == "incoming")
        sent = remedies.picking_id.filtered(lambda p: p.picking_type_code == "outgoing")
        self.assertEqual(back.move_ids.product_uom_qty, 2)
        self.assertTrue(back.move_ids.to_refund)
        self.assertEqual(sent.move_ids.product_id, self.cup)
        self.assertEqual(sent.move_ids.product_uom_qty, 2)
        cup_line = self.order.order_line.filtered(
            lambda sol: sol.product_id == self.cup
        )
        self.assertEqual(sent.move_ids.sale_line_id, cup_line)
        self.assertEqual(sent.customerism_complaint_id, self.complaint)
        # two cups at a cost of 40
        self.assertEqual(self.complaint.remedy_replacement_cost, 80)
        self.assertEqual(self.complaint.remedy_cost, 80)
        self._validate(back)
        self._validate(sent)
        # the customer is not invoiced twice
        self.assertEqual(cup_line.qty_delivered, 5)
        self.assertEqual(cup_line.qty_to_invoice, 0)
        self.assertEqual(self.complaint.remedy_replacement_cost, 80)

    def test_supplier_claim(self):
        with self.assertRaisesRegex(UserError, "not caused by a supplier"):
            self._wizard("supplier_claim").action_confirm()
        self.complaint.write({"root_cause_type": "supplier"})
        self.assertEqual(self.complaint.supplier_id, self.vendor)
        # the customer sent two cups back first: the claim defaults to them
        wizard = self._wizard("return")
        self._set_quantities(wizard, {self.cup: 2})
        wizard.action_confirm()
        self._validate(self._remedies("return").picking_id)
        wizard = self._wizard("supplier_claim", user=self.complaint_user)
        self.assertEqual(wizard.picking_id, self.receipt)
        lines = {line.product_id: line for line in wizard.line_ids}
        self.assertEqual(lines[self.cup].available_quantity, 10)
        self.assertEqual(lines[self.cup].quantity, 2)
        wizard.action_confirm()
        vendor_return = self._remedies("supplier_return").picking_id
        self.assertEqual(vendor_return.return_id, self.receipt)
        self.assertEqual(vendor_return.picking_type_code, "outgoing")
        self.assertEqual(vendor_return.partner_id, self.vendor)
        self.assertEqual(vendor_return.move_ids.product_uom_qty, 2)
        vendor_credit = self._remedies("supplier_credit").move_id
        self.assertEqual(vendor_credit.move_type, "in_refund")
        self.assertEqual(vendor_credit.state, "draft")
        self.assertEqual(vendor_credit.partner_id, self.vendor)
        self.assertEqual(vendor_credit.invoice_line_ids.quantity, 2)
        self.assertEqual(vendor_credit.amount_total, 80)
        cup_purchase_line = self.purchase.order_line.filtered(
            lambda pol: pol.product_id == self.cup
        )
        self.assertEqual(
            vendor_credit.invoice_line_ids.purchase_line_id, cup_purchase_line
        )
        self.assertEqual(self.complaint.remedy_supplier_claim_amount, 80)
        self.assertEqual(self.complaint.remedy_supplier_claim_count, 2)
        # what the supplier refunds is no cost of the complaint
        self.assertEqual(self.complaint.remedy_cost, 0)
        with self.assertRaisesRegex(UserError, "already has an open"):
            self._wizard("supplier_claim").action_confirm()

    def test_gesture_amount_in_cost(self):
        program = self.env["loyalty.program"].create(
            {"name": "道歉礼品卡", "program_type": "gift_card"}
        )
        self.env["crm.complaint.gesture.wizard"].create(
            {"complaint_id": self.complaint.id, "program_id": program.id, "points": 30}
        ).action_apply()
        self._wizard("credit_note", credit_mode="partial").action_confirm()
        self.assertEqual(self.complaint.remedy_gesture_amount, 30)
        self.assertEqual(self.complaint.remedy_cost, 30 + 500)

    def test_other_company(self):
        other_company = self.env["res.company"].create({"name": "深圳分公司"})
        outsider = new_test_user(
            self.env,
            login="remedy_outsider",
            groups="crm_customerism.group_crm_customerism_manager,stock.group_stock_user",
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )
        self._wizard("return").action_confirm()
        with self.assertRaises(AccessError):
            self._wizard("credit_note", user=outsider).action_confirm()
        remedies = self.env["crm.complaint.remedy"].with_user(outsider)
        self.assertFalse(remedies.search([("complaint_id", "=", self.complaint.id)]))
        self.assertEqual(len(self.complaint.remedy_ids), 1)

    def test_only_complaint_users_request(self):
        with self.assertRaises(AccessError):
            self._wizard("return", user=self.stock_user)

    def test_concurrent_request_refused(self):
        """While another transaction makes a remedy of the complaint (its row
        locked), a second request is refused at once with a clear message.
        Two real connections: the complaint is committed for both to see, and
        removed at the end."""
        dbname = self.env.cr.dbname
        with closing(sql_db.db_connect(dbname).cursor()) as setup_cr:
            setup_env = api.Environment(
                setup_cr, SUPERUSER_ID, {"tracking_disable": True}
            )
            complaint_id = (
                setup_env["crm.complaint"]
                .create(
                    {
                        "subject": "并发补救",
                        "partner_id": setup_env.company.partner_id.id,
                    }
                )
                .id
            )
            # another transaction must see the complaint to lock it
            setup_cr.commit()  # pylint: disable=invalid-commit

        def remove():
            with closing(sql_db.db_connect(dbname).cursor()) as cr:
                for table in ("mail_followers", "mail_message"):
                    cr.execute(
                        SQL(
                            "DELETE FROM %s WHERE %s = 'crm.complaint' AND res_id = %s",
                            SQL.identifier(table),
                            SQL.identifier(
                                "res_model" if table == "mail_followers" else "model"
                            ),
                            complaint_id,
                        )
                    )
                cr.execute(SQL("DELETE FROM crm_complaint WHERE id = %s", complaint_id))
                cr.commit()  # pylint: disable=invalid-commit

        self.addCleanup(remove)
        with (
            closing(sql_db.db_connect(dbname).cursor()) as first_cr,
            closing(sql_db.db_connect(dbname).cursor()) as second_cr,
        ):
            first = api.Environment(first_cr, SUPERUSER_ID, {})
            second = api.Environment(second_cr, SUPERUSER_ID, {})
            # the first request holds the complaint
            first["crm.complaint"].browse(complaint_id)._remedy_lock(("return",))
            with self.assertRaisesRegex(UserError, "being made .* by another request"):
                second["crm.complaint"].browse(complaint_id)._remedy_lock(("return",))
            first_cr.rollback()
            # once the first one ended, the next request goes through
            second["crm.complaint"].browse(complaint_id)._remedy_lock(("return",))
            second_cr.rollback()
