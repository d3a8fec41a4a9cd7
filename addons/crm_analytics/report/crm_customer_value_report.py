from odoo import fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index, index_exists

from odoo.addons.crm_customerism.models.crm_customer_profile import (
    GRADE_SELECTION,
    STAGE_SELECTION,
)


class CrmCustomerValueReport(models.Model):
    """Customer value (客户价值) by grade, lifecycle stage, salesperson, region
    and month: one row per confirmed sale order (its untaxed amount) and per
    posted credit note of a confirmed order (its untaxed amount, negative), in
    company currency, the documents the profile recompute counts. Grade, stage
    and salesperson are the customer's current ones (its value profile)."""

    _name = "crm.customer.value.report"
    _description = "Customer Value Analysis"
    _inherit = ["crm.customerism.ordered.selection.mixin"]
    _auto = False
    _order = "date desc"
    _rec_name = "partner_id"

    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    state_id = fields.Many2one("res.country.state", string="Region", readonly=True)
    grade = fields.Selection(GRADE_SELECTION, readonly=True)
    is_key_account = fields.Boolean(string="Key Account", readonly=True)
    lifecycle_stage = fields.Selection(STAGE_SELECTION, readonly=True)
    order_id = fields.Many2one("sale.order", string="Sale Order", readonly=True)
    move_id = fields.Many2one("account.move", string="Credit Note", readonly=True)
    order_count = fields.Integer(string="Orders", readonly=True)
    order_value = fields.Monetary(
        string="Orders (Untaxed)",
        readonly=True,
        help="Untaxed amount of the confirmed sale orders, in company currency.",
    )
    refund_value = fields.Monetary(
        string="Credit Notes (Untaxed)",
        readonly=True,
        help="Untaxed amount of the posted credit notes of confirmed orders.",
    )
    net_value = fields.Monetary(
        readonly=True,
        help="Orders minus credit notes (untaxed, company currency).",
    )

    # the day of each document, as the view computes it: filtering a period
    # reads these indexes, and their statistics (ANALYZE; PostgreSQL keeps
    # none for an expression without an index that is not partial) give the
    # planner the right row count, so that it hash-joins the partners of a
    # period's 90,000 documents instead of looking them up one by one
    _date_indexes = (
        ("sale_order_date_order_day_index", "sale_order", "(date_order::date)"),
        (
            "account_move_invoice_day_index",
            "account_move",
            "(COALESCE(invoice_date, date))",
        ),
    )

    def init(self):
        result = super().init()
        for name, table, expression in self._date_indexes:
            if not index_exists(self.env.cr, name):
                create_index(self.env.cr, name, table, [expression])
                self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
        return result

    @property
    def _table_query(self):
        return SQL(
            """
            WITH docs AS (
                SELECT so.id * 2 AS id, so.date_order::date AS date,
                       so.company_id, so.partner_id, so.id AS order_id,
                       NULL::integer AS move_id, 1 AS order_count,
                       CASE WHEN COALESCE(so.currency_rate, 0) IN (0, 1)
                            THEN COALESCE(so.amount_untaxed, 0)
                            ELSE so.amount_untaxed / so.currency_rate END
                           AS order_value,
                       0.0 AS refund_value
                  FROM sale_order so
                 WHERE so.state = 'sale'
                UNION ALL
                SELECT am.id * 2 + 1, COALESCE(am.invoice_date, am.date),
                       am.company_id, am.partner_id, NULL, am.id, 0,
                       0.0, -am.amount_untaxed_signed
                  FROM account_move am
                 WHERE am.state = 'posted' AND am.move_type = 'out_refund'
                   -- as the profile recompute: only the credit notes of a
                   -- confirmed order (its lines or the reversed invoice's)
                   AND EXISTS (
                       SELECT 1
                         FROM account_move_line aml
                         JOIN sale_order_line_invoice_rel rel
                           ON rel.invoice_line_id = aml.id
                         JOIN sale_order_line sol ON sol.id = rel.order_line_id
                        WHERE aml.move_id IN (am.id, am.reversed_entry_id)
                          AND sol.state = 'sale'
                          AND sol.company_id = am.company_id)
            )
            SELECT d.id, d.date, d.company_id, c.currency_id,
                   cp.id AS partner_id, cp.user_id, cp.country_id, cp.state_id,
                   prof.grade, COALESCE(prof.is_key_account, FALSE) AS is_key_account,
                   prof.lifecycle_stage, d.order_id, d.move_id, d.order_count,
                   d.order_value, d.refund_value,
                   d.order_value - d.refund_value AS net_value
              FROM docs d
              JOIN res_company c ON c.id = d.company_id
              JOIN res_partner p ON p.id = d.partner_id
              JOIN res_partner cp ON cp.id = p.commercial_partner_id
              LEFT JOIN crm_customer_profile prof
                ON prof.partner_id = cp.id AND prof.company_id = d.company_id
            """
        )
