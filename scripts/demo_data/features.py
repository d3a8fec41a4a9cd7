"""The suite's own features in the demo data set, through its business methods.

After the orders and the first recompute (values, grades, stages), on the
demo scale only:

- users for each role (a complaint handler, a manager reading in English, a
  portal customer) besides the salespeople of :mod:`.master`;
- knowledge articles (crm_knowledge);
- contact consents with refusals, logged calls, visits and meetings, and a
  customer at the marketing contact cap;
- complaints on every channel and in every stage, written through the
  complaint flow: stage actions, root causes with corrective and preventive
  actions, an escalation, ratings through ``rating_apply``, a merge and
  apology gestures through their wizards;
- two win-back campaigns built, launched and worked through their actions:
  one done (declined and won-back targets, a recovery rate), one running.

Dates: what Odoo stamps with "now" (complaint stages, messages, ratings,
campaign launches) is set to the planned moments, before ``--today``, with
SQL afterwards, as the order loader does.
"""

import logging
import random
from datetime import datetime, time, timedelta

from markupsafe import Markup

from odoo import Command, fields
from odoo.tools import SQL

from .knowledge_articles import create_knowledge_base
from .master import ensure_records, find_xmlids

_logger = logging.getLogger(__name__)

# role users: xml name, name, login, language, groups (xml ids)
ROLE_USERS = [
    (
        "user_complaint_handler",
        "周婷",
        "service.zhou",
        "zh_CN",
        [
            "base.group_user",
            "sales_team.group_sale_salesman_all_leads",
            "crm_customerism.group_crm_customerism_user",
            "crm_knowledge.group_crm_knowledge_user",
        ],
    ),
    (
        "user_manager",
        "孙立新 (Sun Lixin)",
        "manager.sun",
        "en_US",
        [
            "base.group_user",
            "sales_team.group_sale_manager",
            "crm_customerism.group_crm_customerism_manager",
            "crm_knowledge.group_crm_knowledge_manager",
        ],
    ),
]

ARTICLES = [
    (
        "solution",
        "办公椅气压杆漏气的处理方法",
        (
            "<p>现象：座椅坐下后自动下沉。</p><p>处理：确认气压杆型号（CLASS 3），"
            "由售后上门更换，旧件退回供应商索赔；同批次产品抽检 10%。</p>"
        ),
    ),
    (
        "faq",
        "如何申请重开增值税专用发票？",
        (
            "<p>客户在收到发票 180 天内可申请重开：提供开票信息变更说明和原发票，"
            "财务在 3 个工作日内作废或红冲后重开。</p>"
        ),
    ),
    (
        "product",
        "电动升降办公桌产品说明",
        (
            "<p>双电机，升降范围 62–127 cm，承重 120 kg，三档记忆高度。"
            "保修 5 年（电机 3 年）。</p>"
        ),
    ),
    (
        "competitor",
        "竞品分析：华南地区办公家具供应商",
        (
            "<p>主要竞争对手价格低 5–8%，但交期长 10 天、无上门安装服务。"
            "对关键客户强调我们的安装与 48 小时响应。</p>"
        ),
    ),
    (
        "policy",
        "客户投诉处理流程（受理—调查—解决—回访）",
        (
            "<p>1. 24 小时内受理并联系客户；2. 查明根本原因；3. 制定纠正与预防措施；"
            "4. 结案后邀请客户评价满意度。严重投诉升级至部门经理。</p>"
        ),
    ),
    (
        "training",
        "新员工培训：以客户为中心的服务礼仪",
        (
            "<p>称呼客户姓氏加职务；电话三声内接听；承诺的回复时间必须兑现；"
            "投诉时先致歉再了解情况。</p>"
        ),
    ),
]

