"""Bulk path, complaints (客户投诉) of the bench scales, for the complaint and
supplier quality figures their benchmarks measure.

One complaint per ``complaint_every`` done deliveries, drawn by seed among
the staged orders (:mod:`.bulk_staging`), on the order, its delivery and one
of its products, from the customer who bought it, received (``sla_start``)
after the delivery and before the end of the data set's last day:

- channels, severities and root causes (产品, 交货, 开票, 服务, 供应商, 其他)
  in fixed shares; about 30 % with a supplier root cause, whose supplier is
  the product's main vendor (what ``_trace_supplier`` gives for goods
  without lots or purchase chains), far more often for the two "bad"
  suppliers of ``BAD_SUPPLIERS`` (and their products are more often the
  complained one of an order), so that the supplier ranking has a top;
- the SLA as the model computes it: the policy of the severity and the
  customer's service tier, the response and resolution deadlines in working
  hours of the company calendar (receipts on quarter hours, so that the
  working-hour arithmetic is exact and equals ``_working_deadline``);
- stages by age: old complaints mostly closed or resolved with their
  first-response (acknowledged) and resolution dates, some late against
  their deadlines, a few cancelled or still open (overdue); recent ones
  spread over the open stages;
- a satisfaction rating (``rating.rating``, consumed, and the complaint's
  ``rating_last_value``) for part of the closed ones;
- names from the complaint sequence in receipt order, the team and the
  responsible of the customer's salesperson, the customer's e-mail.

No chatter (messages, followers) is written: no figure reads it. The
at-risk flags of the customers' complaints are set afterwards by the
model's own ``_flag_lifecycle_risk``.
"""

import random
import uuid
from bisect import bisect_right
from datetime import datetime, time, timedelta

import pytz

from odoo.tools import SQL, email_normalize_all, formataddr

from odoo.addons.rating.models import rating_data

# suppliers (index in names.SUPPLIERS) with a quality problem: of furniture
# and electronics, sold by the unit, so that their rate per 1,000 units shows it
BAD_SUPPLIERS = (1, 2)  # 东莞美达办公家具有限公司, 深圳华强电子科技有限公司
BAD_PRODUCT_CHOICE = 0.6  # an order with their products: the complained product
SUPPLIER_SHARE = 0.2  # supplier root cause, other suppliers' products
BAD_SUPPLIER_SHARE = 0.7  # supplier root cause, the bad suppliers' products
CHANNELS = {
    "phone": 35, "email": 18, "portal": 15, "wechat": 17, "visit": 5, "fax": 2,
    "api": 8,
}  # fmt: skip
SEVERITIES = {"low": 20, "normal": 55, "high": 20, "critical": 5}
# root causes other than supplier, and their category (xml id) and texts
CAUSES = {"product": 32, "delivery": 30, "billing": 12, "service": 16, "other": 10}
CATEGORIES = {
    "product": "crm_complaint_category_product",
    "supplier": "crm_complaint_category_product",
    "delivery": "crm_complaint_category_delivery",
    "billing": "crm_complaint_category_billing",
    "service": "crm_complaint_category_service",
    "other": "crm_complaint_category_other",
}
SUBJECTS = {
    "product": ("到货破损", "产品有划痕", "功能故障", "与描述不符", "使用不久出现故障"),
    "supplier": ("零部件不合格", "批次质量问题", "材质与规格不符", "使用不久出现故障"),
    "delivery": ("送货延迟", "少发漏发", "发错货", "外包装破损"),
    "billing": ("发票金额有误", "价格与报价不符", "发票抬头错误"),
    "service": ("客服回复慢", "服务态度差", "售后承诺未兑现"),
    "other": ("其他问题", "下单流程问题"),
}
RESOLUTIONS = {
    "product": ("已为客户换货", "已退货退款", "已上门维修"),
    "supplier": ("已为客户换货，并向供应商索赔", "已退货退款，批次已退回供应商"),
    "delivery": ("已补发缺少的货物", "已重新发货并致歉"),
    "billing": ("已开具红字发票并重开", "已按报价退还差价"),
    "service": ("已致电客户致歉并跟进", "已安排专人回访"),
    "other": ("已与客户沟通解决",),
}
RATINGS = {5: 35, 4: 30, 3: 15, 2: 10, 1: 10}
BAD_RATINGS = {5: 10, 4: 20, 3: 25, 2: 25, 1: 20}
QUARTER = timedelta(minutes=15)

