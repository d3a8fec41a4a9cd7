"""The texts stored before in the company's language (stage reasons, their
chatter notes, complaint risk reasons, portal filing notes) become codes and
values, read in each reader's language. A reason that matches no template
(edited, or from an older wording) stays as it was, in reason_legacy."""

import json

from psycopg2.extras import execute_values

from odoo import SUPERUSER_ID, api

from odoo.addons.crm_customerism.models.lifecycle_texts import (
    PORTAL_FILED_NOTE,
    parse_reason,
    reason_parsers,
)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    migrate_stage_history(env)
    migrate_portal_notes(env)
    migrate_complaint_risks(env)


def migrate_stage_history(env):
    cr = env.cr
    langs = [code for code, __ in env["res.lang"].get_installed()]
    parsers = reason_parsers(env, langs)
    cr.execute(
        "SELECT id, reason_legacy FROM crm_customer_stage_history"
        " WHERE reason_code IS NULL AND reason_legacy IS NOT NULL"
    )
    rows = []
    for line_id, text in cr.fetchall():
        parsed = parse_reason(env, text, parsers)
        if parsed:
            rows.append((line_id, parsed[0], json.dumps(parsed[1])))
    if rows:
        execute_values(
            cr._obj,
            """
            UPDATE crm_customer_stage_history h
               SET reason_code = v.code, reason_values = v.vals::jsonb,
                   reason_legacy = NULL
              FROM (VALUES %s) AS v (id, code, vals)
             WHERE h.id = v.id
            """,
            rows,
            page_size=5000,
        )
    # the profile's reason is the one of its last stage change
    cr.execute(
        """
        UPDATE crm_customer_profile p SET stage_history_id = h.id
          FROM (SELECT DISTINCT ON (profile_id) id, profile_id
                  FROM crm_customer_stage_history
                 ORDER BY profile_id, date DESC, id DESC) h
         WHERE h.profile_id = p.id AND p.stage_history_id IS NULL
        """
    )
    cr.execute("ALTER TABLE crm_customer_profile DROP COLUMN IF EXISTS stage_reason")
    # the chatter note was written with its history line, in the same statement
    cr.execute(
        """
        UPDATE mail_message m
           SET customerism_note = 'stage_change', customerism_stage_history_id = h.id
          FROM crm_customer_stage_history h
         WHERE m.model = 'res.partner' AND m.res_id = h.partner_id
           AND m.create_date = h.create_date AND m.message_type = 'notification'
           AND m.customerism_note IS NULL AND m.body LIKE '%%&#8594;%%'
        """
    )


def migrate_portal_notes(env):
    langs = [code for code, __ in env["res.lang"].get_installed()]
    bodies = {
        f"<p>{env(context={'lang': lang})._(PORTAL_FILED_NOTE)}</p>" for lang in langs
    }
    env.cr.execute(
        """
        UPDATE mail_message SET customerism_note = 'complaint_portal'
         WHERE model = 'crm.complaint' AND customerism_note IS NULL
           AND body = ANY(%s)
        """,
        [list(bodies)],
    )


def migrate_complaint_risks(env):
    """The flags are the current state: set again, with codes and values."""
    Complaint = env["crm.complaint"].with_context(active_test=False)
    for company in env["res.company"].search([]):
        partners = Complaint.search(
            [("company_id", "=", company.id), ("lifecycle_risk", "=", True)]
        ).commercial_partner_id
        if partners:
            Complaint._flag_lifecycle_risk(company, partners.ids, recompute=False)
    Complaint.flush_model()
    env.cr.execute(
        "ALTER TABLE crm_complaint DROP COLUMN IF EXISTS lifecycle_risk_reason"
    )