# channel, severity, final stage, category, root cause type, days ago,
# subject, description, (root cause, corrective, preventive, resolution),
# (rating, feedback) or None, apology gesture
COMPLAINTS = [
    (
        "phone",
        "high",
        "closed",
        "product",
        "product",
        40,
        "办公椅气压杆漏气，座椅自动下沉",
        "上月采购的 20 把人体工学办公椅中有 6 把坐下后自动下沉。",
        (
            "供应商该批次气压杆密封圈不合格。",
            "上门更换 6 根气压杆，并检查其余 14 把。",
            "气压杆来料检验增加保压测试。",
            "已上门更换全部问题气压杆，客户确认正常使用。",
        ),
        (5, "更换及时，师傅很专业，谢谢！"),
        True,
    ),
    (
        "email",
        "normal",
        "closed",
        "delivery",
        "delivery",
        35,
        "到货延迟一周，影响新办公区开业",
        "承诺上周一到货的升降桌本周一才送到，开业被迫推迟。",
        (
            "物流承运商华东中转仓爆仓，未及时通知客户。",
            "改用专线物流并补偿运费。",
            "关键客户订单发货后每日跟踪物流状态，延误即主动告知。",
            "货物已送达并安装完毕，运费已退还。",
        ),
        (2, "问题最后解决了，但是处理太慢，没有人主动通知我们。"),
        True,
    ),
    (
        "portal",
        "normal",
        "closed",
        "billing",
        "billing",
        30,
        "发票抬头与合同不符，需重开增值税专用发票",
        "收到的增值税专用发票抬头写成了旧公司名称。",
        (
            "客户变更名称后，系统中的开票信息未更新。",
            "红冲原发票并按新抬头重开。",
            "客户资料变更时同步核对开票信息。",
            "已重开发票并快递寄出。",
        ),
        (4, "重开很快，希望以后不要再出错。"),
        False,
    ),
    (
        "wechat",
        "low",
        "closed",
        "service",
        "service",
        28,
        "售后电话长时间无人接听",
        "连续两天拨打售后电话都无人接听，微信留言也没人回复。",
        (
            "售后热线在午休时间无人值守。",
            "安排午休时段轮班，当天回电致歉。",
            "售后热线接入呼叫中心，未接来电自动生成回访任务。",
            "已回电致歉并解决了客户的安装问题。",
        ),
        (1, "客服一直推诿，体验很差。"),
        False,
    ),
    (
        "fax",
        "normal",
        "resolved",
        "product",
        "supplier",
        20,
        "轴承批次尺寸超差，装配困难",
        "6204 轴承本批次内径偏小，无法压装到轴上。",
        (
            "供应商热处理工艺变更导致尺寸超差。",
            "整批退换，向供应商索赔。",
            "该供应商来料改为全检，直至连续三批合格。",
            "已整批更换合格轴承。",
        ),
        None,
        False,
    ),
    (
        "visit",
        "high",
        "resolved",
        "product",
        "product",
        18,
        "电动升降桌电机异响",
        "客户到门店反映：升降桌升降时电机有明显异响。",
        (
            "电机固定螺丝出厂时未拧紧。",
            "上门紧固并更换一台电机。",
            "总装工序增加扭矩检查。",
            "已上门处理，异响消除。",
        ),
        None,
        False,
    ),
    (
        "api",
        "normal",
        "waiting",
        "delivery",
        "delivery",
        10,
        "EDI 订单回传的发货数量与实物不符",
        "客户系统通过接口提交：EDI 回传发货 50 箱，实收 48 箱。",
        None,
        None,
        False,
    ),
    (
        "phone",
        "critical",
        "investigating",
        "product",
        "product",
        9,
        "变频器上电即报过流故障，产线停工",
        "新装的 5.5kW 变频器上电即报 OC 故障，整条产线停工，急需处理。",
        None,
        None,
        False,
    ),
    (
        "email",
        "high",
        "investigating",
        "delivery",
        "delivery",
        6,
        "纸箱受潮变形，货物破损",
        "五层瓦楞纸箱到货时明显受潮，部分货物破损。",
        None,
        None,
        False,
    ),
    (
        "portal",
        "normal",
        "acknowledged",
        "billing",
        "billing",
        4,
        "对账单金额与实际收货不一致",
        "本月对账单比实际收货金额多出 1,280 元。",
        None,
        None,
        False,
    ),
    (
        "wechat",
        "normal",
        "acknowledged",
        "service",
        "service",
        3,
        "安装师傅未按约定时间上门",
        "约好上午九点安装，师傅下午三点才到。",
        None,
        None,
        False,
    ),
    (
        "phone",
        "low",
        "new",
        "product",
        False,
        2,
        "显示器有一条坏点",
        "新收到的 27 英寸显示器屏幕右上角有一个亮点。",
        None,
        None,
        False,
    ),
    (
        "email",
        "normal",
        "new",
        "delivery",
        False,
        1,
        "缺少一箱封箱胶带",
        "订单上是 12 箱封箱胶带，实际只收到 11 箱。",
        None,
        None,
        False,
    ),
    (
        "visit",
        "normal",
        "new",
        "other",
        False,
        0,
        "希望提供中文版产品说明书",
        "客户来访时提出：投影仪只附英文说明书，希望提供中文版。",
        None,
        None,
        False,
    ),
    (
        "api",
        "high",
        "new",
        "product",
        False,
        12,
        "投影仪亮度不足",
        "会议室投影仪亮度明显低于标称值，白天无法正常使用。",
        None,
        None,
        False,
    ),
    (
        "fax",
        "low",
        "cancelled",
        "other",
        False,
        25,
        "打印机硒鼓型号咨询（重复提交）",
        "客户传真询问硒鼓型号，与电话咨询重复。",
        None,
        None,
        False,
    ),
]
# a duplicate: the same problem reported by mail, then by phone; merged
MERGED = [
    ("email", "会议桌桌面开裂", "实木会议桌桌面出现一条 30 厘米长的裂缝。", 8),
    ("phone", "会议桌桌面裂缝（电话补充照片）", "客户来电补充：裂缝在继续扩大。", 7),
]
INTERACTIONS = [
    # channel, direction, days ago, summary
    ("phone", "outbound", 26, "季度回访电话：了解办公家具使用情况"),
    ("meeting", "outbound", 21, "年度采购框架协议洽谈会"),
    ("visit", "outbound", 17, "拜访客户采购部，介绍新款升降桌"),
    ("wechat", "inbound", 14, "客户微信咨询变频器选型"),
    ("phone", "inbound", 11, "客户来电询问到货时间"),
    ("meeting", "outbound", 9, "投诉处理沟通会：确认纠正措施"),
    ("email", "outbound", 6, "发送新产品目录和报价单"),
    ("phone", "outbound", 3, "流失客户挽回电话：了解停止采购的原因"),
]
CONSENT_CHANNELS = ["email", "phone", "wechat"]
MARKETING_TOPICS = ["新品发布", "季度促销", "展会邀请", "客户答谢会"]
WINBACK_NOTES = {
    "declined": "客户已转向竞争对手，暂不考虑合作。",
    "contacted": "已电话联系，客户表示下季度再考虑。",
}


