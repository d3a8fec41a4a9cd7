"""Receivables of the customers (应收账款, 财务风险): one step of the
customer recompute (crm.customer.value.engine).

Per commercial partner of a company, from the open receivable lines of posted
entries (account type asset_receivable, not reconciled): the receivable (the
sum of the residual amounts, payments not yet matched lowering it), the
overdue amount (the residual of the lines whose due date has passed), the
days overdue of the oldest of them, and the use of Odoo's partner credit
limit (``res.partner.credit_limit`` in the company, when the company uses
credit limits: ``account_use_credit_limit``). One aggregate into the
temporary table customerism_receivable, which the batches of the recompute
join; amounts in company currency."""

from odoo.tools import SQL


def build_receivables(profiles, company, today, contacts_filter, as_of=None):
    """Create the temporary table customerism_receivable (partner_id,
    receivable, overdue_amount, overdue_days, credit_usage) for ``company``;
    ``contacts_filter`` (SQL over alias aml) restricts it to the contacts of
    the customers of an incremental recompute. ``as_of``: the receivables
    open at the end of that day, from the entries dated up to it and the
    reconciliations made by then (see _open_lines_as_of)."""
    cr = profiles.env.cr
    partners = profiles.env["res.partner"].with_company(company)
    # the company's default limit (ir.default) for partners without their own
    default_limit = partners._fields["credit_limit"].get_company_dependent_fallback(
        partners
    )
    # the partner's own limit is read only when the company uses limits
    credit_usage, credit_join = SQL("NULL::numeric"), SQL()
    if company.account_use_credit_limit:
        credit_usage = SQL(
            "round(100 * r.receivable / NULLIF(COALESCE("
            "(cp.credit_limit ->> %(company)s)::numeric, %(default)s), 0), 2)",
            company=str(company.id),
            default=default_limit or 0.0,
        )
        credit_join = SQL("JOIN res_partner cp ON cp.id = r.partner_id")
    # the receivable accounts as values, not a subquery: PostgreSQL then reads
    # the open lines through Odoo's partial index on unreconciled lines
    # (account_move_line__unreconciled_index) instead of scanning every line
    cr.execute(
        SQL(
            "SELECT COALESCE(array_agg(id), '{}') FROM account_account"
            " WHERE account_type = 'asset_receivable'"
        )
    )
    accounts = cr.fetchone()[0]
    lines = SQL(
        """
      SELECT aml.partner_id, aml.date_maturity, aml.amount_residual
        FROM account_move_line aml
       WHERE aml.company_id = %(company)s
         AND aml.parent_state = 'posted'
         AND aml.reconciled IS NOT TRUE
         AND aml.amount_residual <> 0
         AND aml.account_id = ANY(%(accounts)s)
         %(filter)s
        """,
        company=company.id,
        accounts=accounts,
        filter=contacts_filter,
    )
    if as_of:
        lines = _open_lines_as_of(cr, company, as_of, accounts)
    cr.execute(SQL("DROP TABLE IF EXISTS customerism_receivable"))
    cr.execute(
        SQL(
            """
CREATE TEMPORARY TABLE customerism_receivable AS
WITH r AS (
    SELECT p.commercial_partner_id AS partner_id,
           sum(aml.amount_residual) AS receivable,
           sum(aml.amount_residual) FILTER (
               WHERE aml.date_maturity < %(today)s AND aml.amount_residual > 0
           ) AS overdue_amount,
           %(today)s - min(aml.date_maturity) FILTER (
               WHERE aml.date_maturity < %(today)s AND aml.amount_residual > 0
           ) AS overdue_days
      FROM (%(lines)s) aml
      JOIN res_partner p ON p.id = aml.partner_id
  GROUP BY p.commercial_partner_id
)
SELECT r.partner_id, r.receivable, COALESCE(r.overdue_amount, 0) AS overdue_amount,
       COALESCE(r.overdue_days, 0) AS overdue_days, %(credit_usage)s AS credit_usage
  FROM r
  %(credit_join)s
            """,
            today=today,
            lines=lines,
            credit_usage=credit_usage,
            credit_join=credit_join,
        )
    )
    cr.execute(SQL("DROP TABLE IF EXISTS customerism_undone"))
    cr.execute(SQL("ANALYZE customerism_receivable (partner_id)"))


