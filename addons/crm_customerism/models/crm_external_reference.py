from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

# the models an external system refers to by its own keys
REFERENCE_MODELS = [
    ("res.partner", "Customer or Contact"),
    ("sale.order", "Sales Order"),
    ("crm.complaint", "Complaint"),
]


class ReferenceTaken(UserError):
    """A reference of a batch insert exists already: its items go the
    per-item way."""


class CrmExternalReference(models.Model):
    """The key of a record in an external system (call centre, web shop,
    legacy ERP): one record per (company, model, source system, key), so that
    the XML-RPC upserts and imports are idempotent and two concurrent calls
    with the same key give one record."""

    _name = "crm.external.reference"
    _description = "External Reference"
    _order = "source, key"
    _rec_name = "key"
    _check_company_auto = True

    res_model = fields.Selection(REFERENCE_MODELS, string="Model", required=True)
    res_id = fields.Many2oneReference(
        string="Record", model_field="res_model", index=True
    )
    source = fields.Char(
        string="Source System", required=True, help="e.g. webshop, callcenter, erp"
    )
    key = fields.Char(required=True, help="The record's key in the source system.")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        (
            "reference_uniq",
            "unique(company_id, res_model, source, key)",
            "An external reference is unique per company, model and source system.",
        ),
    ]

    @api.constrains("res_model", "res_id")
    def _check_res_id(self):
        for ref in self.filtered("res_id"):
            if not self.env[ref.res_model].browse(ref.res_id).exists():
                raise ValidationError(
                    self.env._(
                        "External reference %(source)s/%(key)s points to a "
                        "missing record.",
                        source=ref.source,
                        key=ref.key,
                    )
                )

    @api.model
    def _find(self, res_model, source, key, company):
        """The reference of (source, key) in ``company``, or an empty recordset."""
        return self.search(
            [
                ("company_id", "=", company.id),
                ("res_model", "=", res_model),
                ("source", "=", source),
                ("key", "=", key),
            ],
            limit=1,
        )

    @api.model
    def _reserve(self, res_model, source, key, company):
        """The reference of (source, key), inserted when missing.

        Returns (reference, created). Two transactions reserving the same key
        at once: the second waits for the first on the unique index; once the
        first commits, PostgreSQL raises a serialization failure in the second
        (``ON CONFLICT DO NOTHING`` under Odoo's REPEATABLE READ isolation, as
        the conflicting row is not in its snapshot), and Odoo's RPC dispatch
        retries the whole call, which then finds the reference."""
        self.check_access("create")
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
INSERT INTO crm_external_reference
       (res_model, source, key, company_id,
        create_uid, write_uid, create_date, write_date)
VALUES (%(model)s, %(source)s, %(key)s, %(company)s,
        %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC')
ON CONFLICT (company_id, res_model, source, key) DO NOTHING
RETURNING id""",
                model=res_model,
                source=source,
                key=key,
                company=company.id,
                uid=self.env.uid,
            )
        )
        row = self.env.cr.fetchone()
        if row:
            return self.browse(row[0]), True
        return self._find(res_model, source, key, company), False

    @api.model
    def _find_record(self, res_model, source, key, company):
        """The record of (source, key) in ``company`` if it exists (an empty
        recordset of ``res_model`` otherwise)."""
        return self._find(res_model, source, key, company)._record(res_model)

    @api.model
    def _find_many(self, res_model, references, company):
        """(source, key) -> (reference, its record or an empty recordset)
        of those of ``references`` that exist in ``company``: one query for
        the references, one for their records (prefetched together)."""
        if not references:
            return {}
        found = self.search(
            [
                ("company_id", "=", company.id),
                ("res_model", "=", res_model),
                ("source", "in", list({source for source, __ in references})),
                ("key", "in", list({key for __, key in references})),
            ]
        )
        wanted = set(references)
        found = found.filtered(lambda ref: (ref.source, ref.key) in wanted)
        records = self.env[res_model].browse(found.filtered("res_id").mapped("res_id"))
        # iterated, each record keeps the others for prefetching
        by_id = {record.id: record for record in records.exists()}
        return {
            (ref.source, ref.key): (ref, by_id.get(ref.res_id, records.browse()))
            for ref in found
        }

    @api.model
    def _reserve_many(self, res_model, references, company, res_ids):
        """Insert the (source, key) ``references``, all new, pointing at the
        records ``res_ids`` (in the same order), in one statement; returns
        their ids in the same order. Raises ReferenceTaken when one exists
        already (a serialization failure when another transaction inserted
        it meanwhile, see _reserve)."""
        self.check_access("create")
        self.flush_model()
        rows = SQL(", ").join(
            SQL(
                "(%s, %s, %s, %s, %s, %s, %s, now() at time zone 'UTC', "
                "now() at time zone 'UTC')",
                res_model,
                res_id,
                source,
                key,
                company.id,
                self.env.uid,
                self.env.uid,
            )
            for (source, key), res_id in zip(references, res_ids, strict=True)
        )
        self.env.cr.execute(
            SQL(
                """
INSERT INTO crm_external_reference
       (res_model, res_id, source, key, company_id,
        create_uid, write_uid, create_date, write_date)
VALUES %s
ON CONFLICT (company_id, res_model, source, key) DO NOTHING
RETURNING source, key, id""",
                rows,
            )
        )
        ids = {(source, key): ref_id for source, key, ref_id in self.env.cr.fetchall()}
        if len(ids) != len(references):
            raise ReferenceTaken(
                self.env._("An external reference of the batch exists already.")
            )
        return [ids[reference] for reference in references]

    def _record(self, res_model):
        """The referenced record if it still exists (empty otherwise)."""
        if not self.res_id:
            return self.env[res_model]
        return self.env[res_model].browse(self.res_id).exists()
