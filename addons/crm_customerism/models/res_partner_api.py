import psycopg2
from markupsafe import Markup

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

from .crm_contact_consent import CONSENT_STATUSES
from .customerism_api import (
    MAX_KEY,
    MAX_NAME,
    MAX_TEXT,
    ItemError,
    check_items,
    check_user,
    clean,
    item_label,
    run_batch,
)
from .mail_message import INTERACTION_CHANNELS

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


# the XML-RPC API apart from the model's fields and business logic
class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def customerism_upsert(self, items):
        """Create or update customers (commercial partners) and their contacts
        by external reference (source system + key, unique per company).

        :param items: list of at most 1,000 dicts (see CUSTOMER_SCHEMA)
        :return: one dict per item, in order: index, source, key, status
            (created / updated / unchanged / error), id (the partner),
            message (the error, naming the item and the field)
        """
        check_user(self.env)
        self.check_access("create")
        check_items(self.env, items)
        company = self.env.company
        created = self._customerism_create_new(items, company)

        def process(item, label):
            if label in created:
                return created[label], "created"
            return self._customerism_upsert_one(item, label, company)

        return run_batch(self.env, items, process)

    def _customerism_create_new(self, items, company):
        """Fast path of a batch: the new customers without contacts or
        consents, created in one go (one INSERT of their references, one
        batch create of the partners) in one savepoint. Any problem there
        (a bad value, a reference taken meanwhile) rolls it back, and those
        items go the per-item way, which reports each error.

        :return: dict item label -> created partner
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
                vals = self._customerism_partner_vals(label, data)
            except ItemError:
                continue
            reference = (data["source"], data["key"])
            if reference not in seen:
                seen.add(reference)
                candidates.append((label, reference, vals))
        if len(candidates) < 2:
            return {}
        Reference = self.env["crm.external.reference"]
        existing = {
            (ref.source, ref.key)
            for ref in Reference.search(
                [
                    ("company_id", "=", company.id),
                    ("res_model", "=", "res.partner"),
                    ("source", "in", list({source for source, __ in seen})),
                    ("key", "in", list({key for __, key in seen})),
                ]
            )
        }
        candidates = [c for c in candidates if c[1] not in existing]
        if len(candidates) < 2:
            return {}
        try:
            with self.env.cr.savepoint():
                reference_ids = Reference._reserve_many(
                    "res.partner",
                    [reference for __, reference, __ in candidates],
                    company,
                )
                partners = self.with_context(
                    mail_create_nolog=True, mail_create_nosubscribe=True
                ).create(
                    [
                        {"is_company": True, **vals, "company_id": company.id}
                        for __, __, vals in candidates
                    ]
                )
                for reference_id, partner in zip(reference_ids, partners, strict=True):
                    Reference.browse(reference_id).res_id = partner.id
                self.env.flush_all()
        except (UserError, psycopg2.IntegrityError):
            return {}
        return {
            label: partner
            for (label, __, __), partner in zip(candidates, partners, strict=True)
        }

    def _customerism_upsert_one(self, item, label, company):
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
        consents = self._customerism_clean_consents(label, data.pop("consents", {}))
        vals = self._customerism_partner_vals(label, data)
        vals.setdefault("is_company", True)
        partner, status = self._customerism_upsert_record(
            label, data["source"], data["key"], vals, company
        )
        for position, contact in enumerate(contacts):
            contact_label = f"{label} contacts[{position}]"
            contact_vals = self._customerism_partner_vals(contact_label, contact)
            contact_vals.update(parent_id=partner.id, is_company=False, type="contact")
            __, contact_status = self._customerism_upsert_record(
                contact_label,
                data["source"],
                f"{data['key']}/{contact['key']}",
                contact_vals,
                company,
            )
            if contact_status != "unchanged" and status == "unchanged":
                status = "updated"
        if partner._customerism_set_consents(consents) and status == "unchanged":
            status = "updated"
        return partner, status

    def _customerism_upsert_record(self, label, source, key, vals, company):
        """Create or update the partner of (source, key) with ``vals``;
        returns (partner, created / updated / unchanged)."""
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
    def _customerism_partner_vals(self, label, data):
        vals = {name: data[name] for name in PLAIN_FIELDS if name in data}
        if "comment" in data:
            # an HTML field: the text as Odoo stores it, so that the same text
            # again is unchanged
            vals["comment"] = plaintext2html(data["comment"])
        if vals.get("website"):
            vals["website"] = self._clean_website(vals["website"])
        if "country_code" in data:
            country = self.env["res.country"].search(
                [("code", "=", data["country_code"].upper())], limit=1
            )
            if not country:
                raise ItemError(
                    self.env._(
                        "Item %(item)s: field %(field)s: unknown country %(value)s.",
                        item=label,
                        field="country_code",
                        value=data["country_code"],
                    )
                )
            vals["country_id"] = country.id
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

    @api.model
    def _customerism_clean_consents(self, label, consents):
        channels = [code for code, __ in INTERACTION_CHANNELS]
        statuses = [code for code, __ in CONSENT_STATUSES]
        for channel, status in consents.items():
            if channel not in channels:
                raise ItemError(
                    self.env._(
                        "Item %(item)s: field %(field)s: unknown value %(value)s "
                        "(expected one of %(values)s).",
                        item=label,
                        field="consents",
                        value=str(channel)[:60],
                        values=", ".join(channels),
                    )
                )
            if status not in statuses:
                raise ItemError(
                    self.env._(
                        "Item %(item)s: field %(field)s: unknown value %(value)s "
                        "(expected one of %(values)s).",
                        item=label,
                        field="consents." + str(channel),
                        value=str(status)[:60],
                        values=", ".join(statuses),
                    )
                )
        return consents

    def _customerism_set_consents(self, consents):
        """Consent per channel of the customer; True when something changed."""
        if not consents:
            return False
        Consent = self.env["crm.contact.consent"]
        existing = {
            consent.channel: consent
            for consent in Consent.search([("partner_id", "=", self.id)])
        }
        changed = False
        for channel, status in consents.items():
            consent = existing.get(channel)
            if not consent:
                Consent.create(
                    {
                        "partner_id": self.id,
                        "channel": channel,
                        "status": status,
                        "source": "import",
                    }
                )
                changed = True
            elif consent.status != status:
                consent.write({"status": status, "source": "import"})
                changed = True
        return changed
