import logging

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .supplier_quality_rates import month_period, previous_period, supplier_rates_query

_logger = logging.getLogger(__name__)


class CrmSupplierQualityPeriod(models.Model):
    """A period whose supplier complaint rates were computed (供应商质量), with
    the previous period beside it. It remembers the suppliers already alerted
    for the period, so that the nightly check gives the purchasing manager one
    activity per supplier and period."""

    _name = "crm.supplier.quality.period"
    _description = "Supplier Quality Period"
    _order = "date_from desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    prev_date_from = fields.Date(
        string="Previous Period From", compute="_compute_previous", store=True
    )
    prev_date_to = fields.Date(
        string="Previous Period To", compute="_compute_previous", store=True
    )
    computed_on = fields.Datetime(readonly=True)
    line_ids = fields.One2many("crm.supplier.quality", "period_id", readonly=True)
    alerted_supplier_ids = fields.Many2many(
        "res.partner",
        "crm_supplier_quality_period_alerted_rel",
        "period_id",
        "partner_id",
        string="Suppliers Alerted",
        readonly=True,
    )

    _sql_constraints = [
        (
            "company_period_uniq",
            "unique(company_id, date_from, date_to)",
            "A period is computed once per company.",
        ),
    ]

    @api.depends("date_from", "date_to")
    def _compute_display_name(self):
        for period in self:
            period.display_name = f"{period.date_from} - {period.date_to}"

    @api.depends("date_from", "date_to")
    def _compute_previous(self):
        for period in self:
            if period.date_from and period.date_to:
                period.prev_date_from, period.prev_date_to = previous_period(
                    period.date_from, period.date_to
                )
            else:
                period.prev_date_from = period.prev_date_to = False

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for period in self:
            if period.date_from > period.date_to:
                raise ValidationError(
                    self.env._(
                        "The period cannot end (%(date_to)s) before it starts "
                        "(%(date_from)s).",
                        date_from=period.date_from,
                        date_to=period.date_to,
                    )
                )

    @api.model
    def _get_period(self, company, date_from, date_to):
        """The period of ``company`` for these dates, created if needed."""
        period = self.search(
            [
                ("company_id", "=", company.id),
                ("date_from", "=", date_from),
                ("date_to", "=", date_to),
            ]
        )
        return period or self.create(
            {"company_id": company.id, "date_from": date_from, "date_to": date_to}
        )

    def _refresh(self):
        """Recompute the lines of the periods, in one statement each."""
        self.env["crm.complaint"].flush_model()
        for model in ("stock.move.line", "stock.move", "product.supplierinfo"):
            self.env[model].flush_model()
        self.flush_recordset()
        cr = self.env.cr
        now = fields.Datetime.now()
        for period in self:
            company = period.company_id
            cr.execute(
                SQL("DELETE FROM crm_supplier_quality WHERE period_id = %s", period.id)
            )
            cr.execute(
                SQL(
                    """
INSERT INTO crm_supplier_quality (
    period_id, company_id, date_from, date_to, supplier_id, product_id, level,
    complaint_count, units, delivery_count, prev_complaint_count, prev_units,
    prev_delivery_count, rate, rate_per_delivery, prev_rate,
    prev_rate_per_delivery, rank, above_threshold,
    create_uid, create_date, write_uid, write_date)
SELECT %(period)s, %(company)s, %(date_from)s, %(date_to)s, q.supplier_id,
       q.product_id, q.level, q.complaint_count, q.units, q.delivery_count,
       q.prev_complaint_count, q.prev_units, q.prev_delivery_count, q.rate,
       q.rate_per_delivery, q.prev_rate, q.prev_rate_per_delivery, q.rank,
       q.level = 'supplier' AND q.rate >= %(threshold)s
           AND q.complaint_count >= %(min_complaints)s,
       %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM (%(query)s) q
                    """,
                    period=period.id,
                    company=company.id,
                    date_from=period.date_from,
                    date_to=period.date_to,
                    threshold=company.supply_quality_rate_threshold,
                    min_complaints=max(company.supply_quality_min_complaints, 1),
                    uid=self.env.uid,
                    now=now,
                    query=supplier_rates_query(
                        company, period.date_from, period.date_to
                    ),
                )
            )
        self.write({"computed_on": now})
        self.env["crm.supplier.quality"].invalidate_model()
        self.invalidate_recordset(["line_ids"])

    def _alert(self):
        """One activity for the purchasing manager per supplier above the
        thresholds and period: the suppliers already alerted are skipped."""
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        partner_model = self.env["ir.model"]._get_id("res.partner")
        for period in self:
            lines = period.line_ids.filtered(
                lambda line, p=period: (
                    line.above_threshold
                    and line.supplier_id not in p.alerted_supplier_ids
                )
            )
            if not lines:
                continue
            manager = period.company_id._supply_quality_manager()
            if not manager:
                _logger.warning(
                    "supplier quality: no purchasing manager in %s, %s suppliers "
                    "above the thresholds not alerted",
                    period.company_id.name,
                    len(lines),
                )
                continue
            self.env["mail.activity"].create(
                [
                    {
                        "res_model_id": partner_model,
                        "res_id": line.supplier_id.id,
                        "activity_type_id": todo.id if todo else False,
                        "user_id": manager.id,
                        "date_deadline": fields.Date.context_today(self),
                        "summary": self.env._(
                            "Supplier quality: %(rate)s complaints per 1,000 units "
                            "(%(period)s)",
                            rate=round(line.rate, 2),
                            period=period.display_name,
                        ),
                        "note": self.env._(
                            "%(count)s complaints with a supplier root cause for "
                            "%(units)s units delivered in %(deliveries)s deliveries "
                            "from %(date_from)s to %(date_to)s; previous period: "
                            "%(prev_rate)s per 1,000 units. Rank %(rank)s among the "
                            "suppliers.",
                            count=line.complaint_count,
                            units=round(line.units, 2),
                            deliveries=line.delivery_count,
                            date_from=period.date_from,
                            date_to=period.date_to,
                            prev_rate=round(line.prev_rate, 2),
                            rank=line.rank,
                        ),
                    }
                    for line in lines
                ]
            )
            period.alerted_supplier_ids = [
                fields.Command.link(supplier.id) for supplier in lines.supplier_id
            ]

    @api.model
    def _cron_supplier_quality(self):
        """Nightly: the calendar month of each company, refreshed and checked
        against the thresholds (alerts once per supplier and month)."""
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].search([]):
            period = self._get_period(company, *month_period(today))
            period._refresh()
            period._alert()

    def action_refresh(self):
        self._refresh()
        return self.action_open_lines()

    def action_open_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_supply_link.crm_supplier_quality_action"
        )
        action["name"] = self.env._(
            "Supplier Quality %(period)s", period=self.display_name
        )
        action["domain"] = [("period_id", "=", self.id)]
        return action
