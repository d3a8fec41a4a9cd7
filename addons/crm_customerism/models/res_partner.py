import psycopg2
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

from .crm_customer_profile import GRADE_SELECTION, SERVICE_TIERS, STAGE_SELECTION
from .customerism_api import (
    MAX_KEY,
    MAX_NAME,
    MAX_TEXT,
    ItemError,
    clean,
    item_label,
    run_batch,
)

CUSTOMERISM_GROUP = "crm_customerism.group_crm_customerism_user"

# what an external system sends of a customer (see docs/API.md)
CUSTOMER_SCHEMA = {
    "source": ("str", MAX_KEY),
    "key": ("str", MAX_KEY),
    "name": ("str", MAX_NAME),
    "is_company": ("bool", None),
    "email": ("str", MAX_NAME),
    "phone": ("str", 64),
    "mobile": ("str", 64),
    "street": ("str", MAX_NAME),
    "street2": ("str", MAX_NAME),
    "city": ("str", MAX_NAME),
    "zip": ("str", 32),
    "country_code": ("str", 2),
    "vat": ("str", 64),
    "website": ("str", MAX_NAME),
    "lang": ("str", 16),
    "comment": ("str", MAX_TEXT),
    "contacts": ("list", 100),
    "consents": ("dict", None),
}
CONTACT_SCHEMA = {
    "key": ("str", MAX_KEY),
    "name": ("str", MAX_NAME),
    "email": ("str", MAX_NAME),
    "phone": ("str", 64),
    "mobile": ("str", 64),
    "function": ("str", MAX_NAME),
}
# fields written as they come
PLAIN_FIELDS = (
    "name",
    "is_company",
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "city",
    "zip",
    "vat",
    "website",
    "function",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    customer_profile_ids = fields.One2many(
        "crm.customer.profile",
        "partner_id",
        string="Value Profiles",
        groups=CUSTOMERISM_GROUP,
    )
    customer_profile_id = fields.Many2one(
        "crm.customer.profile",
        string="Value Profile",
        compute="_compute_customer_profile_id",
        search="_search_customer_profile_id",
        groups=CUSTOMERISM_GROUP,
        help="Value profile of the commercial partner in the current company.",
    )
    customerism_historical_value = fields.Monetary(
        related="customer_profile_id.historical_value",
        string="Historical Value",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_current_value = fields.Monetary(
        related="customer_profile_id.current_value",
        string="Current Value",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_currency_id = fields.Many2one(
        related="customer_profile_id.currency_id",
        string="Value Currency",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_order_count = fields.Integer(
        related="customer_profile_id.order_count",
        string="Orders (Company)",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_last_order_date = fields.Date(
        related="customer_profile_id.last_order_date",
        string="Last Order",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_lifetime_value = fields.Monetary(
        related="customer_profile_id.lifetime_value",
        string="Lifetime Value",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_potential_value = fields.Monetary(
        related="customer_profile_id.potential_value",
        string="Potential Value",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_recency_score = fields.Integer(
        related="customer_profile_id.recency_score",
        string="Recency Score",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_frequency_score = fields.Integer(
        related="customer_profile_id.frequency_score",
        string="Frequency Score",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_monetary_score = fields.Integer(
        related="customer_profile_id.monetary_score",
        string="Monetary Score",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_account_manager_id = fields.Many2one(
        related="customer_profile_id.account_manager_id",
        string="Account Manager",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_technical_manager_id = fields.Many2one(
        related="customer_profile_id.technical_manager_id",
        string="Technical Manager",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_receivable_amount = fields.Monetary(
        related="customer_profile_id.receivable_amount",
        string="Receivable (Customerism)",
        currency_field="customerism_currency_id",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_overdue_amount = fields.Monetary(
        related="customer_profile_id.overdue_amount",
        string="Overdue",
        currency_field="customerism_currency_id",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_overdue_days = fields.Integer(
        related="customer_profile_id.overdue_days",
        string="Days Overdue",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_credit_usage = fields.Float(
        related="customer_profile_id.credit_usage",
        string="Credit Limit Used (%)",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_stage_history_ids = fields.One2many(
        "crm.customer.stage.history",
        "partner_id",
        string="Lifecycle Stage History",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_grade = fields.Selection(
        GRADE_SELECTION,
        string="Customer Grade",
        compute="_compute_customer_profile_id",
        search="_search_customerism_grade",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_service_tier = fields.Selection(
        SERVICE_TIERS,
        string="Service Tier",
        compute="_compute_customer_profile_id",
        search="_search_customerism_service_tier",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_stage = fields.Selection(
        STAGE_SELECTION,
        string="Lifecycle Stage",
        compute="_compute_customer_profile_id",
        search="_search_customerism_stage",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_stage_history_count = fields.Integer(
        string="Stage Changes",
        compute="_compute_customerism_stage_history_count",
        groups=CUSTOMERISM_GROUP,
    )

    @api.depends("commercial_partner_id")
    @api.depends_context("company")
    def _compute_customer_profile_id(self):
        commercial = self.commercial_partner_id
        profiles = (
            self.env["crm.customer.profile"]
            .with_context(active_test=False)
            .search(
                [
                    ("partner_id", "in", commercial.ids),
                    ("company_id", "=", self.env.company.id),
                ]
            )
        )
        by_partner = {profile.partner_id.id: profile for profile in profiles}
        empty = self.env["crm.customer.profile"]
        for partner in self:
            profile = by_partner.get(partner.commercial_partner_id.id, empty)
            partner.customer_profile_id = profile
            partner.customerism_grade = profile.grade
            partner.customerism_service_tier = profile.service_tier
            partner.customerism_stage = profile.lifecycle_stage

    def _compute_customerism_stage_history_count(self):
        counts = dict(
            self.env["crm.customer.stage.history"]._read_group(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "=", self.env.company.id),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.customerism_stage_history_count = counts.get(
                partner.commercial_partner_id, 0
            )

    def _search_on_profile(self, field_name, operator, value):
        profiles = self.env["crm.customer.profile"]._search(
            [(field_name, operator, value), ("company_id", "=", self.env.company.id)]
        )
        return [("commercial_partner_id.customer_profile_ids", "any", profiles)]

    def _search_customer_profile_id(self, operator, value):
        return self._search_on_profile("id", operator, value)

    def _search_customerism_grade(self, operator, value):
        return self._search_on_profile("grade", operator, value)

    def _search_customerism_service_tier(self, operator, value):
        return self._search_on_profile("service_tier", operator, value)

    def _search_customerism_stage(self, operator, value):
        return self._search_on_profile("lifecycle_stage", operator, value)

    def action_view_customerism_stage_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_customerism.crm_customer_stage_history_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"create": False}
        return action

    def action_open_customer_profile(self):
        self.ensure_one()
        profile = self.customer_profile_id
        if not profile:
            self.env["crm.customer.profile"]._recompute_partners(
                self.ids, company=self.env.company
            )
            self.invalidate_recordset(["customer_profile_id"])
            profile = self.customer_profile_id
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.customer.profile",
            "res_id": profile.id,
            "view_mode": "form",
        }

    # complaints (客户投诉)
    customerism_to_qualify = fields.Boolean(
        string="To Qualify",
        copy=False,
        help="Contact created from an incoming complaint mail of an unknown sender: "
        "check who they are and link them to their company.",
    )
    customerism_complaint_count = fields.Integer(
        string="Complaints",
        compute="_compute_customerism_complaint_stats",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_complaint_rating = fields.Float(
        string="Complaint Satisfaction",
        compute="_compute_customerism_complaint_stats",
        groups=CUSTOMERISM_GROUP,
        help="Average satisfaction (1-5) given on the closed complaints.",
    )

    def _compute_customerism_complaint_stats(self):
        Complaint = self.env["crm.complaint"]
        domain = [("commercial_partner_id", "in", self.commercial_partner_id.ids)]
        counts = dict(
            Complaint._read_group(domain, ["commercial_partner_id"], ["__count"])
        )
        ratings = dict(
            Complaint._read_group(
                domain + [("rating_last_value", ">=", 1)],
                ["commercial_partner_id"],
                ["rating_last_value:avg"],
            )
        )
        for partner in self:
            partner.customerism_complaint_count = counts.get(
                partner.commercial_partner_id, 0
            )
            partner.customerism_complaint_rating = ratings.get(
                partner.commercial_partner_id, 0.0
            )

    def action_view_customerism_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_customerism.crm_complaint_action"
        )
        action["domain"] = [
            ("commercial_partner_id", "=", self.commercial_partner_id.id)
        ]
        action["context"] = {"default_partner_id": self.id}
        return action

    # interactions and consent (接触记录)
    customerism_consent_ids = fields.One2many(
        "crm.contact.consent",
        "partner_id",
        string="Contact Consents",
        groups=CUSTOMERISM_GROUP,
    )
    customerism_interaction_count = fields.Integer(
        string="Interactions",
        compute="_compute_customerism_interaction_count",
        groups=CUSTOMERISM_GROUP,
    )

    @api.depends_context("uid")
    def _compute_customerism_interaction_count(self):
        counts = dict(
            self.env["crm.interaction"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.customerism_interaction_count = counts.get(
                partner.commercial_partner_id, 0
            )

    def action_view_customerism_interactions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_customerism.crm_interaction_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action

    def action_log_customerism_interaction(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a Contact"),
            "res_model": "crm.interaction.log.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def _customerism_marketing_counts(self, company):
        """Marketing contacts per commercial partner in the cap period."""
        since = fields.Datetime.now() - relativedelta(
            days=company.customerism_contact_cap_days
        )
        # sudo: a count of marketing contacts for the cap, whoever made them
        groups = (
            self.env["mail.message"]
            .sudo()
            ._read_group(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "in", self.commercial_partner_id.ids),
                    ("customerism_marketing", "=", True),
                    ("date", ">=", since),
                ],
                ["res_id"],
                ["__count"],
            )
        )
        return dict(groups)

    def _customerism_refused_channels(self):
        """{commercial partner id: set of refused channels}."""
        # sudo: a refusal binds every sender, even one who may not read it
        consents = (
            self.env["crm.contact.consent"]
            .sudo()
            .search_read(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("status", "=", "refused"),
                ],
                ["partner_id", "channel"],
            )
        )
        refused = {}
        for consent in consents:
            refused.setdefault(consent["partner_id"][0], set()).add(consent["channel"])
        return refused

    def _customerism_marketing_block_reasons(self, channel, company=None):
        """{partner: reason} for the partners that may not get a marketing
        contact on ``channel`` now (refused consent or cap reached)."""
        company = company or self.env.company
        refused = self._customerism_refused_channels()
        counts = self._customerism_marketing_counts(company)
        cap = company.customerism_contact_cap
        labels = dict(
            self.env["crm.contact.consent"]
            ._fields["channel"]
            ._description_selection(self.env)
        )
        reasons = {}
        for partner in self:
            customer = partner.commercial_partner_id
            if channel in refused.get(customer.id, ()):
                reasons[partner] = self.env._(
                    "%(customer)s refused marketing contacts by %(channel)s.",
                    customer=customer.display_name,
                    channel=labels.get(channel, channel),
                )
            elif cap and counts.get(customer.id, 0) >= cap:
                reasons[partner] = self.env._(
                    "%(customer)s already had %(count)s marketing contacts in the last "
                    "%(days)s days (cap: %(cap)s).",
                    customer=customer.display_name,
                    count=counts.get(customer.id, 0),
                    days=company.customerism_contact_cap_days,
                    cap=cap,
                )
        return reasons

    def _customerism_marketing_block_reason(self, channel, company=None):
        self.ensure_one()
        return self._customerism_marketing_block_reasons(channel, company).get(self)

    def _customerism_check_marketing_contact(self, channel, company=None):
        reasons = self._customerism_marketing_block_reasons(channel, company)
        if reasons:
            raise UserError("\n".join(reasons.values()))

    def _customerism_log_interaction(
        self, channel, direction, summary, body="", marketing=False, date=None
    ):
        """Post the contact in the chatter of the commercial partner, with its
        channel and direction; returns the messages."""
        messages = self.env["mail.message"]
        for partner in self:
            customer = partner.commercial_partner_id
            message = customer.message_post(
                subject=summary,
                body=body or summary,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
            values = {
                "customerism_channel": channel,
                "customerism_direction": direction,
                "customerism_marketing": marketing,
            }
            if date:
                values["date"] = date
            # sudo: the contact's marks on the message just posted
            message.sudo().write(values)
            messages |= message
        return messages

    # retention (客户挽回)
    customerism_churn_reason_id = fields.Many2one(
        "crm.churn.reason",
        string="Churn Reason",
        tracking=True,
        groups=CUSTOMERISM_GROUP,
        help="Why the customer is at risk or lapsed.",
    )

    def action_apply_customerism_playbook(self):
        """Schedule the activities of the playbook of the customer's stage."""
        for partner in self:
            customer = partner.commercial_partner_id
            stage = customer.customerism_stage
            plan = self.env["mail.activity.plan"]._customerism_playbook(stage)
            if not plan:
                raise UserError(
                    self.env._(
                        "No playbook for the lifecycle stage of %(customer)s.",
                        customer=customer.display_name,
                    )
                )
            owner = (
                customer.customerism_account_manager_id
                or customer.user_id
                or self.env.user
            )
            plan._customerism_schedule(customer, user=owner)
        return True

    # ------------------------------------------------------------------
    # XML-RPC API (docs/API.md)
    # ------------------------------------------------------------------

    @api.model
    def customerism_upsert(self, items):
        """Create or update customers (commercial partners) and their contacts
        by external reference (source system + key, unique per company).

        :param items: list of at most 1,000 dicts (see CUSTOMER_SCHEMA)
        :return: one dict per item, in order: index, source, key, status
            (created / updated / unchanged / error), id (the partner),
            message (the error, naming the item and the field)
        """
        company = self.env.company
        # looked up once for the batch: country code -> id, and (source, key)
        # -> the references that exist already
        batch = {"countries": {}, "references": {}}

        def prepare(items):
            batch["countries"] = self._customerism_country_ids(items)
            return self._customerism_create_new(items, company, batch)

        def process(item, label):
            return self._customerism_upsert_one(item, label, company, batch)

        return run_batch(self, items, process, prepare=prepare)

    @api.model
    def _customerism_country_ids(self, items):
        """Country code -> id of the country codes of ``items`` (one query)."""
        codes = {
            item["country_code"].upper()
            for item in items
            if isinstance(item, dict) and isinstance(item.get("country_code"), str)
        }
        countries = self.env["res.country"].search_fetch(
            [("code", "in", list(codes))], ["code"]
        )
        return {country.code: country.id for country in countries}

    def _customerism_create_new(self, items, company, batch):
        """Set-based part of a batch: the references that exist already
        (one query, for the per-item way), then the new customers without
        contacts or consents created in one go (one batch create of the
        partners without chatter logs, one INSERT of their references) in one
        savepoint. Any problem there (a bad value, a reference taken
        meanwhile) rolls it back, and those items go the per-item way, which
        reports each error.

        :return: dict item label -> (created partner, "created")
        """
        candidates, seen = [], set()
        for index, item in enumerate(items):
            if (
                not isinstance(item, dict)
                or item.get("contacts")
                or item.get("consents")
            ):
                continue
            label = item_label(item, index)
            try:
                data = clean(
                    self.env, label, item, CUSTOMER_SCHEMA, ("source", "key", "name")
                )
                vals = self._customerism_partner_vals(label, data, batch)
            except ItemError:
                continue
            reference = (data["source"], data["key"])
            if reference not in seen:
                seen.add(reference)
                candidates.append((label, reference, vals))
        Reference = self.env["crm.external.reference"]
        batch["references"] = Reference._find_many(
            "res.partner", self._customerism_references(items), company
        )
        candidates = [c for c in candidates if c[1] not in batch["references"]]
        if len(candidates) < 2:
            return {}
        try:
            with self.env.cr.savepoint():
                # tracking_disable: no follower, auto-subscription or tracking
                # work per new partner of an import; the external reference
                # records where it came from
                Partner = self.with_context(
                    tracking_disable=True,
                    mail_create_nolog=True,
                    mail_create_nosubscribe=True,
                )
                # the default values once for the batch, not once per partner
                # (they depend on the context only; some run a query each)
                defaults = Partner._add_missing_default_values({})
                partners = Partner.create(
                    [
                        {
                            **defaults,
                            "is_company": True,
                            **vals,
                            "company_id": company.id,
                        }
                        for __, __, vals in candidates
                    ]
                )
                Reference._reserve_many(
                    "res.partner",
                    [reference for __, reference, __ in candidates],
                    company,
                    partners.ids,
                )
                self.env.flush_all()
        except (UserError, psycopg2.IntegrityError):
            return {}
        return {
            label: (partner, "created")
            for (label, __, __), partner in zip(candidates, partners, strict=True)
        }

    @api.model
    def _customerism_references(self, items):
        """The (source, key) of the customers and contacts of ``items``."""
        references = []
        for item in items:
            if not isinstance(item, dict):
                continue
            source, key = item.get("source"), item.get("key")
            if not isinstance(source, str) or not isinstance(key, str):
                continue
            source, key = source.strip(), key.strip()
            references.append((source, key))
            for contact in item.get("contacts") or []:
                if isinstance(contact, dict) and isinstance(contact.get("key"), str):
                    references.append((source, f"{key}/{contact['key'].strip()}"))
        return references

    def _customerism_upsert_one(self, item, label, company, batch):
        data = clean(self.env, label, item, CUSTOMER_SCHEMA, required=("source", "key"))
        contacts = [
            clean(
                self.env,
                f"{label} contacts[{position}]",
                contact,
                CONTACT_SCHEMA,
                required=("key",),
            )
            for position, contact in enumerate(data.pop("contacts", []))
        ]
        Consent = self.env["crm.contact.consent"]
        consents = Consent._customerism_check_import(label, data.pop("consents", {}))
        vals = self._customerism_partner_vals(label, data, batch)
        vals.setdefault("is_company", True)
        partner, status = self._customerism_upsert_record(
            label, data["source"], data["key"], vals, company, batch
        )
        for position, contact in enumerate(contacts):
            contact_label = f"{label} contacts[{position}]"
            contact_vals = self._customerism_partner_vals(contact_label, contact, batch)
            contact_vals.update(parent_id=partner.id, is_company=False, type="contact")
            __, contact_status = self._customerism_upsert_record(
                contact_label,
                data["source"],
                f"{data['key']}/{contact['key']}",
                contact_vals,
                company,
                batch,
            )
            if contact_status != "unchanged" and status == "unchanged":
                status = "updated"
        if Consent._customerism_import(partner, consents) and status == "unchanged":
            status = "updated"
        return partner, status

    def _customerism_upsert_record(self, label, source, key, vals, company, batch):
        """Create or update the partner of (source, key) with ``vals``;
        returns (partner, created / updated / unchanged)."""
        __, partner = batch["references"].get((source, key), (None, self.browse()))
        if not partner:
            reference, __ = self.env["crm.external.reference"]._reserve(
                "res.partner", source, key, company
            )
            partner = reference._record("res.partner")
        if not partner:
            if not vals.get("name"):
                raise ItemError(
                    self.env._(
                        "Item %(item)s: field %(field)s is required.",
                        item=label,
                        field="name",
                    )
                )
            # no "contact created" note per imported partner: the external
            # reference records where it came from
            partner = self.with_context(
                mail_create_nolog=True, mail_create_nosubscribe=True
            ).create(dict(vals, company_id=company.id))
            reference.res_id = partner.id
            return partner, "created"
        changed = {
            name: value
            for name, value in vals.items()
            if self._customerism_differs(partner, name, value)
        }
        if not changed:
            return partner, "unchanged"
        partner.write(changed)
        return partner, "updated"

    @api.model
    def _customerism_differs(self, partner, name, value):
        current = partner[name]
        if isinstance(current, models.BaseModel):
            return current.id != (value or False)
        if isinstance(current, Markup):
            return str(current) != str(value or "")
        return (current or False) != (value or False)

    @api.model
    def _customerism_partner_vals(self, label, data, batch):
        vals = {name: data[name] for name in PLAIN_FIELDS if name in data}
        if "comment" in data:
            # an HTML field: the text as Odoo stores it, so that the same text
            # again is unchanged
            vals["comment"] = plaintext2html(data["comment"])
        if vals.get("website"):
            vals["website"] = self._clean_website(vals["website"])
        if "country_code" in data:
            country = batch["countries"].get(data["country_code"].upper())
            if not country:
                raise ItemError(
                    self.env._(
                        "Item %(item)s: field %(field)s: unknown country %(value)s.",
                        item=label,
                        field="country_code",
                        value=data["country_code"],
                    )
                )
            vals["country_id"] = country
        if "lang" in data:
            if data["lang"] not in dict(self.env["res.lang"].get_installed()):
                raise ItemError(
                    self.env._(
                        "Item %(item)s: field %(field)s: language %(value)s is not "
                        "installed.",
                        item=label,
                        field="lang",
                        value=data["lang"],
                    )
                )
            vals["lang"] = data["lang"]
        return vals
