from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

from .mail_message import DIRECTIONS, INTERACTION_CHANNELS

# the documents a contact may hang on; their record rules decide who sees it
DOCUMENT_MODELS = (
    "res.partner",
    "crm.complaint",
    "sale.order",
    "crm.lead",
    "calendar.event",
)


class CrmInteraction(models.Model):
    """One timeline per customer of every contact (接触记录): logged calls,
    meetings and visits, emails, planned activities, complaints, orders and the
    calendar meetings a contact of the customer attends. A read-only view over
    mail.message, mail.activity, crm.complaint, sale.order and calendar.event:
    nothing is stored twice.

    A row is only visible to the users who may read its document (the partner,
    complaint, order, lead or meeting it hangs on): see ``document_readable``
    and the record rule ``crm_interaction_rule_document``."""

    _name = "crm.interaction"
    _description = "Customer Interaction"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "summary"
    # flushed before the view is read
    _depends = {
        "mail.message": [
            "author_id",
            "body",
            "customerism_channel",
            "customerism_direction",
            "customerism_marketing",
            "date",
            "mail_activity_type_id",
            "message_type",
            "model",
            "record_company_id",
            "res_id",
            "subject",
        ],
        "mail.activity": [
            "active",
            "activity_type_id",
            "calendar_event_id",
            "date_deadline",
            "res_id",
            "res_model",
            "summary",
            "user_id",
        ],
        "mail.activity.type": ["category", "name"],
        "crm.complaint": [
            "channel",
            "commercial_partner_id",
            "company_id",
            "name",
            "sla_start",
            "subject",
            "user_id",
        ],
        "sale.order": [
            "company_id",
            "date_order",
            "name",
            "partner_id",
            "state",
            "user_id",
        ],
        "crm.lead": ["company_id", "partner_id"],
        "calendar.event": ["active", "name", "partner_ids", "start", "user_id"],
        "calendar.attendee": ["event_id", "partner_id"],
        "res.partner": ["commercial_partner_id", "company_id", "partner_share"],
        "res.users": ["company_ids", "partner_id", "share"],
        "res.company": ["partner_id"],
    }

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
            ("meeting", "Meeting"),
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
    calendar_event_id = fields.Many2one(
        "calendar.event", string="Meeting", readonly=True
    )
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
            documents = documents._filtered_access("read")
            privacy = self._document_privacy_domain(env, res_model)
            if privacy and documents:
                # in SQL: the cache may hold the blanked fields of a private
                # event read by another user in the same transaction
                documents = documents.with_context(active_test=False).search(
                    expression.AND([[("id", "in", documents.ids)], privacy])
                )
            allowed = set(documents._ids)
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
                        env[res_model]
                        .with_context(active_test=False)
                        ._search(self._document_privacy_domain(env, res_model)),
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

    @api.model
    def _document_privacy_domain(self, env, res_model):
        """Domain of the documents of ``res_model`` that the user of ``env`` may
        see on the timeline, on top of the record rules.

        Calendar events: Odoo 18 lets every employee read the private events of
        others (the rule ``calendar.calendar_event_rule_private`` does not
        apply to reading) but blanks their fields, name and attendees included
        (``calendar.event._fetch_query``). A meeting row would show both, so
        the private events the user neither organizes nor attends give no row
        (the conditions of ``calendar.event._check_private_event_conditions``)."""
        if res_model != "calendar.event":
            return []
        user = env.user
        Users = env["res.users"].sudo().with_context(active_test=False)
        # organizers whose events are private unless said otherwise
        private_owners = (
            env["res.users.settings"]
            .sudo()
            .search([("calendar_default_privacy", "=", "private")])
            .user_id
        )
        if Users._default_user_calendar_default_privacy() == "private":
            private_owners |= Users.search([("res_users_settings_ids", "=", False)])
        private = [
            "|",
            ("privacy", "=", "private"),
            "&",
            ("privacy", "=", False),
            ("user_id", "in", private_owners.ids),
        ]
        return expression.OR(
            [
                [("user_id", "=", user.id)],
                [("partner_ids", "in", user.partner_id.ids)],
                ["!", *private],
            ]
        )

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
            SELECT m.id * 5 AS id, m.date, cust.commercial_partner_id AS partner_id,
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

    @staticmethod
    def _meeting_attendees_sql():
        """The attendees of active calendar events who are contacts of a
        customer: (event_id, commercial_partner_id, attendee_id).

        The attendees are the event's ``partner_ids``
        (calendar_event_res_partner_rel, as the meeting count of res.partner
        reads them); the calendar.attendee record that Odoo keeps for each of
        them gives a row its id. Left out: the partners of internal users (the
        organizer and the colleagues invited) and the partners of the
        organizer's own companies."""
        return SQL(
            """
            SELECT e.id AS event_id, contact.commercial_partner_id,
                   att.id AS attendee_id
              FROM calendar_event e
              JOIN calendar_event_res_partner_rel rel ON rel.calendar_event_id = e.id
              JOIN calendar_attendee att
                ON att.event_id = e.id AND att.partner_id = rel.res_partner_id
              JOIN res_partner contact ON contact.id = rel.res_partner_id
             WHERE e.active AND contact.commercial_partner_id IS NOT NULL
               AND NOT EXISTS (
                    SELECT 1 FROM res_users u
                     WHERE u.partner_id = contact.id AND NOT u.share)
               AND NOT EXISTS (
                    SELECT 1 FROM res_company_users_rel cu
                      JOIN res_company company ON company.id = cu.cid
                     WHERE cu.user_id = e.user_id
                       AND company.partner_id = contact.commercial_partner_id)
            """
        )

    def _select_planned_activities(self):
        """Activities not done yet, at their due date. A meeting activity whose
        calendar event already gives a meeting row for the customer is left
        to that row."""
        return SQL(
            """
            SELECT a.id * 5 + 3, a.date_deadline::timestamp,
                   doc.commercial_partner_id, doc.company_id, 'planned',
                   COALESCE(%(activity_channel)s, 'other'), 'outbound', FALSE,
                   COALESCE(NULLIF(a.summary, ''), %(activity_name)s), a.user_id,
                   a.res_model, a.res_id, a.date_deadline
              FROM mail_activity a
              JOIN LATERAL (%(document)s) doc ON TRUE
              LEFT JOIN mail_activity_type act ON act.id = a.activity_type_id
             WHERE a.active AND doc.commercial_partner_id IS NOT NULL
               AND NOT EXISTS (
                    SELECT 1 FROM (%(meeting_attendees)s) ma
                     WHERE ma.event_id = a.calendar_event_id
                       AND ma.commercial_partner_id = doc.commercial_partner_id)
            """,
            meeting_attendees=self._meeting_attendees_sql(),
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
            SELECT c.id * 5 + 1, c.sla_start, c.commercial_partner_id, c.company_id,
                   'complaint', c.channel, 'inbound', FALSE, c.name || ' ' || c.subject,
                   c.user_id, 'crm.complaint', c.id, NULL::date
              FROM crm_complaint c
             WHERE c.commercial_partner_id IS NOT NULL
            """
        )

    def _select_orders(self):
        return SQL(
            """
            SELECT so.id * 5 + 2, so.date_order, p.commercial_partner_id, so.company_id,
                   'order', 'sale', 'inbound', FALSE, so.name, so.user_id,
                   'sale.order', so.id, NULL::date
              FROM sale_order so
              JOIN res_partner p ON p.id = so.partner_id
             WHERE so.state = 'sale'
            """
        )

    def _select_meetings(self):
        """Calendar meetings, one row per event and customer attending."""
        return SQL(
            """
            SELECT min(ma.attendee_id) * 5 + 4, e.start, ma.commercial_partner_id,
                   cust.company_id, 'meeting', 'meeting', 'outbound', FALSE, e.name,
                   e.user_id, 'calendar.event', e.id, NULL::date
              FROM (%(meeting_attendees)s) ma
              JOIN calendar_event e ON e.id = ma.event_id
              JOIN res_partner cust ON cust.id = ma.commercial_partner_id
             GROUP BY e.id, ma.commercial_partner_id, cust.company_id
            """,
            meeting_attendees=self._meeting_attendees_sql(),
        )

    @property
    def _table_query(self):
        # the id of a row is the id of its source record * 5 + the source's
        # offset: messages 0, complaints 1, orders 2, planned activities 3,
        # meetings 4 (the smallest attendee of the customer)
        return SQL(
            """
            SELECT t.*,
                   CASE WHEN t.res_model = 'crm.complaint' THEN t.res_id END
                       AS complaint_id,
                   CASE WHEN t.res_model = 'sale.order' THEN t.res_id END AS order_id,
                   CASE WHEN t.res_model = 'crm.lead' THEN t.res_id END AS lead_id,
                   CASE WHEN t.res_model = 'calendar.event' THEN t.res_id END
                       AS calendar_event_id
              FROM (%s UNION ALL %s UNION ALL %s UNION ALL %s UNION ALL %s) t
            """,
            self._select_messages(),
            self._select_planned_activities(),
            self._select_complaints(),
            self._select_orders(),
            self._select_meetings(),
        )

    def action_open_document(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
