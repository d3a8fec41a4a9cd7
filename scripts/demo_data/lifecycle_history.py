"""Demo scale: the 24 month ends of customer snapshots, and the customers'
lifecycle stage history dated when their transitions happened.

The generator's recompute runs on the day of the data set, and logs every
customer's stage as a change from nothing on that day. Right after it, with
the snapshots built from history (crm_analytics: the value engine as of
each month end), the history is rewritten from them: the first stage seen, each
change between two month ends, and the change from the last month end to
the stage of the recompute, each dated inside its month by what moved the
customer (the last order for new, recovered and growing customers, the last
order plus the company's limit for at-risk and lapsed ones, otherwise the
month end), without a reason (the engine's reasons are those of the
recompute's day). The lines the generation logged so far (and their chatter notes) are
replaced; the features then log their own changes after them (complaints,
notices...), and the last month end is snapshotted again with their
documents.
"""

from datetime import timedelta

from odoo.tools import SQL

MONTHS = 24


def last_month_end(today):
    """The last month end on or before ``today``."""
    following = today + timedelta(days=1)
    if following.day == 1:
        return today
    return today.replace(day=1) - timedelta(days=1)


def build_snapshots(env, company, today):
    """Snapshot the ``MONTHS`` month ends up to ``today`` (from history)."""
    from dateutil.relativedelta import relativedelta

    last = last_month_end(today)
    first = last - relativedelta(months=MONTHS - 1)
    return env["crm.customer.snapshot"]._rebuild(company, first, last)


def retake_last_month(env, company, today):
    """Snapshot the last month end again (after the features' complaints,
    credit notes and payments dated up to ``today``)."""
    return env["crm.customer.snapshot"]._take_snapshot(
        company, last_month_end(today), replace=True
    )


def date_stage_history(env, company, today):
    """Replace the generation-day history lines of ``company``'s customers
    by their transitions from the snapshots; returns the lines written."""
    env.flush_all()
    cr = env.cr
    # every line so far was logged by the generation's recomputes (the
    # orders confirmed through the ORM, then the full one), on the real day
    cr.execute(
        SQL(
            """
            CREATE TEMPORARY TABLE demo_first_lines AS
            SELECT h.id FROM crm_customer_stage_history h
             WHERE h.company_id = %(company)s
            """,
            company=company.id,
        )
    )
    cr.execute(
        SQL(
            """
            WITH steps AS (
                SELECT s.partner_id, s.date AS day, 0 AS step,
                       s.lifecycle_stage AS stage, s.last_order_date
                  FROM crm_customer_snapshot s
                 WHERE s.company_id = %(company)s
                UNION ALL
                -- the stage the generation's recompute found
                SELECT prof.partner_id, %(today)s, 1, prof.lifecycle_stage,
                       prof.last_order_date
                  FROM crm_customer_profile prof
                 WHERE prof.company_id = %(company)s
            ), seq AS (
                SELECT steps.*,
                       lag(stage) OVER w AS prev_stage,
                       lag(day) OVER w AS prev_day
                  FROM steps
                WINDOW w AS (PARTITION BY partner_id ORDER BY day, step)
            ), changes AS (
                SELECT seq.partner_id, seq.prev_stage, seq.stage, seq.step,
                       LEAST(seq.day, GREATEST(
                           LEAST(seq.prev_day + 1, seq.day),
                           COALESCE(CASE
                               WHEN seq.stage = 'lapsed'
                               THEN seq.last_order_date + %(lapse)s + 1
                               WHEN seq.stage = 'at_risk'
                               THEN seq.last_order_date + %(at_risk)s + 1
                               WHEN seq.stage IN ('new', 'recovered', 'growth')
                               THEN seq.last_order_date
                           END, seq.day))) AS day
                  FROM seq
                 WHERE seq.stage IS DISTINCT FROM seq.prev_stage
            )
            INSERT INTO crm_customer_stage_history (
                profile_id, partner_id, company_id, date, stage_from, stage_to,
                reason_code, reason_values, create_uid, create_date, write_uid,
                write_date)
            SELECT prof.id, c.partner_id, %(company)s, c.day, c.prev_stage, c.stage,
                   NULL, NULL, %(uid)s, now() AT TIME ZONE 'UTC',
                   %(uid)s, now() AT TIME ZONE 'UTC'
              FROM changes c
              JOIN crm_customer_profile prof
                ON prof.partner_id = c.partner_id AND prof.company_id = %(company)s
             ORDER BY c.day, prof.id, c.step
            """,
            company=company.id,
            today=today,
            lapse=company.customerism_lapse_days,
            at_risk=company.customerism_at_risk_days,
            uid=env.uid,
        )
    )
    written = cr.rowcount
    cr.execute(
        SQL(
            """
            DELETE FROM mail_message
             WHERE customerism_stage_history_id IN (SELECT id FROM demo_first_lines);
            DELETE FROM crm_customer_stage_history
             WHERE id IN (SELECT id FROM demo_first_lines);
            UPDATE crm_customer_profile prof
               SET stage_history_id = last.id, stage_date = last.date
              FROM (SELECT DISTINCT ON (h.profile_id) h.profile_id, h.id, h.date
                      FROM crm_customer_stage_history h
                     WHERE h.company_id = %(company)s
                     ORDER BY h.profile_id, h.date DESC, h.id DESC) last
             WHERE last.profile_id = prof.id;
            DROP TABLE demo_first_lines;
            ANALYZE crm_customer_stage_history;
            """,
            company=company.id,
        )
    )
    env.invalidate_all()
    return written
