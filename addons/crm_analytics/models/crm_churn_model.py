import logging

import pandas as pd

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from ..analysis.churn_probability import (
    HORIZON_MONTHS,
    NUMERIC_FEATURES,
    backtest,
    fit_churn_model,
    label_lapses,
    score_churn,
)

_lt = LazyTranslate(__name__)
_logger = logging.getLogger(__name__)

# the snapshot column of each feature of analysis.churn_probability
FEATURE_COLUMNS = {
    "recency": "days_since_last_order",
    "frequency": "current_order_count",
    "value_trend": "value_trend",
    "complaints": "complaint_count",
    "overdue": "overdue_days",
}
# the reasons given with a churn probability (the model's terms)
REASON_LABELS = {
    "recency": _lt("Long time since the last order"),
    "frequency": _lt("Order frequency"),
    "value_trend": _lt("Value trend"),
    "complaints": _lt("Complaints"),
    "overdue": _lt("Overdue receivables"),
    "grade=vip": _lt("VIP grade"),
    "grade=major": _lt("Major grade"),
    "grade=ordinary": _lt("Ordinary grade"),
}
# snapshot rows read at a time
READ_CHUNK = 200_000
# months of snapshots a fit needs: its backtest fits on the labelled months
# up to M (each followed by the horizon) and scores the horizon after M
MIN_MONTHS = 2 * HORIZON_MONTHS + 1


def reason_text(env, codes):
    """The reasons ``codes`` (comma-separated terms) in ``env``'s language."""
    lang = env.lang or "en_US"
    return ", ".join(
        REASON_LABELS[code]._translate(lang)
        for code in (codes or "").split(",")
        if code in REASON_LABELS
    )


