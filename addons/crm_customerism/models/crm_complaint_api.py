from odoo import api, models
from odoo.tools import html2plaintext, plaintext2html

from .crm_complaint import (
    CHANNEL_SELECTION,
    MAX_DESCRIPTION_CHARS,
    MAX_SUBJECT_CHARS,
)
from .crm_complaint_sla_policy import SEVERITY_SELECTION
from .customerism_api import (
    MAX_KEY,
    MAX_NAME,
    ItemError,
    check_call,
    clean,
    run_batch,
    to_text,
)

# a complaint received by an external channel (see docs/API.md)
INTAKE_SCHEMA = {
    "source": ("str", MAX_KEY),
    "key": ("str", MAX_KEY),
    "customer_key": ("str", MAX_KEY),
    "contact_key": ("str", MAX_KEY),
    "subject": ("str", MAX_SUBJECT_CHARS),
    "description": ("str", MAX_DESCRIPTION_CHARS),
    "severity": ("str", [code for code, __ in SEVERITY_SELECTION]),
    "channel": ("str", [code for code, __ in CHANNEL_SELECTION]),
    "category": ("str", MAX_NAME),
    "order_key": ("str", MAX_KEY),
    "product_code": ("str", 64),
}


class CrmComplaint(models.Model):
    _inherit = "crm.complaint"

    @api.model
    def customerism_intake(self, items):
        """Complaints received by an external channel, idempotent by their
        key (source + key): the same complaint sent twice is filed once
        (status unchanged the second time, with the same reference).

        :return: per-item results as res.partner.customerism_upsert; ``name``
            is the complaint reference
        """
        company = self.env.company
        return run_batch(
            self,
            items,
            lambda item, label: self._customerism_intake_one(item, label, company),
        )

    def _customerism_intake_one(self, item, label, company):
        data = clean(
            self.env,
            label,
            item,
            INTAKE_SCHEMA,
            required=("source", "key", "customer_key", "subject"),
        )
        Reference = self.env["crm.external.reference"]

        def find(model, key, field):
            record = Reference._find_record(model, data["source"], key, company)
            if not record:
                raise ItemError(
                    self.env._(
                        "Item %(item)s: field %(field)s: unknown reference %(value)s.",
                        item=label,
                        field=field,
                        value="/".join((data["source"], key)),
                    )
                )
            return record

        partner = find("res.partner", data["customer_key"], "customer_key")
        if data.get("contact_key"):
            partner = find(
                "res.partner",
                f"{data['customer_key']}/{data['contact_key']}",
                "contact_key",
            )
        vals = {
            "subject": data["subject"],
            "partner_id": partner.id,
            "company_id": company.id,
            "channel": data.get("channel", "api"),
        }
        if data.get("description"):
            vals["description"] = plaintext2html(data["description"])
        if data.get("severity"):
            vals["severity"] = data["severity"]
        if data.get("order_key"):
            vals["sale_order_id"] = find(
                "sale.order", data["order_key"], "order_key"
            ).id
        if data.get("category"):
            category = self.env["crm.complaint.category"].search(
                [("name", "=", data["category"])], limit=1
            )
            if not category:
                raise ItemError(
                    self.env._(
                        "Item %(item)s: field %(field)s: unknown category %(value)s.",
                        item=label,
                        field="category",
                        value=data["category"],
                    )
                )
            vals["category_id"] = category.id
        if data.get("product_code"):
            product = self.env["product.product"].search(
                [("default_code", "=", data["product_code"])], limit=1
            )
            if not product:
                raise ItemError(
                    self.env._(
                        "Item %(item)s: field %(field)s: unknown product %(value)s.",
                        item=label,
                        field="product_code",
                        value=data["product_code"],
                    )
                )
            vals["product_id"] = product.id
        reference, __ = Reference._reserve(
            "crm.complaint", data["source"], data["key"], company
        )
        complaint = reference._record("crm.complaint")
        if complaint:
            return complaint, "unchanged"
        complaint = self.create(vals)
        reference.res_id = complaint.id
        return complaint, "created"

    @api.model
    def customerism_status(self, refs):
        """Stage, SLA deadlines and resolution of complaints, given by their
        reference (``CMP/...``, as text) or by their external key
        (``{"source": ..., "key": ...}``).

        :return: one dict per ref; ``found`` is False (with ``message``) for
            a complaint that does not exist or that the caller may not see
        """
        check_call(self, refs)
        company = self.env.company
        Reference = self.env["crm.external.reference"]
        results = []
        for index, ref in enumerate(refs):
            complaint = self.browse()
            if isinstance(ref, str) and ref.strip():
                complaint = self.search([("name", "=", ref.strip())], limit=1)
            elif isinstance(ref, dict) and isinstance(ref.get("key"), str):
                complaint = Reference._find_record(
                    "crm.complaint", ref.get("source"), ref["key"], company
                )
            else:
                raise ItemError(
                    self.env._(
                        "Item %(item)s: expected a complaint reference or "
                        "{source, key}, got %(value)s.",
                        item="#" + str(index),
                        value=repr(ref)[:60],
                    )
                )
            results.append(complaint._customerism_status_values(index, ref))
        return results

    def _customerism_status_values(self, index, ref):
        if not self:
            return {
                "index": index,
                "ref": ref,
                "found": False,
                "message": self.env._(
                    "Item %(item)s: unknown complaint %(value)s.",
                    item="#" + str(index),
                    value=repr(ref)[:60],
                ),
            }
        stages = dict(self._fields["stage"]._description_selection(self.env))
        sla = dict(self._fields["sla_status"]._description_selection(self.env))
        return {
            "index": index,
            "ref": ref,
            "found": True,
            "id": self.id,
            "reference": self.name,
            "subject": self.subject,
            "customer": self.commercial_partner_id.name or False,
            "stage": self.stage,
            "stage_label": stages[self.stage],
            "sla_status": self.sla_status,
            "sla_status_label": sla.get(self.sla_status, False),
            "received": to_text(self.sla_start),
            "response_deadline": to_text(self.response_deadline),
            "resolution_deadline": to_text(self.resolution_deadline),
            "acknowledged_date": to_text(self.acknowledged_date),
            "resolved_date": to_text(self.resolved_date),
            "closed_date": to_text(self.closed_date),
            "resolution": html2plaintext(self.resolution or "") or False,
        }