COMPLAINT_COLUMNS = [
    ("id", "int"), ("name", "varchar"), ("subject", "varchar"),
    ("description", "text"), ("partner_id", "int"), ("email_from", "varchar"),
    ("channel", "varchar"), ("category_id", "int"), ("severity", "varchar"),
    ("sale_order_id", "int"), ("invoice_id", "int"), ("product_id", "int"),
    ("picking_id", "int"), ("delivery_reference", "varchar"), ("user_id", "int"),
    ("team_id", "int"), ("stage", "varchar"), ("acknowledged_date", "timestamp"),
    ("resolved_date", "timestamp"), ("closed_date", "timestamp"),
    ("sla_start", "timestamp"), ("service_tier", "varchar"),
    ("sla_policy_id", "int"), ("response_deadline", "timestamp"),
    ("resolution_deadline", "timestamp"), ("pause_start", "timestamp"),
    ("root_cause_type", "varchar"), ("supplier_id", "int"), ("resolution", "text"),
    ("rating", "float8"), ("write_date", "timestamp"),
]  # fmt: skip
RATING_COLUMNS = [
    ("id", "int"), ("res_id", "int"), ("res_name", "varchar"),
    ("parent_res_id", "int"), ("parent_res_name", "varchar"),
    ("rated_partner_id", "int"), ("partner_id", "int"), ("rating", "float8"),
    ("rating_text", "varchar"), ("access_token", "varchar"),
    ("create_date", "timestamp"),
]  # fmt: skip


def _pick(rng, weights):
    return rng.choices(list(weights), list(weights.values()))[0]


def _quarters(hours):
    """``hours`` rounded to quarter hours, at least one."""
    return max(0.25, round(hours * 4) / 4)


def _quarter_ceil(moment):
    """``moment`` rounded up to a quarter hour."""
    if moment.second or moment.microsecond:
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    rest = moment.minute % 15
    return moment + timedelta(minutes=15 - rest) if rest else moment


class WorkingHours:
    """The company calendar's working intervals over a span, to plan working
    hours as ``resource.calendar.plan_hours`` (global leaves included)."""

    def __init__(self, calendar, start, end):
        self.starts, self.stops = [], []  # naive UTC, as the ORM stores them
        if not calendar:
            return
        intervals = calendar._work_intervals_batch(
            pytz.utc.localize(start), pytz.utc.localize(end)
        )[False]
        for begin, stop, __ in intervals:
            self.starts.append(begin.astimezone(pytz.utc).replace(tzinfo=None))
            self.stops.append(stop.astimezone(pytz.utc).replace(tzinfo=None))

    def plan(self, start, hours):
        """The moment ``hours`` working hours after ``start``."""
        if not self.starts:
            return start + timedelta(hours=hours)
        index = bisect_right(self.stops, start)
        while index < len(self.starts):
            begin = max(self.starts[index], start)
            available = (self.stops[index] - begin).total_seconds() / 3600
            if hours <= available:
                return begin + timedelta(hours=hours)
            hours -= available
            index += 1
        raise RuntimeError("bulk complaints: deadline past the calendar span")