def _open_lines_as_of(cr, company, as_of, accounts):
    """SQL of the receivable lines of ``company`` open at the end of the day
    ``as_of`` (partner_id, date_maturity, amount_residual): the posted lines
    dated up to it, with the residual they had then.

    A line's stored residual is its balance less all its partial
    reconciliations (amounts in company currency, account.move.line
    _compute_amount_residual), so its residual on ``as_of`` is the stored
    one with the reconciliations made after that day (their max_date) added
    back. Only two kinds of lines can be open then: those open now (read
    through Odoo's partial index on unreconciled lines) and those reconciled
    after the day; the fully reconciled history is never read. The
    reconciliations after the day go into the temporary table
    customerism_undone (line_id, amount), analyzed, as the lines join it."""
    cr.execute(SQL("DROP TABLE IF EXISTS customerism_undone"))
    cr.execute(
        SQL(
            """
CREATE TEMPORARY TABLE customerism_undone AS
SELECT undo.line_id, sum(undo.amount) AS amount
  FROM account_partial_reconcile apr
 -- one scan, each reconciliation for its two lines: given back to the debit
 -- line, taken back from the credit line
 CROSS JOIN LATERAL (VALUES (apr.debit_move_id, apr.amount),
                            (apr.credit_move_id, -apr.amount)) undo (line_id, amount)
 WHERE apr.company_id = %(company)s AND apr.max_date > %(as_of)s
 GROUP BY undo.line_id
            """,
            company=company.id,
            as_of=as_of,
        )
    )
    cr.execute(SQL("ANALYZE customerism_undone"))
    line_filter = SQL(
        """aml.company_id = %(company)s
         AND aml.parent_state = 'posted'
         AND aml.date <= %(as_of)s
         AND aml.account_id = ANY(%(accounts)s)""",
        company=company.id,
        as_of=as_of,
        accounts=accounts,
    )
    return SQL(
        """
      SELECT aml.partner_id, aml.date_maturity,
             aml.amount_residual + COALESCE(undone.amount, 0) AS amount_residual
        FROM account_move_line aml
        LEFT JOIN customerism_undone undone ON undone.line_id = aml.id
       WHERE %(line_filter)s
         AND aml.reconciled IS NOT TRUE
         AND aml.amount_residual + COALESCE(undone.amount, 0) <> 0
      UNION ALL
      SELECT aml.partner_id, aml.date_maturity, aml.amount_residual + undone.amount
        FROM customerism_undone undone
        -- each line by its id: PostgreSQL would rather scan every receivable
        -- line of the period to hash them (OFFSET 0 keeps the lookup)
        CROSS JOIN LATERAL (
            SELECT aml.partner_id, aml.date_maturity, aml.amount_residual
              FROM account_move_line aml
             WHERE aml.id = undone.line_id AND %(line_filter)s AND aml.reconciled
            OFFSET 0) aml
       WHERE aml.amount_residual + undone.amount <> 0
        """,
        line_filter=line_filter,
    )


def money_text(company, amount):
    """SQL: ``amount`` (SQL, company currency) as text with the currency
    symbol, e.g. ¥12,300.00, for the reason of an overdue customer."""
    currency = company.currency_id
    digits = max(currency.decimal_places, 0)
    pattern = "FM999,999,999,999,990" + ("." + "0" * digits if digits else "")
    number = SQL("to_char(round(%s, %s), %s)", amount, digits, pattern)
    if currency.position == "after":
        return SQL("%s || %s", number, "\u00a0" + currency.symbol)
    return SQL("%s || %s", currency.symbol, number)