class FeatureLoader:
    def __init__(self, env, master, plan, partner_ids, seed):
        self.env = env
        self.master = master
        self.plan = plan
        self.partner_ids = partner_ids  # customer index -> res.partner id
        self.random = random.Random(seed * 7919 + 17)
        self.today = plan.today
        self.users = {}
        self.stamps = []  # (complaint id, filed, acknowledged, resolved, closed)

    def moment(self, days_ago, hour=10):
        """A moment ``days_ago`` before today, never in the future (a contact
        is logged once it took place)."""
        planned = datetime.combine(
            self.today - timedelta(days=days_ago), time(hour)
        ) + timedelta(minutes=self.random.randrange(0, 50))
        return min(planned, datetime.now() - timedelta(minutes=30))

    def customers(self, *profiles, companies=True):
        """Partner ids of the plan's customers of ``profiles``, in plan order."""
        return [
            self.partner_ids[c.index]
            for c in self.plan.customers
            if c.profile in profiles and (c.is_company or not companies)
        ]

    def run(self):
        self.create_users()
        if "crm.knowledge.article" in self.env:
            self.create_articles()
            self.create_article_revisions_and_training()
        self.create_consents_and_interactions()
        self.create_complaints()
        self.create_winback_campaigns()
        self.backdate()

    # --- users -------------------------------------------------------------

    def create_users(self):
        env = self.env
        rows = []
        for xml_name, name, login, lang, groups in ROLE_USERS:
            group_ids = [
                group.id
                for group in (env.ref(x, raise_if_not_found=False) for x in groups)
                if group
            ]
            vals = {
                "name": name,
                "login": login,
                "password": login,
                "email": f"{login}@customerism.example.com",
                "tz": "Asia/Shanghai",
                "groups_id": [Command.set(group_ids)],
                "company_id": self.master.company.id,
                "company_ids": [Command.set(self.master.company.ids)],
            }
            if env["res.lang"]._lang_get(lang):
                vals["lang"] = lang
            rows.append((xml_name, vals))
        handler, manager = ensure_records(env, "res.users", rows)
        self.users = {
            "handler": env["res.users"].browse(handler),
            "manager": env["res.users"].browse(manager),
            "sales": env["res.users"].browse(self.master.users[0]),
        }
        # the portal customer: a contact of the first key customer
        company_id = self.customers("whale")[0]
        contact = env["res.partner"].search(
            [("parent_id", "=", company_id), ("type", "=", "contact")], limit=1
        ) or env["res.partner"].create(
            {"name": "刘晓燕", "parent_id": company_id, "function": "采购经理"}
        )
        if not contact.email:
            contact.email = f"liu.xiaoyan.{contact.id}@example.com"
        vals = {
            "login": "portal.customer",
            "password": "portal.customer",
            "partner_id": contact.id,
            "groups_id": [Command.set([env.ref("base.group_portal").id])],
            "company_id": self.master.company.id,
            "company_ids": [Command.set(self.master.company.ids)],
        }
        if self.master.lang:
            vals["lang"] = self.master.lang
        [portal] = ensure_records(env, "res.users", [("user_portal_customer", vals)])
        self.users["portal"] = env["res.users"].browse(portal)

    # --- knowledge ---------------------------------------------------------

    def create_articles(self):
        ensure_records(
            self.env,
            "crm.knowledge.article",
            [
                (
                    f"article_{i + 1:02d}",
                    {
                        "name": title,
                        "article_type": kind,
                        "body": Markup(body),
                        "sequence": 10 * (i + 1),
                        # reviewed and published: what service staff read
                        "state": "published",
                    },
                )
                for i, (kind, title, body) in enumerate(ARTICLES)
            ],
        )
        create_knowledge_base(
            self.env,
            self.master.products,
            [self.users["handler"].id, self.users["manager"].id, *self.master.users],
            self.random.randrange(1 << 30),
        )

    def create_article_revisions_and_training(self):
        """Revisions (one major), public articles, an edit pending review and
        a training plan with partial completion, made through the business
        methods as the knowledge manager and the trainees would."""
        env = self.env
        if find_xmlids(env, "crm.knowledge.training.plan", ["training_plan_service"]):
            return
        xmlids = find_xmlids(
            env,
            "crm.knowledge.article",
            [f"article_{i + 1:02d}" for i in range(len(ARTICLES))],
        )
        articles = env["crm.knowledge.article"].browse(list(xmlids.values()))
        articles = articles.sorted("sequence")
        solution, faq, product, _competitor, policy, training = articles[:6]
        reviewer, handler = self.users["manager"], self.users["handler"]
        # public on the portal: a reviewer's edit is published as revision 2
        (solution | faq | product).with_user(reviewer).write({"visibility": "public"})
        # a major change of the FAQ, written by the handler and reviewed
        faq.with_user(handler).action_back_to_draft()
        faq.with_user(handler).write(
            {
                "body": faq.body
                + Markup("<p>补充：重开发票须在原发票开具后 180 天内申请。</p>")
            }
        )
        faq.with_user(handler).action_submit()
        faq.with_user(reviewer).write({"is_major_change": True})
        faq.with_user(reviewer).action_publish()
        # an edit waiting for review: readers still see the published text
        policy.with_user(handler).action_back_to_draft()
        policy.with_user(handler).write(
            {"summary": "拟修订：退货时限由七天延长至十五天（待审核）"}
        )
        policy.with_user(handler).action_submit()
        [plan_id] = ensure_records(
            env,
            "crm.knowledge.training.plan",
            [
                (
                    "training_plan_service",
                    {
                        "name": "客服人员必读：投诉处理与退换货",
                        "due_date": self.today - timedelta(days=3),
                        "group_ids": [
                            Command.link(
                                env.ref("crm_knowledge.group_crm_knowledge_user").id
                            )
                        ],
                        "article_ids": [
                            Command.set((solution | faq | policy | training).ids)
                        ],
                    },
                )
            ],
        )
        # partial completion: the handler read all, the manager one article
        (solution | faq | policy | training).with_user(handler).action_confirm_read()
        solution.with_user(reviewer).action_confirm_read()
        _logger.info(
            "features: training plan %s, %d%% complete",
            plan_id,
            env["crm.knowledge.training.plan"].browse(plan_id).completion_rate,
        )

    # --- consents and the interaction timeline -------------------------------

    def create_consents_and_interactions(self):
        env = self.env
        customers = self.customers("steady", "growing", "plateau", "whale")[:14]
        consents = []
        for i, partner_id in enumerate(customers):
            for j, channel in enumerate(CONSENT_CHANNELS):
                refused = (i + j) % 6 == 5  # a refusal every few customers
                consents.append(
                    {
                        "partner_id": partner_id,
                        "channel": channel,
                        "status": "refused" if refused else "allowed",
                        "source": ("form", "call", "portal")[j],
                        "date": self.today - timedelta(days=90 - 3 * i),
                        "note": "客户要求不再通过此渠道推送营销信息"
                        if refused
                        else False,
                    }
                )
        env["crm.contact.consent"].create(consents)
        Wizard = env["crm.interaction.log.wizard"]
        salesperson = self.users["sales"]
        for i, (channel, direction, days_ago, summary) in enumerate(INTERACTIONS):
            Wizard.with_user(salesperson).create(
                {
                    "partner_id": customers[i % len(customers)],
                    "channel": channel,
                    "direction": direction,
                    "date": self.moment(days_ago, hour=9 + i % 8),
                    "summary": summary,
                }
            ).action_log()
        # a customer who got as many marketing contacts as the cap allows
        company = self.master.company
        capped = customers[0]
        cap_days = company.customerism_contact_cap_days or 30
        step = max(cap_days // (company.customerism_contact_cap + 1), 1)
        for k in range(company.customerism_contact_cap):
            Wizard.with_user(salesperson).create(
                {
                    "partner_id": capped,
                    "channel": "email",
                    "direction": "outbound",
                    "marketing": True,
                    "date": self.moment(cap_days - 1 - k * step, hour=15),
                    "summary": "营销邮件：" + MARKETING_TOPICS[k % 4],
                }
            ).action_log()

    # --- complaints ----------------------------------------------------------

    def create_complaints(self):
        env = self.env
        Complaint = env["crm.complaint"]
        handler = self.users["handler"]
        categories = {
            key: env.ref(f"crm_customerism.crm_complaint_category_{key}").id
            for key in ("product", "delivery", "billing", "service", "other")
        }
        buyers = self.customers("whale", "steady", "growing", "plateau", "declining")
        program = self.apology_program()
        portal = self.users["portal"]
        for i, spec in enumerate(COMPLAINTS):
            (
                channel,
                severity,
                stage,
                category,
                cause,
                days_ago,
                subject,
                description,
                analysis,
                rating,
                gesture,
            ) = spec
            # the portal customer's complaints: those filed on the portal, and one
            # closed, rated and with an apology gesture
            partner = env["res.partner"].browse(
                portal.partner_id.id
                if i == 0 or channel == "portal"
                else buyers[(i * 3) % len(buyers)]
            )
            partner_id = partner.id
            order = env["sale.order"].search(
                [
                    ("partner_id", "child_of", partner.commercial_partner_id.id),
                    ("state", "=", "sale"),
                ],
                order="date_order desc",
                limit=1,
            )
            filed = self.moment(days_ago, hour=9 + i % 7)
            # recorded by the handler: the stage changes it causes name them
            complaint = Complaint.with_user(handler).create(
                {
                    "subject": subject,
                    "description": Markup("<p>%s</p>") % description,
                    "partner_id": partner_id,
                    "channel": channel,
                    "severity": severity,
                    "category_id": categories[category],
                    "sale_order_id": order.id or False,
                    "product_id": order.order_line[:1].product_id.id or False,
                    "sla_start": filed,
                }
            )
            complaint = complaint.with_user(env.user)
            if channel == "portal":
                complaint._post_portal_filing_note(portal.partner_id)
            worker = complaint.with_user(handler)
            if stage == "cancelled":
                worker.action_cancel()
            elif stage != "new":
                worker.action_acknowledge()
            if stage in ("investigating", "waiting", "resolved", "closed"):
                worker.action_investigate()
            if cause:
                worker.write({"root_cause_type": cause})
            if analysis:
                root_cause, corrective, preventive, resolution = analysis
                worker.write(
                    {
                        "root_cause": root_cause,
                        "corrective_action": corrective,
                        "corrective_user_id": handler.id,
                        "corrective_date": self.today - timedelta(days=days_ago - 3),
                        "preventive_action": preventive,
                        "preventive_user_id": self.users["manager"].id,
                        "preventive_date": self.today + timedelta(days=30),
                        "resolution": Markup("<p>%s</p>") % resolution,
                    }
                )
            if stage == "waiting":
                worker.action_wait_customer()
            if stage in ("resolved", "closed"):
                worker.action_resolve()
            if stage == "closed":
                worker.action_close()
                score, feedback = rating
                complaint.sudo().rating_apply(
                    score,
                    token=complaint.sudo()._rating_get_access_token(),
                    feedback=feedback,
                )
            if gesture:
                env["crm.complaint.gesture.wizard"].with_user(handler).create(
                    {
                        "complaint_id": complaint.id,
                        "program_id": program.id,
                        "points": 1,
                        "note": "九折致歉优惠券，下次采购时使用。",
                    }
                ).action_apply()
            self.stamp(complaint, filed, stage, days_ago)
            if severity == "critical":
                # its deadlines passed: escalated to the team leader
                complaint._escalate(fields.Datetime.now())
        self.merge_duplicates(buyers[1], categories["product"])

    def merge_duplicates(self, partner_id, category_id):
        complaints = self.env["crm.complaint"]
        for channel, subject, description, days_ago in MERGED:
            filed = self.moment(days_ago, hour=11)
            complaint = self.env["crm.complaint"].create(
                {
                    "subject": subject,
                    "description": Markup("<p>%s</p>") % description,
                    "partner_id": partner_id,
                    "channel": channel,
                    "severity": "normal",
                    "category_id": category_id,
                    "sla_start": filed,
                }
            )
            self.stamp(complaint, filed, "new", days_ago)
            complaints |= complaint
        complaints[0].with_user(self.users["handler"]).action_acknowledge()
        self.env["crm.complaint.merge.wizard"].with_user(self.users["handler"]).create(
            {
                "complaint_ids": [Command.set(complaints.ids)],
                "target_id": complaints[0].id,
            }
        ).action_merge()

    def stamp(self, complaint, filed, stage, days_ago):
        """Planned moments of the complaint's steps (applied in backdate)."""
        span = max(days_ago, 1)
        acknowledged = filed + timedelta(hours=3) if stage != "new" else None
        resolved = (
            filed + timedelta(days=max(span // 3, 1))
            if stage in ("resolved", "closed")
            else None
        )
        closed = resolved + timedelta(days=1) if stage == "closed" else None
        self.stamps.append((complaint.id, filed, acknowledged, resolved, closed))

    def apology_program(self):
        [program_id] = ensure_records(
            self.env,
            "loyalty.program",
            [
                (
                    "loyalty_program_apology",
                    {
                        "name": "投诉致歉券（九折）",
                        "program_type": "coupons",
                        "communication_plan_ids": [Command.clear()],
                        "reward_ids": [
                            Command.create(
                                {
                                    "reward_type": "discount",
                                    "discount": 10,
                                    "discount_mode": "percent",
                                    "discount_applicability": "order",
                                }
                            )
                        ],
                    },
                )
            ],
        )
        return self.env["loyalty.program"].browse(program_id)

    # --- win-back ------------------------------------------------------------

    def create_winback_campaigns(self):
        env = self.env
        Campaign = env["crm.winback.campaign"].with_user(self.users["manager"])
        done = Campaign.create(
            {
                "name": "流失客户挽回行动（上季度）",
                "target_stage": "lapsed",
                "mode": "activity",
                "loyalty_program_id": self.apology_program().id,
            }
        )
        done.action_generate_targets()
        # the at-risk customers (lapsed ones when --today is long past: the
        # stages are computed at the real date)
        at_risk = env["crm.customer.profile"].search_count(
            [("lifecycle_stage", "=", "at_risk")]
        )
        running = Campaign.create(
            {
                "name": "危险期客户关怀计划" if at_risk else "流失客户回访计划",
                "target_stage": "at_risk" if at_risk else "lapsed",
                "mode": "activity",
            }
        )
        running.action_generate_targets()
        campaigns = (done | running).filtered("line_ids")
        campaigns.action_launch()
        launched = datetime.combine(self.today - timedelta(days=75), time(9))
        env.cr.execute(
            SQL(
                "UPDATE crm_winback_campaign SET date_start = %s WHERE id IN %s",
                launched,
                tuple(campaigns.ids) or (0,),
            )
        )
        done.invalidate_recordset(["date_start"])
        running.invalidate_recordset(["date_start"])
        lines = done.line_ids.sorted("id")
        if lines:
            half = len(lines) // 2
            declined = lines[: min(half, 2)]
            declined.action_mark_declined()
            declined.write({"note": WINBACK_NOTES["declined"]})
            # two targets order again: confirmed orders win them back
            for line in lines[half:][:2]:
                self.win_back_order(line.partner_id, days_ago=20)
            done.action_done()
        running.line_ids.sorted("id")[:2].action_mark_contacted()
        running.line_ids.sorted("id")[:2].write({"note": WINBACK_NOTES["contacted"]})

    def win_back_order(self, partner, days_ago):
        product = self.env["product.product"].browse(self.master.products[0])
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "user_id": partner.user_id.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 4})
                ],
            }
        )
        moment = self.moment(days_ago)
        # confirmed by the customer's salesperson, named on the stage change
        order.with_user(partner.user_id or self.users["sales"]).action_confirm()
        # dated like the rest of the history (confirmation stamps "now")
        self.env.cr.execute(
            SQL(
                "UPDATE sale_order SET date_order = %s, create_date = %s WHERE id = %s",
                moment,
                moment,
                order.id,
            )
        )
        order.invalidate_recordset(["date_order"])
        lines = self.env["crm.winback.campaign.line"].search(
            [("partner_id", "=", partner.id), ("state", "=", "recovered")]
        )
        lines.write({"outcome_date": moment.date()})

    # --- dates -----------------------------------------------------------------

    def backdate(self):
        """Set the moments Odoo stamped with "now" to the planned ones."""
        env = self.env
        env.flush_all()
        ids, filed, acknowledged, resolved, closed = (
            list(column) for column in zip(*self.stamps, strict=True)
        )
        env.cr.execute(
            SQL(
                """
                UPDATE crm_complaint c
                   SET create_date = v.filed,
                       acknowledged_date = CASE WHEN c.acknowledged_date IS NOT NULL
                                                THEN COALESCE(v.ack, v.filed) END,
                       resolved_date = CASE WHEN c.resolved_date IS NOT NULL
                                            THEN COALESCE(v.res, v.filed) END,
                       closed_date = CASE WHEN c.closed_date IS NOT NULL
                                          THEN COALESCE(v.clo, v.filed) END,
                       pause_start = CASE WHEN c.pause_start IS NOT NULL
                                          THEN v.filed + interval '1 day' END,
                       last_escalation_date = CASE
                           WHEN c.last_escalation_date IS NOT NULL
                           THEN v.filed + interval '2 days' END
                  FROM unnest(%s::int[], %s::timestamp[], %s::timestamp[],
                              %s::timestamp[], %s::timestamp[])
                       AS v(id, filed, ack, res, clo)
                 WHERE c.id = v.id
                """,
                ids,
                filed,
                acknowledged,
                resolved,
                closed,
            )
        )
        # the messages of each complaint: a few hours apart from its filing, in
        # their order, never after its last step
        env.cr.execute(
            SQL(
                """
                UPDATE mail_message m
                   SET date = LEAST(
                           c.create_date + (n.rank - 1) * interval '4 hours',
                           GREATEST(c.create_date, COALESCE(
                               c.closed_date, c.resolved_date, c.last_escalation_date,
                               c.acknowledged_date, c.create_date)))
                  FROM (SELECT id, res_id,
                               row_number() OVER (PARTITION BY res_id ORDER BY id)
                                   AS rank
                          FROM mail_message
                         WHERE model = 'crm.complaint' AND res_id = ANY(%s)) n
                  JOIN crm_complaint c ON c.id = n.res_id
                 WHERE m.id = n.id
                """,
                ids,
            )
        )
        env.cr.execute(
            SQL(
                """
                UPDATE rating_rating r
                   SET create_date = c.closed_date,
                       write_date = c.closed_date + interval '1 day'
                  FROM crm_complaint c
                 WHERE r.res_model = 'crm.complaint' AND r.res_id = c.id
                   AND c.id = ANY(%s) AND c.closed_date IS NOT NULL
                """,
                ids,
            )
        )
        env.invalidate_all()
        _logger.info(
            "features: %d complaints, %d win-back campaigns, %d consents, "
            "%d knowledge articles",
            env["crm.complaint"].search_count([]),
            env["crm.winback.campaign"].search_count([]),
            env["crm.contact.consent"].search_count([]),
            len(
                find_xmlids(
                    env,
                    "crm.knowledge.article",
                    [f"article_{i + 1:02d}" for i in range(len(ARTICLES))],
                )
            ),
        )