class CrmChurnModel(models.Model):
    """A fit of the churn model of a company (客户流失预测): a logistic
    regression of "lapses within 90 days" on the monthly snapshots (see
    analysis/churn_probability.py), refitted monthly by cron, with its
    backtest (fitted on the months up to M, scored on what happened after
    M) and the scores it gave the customers."""

    _name = "crm.churn.model"
    _description = "Churn Model Fit"
    _order = "date desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    date = fields.Date(
        string="Snapshots Up To",
        required=True,
        readonly=True,
        help="The last month end of the snapshots the model was fitted on.",
    )
    training_rows = fields.Integer(
        readonly=True, help="Customer months the model learnt from."
    )
    lapse_rate = fields.Float(
        readonly=True,
        help="Share of the training customer months followed by a lapse "
        "within 90 days.",
    )
    backtest_date = fields.Date(
        readonly=True,
        help="The month end M of the backtest: fitted on the months up to M, "
        "scored on the lapses of the 90 days after M.",
    )
    backtest_auc = fields.Float(
        string="Backtest AUC",
        readonly=True,
        digits=(4, 3),
        help="Chance that a customer who lapsed scored above one who did not "
        "(0.5: no better than chance, 1: perfect).",
    )
    recency_auc = fields.Float(
        string="Recency Rule AUC",
        readonly=True,
        digits=(4, 3),
        help="The same backtest for the plain rule: the longer since the last "
        "order, the likelier the lapse.",
    )
    scored_count = fields.Integer(string="Customers Scored", readonly=True)
    coefficients = fields.Json(readonly=True)

    @api.model
    def _cron_refit(self):
        """Monthly, after the snapshots: refit and rescore every company
        with enough months of snapshots."""
        for company in self.env["res.company"].search([]):
            try:
                self._fit_company(company)
            except UserError as error:
                _logger.info(
                    "customerism: no churn model for %s: %s", company.name, error
                )

    @api.model
    def _fit_company(self, company):
        """Fit the model on ``company``'s snapshots, backtest it, score the
        active customers of the last month end and store the probabilities
        and reasons on their profiles. Returns the new fit."""
        snapshots = self._read_snapshots(company)
        months = sorted(snapshots["date"].unique()) if len(snapshots) else []
        if len(months) < MIN_MONTHS:
            raise UserError(
                self.env._(
                    "The churn model of %(company)s needs %(needed)s months of "
                    "snapshots, there are %(found)s: rebuild the past months first.",
                    company=company.name,
                    needed=MIN_MONTHS,
                    found=len(months),
                )
            )
        try:
            model = fit_churn_model(label_lapses(snapshots))
            cutoff = months[-1 - HORIZON_MONTHS]
            test = backtest(snapshots, cutoff)
        except ValueError as error:
            raise UserError(
                self.env._(
                    "The churn model of %(company)s cannot be fitted: %(error)s",
                    company=company.name,
                    error=str(error),
                )
            ) from error
        last = snapshots[snapshots["date"] == months[-1]]
        current = last[~last["stage"].isin(("lapsed", "prospect"))]
        scored = score_churn(model, current)
        self._store_scores(company, months[-1], current["partner_id"], scored)
        return self.create(
            {
                "company_id": company.id,
                "date": months[-1],
                "training_rows": model["rows"],
                "lapse_rate": model["lapse_rate"],
                "backtest_date": cutoff,
                "backtest_auc": test["auc"],
                "recency_auc": test["recency_auc"],
                "scored_count": len(current),
                "coefficients": {
                    "intercept": model["intercept"],
                    **model["coefficients"],
                },
            }
        )

    @api.model
    def _read_snapshots(self, company):
        """The snapshots of ``company`` as a DataFrame: partner_id, date,
        stage, grade (categories) and the features, in one query."""
        Snapshot = self.env["crm.customer.snapshot"]
        Snapshot.flush_model()
        columns = SQL(", ").join(
            SQL("%s AS %s", SQL.identifier(column), SQL.identifier(feature))
            for feature, column in FEATURE_COLUMNS.items()
        )
        # a server-side cursor: a plain execute would hold all the rows'
        # text in the client (about 400 MB for 100,000 customers x 24
        # months) until the next query, through the whole fit
        self.env.cr.execute(
            SQL(
                "DECLARE crm_churn_snapshots NO SCROLL CURSOR FOR"
                " SELECT partner_id, date, lifecycle_stage AS stage, grade, %s"
                " FROM crm_customer_snapshot WHERE company_id = %s",
                columns,
                company.id,
            )
        )
        names = ["partner_id", "date", "stage", "grade", *FEATURE_COLUMNS]
        # the same categories in every chunk, so that they concatenate as
        # categories (not Python strings)
        categories = {
            column: pd.CategoricalDtype(
                [value for value, __ in Snapshot._fields[field].selection]
            )
            for column, field in (("stage", "lifecycle_stage"), ("grade", "grade"))
        }
        # in chunks, each turned into compact columns at once: the rows of
        # 100,000 customers x 24 months as Python tuples would take GBs
        chunks = []
        try:
            while True:
                self.env.cr.execute(
                    SQL("FETCH FORWARD %s FROM crm_churn_snapshots", READ_CHUNK)
                )
                rows = self.env.cr.fetchall()
                if not rows:
                    break
                chunk = pd.DataFrame(rows, columns=names)
                del rows
                for feature in NUMERIC_FEATURES:
                    chunk[feature] = pd.to_numeric(chunk[feature], errors="coerce")
                for column, dtype in categories.items():
                    chunk[column] = chunk[column].astype(dtype)
                # one date object per distinct month end, not one per row
                codes, uniques = pd.factorize(chunk["date"], use_na_sentinel=False)
                chunk["date"] = uniques.take(codes)
                chunks.append(chunk)
        finally:
            self.env.cr.execute(SQL("CLOSE crm_churn_snapshots"))
        if not chunks:
            return pd.DataFrame(columns=names)
        return pd.concat(chunks, ignore_index=True)

    @api.model
    def _store_scores(self, company, date, partner_ids, scored):
        """Write the probabilities and reasons on the profiles of
        ``company`` in one statement; the others' scores are cleared."""
        Profile = self.env["crm.customer.profile"]
        Profile.flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE crm_customer_profile prof
                   SET churn_probability = s.probability,
                       churn_reason_codes = NULLIF(s.reasons, ''),
                       churn_scored_date = %(date)s
                  FROM (SELECT unnest(%(partners)s::int[]) AS partner_id,
                               unnest(%(probabilities)s::float[]) AS probability,
                               unnest(%(reasons)s::text[]) AS reasons) s
                 WHERE prof.company_id = %(company)s
                   AND prof.partner_id = s.partner_id
                """,
                date=date,
                partners=[int(pid) for pid in partner_ids],
                probabilities=[round(float(p), 4) for p in scored["probability"]],
                reasons=[",".join(terms) for terms in scored["reasons"]],
                company=company.id,
            )
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE crm_customer_profile
                   SET churn_probability = NULL, churn_reason_codes = NULL,
                       churn_scored_date = %(date)s
                 WHERE company_id = %(company)s AND churn_probability IS NOT NULL
                   AND NOT (partner_id = ANY(%(partners)s::int[]))
                """,
                date=date,
                partners=[int(pid) for pid in partner_ids],
                company=company.id,
            )
        )
        Profile.invalidate_model(
            ["churn_probability", "churn_reason_codes", "churn_scored_date"]
        )

    @api.model
    def action_refit(self):
        """Button: refit the model of the user's current company now."""
        if not self.env.user.has_group("crm_analytics.group_crm_analytics_manager"):
            raise UserError(
                self.env._(
                    "Only Customer Analytics managers can refit the churn model."
                )
            )
        fit = self.sudo()._fit_company(self.env.company)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": fit.id,
            "view_mode": "form",
        }
