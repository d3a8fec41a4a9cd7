from odoo import api, models

from .crm_complaint import OPEN_STAGES
from .crm_customer_profile import GRADE_SELECTION, STAGE_SELECTION
from .customerism_api import (
    MAX_BATCH,
    MAX_KEY,
    ItemError,
    check_call,
    clean,
    to_text,
)

REF_SCHEMA = {"source": ("str", MAX_KEY), "key": ("str", MAX_KEY)}
EXPORT_FILTERS = {
    "grade": ("list", 10),
    "stage": ("list", 10),
    "rfm_code": ("list", 125),
    "churn_reason": ("list", 100),
}


class CrmCustomerProfile(models.Model):
    _inherit = "crm.customer.profile"

    @api.model
    def customerism_read(self, refs):
        """Value, RFM, grade, service tier, lifecycle stage, open complaints
        and consent per channel of customers given by external reference
        (``{"source": ..., "key": ...}``), in the caller's company.

        :return: one dict per ref; ``found`` is False (with ``message``) for
            an unknown reference
        """
        check_call(self, refs)
        company = self.env.company
        Reference = self.env["crm.external.reference"]
        partners = []
        for index, ref in enumerate(refs):
            data = clean(self.env, f"#{index}", ref, REF_SCHEMA, ("source", "key"))
            partners.append(
                Reference._find_record(
                    "res.partner", data["source"], data["key"], company
                )
            )
        found = self.env["res.partner"].union(*partners)
        values = self._customerism_values(found, company)
        results = []
        for index, (ref, partner) in enumerate(zip(refs, partners, strict=True)):
            if partner:
                results.append(dict(values[partner.id], index=index, found=True))
            else:
                results.append(
                    {
                        "index": index,
                        "source": ref["source"],
                        "key": ref["key"],
                        "found": False,
                        "message": self.env._(
                            "Item %(item)s: unknown customer %(value)s.",
                            item="#" + str(index),
                            value="/".join((ref["source"], ref["key"])),
                        ),
                    }
                )
        return results

    @api.model
    def customerism_export(self, filters=None, since=None, limit=100, offset=0):
        """Customers of the caller's company by grade, lifecycle stage, RFM
        code and churn reason, ordered by id, ``limit`` (at most 1,000) from
        ``offset``; ``since`` (UTC date and time) keeps the customers whose
        profile or partner changed since then (incremental sync).

        :return: {"total", "offset", "next_offset" (False on the last page),
            "records": [as customerism_read, without open complaints]}
        """
        check_call(self)
        filters = clean(self.env, "filters", filters or {}, EXPORT_FILTERS)
        paging = clean(
            self.env,
            "paging",
            {"limit": limit, "offset": offset, **({"since": since} if since else {})},
            {
                "limit": ("int", (1, MAX_BATCH)),
                "offset": ("int", (0, 2**31 - 1)),
                "since": ("datetime", None),
            },
        )
        domain = [("company_id", "=", self.env.company.id)]
        choices = {
            "grade": [code for code, __ in GRADE_SELECTION],
            "stage": [code for code, __ in STAGE_SELECTION],
        }
        for name, values in filters.items():
            for value in values:
                if not isinstance(value, str) or (
                    name in choices and value not in choices[name]
                ):
                    raise ItemError(
                        self.env._(
                            "Item %(item)s: field %(field)s: unknown value "
                            "%(value)s (expected one of %(values)s).",
                            item="filters",
                            field=name,
                            value=repr(value)[:60],
                            values=", ".join(choices.get(name, ["text"])),
                        )
                    )
        field_of = {
            "grade": "grade",
            "stage": "lifecycle_stage",
            "rfm_code": "rfm_code",
            "churn_reason": "churn_reason_id.name",
        }
        for name, values in filters.items():
            domain.append((field_of[name], "in", values))
        if paging.get("since"):
            domain += [
                "|",
                ("write_date", ">=", paging["since"]),
                ("partner_id.write_date", ">=", paging["since"]),
            ]
        total = self.search_count(domain)
        profiles = self.search(
            domain, order="id", limit=paging["limit"], offset=paging["offset"]
        )
        values = self._customerism_values(
            profiles.partner_id, self.env.company, complaints=False
        )
        end = paging["offset"] + len(profiles)
        return {
            "total": total,
            "offset": paging["offset"],
            "next_offset": end if end < total else False,
            "records": [values[profile.partner_id.id] for profile in profiles],
        }

    @api.model
    def _customerism_values(self, partners, company, complaints=True):
        """partner id -> the API's view of the customer, read set-based: one
        search per model for all the partners."""
        profiles = {
            profile.partner_id.id: profile
            for profile in self.search(
                [("partner_id", "in", partners.ids), ("company_id", "=", company.id)]
            )
        }
        references = {}
        for reference in self.env["crm.external.reference"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", partners.ids),
                ("company_id", "=", company.id),
            ]
        ):
            references.setdefault(reference.res_id, reference)
        consents = {}
        for consent in self.env["crm.contact.consent"].search(
            [("partner_id", "in", partners.ids)]
        ):
            consents.setdefault(consent.partner_id.id, {})[consent.channel] = (
                consent.status
            )
        open_complaints = {}
        if complaints:
            for complaint in self.env["crm.complaint"].search(
                [
                    ("commercial_partner_id", "in", partners.ids),
                    ("company_id", "=", company.id),
                    ("stage", "in", OPEN_STAGES),
                ],
                order="id",
            ):
                open_complaints.setdefault(
                    complaint.commercial_partner_id.id, []
                ).append(
                    {
                        "reference": complaint.name,
                        "subject": complaint.subject,
                        "stage": complaint.stage,
                        "resolution_deadline": to_text(complaint.resolution_deadline),
                    }
                )
        result = {}
        for partner in partners:
            profile = profiles.get(partner.id, self.browse())
            reference = references.get(partner.id)
            values = {
                "partner_id": partner.id,
                "name": partner.name,
                "source": reference.source if reference else False,
                "key": reference.key if reference else False,
                "currency": company.currency_id.name,
                "historical_value": profile.historical_value,
                "current_value": profile.current_value,
                "potential_value": profile.potential_value,
                "lifetime_value": profile.lifetime_value,
                "order_count": profile.order_count,
                "last_order_date": to_text(profile.last_order_date),
                "recency_score": profile.recency_score,
                "frequency_score": profile.frequency_score,
                "monetary_score": profile.monetary_score,
                "rfm_code": profile.rfm_code or False,
                "grade": profile.grade or False,
                "service_tier": profile.service_tier or False,
                "stage": profile.lifecycle_stage or False,
                "stage_date": to_text(profile.stage_date),
                "churn_reason": partner.customerism_churn_reason_id.name or False,
                "consents": consents.get(partner.id, {}),
                "write_date": to_text(
                    max(profile.write_date or partner.write_date, partner.write_date)
                ),
            }
            if complaints:
                values["open_complaints"] = open_complaints.get(partner.id, [])
            result[partner.id] = values
        return result
