"""The customer value engine (客户价值): the set-based pipeline that turns
the documents of a company into every figure of its customers.

Per company, as of a date, four steps:

1. aggregate: the confirmed orders and posted credit notes per commercial
   partner in one pass (customerism_agg), the open receivables
   (customerism_receivable, customer_receivables.py);
2. rank limits: one statement finding the values at the limits of the
   quintiles (RFM) and of the grades (the customer pyramid) over the whole
   company;
3. figures and stage: per batch of profile ids, every figure (values,
   margins, RFM, grade, tier, lifecycle stage and its reason), one query
   (_figures_query);
4. write, into one of two sinks:

   - the live profiles (today): only the rows that changed, with their stage
     history lines, chatter notes and churn reasons, then the
     crm.customer.profile._profiles_written hook;
   - any other table (a monthly snapshot, crm_analytics): the caller's
     ``write`` gets the SQL of the figures of each batch.

As of a past date only what was known on that date counts: orders dated up
to it, credit notes dated up to it, the complaints received by then (open
or repeated at that date), the receivables with the payments reconciled by
then. No per-customer Python loop. The reasons are stored as codes and
values, rendered in the reader's language; the chatter notes are stored in
the company's language (what e-mails and searches read) and shown to each
reader in their own (mail.message._to_store)."""

import json
import logging
import re
import time
from collections import defaultdict
from datetime import datetime

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import SQL, html_escape

from .customer_receivables import build_receivables, money_text
from .lifecycle_texts import ACTIONS, REASONS, STAGE_NOTE_TITLE, translate
from .res_company import GRADES

_logger = logging.getLogger(__name__)

# profiles written per statement by the full recompute
BATCH_SIZE = 50000
# up to this many customers, the incremental recompute ranks them by counts
SMALL_INCREMENTAL = 20
# memory of the PostgreSQL sorts of the recompute (per sort, transaction only)
WORK_MEM = "64MB"
# a table is analyzed after the recompute inserted more rows than autovacuum
# waits for by default before analyzing it: 50 rows + 10% of the table
ANALYZE_MIN_ROWS = 50
ANALYZE_SHARE = 0.1
# churn reason of an at-risk or lapsed customer from the root cause of the
# complaint that put them at risk (other causes: unknown)
CHURN_REASON_BY_ROOT_CAUSE = {
    "product": "crm_customerism.crm_churn_reason_quality",
    "supplier": "crm_customerism.crm_churn_reason_quality",
    "delivery": "crm_customerism.crm_churn_reason_service",
    "billing": "crm_customerism.crm_churn_reason_service",
    "service": "crm_customerism.crm_churn_reason_service",
}


class _Batches:
    """Id ranges of BATCH_SIZE from ``low`` to ``high``, with the progress."""

    def __init__(self, low, high, total):
        self.low, self.high, self.total = low, high, total

    def __iter__(self):
        if not self.total:
            return
        for start in range(self.low, self.high + 1, BATCH_SIZE):
            done = (start + BATCH_SIZE - self.low, self.high - self.low + 1)
            yield done, (start, start + BATCH_SIZE)


