from odoo import fields, models
from odoo.tools import SQL

from .mail_message import DIRECTIONS, INTERACTION_CHANNELS


class CrmInteraction(models.Model):
    """One timeline per customer of every contact (接触记录): logged calls,
    meetings and visits, emails, complaints and orders. A read-only view over
    mail.message, crm.complaint and sale.order: nothing is stored twice."""

    _name = "crm.interaction"
    _description = "Customer Interaction"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "summary"

    date = fields.Datetime(readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    kind = fields.Selection(
        [
            ("message", "Message"),
            ("activity", "Logged Activity"),
            ("complaint", "Complaint"),
            ("order", "Order"),
        ],
        readonly=True,
    )
    channel = fields.Selection(
        INTERACTION_CHANNELS + [("api", "API"), ("sale", "Sales Order")],
        readonly=True,
    )
    direction = fields.Selection(DIRECTIONS, readonly=True)
    marketing = fields.Boolean(readonly=True)
    summary = fields.Char(readonly=True)
    user_id = fields.Many2one("res.users", string="By", readonly=True)
    res_model = fields.Char(string="Document Model", readonly=True)
    res_id = fields.Integer(string="Document", readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT m.id * 4 AS id, m.date, cust.commercial_partner_id AS partner_id,
                   m.record_company_id AS company_id,
                   CASE WHEN m.mail_activity_type_id IS NOT NULL THEN 'activity'
                        ELSE 'message' END AS kind,
                   COALESCE(
                       m.customerism_channel,
                       CASE WHEN act.category = 'phonecall' THEN 'phone'
                            WHEN act.category = 'meeting' THEN 'meeting'
                            WHEN m.message_type = 'email' THEN 'email'
                            WHEN m.message_type = 'comment' AND author.partner_share
                                THEN 'portal'
                            ELSE 'other' END
                   ) AS channel,
                   COALESCE(
                       m.customerism_direction,
                       CASE WHEN author.commercial_partner_id
                                 = cust.commercial_partner_id
                            THEN 'inbound' ELSE 'outbound' END
                   ) AS direction,
                   COALESCE(m.customerism_marketing, FALSE) AS marketing,
                   COALESCE(
                       NULLIF(m.subject, ''),
                       NULLIF(left(regexp_replace(m.body, '<[^>]+>', ' ', 'g'),
                                   200), ''),
                       act.name->>'en_US'
                   ) AS summary,
                   author_user.id AS user_id,
                   m.model AS res_model, m.res_id
              FROM mail_message m
              JOIN LATERAL (
                    SELECT p.commercial_partner_id FROM res_partner p
                     WHERE m.model = 'res.partner' AND p.id = m.res_id
                    UNION ALL
                    SELECT c.commercial_partner_id FROM crm_complaint c
                     WHERE m.model = 'crm.complaint' AND c.id = m.res_id
                    UNION ALL
                    SELECT p.commercial_partner_id FROM sale_order so
                      JOIN res_partner p ON p.id = so.partner_id
                     WHERE m.model = 'sale.order' AND so.id = m.res_id
                    UNION ALL
                    SELECT p.commercial_partner_id FROM crm_lead l
                      JOIN res_partner p ON p.id = l.partner_id
                     WHERE m.model = 'crm.lead' AND l.id = m.res_id
              ) cust ON TRUE
              LEFT JOIN mail_activity_type act ON act.id = m.mail_activity_type_id
              LEFT JOIN res_partner author ON author.id = m.author_id
              LEFT JOIN LATERAL (
                    SELECT u.id FROM res_users u
                     WHERE u.partner_id = m.author_id AND NOT u.share
                     LIMIT 1
              ) author_user ON TRUE
             WHERE m.mail_activity_type_id IS NOT NULL
                OR (m.message_type IN ('email', 'comment')
                    AND (m.message_type = 'email' OR m.customerism_channel IS NOT NULL
                         OR author.partner_share))
            UNION ALL
            SELECT c.id * 4 + 1, c.sla_start, c.commercial_partner_id, c.company_id,
                   'complaint', c.channel, 'inbound', FALSE, c.name || ' ' || c.subject,
                   c.user_id, 'crm.complaint', c.id
              FROM crm_complaint c
             WHERE c.commercial_partner_id IS NOT NULL
            UNION ALL
            SELECT so.id * 4 + 2, so.date_order, p.commercial_partner_id, so.company_id,
                   'order', 'sale', 'inbound', FALSE, so.name, so.user_id,
                   'sale.order', so.id
              FROM sale_order so
              JOIN res_partner p ON p.id = so.partner_id
             WHERE so.state = 'sale'
            """
        )

    def action_open_document(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
