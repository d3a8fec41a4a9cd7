from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

from .mail_message import DIRECTIONS, INTERACTION_CHANNELS

# the documents a contact may hang on; their record rules decide who sees it
DOCUMENT_MODELS = ("res.partner", "crm.complaint", "sale.order", "crm.lead")


class CrmInteraction(models.Model):
    """One timeline per customer of every contact (接触记录): logged calls,
    meetings and visits, emails, planned activities, complaints and orders. A
    read-only view over mail.message, mail.activity, crm.complaint and
    sale.order: nothing is stored twice.

    A row is only visible to the users who may read its document (the partner,
    complaint, order or lead it hangs on): see ``document_readable`` and the
    record rule ``crm_interaction_rule_document``."""

    _name = "crm.interaction"
    _description = "Customer Interaction"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "summary"

    date = fields.Datetime(readonly=True)
    date_deadline = fields.Date(
        string="Due Date", readonly=True, help="Due date of a planned activity."
    )
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    kind = fields.Selection(
        [
            ("message", "Message"),
            ("activity", "Logged Activity"),
            ("planned", "Planned Activity"),
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
    complaint_id = fields.Many2one("crm.complaint", readonly=True)
    order_id = fields.Many2one("sale.order", string="Sales Order", readonly=True)
    lead_id = fields.Many2one("crm.lead", readonly=True)
    document_readable = fields.Boolean(
        compute="_compute_document_readable",
        search="_search_document_readable",
        help="Whether the current user may read the document of the contact.",
    )

    # ------------------------------------------------------------------
    # access: the record rules of the document
    # ------------------------------------------------------------------
    # An ``any`` condition in a record rule does not help here: ir.rule
    # domains are evaluated as superuser (``_apply_ir_rules`` passes
    # ``self.sudo()`` and ``_check_access`` filters ``self.sudo()``), so the
    # subquery of ``('complaint_id', 'any', [])`` ignores the rules of the
    # complaints. ``document_readable`` leaves the superuser mode on purpose
    # and asks each document model for the current user's readable records.

    def _document_env(self):
        """The current user's environment, even inside a record rule."""
        return self.env(su=False)

    @api.depends_context("uid")
    def _compute_document_readable(self):
        env = self._document_env()
        readable = set()
        for res_model, rows in self.grouped("res_model").items():
            if res_model not in DOCUMENT_MODELS:
                continue
            documents = env[res_model].browse(set(rows.mapped("res_id"))).exists()
            if not documents.browse().has_access("read"):
                continue
            allowed = set(documents._filtered_access("read")._ids)
            readable.update(row.id for row in rows if row.res_id in allowed)
        for row in self:
            row.document_readable = row.id in readable

    def _search_document_readable(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(f"Unsupported search: {operator} {value!r}")
        env = self._document_env()
        readable = expression.OR(
            [
                [
                    ("res_model", "=", res_model),
                    (
                        "res_id",
                        "in",
                        env[res_model].with_context(active_test=False)._search([]),
                    ),
                ]
                for res_model in DOCUMENT_MODELS
                if env[res_model].has_access("read")
            ]
            or [expression.FALSE_DOMAIN]
        )
        if (operator == "=") == value:
            return readable
        return ["!", *expression.normalize_domain(readable)]

    # ------------------------------------------------------------------
    # the view
    # ------------------------------------------------------------------

    @staticmethod
    def _document_sql(res_model, res_id):
        """Lateral subquery giving the commercial partner and the company of
        the document ``res_model``/``res_id`` (no row for other models)."""
        return SQL(
            """
            SELECT p.commercial_partner_id, p.company_id FROM res_partner p
             WHERE %(res_model)s = 'res.partner' AND p.id = %(res_id)s
            UNION ALL
            SELECT c.commercial_partner_id, c.company_id FROM crm_complaint c
             WHERE %(res_model)s = 'crm.complaint' AND c.id = %(res_id)s
            UNION ALL
            SELECT p.commercial_partner_id, so.company_id FROM sale_order so
              JOIN res_partner p ON p.id = so.partner_id
             WHERE %(res_model)s = 'sale.order' AND so.id = %(res_id)s
            UNION ALL
            SELECT p.commercial_partner_id, l.company_id FROM crm_lead l
              JOIN res_partner p ON p.id = l.partner_id
             WHERE %(res_model)s = 'crm.lead' AND l.id = %(res_id)s
            """,
            res_model=res_model,
            res_id=res_id,
        )

    @staticmethod
    def _activity_channel_sql(category):
        return SQL(
            """CASE WHEN %(category)s = 'phonecall' THEN 'phone'
                    WHEN %(category)s = 'meeting' THEN 'meeting'
                    ELSE NULL END""",
            category=category,
        )

    def _activity_type_name_sql(self, name):
        return SQL(
            "COALESCE(%(name)s->>%(lang)s, %(name)s->>'en_US')",
            name=name,
            lang=self.env.lang or "en_US",
        )

    def _select_messages(self):
        """Emails, portal messages, logged contacts and done activities."""
        return SQL(
            """
            SELECT m.id * 4 AS id, m.date, cust.commercial_partner_id AS partner_id,
                   m.record_company_id AS company_id,
                   CASE WHEN m.mail_activity_type_id IS NOT NULL THEN 'activity'
                        ELSE 'message' END AS kind,
                   COALESCE(
                       m.customerism_channel,
                       %(activity_channel)s,
                       CASE WHEN m.message_type = 'email' THEN 'email'
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
                       %(activity_name)s
                   ) AS summary,
                   author_user.id AS user_id,
                   m.model AS res_model, m.res_id, NULL::date AS date_deadline
              FROM mail_message m
              JOIN LATERAL (%(document)s) cust ON TRUE
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
            """,
            document=self._document_sql(
                SQL.identifier("m", "model"), SQL.identifier("m", "res_id")
            ),
            activity_channel=self._activity_channel_sql(
                SQL.identifier("act", "category")
            ),
            activity_name=self._activity_type_name_sql(SQL.identifier("act", "name")),
        )

    def _select_planned_activities(self):
        """Activities not done yet, at their due date."""
        return SQL(
            """
            SELECT a.id * 4 + 3, a.date_deadline::timestamp,
                   doc.commercial_partner_id, doc.company_id, 'planned',
                   COALESCE(%(activity_channel)s, 'other'), 'outbound', FALSE,
                   COALESCE(NULLIF(a.summary, ''), %(activity_name)s), a.user_id,
                   a.res_model, a.res_id, a.date_deadline
              FROM mail_activity a
              JOIN LATERAL (%(document)s) doc ON TRUE
              LEFT JOIN mail_activity_type act ON act.id = a.activity_type_id
             WHERE a.active AND doc.commercial_partner_id IS NOT NULL
            """,
            document=self._document_sql(
                SQL.identifier("a", "res_model"), SQL.identifier("a", "res_id")
            ),
            activity_channel=self._activity_channel_sql(
                SQL.identifier("act", "category")
            ),
            activity_name=self._activity_type_name_sql(SQL.identifier("act", "name")),
        )

    def _select_complaints(self):
        return SQL(
            """
            SELECT c.id * 4 + 1, c.sla_start, c.commercial_partner_id, c.company_id,
                   'complaint', c.channel, 'inbound', FALSE, c.name || ' ' || c.subject,
                   c.user_id, 'crm.complaint', c.id, NULL::date
              FROM crm_complaint c
             WHERE c.commercial_partner_id IS NOT NULL
            """
        )

    def _select_orders(self):
        return SQL(
            """
            SELECT so.id * 4 + 2, so.date_order, p.commercial_partner_id, so.company_id,
                   'order', 'sale', 'inbound', FALSE, so.name, so.user_id,
                   'sale.order', so.id, NULL::date
              FROM sale_order so
              JOIN res_partner p ON p.id = so.partner_id
             WHERE so.state = 'sale'
            """
        )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT t.*,
                   CASE WHEN t.res_model = 'crm.complaint' THEN t.res_id END
                       AS complaint_id,
                   CASE WHEN t.res_model = 'sale.order' THEN t.res_id END AS order_id,
                   CASE WHEN t.res_model = 'crm.lead' THEN t.res_id END AS lead_id
              FROM (%s UNION ALL %s UNION ALL %s UNION ALL %s) t
            """,
            self._select_messages(),
            self._select_planned_activities(),
            self._select_complaints(),
            self._select_orders(),
        )

    def action_open_document(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