class CrmCustomerValueEngine(models.AbstractModel):
    """The recompute pipeline of crm.customer.profile (see the module
    docstring): no table, methods only, so that addons can extend a step."""

    _name = "crm.customer.value.engine"
    _description = "Customer Value Engine"

    # ------------------------------------------------------------------
    # The pipeline, one entry per sink
    # ------------------------------------------------------------------

    def _recompute_live(self, company, partner_ids=None, action=None, commit=False):
        """Sink 1, the live profiles of today: recompute ``company``;
        ``partner_ids`` (commercial partners) restricts the writes to those
        customers (incremental mode), whose ranks are still read against
        the whole company. ``commit`` (cron only) commits after every batch.

        :return: the number of stage changes"""
        start = time.monotonic()
        company = company.with_env(self.env)
        today = fields.Date.context_today(self)
        now = fields.Datetime.now()
        self._prepare()
        # 1. aggregate
        self._build_aggregates(company, today, partner_ids)
        build_receivables(
            self, company, today, self._contacts_filter(partner_ids, "aml")
        )
        created = self._create_missing_profiles(company, partner_ids, now)
        # the ranks and the batches join the profiles: on the first run (the
        # suite installed on a database with many customers) the table the
        # statistics describe is empty, and nested loops over it take minutes
        self._analyze_after_insert("crm_customer_profile", created)
        # 2. rank limits
        ranks = self._build_ranks(company, partner_ids)
        # 3. figures and stage, 4. write: per batch of profiles
        changes = 0
        observed = defaultdict(lambda: [0, 0])
        batches = self._batches(company, partner_ids)
        for done, batch in batches:
            batch_changes, batch_observed = self._write_batch(
                company, today, now, batch, ranks, partner_ids, action
            )
            changes += batch_changes
            for row in batch_observed:
                counts = observed[row["kind"], row["grade"]]
                counts[0] += row["customers"]
                counts[1] += row["amount"] or 0
            self._progress(commit, *done)
        self._finish()
        # one history line per stage change: the first run writes one per
        # customer, which the history views and reports then join
        self._analyze_after_insert("crm_customer_stage_history", changes)
        if partner_ids is None:
            self._write_company_observations(company, now, observed)
        self.env["crm.customer.profile"]._profiles_written(company, partner_ids)
        if partner_ids is None:
            _logger.info(
                "customerism: %s customers of %s recomputed in %.2f s, "
                "%s stage changes",
                batches.total,
                company.name,
                time.monotonic() - start,
                changes,
            )
        return changes

    def _compute_as_of(self, company, as_of, write):
        """Sink 2, any table: every figure of the active customers of
        ``company`` as of the date ``as_of``, from what was known on that
        date (see the module docstring). ``write(figures)`` is called per
        batch of profiles with the SQL of their figures (columns of
        _figures_query, among them new_stage, days_since_last_order); it
        writes them and returns the rows written. Nothing of the live
        profiles changes.

        :return: the rows written"""
        company = company.with_env(self.env)
        self._prepare()
        # 1. aggregate
        self._build_aggregates(company, as_of, None, as_of=as_of)
        build_receivables(self, company, as_of, SQL(), as_of=as_of)
        # 2. rank limits
        ranks = self._build_ranks(company, None)
        # 3. figures and stage, 4. write
        written = 0
        for __, batch in self._batches(company, None):
            where = SQL(
                "prof.id >= %s AND prof.id < %s AND prof.active", batch[0], batch[1]
            )
            written += write(
                self._figures_query(company, as_of, where, ranks, as_of=as_of)
            )
        self._finish()
        return written

    def _prepare(self):
        for model in (
            "sale.order",
            "account.move",
            "res.partner",
            "crm.lead",
            "crm.complaint",
            "crm.customer.profile",
            "res.company",
            "account.move.line",
            "account.partial.reconcile",
        ):
            self.env[model].flush_model()
        self._set_recompute_settings()

    def _finish(self):
        cr = self.env.cr
        cr.execute(
            SQL(
                "DROP TABLE IF EXISTS customerism_agg, customerism_rank,"
                " customerism_receivable"
            )
        )
        cr.execute(SQL("SET LOCAL jit TO DEFAULT"))
        cr.execute(SQL("SET LOCAL work_mem TO DEFAULT"))
        self.env.invalidate_all()

    def _batches(self, company, partner_ids):
        """The id ranges of the profiles of ``company`` (in scope), each with
        (done, total) for the progress: an iterable with ``total``, the
        profiles in scope."""
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT min(id), max(id), count(*) FROM crm_customer_profile prof"
                " WHERE prof.company_id = %s %s",
                company.id,
                self._target_filter(partner_ids, alias="prof", column="partner_id"),
            )
        )
        low, high, total = cr.fetchone()
        return _Batches(low, high, total)

    def _set_recompute_settings(self):
        """PostgreSQL settings of the recompute, for the transaction (so set
        again after each commit of the cron)."""
        # the statements are planned on temporary tables whose estimates make
        # PostgreSQL's JIT compile them for seconds: plain execution is much
        # faster (restored at the end)
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        # the sorts of the rank limits and the batches' rows in memory rather
        # than on disk
        self.env.cr.execute(SQL("SET LOCAL work_mem = %s", WORK_MEM))

    def _analyze_after_insert(self, table, inserted):
        """ANALYZE ``table`` when this transaction inserted more rows into it
        than autovacuum would wait for: autovacuum does not see rows not yet
        committed, and PostgreSQL would plan the next joins on statistics of
        the table before the inserts."""
        cr = self.env.cr
        cr.execute(
            SQL("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", table)
        )
        known = max(cr.fetchone()[0], 0)  # -1: never analyzed
        if inserted > ANALYZE_MIN_ROWS + ANALYZE_SHARE * known:
            cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))

    def _progress(self, commit, done, total):
        if not commit:
            return
        self.env["ir.cron"]._notify_progress(done=done, remaining=max(total - done, 0))
        if not self.env.registry.in_test_mode():
            # cron only: keep the work of every batch, the next run resumes anyway
            self.env.cr.commit()  # pylint: disable=invalid-commit
            self._set_recompute_settings()

    @api.model
    def _target_filter(self, partner_ids, alias="p", column="commercial_partner_id"):
        """``AND alias.column = ANY(partner_ids)`` in incremental mode."""
        if partner_ids is None:
            return SQL()
        return SQL(
            "AND %s = ANY(%s)",
            SQL.identifier(alias, column),
            list(partner_ids),
        )

    @api.model
    def _contacts_filter(self, partner_ids, alias):
        """``AND alias.partner_id IN (the contacts of partner_ids)`` in
        incremental mode."""
        if partner_ids is None:
            return SQL()
        return SQL(
            "AND %s IN (SELECT id FROM res_partner"
            " WHERE commercial_partner_id = ANY(%s))",
            SQL.identifier(alias, "partner_id"),
            list(partner_ids),
        )

    def _margin_expression(self):
        """Order margin in order currency when sale_margin stores it."""
        field = self.env["sale.order"]._fields.get("margin")
        if field and field.store:
            return SQL("so.margin")
        return SQL("NULL::numeric")

    def _period_starts(self, company, today):
        """The day before each period the figures sum over (a period holds
        the days after its start, up to today or the next start)."""
        months = company.customerism_trend_months
        return {
            "cur_start": today - relativedelta(months=12),
            "prev_start": today - relativedelta(months=24),
            "tcur_start": today - relativedelta(months=months),
            "tprev_start": today - relativedelta(months=2 * months),
            "new_start": today - relativedelta(days=company.customerism_new_days),
        }

    def _build_aggregates(self, company, today, partner_ids, as_of=None):
        """Aggregate the confirmed orders and posted credit notes of the
        company per commercial partner, in one pass, into the temporary table
        customerism_agg; ``as_of``: only those dated up to that day."""
        cr = self.env.cr
        orders_filter = self._contacts_filter(partner_ids, "so")
        refunds_filter = self._contacts_filter(partner_ids, "am")
        if as_of:
            orders_filter = SQL(
                "%s AND so.date_order < %s",
                orders_filter,
                datetime.combine(as_of + relativedelta(days=1), datetime.min.time()),
            )
            refunds_filter = SQL(
                "%s AND COALESCE(am.invoice_date, am.date) <= %s", refunds_filter, as_of
            )
        starts = self._period_starts(company, today)
        # "order date after day X" on the stored UTC timestamp, without casting
        # every order's date_order
        after = {
            key: datetime.combine(day + relativedelta(days=1), datetime.min.time())
            for key, day in starts.items()
        }
        cr.execute(SQL("DROP TABLE IF EXISTS customerism_agg, customerism_rank"))
        if partner_ids is None:
            # the whole customer base: let PostgreSQL read and join the orders
            # with parallel workers, as it does for the benchmark's floor. Its
            # default cost of passing a row from a worker (ten times that of
            # reading it) keeps it from doing so, though the workers are faster
            # here (scripts/bench_customerism.py)
            cr.execute(SQL("SET LOCAL parallel_tuple_cost = 0.01"))
        cr.execute(
            SQL(
                """
CREATE TEMPORARY TABLE customerism_agg AS
WITH moves AS (
    -- the orders (timestamp ts) and the credit notes (date d) in one pass,
    -- so that the partners are joined and the rows grouped once
    SELECT so.partner_id,
           so.date_order AS ts,
           NULL::date AS d,
           CASE WHEN COALESCE(so.currency_rate, 0) IN (0, 1)
                THEN COALESCE(so.amount_untaxed, 0)
                ELSE so.amount_untaxed / so.currency_rate END AS amount,
           CASE WHEN COALESCE(so.currency_rate, 0) IN (0, 1) THEN %(margin)s
                ELSE %(margin)s / so.currency_rate END AS margin
      FROM sale_order so
     WHERE so.company_id = %(company)s AND so.state = 'sale' %(orders_filter)s
    UNION ALL
    SELECT am.partner_id, NULL, COALESCE(am.invoice_date, am.date),
           -am.amount_untaxed_signed, NULL
      FROM account_move am
     WHERE am.company_id = %(company)s AND am.state = 'posted'
       AND am.move_type = 'out_refund' %(refunds_filter)s
       -- only a credit note of a counted (confirmed) order lowers the value:
       -- its lines or those of the invoice it reverses come from one. The
       -- refund of an invoice without order is left out, as the invoice is
       AND EXISTS (
           SELECT 1
             FROM account_move_line aml
             JOIN sale_order_line_invoice_rel rel
               ON rel.invoice_line_id = aml.id
             JOIN sale_order_line sol ON sol.id = rel.order_line_id
            WHERE aml.move_id IN (am.id, am.reversed_entry_id)
              -- the order's state and company, stored on its lines
              AND sol.state = 'sale' AND sol.company_id = %(company)s)
), rows AS (
    -- OFFSET 0 keeps this subquery from being flattened into the aggregate:
    -- each row's amount is then computed once, not once per sum
    SELECT p.commercial_partner_id AS partner_id, m.ts, m.d, m.amount, m.margin
      FROM moves m
      JOIN res_partner p ON p.id = m.partner_id
    OFFSET 0
)
SELECT partner_id,
       count(ts) AS order_count,
       count(ts) FILTER (WHERE ts >= %(cur_start)s) AS cur_order_count,
       min(ts)::date AS first_date,
       max(ts)::date AS last_date,
       min(ts) FILTER (WHERE ts >= %(new_start)s)::date AS recent_first_date,
       max(ts) FILTER (WHERE ts < %(new_start)s)::date AS before_last_date,
       sum(amount) FILTER (WHERE ts IS NOT NULL) AS s_all,
       sum(amount) FILTER (WHERE ts >= %(cur_start)s) AS s_cur,
       sum(amount) FILTER (
           WHERE ts >= %(prev_start)s AND ts < %(cur_start)s) AS s_prev,
       sum(amount) FILTER (WHERE ts >= %(tcur_start)s) AS s_tcur,
       sum(amount) FILTER (
           WHERE ts >= %(tprev_start)s AND ts < %(tcur_start)s) AS s_tprev,
       sum(margin) AS m_all,
       sum(margin) FILTER (WHERE ts >= %(cur_start)s) AS m_cur,
       bool_or(margin IS NOT NULL) AS margin_known,
       sum(amount) FILTER (WHERE d IS NOT NULL) AS r_all,
       sum(amount) FILTER (WHERE d > %(d_cur_start)s) AS r_cur,
       sum(amount) FILTER (
           WHERE d > %(d_prev_start)s AND d <= %(d_cur_start)s) AS r_prev,
       sum(amount) FILTER (WHERE d > %(d_tcur_start)s) AS r_tcur,
       sum(amount) FILTER (
           WHERE d > %(d_tprev_start)s AND d <= %(d_tcur_start)s) AS r_tprev
  FROM rows
 GROUP BY partner_id
                """,
                margin=self._margin_expression(),
                company=company.id,
                # incremental: the documents of the partners' contacts, found
                # through the indexes
                orders_filter=orders_filter,
                refunds_filter=refunds_filter,
                **after,
                **{f"d_{key}": day for key, day in starts.items()},
            )
        )
        if partner_ids is None:
            cr.execute(SQL("SET LOCAL parallel_tuple_cost TO DEFAULT"))
        # no index: every statement reading the table hashes it whole; the
        # statistics of the join key only, the other columns are not filtered on
        cr.execute(SQL("ANALYZE customerism_agg (partner_id)"))

    def _create_missing_profiles(self, company, partner_ids, now):
        """One profile per commercial partner with orders or credit notes in
        the company (customerism_agg), an opportunity, or flagged as customer;
        the partner's salesperson is the first account manager.

        :return: the number of profiles created"""
        self.env.cr.execute(
            SQL(
                """
WITH candidates AS (
    SELECT a.partner_id AS id FROM customerism_agg a
    UNION ALL
    SELECT p.commercial_partner_id
      FROM crm_lead l
      JOIN res_partner p ON p.id = l.partner_id
     WHERE (l.company_id = %(company)s OR l.company_id IS NULL)
       AND (p.company_id = %(company)s OR p.company_id IS NULL)
       %(filter)s
    UNION ALL
    SELECT p.commercial_partner_id
      FROM res_partner p
     WHERE p.customer_rank > 0
       AND (p.company_id = %(company)s OR p.company_id IS NULL)
       %(filter)s
), missing AS (
    -- in the nightly run nearly every candidate already has a profile: the
    -- duplicates are removed after the check, from the few that remain
    SELECT DISTINCT c.id FROM candidates c
     WHERE NOT EXISTS (
        SELECT 1 FROM crm_customer_profile prof
         WHERE prof.company_id = %(company)s AND prof.partner_id = c.id)
)
INSERT INTO crm_customer_profile (
    partner_id, company_id, active, account_manager_id,
    create_uid, create_date, write_uid, write_date)
SELECT cp.id, %(company)s, cp.active, cp.user_id,
       %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM missing
  JOIN res_partner cp ON cp.id = missing.id
ON CONFLICT (partner_id, company_id) DO NOTHING
                """,
                company=company.id,
                uid=self.env.uid,
                now=now,
                filter=self._target_filter(partner_ids),
            )
        )
        return self.env.cr.rowcount

    def _grade_bounds(self, company, count):
        """(grade, SQL of the last position of that grade among ``count``
        graded customers) from the company's shares, best grade first."""
        bounds = []
        cumulated = 0.0
        for grade in GRADES[:-1]:
            cumulated += company[f"customerism_{grade}_pct"]
            bound = SQL(
                "ceil(round(%s * %s::numeric / 100, 6))", count, round(cumulated, 6)
            )
            bounds.append((grade, bound))
        return bounds

    def _grade_case(self, limits):
        """SQL CASE giving the first grade whose condition holds, else small:
        ``limits`` are (grade, SQL condition or None for a grade nobody
        reaches), best grade first."""
        whens = [
            SQL("WHEN %s THEN %s", condition, grade)
            for grade, condition in limits
            if condition is not None
        ]
        if not whens:
            return SQL("%s", "small")
        return SQL("CASE %s ELSE %s END", SQL(" ").join(whens), "small")

    def _tier_case(self, company, grade_sql):
        whens = SQL(" ").join(
            SQL("WHEN %s THEN %s", grade, company[f"customerism_tier_{grade}"])
            for grade in GRADES
        )
        return SQL("CASE %s %s END", grade_sql, whens)

    def _rank_pool(self, company, partner_ids):
        """SQL of the active customers ranked together, by commercial partner:
        those of customerism_agg (the customers in scope, with their fresh
        figures) but the archived profiles; in incremental mode, the other
        profiles too, with their stored figures. Customers without orders
        or credit notes are left out: they have no rank."""
        others = SQL()
        if partner_ids is not None:
            others = SQL(
                """
    UNION ALL
    SELECT prof.partner_id, FALSE, prof.order_count, prof.current_value,
           prof.historical_value, prof.previous_value, prof.last_order_date
      FROM crm_customer_profile prof
     WHERE prof.company_id = %s AND prof.active
       AND NOT (prof.partner_id = ANY(%s))
                """,
                company.id,
                list(partner_ids),
            )
        return SQL(
            """
    SELECT a.partner_id, TRUE AS in_scope,
           COALESCE(a.order_count, 0) AS order_count,
           COALESCE(a.s_cur, 0) - COALESCE(a.r_cur, 0) AS current_value,
           COALESCE(a.s_all, 0) - COALESCE(a.r_all, 0) AS historical_value,
           COALESCE(a.s_prev, 0) - COALESCE(a.r_prev, 0) AS previous_value,
           a.last_date AS last_order_date
      FROM customerism_agg a
     WHERE NOT EXISTS (
        SELECT 1 FROM crm_customer_profile prof
         WHERE prof.company_id = %s AND prof.partner_id = a.partner_id
           AND NOT prof.active)
    %s
            """,
            company.id,
            others,
        )

    def _build_ranks(self, company, partner_ids):
        """The RFM scores and grade of the profiles in scope, ranked over the
        whole company (graded customers: active, with orders), and the grade
        by the value of the previous 12 months (for the observed retention).

        The quintile of a value is ceil(5 x (customers with a value up to it)
        / customers), ties sharing it; the grade follows the position by
        current value (then historical value), ties sharing the best one.
        Both are read against the values found at the limits (quintiles,
        last position of each grade): one statement, a sort per measure, and
        no table of ranks. A few customers (incremental recompute on an
        order) are instead counted against the company, which avoids the
        sorts of the whole customer base per order.

        :return: (SQL of the columns r, f, m, computed_grade, previous_grade
            over the figures of alias v, SQL of the join they need)
        """
        if partner_ids is not None and len(partner_ids) <= SMALL_INCREMENTAL:
            return self._build_ranks_by_counts(company, partner_ids)
        cr = self.env.cr
        cr.execute(
            SQL(
                """
WITH pool AS MATERIALIZED (%(pool)s
), graded AS (
    SELECT * FROM pool WHERE order_count > 0
), counts AS MATERIALIZED (
    SELECT count(*) FILTER (WHERE order_count > 0) AS n,
           count(*) FILTER (WHERE previous_value > 0) AS n_prev
      FROM pool
), positions AS MATERIALIZED (
    -- 1-based positions among the graded customers: the first of each upper
    -- quintile (ascending), the last of each grade (descending); among the
    -- customers with a previous value, the last of each grade (descending)
    SELECT n, n_prev,
           ARRAY(SELECT k * n / 5 + 1 FROM generate_series(1, 4) k) AS quintiles,
           ARRAY[%(bounds)s]::bigint[] AS grades,
           ARRAY[%(previous_bounds)s]::bigint[] AS previous_grades
      FROM counts
), fractions AS MATERIALIZED (
    -- percentile_disc(f) is the value at position ceil(f x rows)
    SELECT p.*,
           ARRAY(SELECT (q - 0.5) / NULLIF(p.n, 0) FROM unnest(p.quintiles) q)
               AS quintile_fractions,
           ARRAY(SELECT (GREATEST(b, 1) - 0.5) / NULLIF(p.n_prev, 0)
                   FROM unnest(p.previous_grades) b) AS previous_fractions
      FROM positions p
)
SELECT f.n, f.grades, f.previous_grades,
       (SELECT percentile_disc(f.quintile_fractions)
               WITHIN GROUP (ORDER BY last_order_date) FROM graded)::text[],
       (SELECT percentile_disc(f.quintile_fractions)
               WITHIN GROUP (ORDER BY order_count) FROM graded)::text[],
       (SELECT percentile_disc(f.quintile_fractions)
               WITHIN GROUP (ORDER BY historical_value) FROM graded)::text[],
       (SELECT array_agg(ARRAY[pos::text, current_value::text,
                               historical_value::text])
          FROM (SELECT current_value, historical_value,
                       row_number() OVER (ORDER BY current_value DESC,
                                                   historical_value DESC) AS pos
                  FROM graded) ranked
         WHERE pos = ANY(f.grades)),
       (SELECT percentile_disc(f.previous_fractions)
               WITHIN GROUP (ORDER BY previous_value DESC)
          FROM pool WHERE previous_value > 0)::text[]
  FROM fractions f
                """,
                pool=self._rank_pool(company, partner_ids),
                bounds=SQL(", ").join(
                    bound for __, bound in self._grade_bounds(company, SQL("n"))
                ),
                previous_bounds=SQL(", ").join(
                    bound for __, bound in self._grade_bounds(company, SQL("n_prev"))
                ),
            )
        )
        (n, bounds, previous_bounds, recency, frequency, monetary, limits, previous) = (
            cr.fetchone()
        )
        if n:
            at = {int(pos): (cur, hist) for pos, cur, hist in limits}
            grade = self._grade_case(
                [
                    (
                        name,
                        SQL(
                            "(v.current_value, v.historical_value)"
                            " >= (%s::numeric, %s::numeric)",
                            *at[bound],
                        )
                        if bound >= 1
                        else None,
                    )
                    for name, bound in zip(GRADES[:-1], bounds, strict=True)
                ]
            )
            scores = SQL(
                "CASE WHEN %(graded)s THEN %(r)s END AS r,"
                " CASE WHEN %(graded)s THEN %(f)s END AS f,"
                " CASE WHEN %(graded)s THEN %(m)s END AS m,"
                " CASE WHEN %(graded)s THEN %(grade)s END AS computed_grade",
                graded=SQL("v.active AND v.order_count > 0"),
                r=self._quintile_score(SQL("v.last_order_date"), recency, "date"),
                f=self._quintile_score(SQL("v.order_count"), frequency, "integer"),
                m=self._quintile_score(SQL("v.historical_value"), monetary, "numeric"),
                grade=grade,
            )
        else:
            # nobody is graded
            scores = SQL(
                "NULL::integer AS r, NULL::integer AS f, NULL::integer AS m,"
                " NULL::varchar AS computed_grade"
            )
        previous_grade = self._grade_case(
            [
                (name, SQL("v.previous_value >= %s::numeric", value))
                if bound >= 1
                else (name, None)
                for name, bound, value in zip(
                    GRADES[:-1],
                    previous_bounds,
                    previous or [None] * len(previous_bounds),
                    strict=True,
                )
            ]
        )
        return (
            SQL(
                "%s, CASE WHEN v.active AND v.previous_value > 0 THEN %s END"
                " AS previous_grade",
                scores,
                previous_grade,
            ),
            SQL(),
        )

    def _quintile_score(self, column, limits, cast):
        """SQL of the quintile score of ``column``: 1 + the number of quintile
        limits (values as text, of type ``cast``) it reaches."""
        return SQL(
            "1 + %s",
            SQL(" + ").join(
                SQL("(%s >= %s::%s)::int", column, limit, SQL(cast)) for limit in limits
            ),
        )

    def _build_ranks_by_counts(self, company, partner_ids):
        """_build_ranks for a few customers: their positions counted against
        the whole company, into the narrow temporary table customerism_rank
        (no observed retention)."""
        self.env.cr.execute(
            SQL(
                """
CREATE TEMPORARY TABLE customerism_rank AS
WITH pool AS NOT MATERIALIZED (%(pool)s
), scope AS MATERIALIZED (
    SELECT * FROM pool WHERE in_scope AND order_count > 0
), counted AS (
    -- one pass over the graded customers of the company for all those in
    -- scope
    SELECT t.partner_id, count(*) AS n,
           1 + count(*) FILTER (
               WHERE (g.current_value, g.historical_value)
                     > (t.current_value, t.historical_value)) AS pos,
           count(*) FILTER (WHERE g.last_order_date <= t.last_order_date) AS r,
           count(*) FILTER (WHERE g.order_count <= t.order_count) AS f,
           count(*) FILTER (WHERE g.historical_value <= t.historical_value) AS m
      FROM pool g
      JOIN scope t ON TRUE
     WHERE g.order_count > 0
     GROUP BY t.partner_id
)
SELECT partner_id,
       (5 * r + n - 1) / n AS r,
       (5 * f + n - 1) / n AS f,
       (5 * m + n - 1) / n AS m,
       %(grade)s AS computed_grade
  FROM counted
                """,
                pool=self._rank_pool(company, partner_ids),
                grade=self._grade_case(
                    [
                        (grade, SQL("pos <= %s", bound))
                        for grade, bound in self._grade_bounds(company, SQL("n"))
                    ]
                ),
            )
        )
        return (
            SQL("g.r, g.f, g.m, g.computed_grade, NULL::varchar AS previous_grade"),
            SQL("LEFT JOIN customerism_rank g ON g.partner_id = v.partner_id"),
        )

    def _risk_complaints(self, company, *columns):
        """SQL of the last complaint flagging each customer of ``company`` at
        risk (see crm.complaint._flag_lifecycle_risk): its
        commercial_partner_id and ``columns``."""
        return SQL(
            """
            SELECT DISTINCT ON (cc.commercial_partner_id)
                   cc.commercial_partner_id, %s
              FROM crm_complaint cc
             WHERE cc.company_id = %s AND cc.lifecycle_risk
             ORDER BY cc.commercial_partner_id, cc.id DESC
            """,
            SQL(", ").join(SQL.identifier("cc", column) for column in columns),
            company.id,
        )

    def _risk_complaints_as_of(self, company, as_of):
        """_risk_complaints as crm.complaint._flag_lifecycle_risk would have
        flagged them at the end of the day ``as_of``: the last open high or
        critical complaint received by then, otherwise the last of the
        complaints received in the repeat window if they reach the repeat
        count (the reason values are left empty: only the stage is read)."""
        end = datetime.combine(as_of + relativedelta(days=1), datetime.min.time())
        since = end - relativedelta(days=company.customerism_complaint_repeat_days)
        threshold = company.customerism_complaint_repeat_count
        return SQL(
            """
            SELECT commercial_partner_id,
                   CASE WHEN serious_id IS NOT NULL THEN 'serious'
                        ELSE 'repeated' END AS lifecycle_risk_code,
                   NULL::jsonb AS lifecycle_risk_values
              FROM (SELECT cc.commercial_partner_id,
                           max(cc.id) FILTER (
                               WHERE cc.severity IN ('high', 'critical')
                                 AND (cc.resolved_date IS NULL
                                      OR cc.resolved_date >= %(end)s)
                                 AND (cc.closed_date IS NULL
                                      OR cc.closed_date >= %(end)s)) AS serious_id,
                           count(*) FILTER (WHERE cc.sla_start >= %(since)s)
                               AS recent
                      FROM crm_complaint cc
                     WHERE cc.company_id = %(company)s AND cc.stage <> 'cancelled'
                       AND COALESCE(cc.sla_start, cc.create_date) < %(end)s
                     GROUP BY cc.commercial_partner_id) per
             WHERE serious_id IS NOT NULL
                OR (%(threshold)s > 0 AND recent >= %(threshold)s)
            """,
            end=end,
            since=since,
            company=company.id,
            threshold=threshold,
        )

    def _figures_query(self, company, today, where, ranks, as_of=None):
        """Every figure of the profiles matching ``where`` (alias prof), from
        customerism_agg and the ``ranks`` of _build_ranks: values, margins,
        grade, the lifecycle stage and what its rules read (alias c for the
        reasons). ``as_of``: the figures on that date (``today`` too), from
        the complaints and termination notices known then, and only for the
        customers with documents or created by then."""
        starts = self._period_starts(company, today)
        termination = SQL("prof.termination_notice")
        stored_recovery = SQL("prof.recovery_date")
        risk = self._risk_complaints(
            company, "lifecycle_risk_code", "lifecycle_risk_values"
        )
        if as_of:
            termination = SQL(
                "(prof.termination_notice"
                " AND COALESCE(prof.termination_date, %s) <= %s)",
                as_of,
                as_of,
            )
            stored_recovery = SQL("NULL::date")
            risk = self._risk_complaints_as_of(company, as_of)
            where = SQL(
                "%s AND (a.partner_id IS NOT NULL OR EXISTS ("
                " SELECT 1 FROM res_partner rp"
                " WHERE rp.id = prof.partner_id AND rp.create_date < %s))",
                where,
                datetime.combine(as_of + relativedelta(days=1), datetime.min.time()),
            )
        rules = self._stage_rules(company, today)
        stage_case = SQL(
            "CASE %s END",
            SQL(" ").join(SQL("WHEN %s THEN %s", rule[0], rule[1]) for rule in rules),
        )
        # each level ends with OFFSET 0, which keeps PostgreSQL from inlining
        # it into the next: a figure is computed once per row, not once per
        # expression that reads it
        return SQL(
            """
WITH v AS (
    SELECT prof.id, prof.partner_id, prof.active, prof.grade_override,
           prof.lifecycle_stage AS old_stage,
           %(termination)s AS termination_notice, prof.termination_date,
           risk.lifecycle_risk_code AS complaint_risk,
           risk.lifecycle_risk_values AS complaint_risk_values,
           COALESCE(a.order_count, 0) AS order_count,
           COALESCE(a.cur_order_count, 0) AS current_order_count,
           a.first_date AS first_order_date,
           a.last_date AS last_order_date,
           -- the stages need the recovery of the last days only: the first
           -- order of that window after a lapse (the window is shorter than
           -- the lapse limit); an older recovery stays as it was found
           CASE WHEN a.recent_first_date - a.before_last_date > %(lapse_days)s
                THEN a.recent_first_date
                WHEN %(stored_recovery)s <= %(new_start)s
                THEN %(stored_recovery)s END AS recovery_date,
           COALESCE(a.s_all, 0) - COALESCE(a.r_all, 0) AS historical_value,
           COALESCE(a.s_cur, 0) - COALESCE(a.r_cur, 0) AS current_value,
           COALESCE(a.s_prev, 0) - COALESCE(a.r_prev, 0) AS previous_value,
           COALESCE(a.s_tcur, 0) - COALESCE(a.r_tcur, 0) AS trend_period_value,
           COALESCE(a.s_tprev, 0) - COALESCE(a.r_tprev, 0)
               AS previous_period_value,
           COALESCE(a.r_all, 0) AS refund_value,
           COALESCE(a.margin_known, FALSE) AS margin_known,
           -- credit notes carry the customer's average margin rate
           CASE WHEN a.margin_known THEN COALESCE(a.m_all, 0)
               * (1 - COALESCE(a.r_all, 0) / NULLIF(a.s_all, 0)) END
               AS historical_margin,
           CASE WHEN a.margin_known THEN COALESCE(a.m_cur, 0)
               * (1 - COALESCE(a.r_cur, 0) / NULLIF(a.s_cur, 0)) END
               AS current_margin,
           %(today)s - a.last_date AS gap,
           COALESCE(recv.receivable, 0) AS receivable_amount,
           COALESCE(recv.overdue_amount, 0) AS overdue_amount,
           COALESCE(recv.overdue_days, 0) AS overdue_days,
           COALESCE(recv.credit_usage, 0) AS credit_usage
      FROM crm_customer_profile prof
      LEFT JOIN customerism_agg a ON a.partner_id = prof.partner_id
      LEFT JOIN customerism_receivable recv ON recv.partner_id = prof.partner_id
      LEFT JOIN (%(risk)s) risk ON risk.commercial_partner_id = prof.partner_id
     WHERE prof.company_id = %(company)s AND %(where)s
    OFFSET 0
), s AS (
    SELECT v.*, %(scores)s FROM v %(rank_join)s OFFSET 0
), c AS (
    SELECT s.*,
           COALESCE(s.grade_override, s.computed_grade) AS grade,
           round(s.historical_value / NULLIF(s.order_count, 0), 2)
               AS average_order_value,
           CASE WHEN s.order_count > 1 THEN round(
               (s.last_order_date - s.first_order_date)::numeric
               / (s.order_count - 1), 1) END AS itv,
           CASE WHEN s.previous_period_value > 0 THEN round(
               (s.trend_period_value - s.previous_period_value)
               / s.previous_period_value, 4) END AS trend,
           s.trend_period_value AS tcur,
           GREATEST(CASE WHEN s.margin_known THEN COALESCE(s.current_margin, 0)
                         ELSE s.current_value * %(margin_rate)s::numeric END,
                    0) AS annual_margin
      FROM s
    OFFSET 0
)
SELECT c.*, %(stage_case)s AS new_stage FROM c
            """,
            company=company.id,
            today=today,
            where=where,
            risk=risk,
            termination=termination,
            stored_recovery=stored_recovery,
            lapse_days=company.customerism_lapse_days,
            new_start=starts["new_start"],
            margin_rate=company.customerism_margin_rate,
            stage_case=stage_case,
            scores=ranks[0],
            rank_join=ranks[1],
        )

    def _write_company_observations(self, company, now, observed):
        """Full recompute only: write on the company the observed retention
        per grade (customers graded by the value of the previous 12 months,
        same shares: the share of them who ordered again in the last 12
        months) and the average yearly margin per grade, from ``observed``
        (summed over the batches): (kind, grade) -> [customers, amount]."""
        retention = {
            grade: (count, kept / count)
            for (kind, grade), (count, kept) in observed.items()
            if kind == "retention" and count
        }
        margins = {
            grade: total / count
            for (kind, grade), (count, total) in observed.items()
            if kind == "margin" and count
        }
        total = sum(count for count, __ in retention.values())
        overall = (
            sum(count * rate for count, rate in retention.values()) / total
            if total
            else company.customerism_default_retention
        )
        vals = {"customerism_last_recompute": now}
        for grade in GRADES:
            vals[f"customerism_retention_{grade}"] = round(
                retention.get(grade, (0, overall))[1], 4
            )
            vals[f"customerism_avg_margin_{grade}"] = float(margins.get(grade) or 0.0)
        company.sudo().write(vals)
        company.flush_recordset()

    def _write_batch(
        self, company, today, now, id_range, ranks, partner_ids=None, action=None
    ):
        """Compute the figures of the profiles in ``id_range`` (and in scope),
        write those that changed, and log every stage change (history line +
        note in the partner chatter), in one statement. ``action`` is the
        user's action that caused the recompute (termination notice...).

        :return: (number of stage changes, the batch's share of the company
            observations: dicts of kind, grade, customers and amount)
        """
        rules = self._stage_rules(company, today)
        code_case = SQL(
            "CASE %s END",
            SQL(" ").join(SQL("WHEN %s THEN %s", rule[0], rule[2]) for rule in rules),
        )
        values_case = SQL(
            "CASE %s END",
            SQL(" ").join(SQL("WHEN %s THEN %s", rule[0], rule[3]) for rule in rules),
        )
        # the user who acted (an order, a complaint, a notice); none for the
        # full recompute and the superuser (crons, scripts)
        acting_user = (
            self.env.uid
            if action or (partner_ids is not None and self.env.uid != SUPERUSER_ID)
            else None
        )
        # the stored body, in the company's language (context of the engine)
        stage_note = self._stage_note_sql(company, action)
        figures = [
            "order_count",
            "current_order_count",
            "first_order_date",
            "last_order_date",
            "recovery_date",
            "historical_value",
            "current_value",
            "previous_value",
            "trend_period_value",
            "previous_period_value",
            "refund_value",
            "margin_known",
            "historical_margin",
            "current_margin",
            "average_order_value",
            "annual_margin",
            "computed_grade",
            "grade",
            "receivable_amount",
            "overdue_amount",
            "overdue_days",
            "credit_usage",
        ]
        renamed = {
            "average_order_interval": "itv",
            "value_trend": "trend",
            "recency_score": "r",
            "frequency_score": "f",
            "monetary_score": "m",
        }
        columns = figures + list(renamed)
        sources = figures + list(renamed.values())
        column_list = SQL(", ").join(SQL.identifier(col) for col in columns)
        old_values = SQL(", ").join(SQL.identifier("prof", col) for col in columns)
        new_values = SQL(", ").join(SQL.identifier("n", col) for col in sources)
        where = SQL(
            "prof.id >= %s AND prof.id < %s %s",
            id_range[0],
            id_range[1],
            self._target_filter(partner_ids, alias="prof", column="partner_id"),
        )
        self.env.cr.execute(
            SQL(
                """
WITH new AS MATERIALIZED (
    %(figures)s
), chg AS (
    SELECT c.id, c.partner_id, c.old_stage, c.new_stage,
           %(code_case)s AS reason_code,
           %(values_case)s || %(action)s::jsonb AS reason_values
      FROM new c
     WHERE c.new_stage IS DISTINCT FROM c.old_stage
), hist AS (
    INSERT INTO crm_customer_stage_history (
        profile_id, partner_id, company_id, date, stage_from, stage_to,
        reason_code, reason_values, user_id,
        create_uid, create_date, write_uid, write_date)
    SELECT id, partner_id, %(company)s, %(today)s, old_stage, new_stage,
           reason_code, reason_values, %(user)s, %(uid)s, %(now)s, %(uid)s, %(now)s
      FROM chg
 RETURNING id, profile_id, partner_id, stage_from, stage_to, reason_code,
           reason_values
), upd AS (
    UPDATE crm_customer_profile prof
       SET (%(columns)s) = (%(new_values)s),
           rfm_code = n.r::text || n.f::text || n.m::text,
           is_key_account = COALESCE(n.grade IN ('vip', 'major'), FALSE),
           service_tier = %(tier_case)s,
           lifecycle_stage = n.new_stage,
           stage_date = CASE WHEN n.new_stage IS DISTINCT FROM n.old_stage
                             THEN %(today)s ELSE prof.stage_date END,
           stage_history_id = COALESCE(hist.id, prof.stage_history_id),
           termination_notice = prof.termination_notice
                                AND n.new_stage <> 'lapsed',
           write_date = %(now)s,
           write_uid = %(uid)s
      FROM new n
      LEFT JOIN hist ON hist.profile_id = n.id
     WHERE prof.id = n.id AND prof.id >= %(low)s AND prof.id < %(high)s
       AND ((%(old_values)s, prof.lifecycle_stage, prof.service_tier)
            IS DISTINCT FROM (%(new_values)s, n.new_stage, %(tier_case)s))
 RETURNING prof.id
), msg AS (
    INSERT INTO mail_message (
        model, res_id, message_type, subtype_id, author_id, body, date,
        is_internal, customerism_note, customerism_stage_history_id,
        create_uid, create_date, write_uid, write_date)
    SELECT 'res.partner', hist.partner_id, 'notification', %(subtype)s,
           %(author)s, %(stage_note)s, %(now)s, FALSE, 'stage_change', hist.id,
           %(uid)s, %(now)s, %(uid)s, %(now)s
      FROM hist
 RETURNING id
%(churn)s
), observed AS (
    -- in one pass: per grade of the previous 12 months, the customers and
    -- those who ordered again; per grade, the customers and their margins
    SELECT CASE WHEN GROUPING(previous_grade) = 0 THEN 'retention'
                ELSE 'margin' END AS kind,
           COALESCE(previous_grade, grade) AS grade,
           CASE WHEN GROUPING(previous_grade) = 0 THEN count(*)
                ELSE count(*) FILTER (WHERE active AND order_count > 0)
                END AS customers,
           CASE WHEN GROUPING(previous_grade) = 0
                THEN count(*) FILTER (WHERE current_order_count > 0)
                ELSE sum(annual_margin) FILTER (WHERE active AND order_count > 0)
                END AS amount
      FROM new
     GROUP BY GROUPING SETS ((previous_grade), (grade))
    HAVING COALESCE(previous_grade, grade) IS NOT NULL
)
SELECT (SELECT count(*) FROM hist), (SELECT jsonb_agg(observed) FROM observed),
       (SELECT count(*) FROM msg), (SELECT count(*) FROM upd)
                """,
                figures=self._figures_query(company, today, where, ranks),
                low=id_range[0],
                high=id_range[1],
                code_case=code_case,
                values_case=values_case,
                columns=column_list,
                old_values=old_values,
                new_values=new_values,
                tier_case=self._tier_case(company, SQL("n.grade")),
                churn=self._churn_reason_update(company),
                today=today,
                now=now,
                action=json.dumps({"action": action} if action else {}),
                company=company.id,
                user=acting_user,
                uid=self.env.uid,
                subtype=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                author=self.env.user.partner_id.id,
                stage_note=stage_note,
            )
        )
        changes, observed = self.env.cr.fetchone()[:2]
        return changes, observed or []

    def _stage_rules(self, company, today):
        """(condition, stage, reason code, reason values) in priority order:
        SQL over the figures (alias c); the values fill the placeholders of
        the reason's template (lifecycle_texts.REASONS) when it is read."""
        new_start = self._period_starts(company, today)["new_start"]

        def values(**kwargs):
            return SQL(
                "jsonb_build_object(%s)",
                SQL(", ").join(SQL("%s, %s", key, val) for key, val in kwargs.items()),
            )

        def number(value):
            return SQL("%s::text", value)

        def percent(value):
            return SQL("%s::text || %s", round(value * 100, 2), "%")

        gap = SQL("(c.gap)::text")
        trend = SQL("to_char(round(c.trend * 100, 1), 'FMS999999990.0') || %s", "%")
        months = number(company.customerism_trend_months)
        return [
            (
                SQL("c.order_count > 0 AND c.gap > %s", company.customerism_lapse_days),
                "lapsed",
                SQL("'lapsed'"),
                values(days=gap, limit=number(company.customerism_lapse_days)),
            ),
            (
                SQL("c.termination_notice"),
                "terminating",
                SQL("'terminating'"),
                values(date=SQL("COALESCE(c.termination_date::text, '')")),
            ),
            # complaint flagged by crm.complaint._flag_lifecycle_risk (open high or
            # critical, or repeated complaints); its reason names the complaint
            (
                SQL("c.order_count > 0 AND c.complaint_risk IS NOT NULL"),
                "at_risk",
                SQL("'complaint_' || c.complaint_risk"),
                SQL("COALESCE(c.complaint_risk_values, '{}'::jsonb)"),
            ),
            # receivables overdue beyond both limits of the company (财务风险);
            # paying clears it at the next recompute
            (
                SQL(
                    "c.order_count > 0"
                    " AND c.overdue_amount > %s AND c.overdue_days > %s",
                    company.customerism_overdue_amount,
                    company.customerism_overdue_days,
                ),
                "at_risk",
                SQL("'overdue'"),
                values(
                    days=SQL("c.overdue_days::text"),
                    amount=money_text(company, SQL("c.overdue_amount")),
                    limit_days=number(company.customerism_overdue_days),
                    limit_amount=money_text(
                        company, SQL("%s::numeric", company.customerism_overdue_amount)
                    ),
                ),
            ),
            (SQL("c.order_count = 0"), "prospect", SQL("'prospect'"), values()),
            (
                SQL("c.gap > %s", company.customerism_at_risk_days),
                "at_risk",
                SQL("'at_risk_days'"),
                values(days=gap, limit=number(company.customerism_at_risk_days)),
            ),
            (
                SQL(
                    "c.itv > 0 AND c.gap > %s * c.itv",
                    company.customerism_at_risk_factor,
                ),
                "at_risk",
                SQL("'at_risk_interval'"),
                values(
                    days=gap,
                    factor=number(company.customerism_at_risk_factor),
                    interval=SQL("round(c.itv, 1)::text"),
                ),
            ),
            (
                SQL("c.recovery_date > %s", new_start),
                "recovered",
                SQL("'recovered'"),
                values(
                    date=SQL("c.recovery_date::text"),
                    limit=number(company.customerism_lapse_days),
                ),
            ),
            (
                SQL("c.first_order_date > %s", new_start),
                "new",
                SQL("'new'"),
                values(
                    date=SQL("c.first_order_date::text"),
                    limit=number(company.customerism_new_days),
                ),
            ),
            (
                SQL("c.trend < -%s", company.customerism_decline_rate),
                "at_risk",
                SQL("'declining'"),
                values(
                    rate=trend,
                    months=months,
                    limit=percent(company.customerism_decline_rate),
                ),
            ),
            (
                SQL("c.trend > %s", company.customerism_growth_rate),
                "growth",
                SQL("'growth'"),
                values(
                    rate=trend,
                    months=months,
                    limit=percent(company.customerism_growth_rate),
                ),
            ),
            (
                SQL("c.trend IS NULL AND c.tcur > 0"),
                "growth",
                SQL("'growth_start'"),
                values(months=months),
            ),
            (
                SQL("TRUE"),
                "maturity",
                SQL("'maturity'"),
                values(rate=SQL("COALESCE(%s, '-')", trend), months=months),
            ),
        ]

    def _stage_note_sql(self, company, action):
        """SQL of the stored body of the chatter note of a stage change (alias
        hist, the history line), in the language of the engine's context.
        Readers see it rendered in their own language (mail.message)."""
        _ = self.env._
        severities = dict(
            self.env["crm.complaint"]
            ._fields["severity"]
            ._description_selection(self.env)
        )

        def fill(template, source):
            expr = SQL("%s", _(template))
            for key in re.findall(r"%\((\w+)\)s", template._source):
                value = SQL("COALESCE(%s ->> %s, '')", source, key)
                if key == "severity":
                    value = SQL(
                        "COALESCE(%s::jsonb ->> (%s ->> 'severity'), '')",
                        json.dumps(severities),
                        source,
                    )
                expr = SQL("replace(%s, %s, %s)", expr, f"%({key})s", value)
            return expr

        reason = SQL(
            "CASE hist.reason_code %s ELSE '' END",
            SQL(" ").join(
                SQL("WHEN %s THEN %s", code, fill(template, SQL("hist.reason_values")))
                for code, template in REASONS.items()
            ),
        )
        if action:
            reason = SQL(
                "%s || ' ' || %s",
                fill(ACTIONS[action["code"]], SQL("(hist.reason_values -> 'action')")),
                reason,
            )
        labels = json.dumps(self._stage_labels())
        return SQL(
            """'<p>' || %(title)s || ' '
           || COALESCE(%(labels)s::jsonb ->> hist.stage_from, '-')
           || ' &#8594; <b>' || (%(labels)s::jsonb ->> hist.stage_to)
           || '</b><br/>'
           || replace(replace(replace(
                  %(reason)s, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')
           || '</p>'""",
            title=html_escape(
                translate(self.env, STAGE_NOTE_TITLE, company=company.name)
            ),
            labels=labels,
            reason=reason,
        )

    def _stage_labels(self):
        return dict(
            self.env["crm.customer.profile"]
            ._fields["lifecycle_stage"]
            ._description_selection(self.env)
        )

    def _churn_reason_update(self, company):
        """SQL of a statement of the batch (a CTE over ``chg``, the stage
        changes) giving the customers who become at risk or lapsed a churn
        reason when they have none: the reason matching the root cause of the
        complaint that put them at risk, otherwise 'unknown'. A reason
        already set is kept and none is ever cleared."""
        unknown = self.env.ref(
            "crm_customerism.crm_churn_reason_unknown", raise_if_not_found=False
        )
        if not unknown:
            return SQL()
        whens = [
            SQL("WHEN %s THEN %s", cause, reason.id)
            for cause, reason in (
                (cause, self.env.ref(xmlid, raise_if_not_found=False))
                for cause, xmlid in CHURN_REASON_BY_ROOT_CAUSE.items()
            )
            if reason
        ]
        by_cause = (
            SQL("CASE risk.root_cause_type %s END", SQL(" ").join(whens))
            if whens
            else SQL("NULL::integer")
        )
        return SQL(
            """
), churn AS (
    UPDATE res_partner p
       SET customerism_churn_reason_id = COALESCE(%(by_cause)s, %(unknown)s)
      FROM chg
      LEFT JOIN (%(risk)s) risk ON risk.commercial_partner_id = chg.partner_id
     WHERE p.id = chg.partner_id AND chg.new_stage IN ('at_risk', 'lapsed')
       AND p.customerism_churn_reason_id IS NULL
 RETURNING p.id
            """,
            by_cause=by_cause,
            unknown=unknown.id,
            risk=self._risk_complaints(company, "root_cause_type"),
        )