class ComplaintInserts:
    """Complaints and their ratings; mixed into the bulk loader, which calls
    :meth:`insert_complaints` while its staging tables hold the orders."""

    complaint_every = 0  # one complaint per so many done deliveries; 0: none
    complaint_seed = 0
    complaint_count = 0

    def insert_complaints(self):
        if not self.complaint_every or "crm.complaint" not in self.env:
            return
        cr = self.cr
        rng = random.Random(f"{self.complaint_seed}:complaints")
        cr.execute(
            "SELECT seq FROM demo_order WHERE picking_state = 'done'"
            " AND delivery_at IS NOT NULL ORDER BY seq"
        )
        seqs = [seq for (seq,) in cr.fetchall()]
        chosen = sorted(rng.sample(seqs, len(seqs) // self.complaint_every))
        if not chosen:
            return
        orders = self._complaint_orders(chosen)
        context = self._complaint_context()
        rows = []
        for order in orders:
            row = self._complaint(rng, order, context)
            if row:
                rows.append(row)
        rows.sort(key=lambda row: (row["sla_start"], row["seq"]))
        first_id = self.ids.reserve("crm_complaint", len(rows))
        names = self._complaint_names(context, [row["sla_start"] for row in rows])
        ratings = []
        for n, row in enumerate(rows):
            row["id"], row["name"] = first_id + n, names[n]
            if row["rating"]:
                ratings.append(row)
        self.copy(
            "demo_complaint",
            COMPLAINT_COLUMNS,
            ([row[name] for name, __ in COMPLAINT_COLUMNS] for row in rows),
        )
        self.complaint_count = self._insert_complaint_rows(context)
        if ratings:
            self._insert_ratings(rng, context, ratings)
        self.execute(SQL("DROP TABLE demo_complaint"))

    # --- what the complaints are about ------------------------------------------------

    def _complaint_orders(self, chosen):
        """The chosen delivered orders: documents, customer, products."""
        self.cr.execute(
            SQL(
                """
                SELECT o.seq, o.so_id, o.so_name, o.partner_id, o.user_id, o.team_id,
                       o.picking_id, o.picking_name, o.delivery_at, o.inv_id,
                       p.name, p.email, COALESCE(profile.service_tier, 'standard'),
                       l.products
                  FROM demo_order o
                  JOIN (SELECT seq, array_agg(product_id ORDER BY position) AS products
                          FROM demo_line
                         WHERE move_id IS NOT NULL AND seq = ANY(%(chosen)s)
                         GROUP BY seq) l ON l.seq = o.seq
                  JOIN res_partner p ON p.id = o.partner_id
             LEFT JOIN crm_customer_profile profile
                    ON profile.partner_id = p.commercial_partner_id
                   AND profile.company_id = %(company)s
                 WHERE o.seq = ANY(%(chosen)s)
                 ORDER BY o.seq
                """,
                company=self.k["company"],
                chosen=chosen,
            )
        )
        keys = (
            "seq", "so_id", "so_name", "partner_id", "user_id", "team_id",
            "picking_id", "picking_name", "delivery_at", "inv_id", "partner_name",
            "email", "tier", "products",
        )  # fmt: skip
        return [dict(zip(keys, row, strict=True)) for row in self.cr.fetchall()]

    def _complaint_context(self):
        env, k = self.env, self.k
        company = self.master.company
        Policy = env["crm.complaint.sla.policy"].sudo()
        policies = {}
        for severity in SEVERITIES:
            for tier in ("expert", "personalized", "standard"):
                policy = Policy._find(company, severity, tier)
                policies[severity, tier] = (
                    policy.id or None,
                    policy.response_hours,
                    policy.resolution_hours,
                )
        categories = {
            cause: env.ref(f"crm_customerism.{xmlid}")
            for cause, xmlid in CATEGORIES.items()
        }
        # the product's main vendor: the first seller in Odoo's order
        self.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (pp.id) pp.id, si.partner_id
                  FROM product_product pp
                  JOIN product_supplierinfo si
                    ON si.product_tmpl_id = pp.product_tmpl_id
                   AND (si.product_id IS NULL OR si.product_id = pp.id)
                   AND (si.company_id IS NULL OR si.company_id = %(company)s)
                 WHERE pp.id = ANY(%(products)s)
              ORDER BY pp.id, si.sequence, si.min_qty DESC, si.price, si.id
                """,
                company=k["company"],
                products=self.master.products,
            )
        )
        vendors = dict(self.cr.fetchall())
        bad = {self.master.suppliers[i] for i in BAD_SUPPLIERS}
        moment = datetime.combine(self.plan.today, time(18))
        return {
            "moment": moment,
            "policies": policies,
            "categories": {cause: cat.id for cause, cat in categories.items()},
            "category_teams": {
                cause: cat.default_team_id.id or None
                for cause, cat in categories.items()
            },
            "vendors": vendors,
            "bad": bad,
            "products": {p["id"]: p["name"] for p in self.products},
            "hours": WorkingHours(
                company.resource_calendar_id,
                datetime.combine(self.plan.start, time()) - timedelta(days=7),
                moment + timedelta(days=60),
            ),
            "supply_link": "picking_id" in env["crm.complaint"]._fields,
        }

    def _complaint(self, rng, order, context):
        """The values of one complaint on ``order``; None when it would be
        received after the data set's end."""
        moment, hours = context["moment"], context["hours"]
        vendors, bad = context["vendors"], context["bad"]
        products = order["products"]
        bad_products = [p for p in products if vendors.get(p) in bad]
        if bad_products and rng.random() < BAD_PRODUCT_CHOICE:
            product = rng.choice(bad_products)
        else:
            product = rng.choice(products)
        vendor = vendors.get(product)
        supplier_share = BAD_SUPPLIER_SHARE if vendor in bad else SUPPLIER_SHARE
        if vendor and rng.random() < supplier_share:
            cause = "supplier"
        else:
            cause = _pick(rng, CAUSES)
        if cause == "billing" and not order["inv_id"]:
            cause = "service"
        delivered = order["delivery_at"]
        offset = timedelta(hours=rng.uniform(2, 20 * 24))
        sla_start = _quarter_ceil(delivered + offset)
        if sla_start > moment:
            sla_start = _quarter_ceil(delivered + (moment - delivered) * rng.random())
            if sla_start > moment:
                return None
        severity = _pick(rng, SEVERITIES)
        policy_id, response_hours, resolution_hours = context["policies"][
            severity, order["tier"]
        ]
        response_deadline = resolution_deadline = None
        if policy_id:
            response_deadline = hours.plan(sla_start, response_hours)
            resolution_deadline = hours.plan(sla_start, resolution_hours)
        progress = self._complaint_progress(
            rng,
            self._complaint_stage(rng, (moment - sla_start).days),
            sla_start,
            (response_hours or 8, resolution_hours or 40),
            context,
        )
        stage, closed = progress["stage"], progress["closed_date"]
        root_cause = None if stage in ("new", "cancelled") else cause
        rating = rated_at = None
        if stage == "closed" and rng.random() < 0.45:
            rated_at = closed + QUARTER * rng.randint(8, 480)
            if rated_at <= moment:
                weights = BAD_RATINGS if cause == "supplier" else RATINGS
                rating = float(_pick(rng, weights))
            else:
                rated_at = None
        phrase = rng.choice(SUBJECTS[cause])
        product_name = context["products"].get(product, "")
        subject = f"{phrase}（{product_name}）" if cause != "billing" else phrase
        description = (
            f"<p>订单 {order['so_name']}，送货单 {order['picking_name']}：{phrase}</p>"
        )
        team = context["category_teams"][cause] or order["team_id"]
        email = order["email"]
        if email:  # as res.partner's email_formatted
            email = formataddr(
                (
                    order["partner_name"] or "False",
                    ",".join(email_normalize_all(email)) or email,
                )
            )
        return {
            "seq": order["seq"],
            "subject": subject,
            "description": description,
            "partner_id": order["partner_id"],
            "email_from": email or None,
            "channel": _pick(rng, CHANNELS),
            "category_id": context["categories"][cause],
            "severity": severity,
            "sale_order_id": order["so_id"],
            "invoice_id": order["inv_id"] if cause == "billing" else None,
            "product_id": product,
            "picking_id": order["picking_id"],
            "delivery_reference": order["picking_name"],
            "user_id": order["user_id"],
            "team_id": team,
            **progress,
            "sla_start": sla_start,
            "service_tier": order["tier"],
            "sla_policy_id": policy_id,
            "response_deadline": response_deadline,
            "resolution_deadline": resolution_deadline,
            "root_cause_type": root_cause,
            "supplier_id": vendor if root_cause == "supplier" else None,
            "resolution": (
                f"<p>{rng.choice(RESOLUTIONS[cause])}</p>"
                if progress["resolved_date"]
                else None
            ),
            "rating": rating,
            "rated_at": rated_at,
            "write_date": max(
                [sla_start, *(d for d in progress.values() if isinstance(d, datetime))]
            ),
        }

    @staticmethod
    def _complaint_progress(rng, stage, sla_start, sla_hours, context):
        """First response, resolution, closing or pause of a complaint in
        ``stage``, in working hours after its receipt, some late against its
        deadlines; a step that would fall after the data set's end is not
        taken (the complaint stays in the stage before)."""
        moment, hours = context["moment"], context["hours"]
        response_hours, resolution_hours = sla_hours
        acknowledged = resolved = closed = pause_start = None
        if stage != "new" and not (stage == "cancelled" and rng.random() < 0.5):
            late = rng.random() < 0.15
            factor = rng.uniform(1.1, 3.0) if late else rng.uniform(0.1, 0.9)
            acknowledged = hours.plan(sla_start, _quarters(response_hours * factor))
            if acknowledged > moment:
                stage, acknowledged = "new", None
        if stage in ("resolved", "closed"):
            late = rng.random() < 0.2
            factor = rng.uniform(1.05, 2.5) if late else rng.uniform(0.3, 0.95)
            resolved = hours.plan(sla_start, _quarters(resolution_hours * factor))
            resolved = max(resolved, acknowledged + timedelta(hours=1))
            if resolved > moment:
                stage, resolved = "investigating", None
        if stage == "closed":
            closed = resolved + QUARTER * rng.randint(4, 288)
            if closed > moment:
                stage, closed = "resolved", None
        if stage == "waiting":
            pause_start = acknowledged + QUARTER * rng.randint(4, 96)
            if pause_start > moment:
                stage, pause_start = "acknowledged", None
        return {
            "stage": stage,
            "acknowledged_date": acknowledged,
            "resolved_date": resolved,
            "closed_date": closed,
            "pause_start": pause_start,
        }

    @staticmethod
    def _complaint_stage(rng, age_days):
        """Where a complaint received ``age_days`` ago stands (before the checks
        of its dates against the data set's end)."""
        if age_days > 45:
            weights = {"closed": 86, "resolved": 8, "cancelled": 3, "investigating": 2,
                       "waiting": 1}  # fmt: skip
        elif age_days > 10:
            weights = {"closed": 55, "resolved": 22, "investigating": 9, "waiting": 7,
                       "acknowledged": 4, "cancelled": 3}  # fmt: skip
        else:
            weights = {"new": 25, "acknowledged": 25, "investigating": 20,
                       "waiting": 10, "resolved": 15, "closed": 5}  # fmt: skip
        return _pick(rng, weights)

    def _complaint_names(self, context, moments):
        """Numbers of the complaint sequence, in receipt order, with the prefix
        of the receipt's year."""
        company = self.master.company
        sequence = (
            self.env["ir.sequence"]
            .sudo()
            .search(
                [
                    ("code", "=", "crm.complaint"),
                    ("company_id", "in", [company.id, False]),
                ],
                order="company_id",
                limit=1,
            )
        )
        if not sequence:
            raise RuntimeError("bulk complaints: no crm.complaint sequence")
        start, step = sequence.number_next_actual, sequence.number_increment
        affixes, names = {}, []
        for n, moment in enumerate(moments):
            day = moment.date()
            if day not in affixes:
                affixes[day] = sequence._get_prefix_suffix(date=day)
            prefix, suffix = affixes[day]
            names.append(f"{prefix}{start + n * step:0{sequence.padding}d}{suffix}")
        sequence.write({"number_next": start + len(moments) * step})
        return names

    # --- inserts ----------------------------------------------------------------------

    def _insert_complaint_rows(self, context):
        supply = SQL(
            """, c.picking_id, 0.0 AS remedy_credit_amount,
                0.0 AS remedy_replacement_cost, 0.0 AS remedy_gesture_amount,
                0.0 AS remedy_cost, 0.0 AS remedy_supplier_claim_amount"""
            if context["supply_link"]
            else ""
        )
        return self.insert(
            "crm_complaint",
            "crm.complaint",
            SQL(
                """
                SELECT c.id, c.name, c.subject, c.description, true AS active,
                       %(company)s AS company_id, c.partner_id,
                       p.commercial_partner_id, c.email_from, c.channel,
                       c.category_id, c.severity, c.sale_order_id, c.invoice_id,
                       c.product_id, c.delivery_reference, c.user_id, c.team_id,
                       c.stage, c.acknowledged_date, c.resolved_date, c.closed_date,
                       0 AS reopen_count, c.sla_start, c.service_tier,
                       c.sla_policy_id, c.response_deadline, c.resolution_deadline,
                       0.0 AS paused_hours, c.pause_start, 0 AS escalation_level,
                       c.root_cause_type, c.supplier_id, c.resolution,
                       false AS lifecycle_risk,
                       COALESCE(c.rating, 0.0) AS rating_last_value,
                       1 AS create_uid, 1 AS write_uid, c.sla_start AS create_date,
                       c.write_date %(supply)s
                  FROM demo_complaint c
                  JOIN res_partner p ON p.id = c.partner_id
                 ORDER BY c.id
                """,
                company=self.k["company"],
                supply=supply,
            ),
        )

    def _insert_ratings(self, rng, context, rated):
        """The consumed ratings of ``rated``: the customer rates the
        responsible (rated partner) of the complaint's team."""
        env = self.env
        users = env["res.users"].browse({row["user_id"] for row in rated} - {None})
        user_partners = {user.id: user.partner_id.id for user in users}
        teams = env["crm.team"].browse({row["team_id"] for row in rated} - {None})
        team_names = {team.id: team.display_name for team in teams}
        first_id = self.ids.reserve("rating_rating", len(rated))
        rows = [
            (
                first_id + n,
                row["id"],
                row["name"],
                row["team_id"],
                team_names.get(row["team_id"]),
                user_partners.get(row["user_id"]),
                row["partner_id"],
                row["rating"],
                rating_data._rating_to_text(row["rating"]),
                uuid.UUID(int=rng.getrandbits(128), version=4).hex,
                row["rated_at"],
            )
            for n, row in enumerate(rated)
        ]
        self.copy("demo_rating", RATING_COLUMNS, rows)
        model = env["ir.model"]._get_id("crm.complaint")
        team_model = env["ir.model"]._get_id("crm.team")
        self.insert(
            "rating_rating",
            "rating.rating",
            SQL(
                """
                SELECT r.id, %(model)s AS res_model_id, 'crm.complaint' AS res_model,
                       r.res_id, r.res_name,
                       CASE WHEN r.parent_res_id IS NOT NULL THEN %(team_model)s END
                           AS parent_res_model_id,
                       CASE WHEN r.parent_res_id IS NOT NULL THEN 'crm.team' END
                           AS parent_res_model,
                       r.parent_res_id, r.parent_res_name, r.rated_partner_id,
                       r.partner_id, r.rating, r.rating_text, r.access_token,
                       true AS consumed, false AS is_internal, 1 AS create_uid,
                       1 AS write_uid, r.create_date, r.create_date AS write_date
                  FROM demo_rating r ORDER BY r.id
                """,
                model=model,
                team_model=team_model,
            ),
        )
        self.execute(SQL("DROP TABLE demo_rating"))

    def flag_complaint_risks(self):
        """The at-risk flags of the customers with complaints, by the model
        (open serious complaints, repeated complaints)."""
        if not self.complaint_count:
            return
        self.cr.execute(
            SQL(
                "SELECT DISTINCT commercial_partner_id FROM crm_complaint"
                " WHERE id BETWEEN %s AND %s",
                *self.ids.ranges["crm_complaint"][-1],
            )
        )
        partner_ids = [partner_id for (partner_id,) in self.cr.fetchall()]
        self.env["crm.complaint"].sudo()._flag_lifecycle_risk(
            self.master.company, partner_ids, recompute=False
        )
        self.env.flush_all()
