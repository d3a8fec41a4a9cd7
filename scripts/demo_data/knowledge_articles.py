"""The knowledge base of the demo data set: a category tree and over a hundred
published Chinese articles of every type (问题解答, 常见问题, 产品资料,
竞争对手, 政策流程, 培训资料) on the demo company's products and services,
linked to their products and complaint categories, with readers' votes.

Product information and solutions are written from templates per product
line, filled with each product's name, code and figures; FAQ, competitor
analyses, policies and training material are written out. Everything is
made with the ORM (the bigram search index is filled as for a user's
article) and gets an xml id, so that a second run adds nothing.
"""

import random

from markupsafe import Markup, escape

from odoo import Command

from . import names
from .master import ensure_records

# xml name, name, parent xml name
CATEGORIES = [
    ("kb_cat_service", "售后服务", None),
    ("kb_cat_returns", "退换货", "kb_cat_service"),
    ("kb_cat_repair", "维修与保修", "kb_cat_service"),
    ("kb_cat_delivery", "物流配送", "kb_cat_service"),
    ("kb_cat_finance", "财务与发票", None),
    ("kb_cat_invoice", "发票", "kb_cat_finance"),
    ("kb_cat_statement", "对账与结算", "kb_cat_finance"),
    ("kb_cat_integration", "系统集成", None),
    ("kb_cat_products", "产品资料", None),
    ("kb_cat_market", "市场与竞争", None),
    ("kb_cat_policy", "制度与流程", None),
    ("kb_cat_training", "教育训练", None),
]

# product line code -> (category name, typical problems: (problem, cause,
# solution)), care advice
LINES = {
    "FURN": (
        "办公家具",
        [
            (
                "到货后部件缺失",
                "仓库打包时漏装配件包",
                "核对装箱单后补发配件，48 小时内发出",
            ),
            (
                "使用一段时间后出现晃动",
                "连接螺丝松动",
                "指导客户用附带的内六角扳手拧紧，必要时上门紧固",
            ),
            ("表面出现划痕", "运输途中包装受压", "轻微划痕寄送补漆笔，严重的更换面板"),
        ],
        "请避免阳光直射和潮湿环境，用柔软干布清洁表面。",
    ),
    "ELEC": (
        "电子设备",
        [
            (
                "通电后无法开机",
                "电源适配器损坏或插座无电",
                "先请客户更换插座测试，仍无法开机则寄送新的适配器",
            ),
            (
                "连接电脑后无法识别",
                "驱动程序未安装或数据线损坏",
                "发送最新驱动下载链接，更换数据线后重试",
            ),
            (
                "使用中频繁死机",
                "固件版本过旧",
                "远程指导客户升级固件，升级后仍有问题则返厂检测",
            ),
        ],
        "请使用原装电源，定期升级固件，长期不用时断开电源。",
    ),
    "INDU": (
        "工业配件",
        [
            (
                "运行时有异响",
                "安装不同轴或润滑不足",
                "安排技术人员上门检查安装，按说明书加注润滑脂",
            ),
            ("温升过高", "负载超过额定值", "核对客户工况，建议更换更大规格的型号"),
            (
                "尺寸与图纸不符",
                "客户选型时参照了旧版图纸",
                "确认最新图纸后免费换货，运费由我方承担",
            ),
        ],
        "请按说明书规定的周期检查和润滑，记录运行温度。",
    ),
    "PACK": (
        "包装材料",
        [
            (
                "强度不足导致货物破损",
                "堆码层数超过设计值",
                "建议客户减少堆码层数或改用更高强度的规格",
            ),
            (
                "尺寸偏差",
                "批次生产误差",
                "确认批次号后向供应商索赔，同时为客户补发合格品",
            ),
            ("受潮变形", "仓库湿度过高", "提醒客户存放在干燥通风处，离地离墙"),
        ],
        "请存放在干燥通风的仓库，避免日晒雨淋。",
    ),
    "SUPP": (
        "办公耗材",
        [
            (
                "打印时卡纸",
                "纸张受潮或装纸过多",
                "请客户更换干燥的纸张，每次装纸不超过纸盒刻度",
            ),
            (
                "出现漏粉或印字发淡",
                "硒鼓安装不到位或已到寿命",
                "指导客户重新安装，仍有问题则免费更换",
            ),
            (
                "包装内数量不足",
                "包装线计数错误",
                "按客户清点的数量补发，并通知质检部门",
            ),
        ],
        "请在常温干燥处保存，开封后尽快使用。",
    ),
    "GIFT": (
        "礼品",
        [
            (
                "礼盒外包装破损",
                "快递运输挤压",
                "拍照确认后补发新的礼盒，破损件无需退回",
            ),
            (
                "收到的商品临近保质期",
                "仓库未按先进先出发货",
                "为客户换发新批次，并检查库存批次",
            ),
            (
                "定制图案与确认稿不一致",
                "生产前未再次核对设计稿",
                "按确认稿重新制作，费用由我方承担",
            ),
        ],
        "食品类礼品请在阴凉干燥处保存，注意保质期。",
    ),
}

# (title, answer, category xml name, complaint category key)
FAQ = [
    (
        "如何申请重开增值税专用发票？",
        (
            "客户在收到发票 180 天内可申请重开：提供开票信息变更说明和原发票，"
            "财务在 3 个工作日内作废或红冲后重新开具。"
        ),
        "kb_cat_invoice",
        "billing",
    ),
    (
        "发票抬头或税号开错了怎么办？",
        (
            "请客户在系统中提交正确的开票信息，"
            "我们红冲原发票后重新开具，电子发票会发送到预留邮箱。"
        ),
        "kb_cat_invoice",
        "billing",
    ),
    (
        "可以开具电子发票吗？",
        (
            "可以。电子发票与纸质发票具有同等法律效力，"
            "开具后自动发送到客户的邮箱，并可在客户门户下载。"
        ),
        "kb_cat_invoice",
        "billing",
    ),
    (
        "退货后发票如何处理？",
        (
            "全额退货的红冲原发票；"
            "部分退货的开具红字发票冲减相应金额，"
            "退款在红字发票开具后 7 个工作日内到账。"
        ),
        "kb_cat_invoice",
        "billing",
    ),
    (
        "对账单与发票金额不一致怎么办？",
        "先核对是否有未结算的退货或折扣，差异由财务在 2 个工作日内查明并出具调整说明。",
        "kb_cat_statement",
        "billing",
    ),
    (
        "账期是多久？如何申请延长？",
        (
            "标准账期为 30 天，关键客户可申请 60 天；"
            "延长账期须由销售经理提出、财务经理审批。"
        ),
        "kb_cat_statement",
        "billing",
    ),
    (
        "七天无理由退货适用于哪些商品？",
        (
            "标准品在签收后 7 天内、包装完好的可无理由退货；"
            "定制品、已拆封的耗材和食品礼品除外。"
        ),
        "kb_cat_returns",
        "product",
    ),
    (
        "退货运费由谁承担？",
        "因质量问题或发错货退货的，运费由我方承担；无理由退货的运费由客户承担。",
        "kb_cat_returns",
        "delivery",
    ),
    (
        "退款多久到账？",
        (
            "收到退回商品并验收后 3 个工作日内原路退款，"
            "银行到账时间一般为 1 至 5 个工作日。"
        ),
        "kb_cat_returns",
        "billing",
    ),
    (
        "可以换货吗？换货需要多久？",
        (
            "可以。质量问题换货在收到退回商品后 2 个工作日内发出新货；"
            "关键客户可先发新货后退旧货。"
        ),
        "kb_cat_returns",
        "product",
    ),
    (
        "订单发货后多久能到？",
        (
            "华东地区一般 1 至 2 天，其他地区 3 至 5 天；"
            "大件家具由物流公司配送并预约送货时间。"
        ),
        "kb_cat_delivery",
        "delivery",
    ),
    (
        "签收时发现外箱破损怎么办？",
        "请当场拍照并在签收单上注明破损情况，24 小时内联系客服，我们负责补发或换货。",
        "kb_cat_delivery",
        "delivery",
    ),
    (
        "可以指定送货时间吗？",
        "大件商品可与物流公司预约送货时间；关键客户可安排专车配送。",
        "kb_cat_delivery",
        "delivery",
    ),
    (
        "如何查询物流信息？",
        "在客户门户的订单页面可查看运单号和物流轨迹，也可以直接联系客服查询。",
        "kb_cat_delivery",
        "delivery",
    ),
    (
        "ERP 系统可以和你们的平台对接吗？",
        (
            "可以。我们提供 XML-RPC 接口，"
            "支持订单、发货、发票和对账数据的同步，对接前需签署接口使用协议。"
        ),
        "kb_cat_integration",
        "service",
    ),
    (
        "API 接口调用失败如何排查？",
        (
            "先检查账号权限和网络连接，再查看接口返回的错误信息；"
            "无法解决的请把请求时间和错误内容发给技术支持。"
        ),
        "kb_cat_integration",
        "service",
    ),
    (
        "产品编码与我们 ERP 的物料编码不一致怎么办？",
        "可在接口中维护物料编码对照表，或使用我们的产品内部参考号作为外部编码。",
        "kb_cat_integration",
        "service",
    ),
    (
        "保修期从什么时候开始计算？",
        "保修期从客户签收之日起计算，凭订单号或发票即可享受保修服务。",
        "kb_cat_repair",
        "product",
    ),
    (
        "超过保修期还能维修吗？",
        "可以，收取配件费和上门服务费；关键客户享受配件八折优惠。",
        "kb_cat_repair",
        "product",
    ),
    (
        "投诉后多久会有人联系我？",
        (
            "一般投诉在 24 小时内受理并联系客户，"
            "严重投诉在 4 小时内联系，并由部门经理跟进。"
        ),
        "kb_cat_service",
        "service",
    ),
]

# (competitor, product line, strengths, our answer)
COMPETITORS = [
    (
        "华南办公家具",
        "办公家具",
        "价格比我们低 5% 至 8%",
        "交货期长 10 天、不提供上门安装，我们强调安装服务和 48 小时响应",
    ),
    (
        "东方电子",
        "电子设备",
        "品牌知名度高、渠道多",
        "保修只有 1 年且需寄修，我们提供 3 年上门保修和备用机",
    ),
    (
        "联合工业",
        "工业配件",
        "规格齐全、现货多",
        "技术支持响应慢，我们可派工程师上门选型和安装调试",
    ),
    (
        "顺达包装",
        "包装材料",
        "起订量低、价格灵活",
        "质量批次波动大，我们提供每批次检测报告和索赔保障",
    ),
    (
        "金桥办公",
        "办公耗材",
        "网店价格透明、促销频繁",
        "不开具增值税专用发票且无账期，我们支持月结和专票",
    ),
    ("华东礼品", "礼品", "款式更新快", "定制周期长达 30 天，我们 15 天交付并免费打样"),
    (
        "东方电子",
        "打印设备",
        "耗材价格低",
        "兼容耗材故障率高，我们的原装耗材有质量保证",
    ),
    (
        "华南办公家具",
        "会议家具",
        "样式新颖",
        "板材环保等级低，我们全部使用 E0 级板材并提供检测报告",
    ),
    (
        "联合工业",
        "电机与减速机",
        "价格低",
        "能效等级低，长期电费更高，可用能耗对比表向客户说明",
    ),
    (
        "金桥办公",
        "办公家具",
        "线上下单方便",
        "不负责安装和售后，我们提供一站式采购和服务",
    ),
    (
        "顺达包装",
        "托盘与缠绕膜",
        "本地仓库发货快",
        "不提供回收服务，我们可回收旧托盘抵扣货款",
    ),
    (
        "华东礼品",
        "节日礼盒",
        "包装精美",
        "食品类礼盒没有溯源信息，我们提供完整批次追溯",
    ),
]

# (title, paragraphs, category xml name, complaint category key or None)
POLICIES = [
    (
        "客户投诉处理流程（受理—调查—解决—回访）",
        [
            "1. 24 小时内受理并联系客户；严重投诉 4 小时内联系。",
            "2. 查明根本原因：产品、物流、开票、服务或供应商。",
            "3. 制定纠正与预防措施，明确责任人和完成日期。",
            "4. 结案后邀请客户评价满意度，差评由主管回访。",
        ],
        "kb_cat_policy",
        "service",
    ),
    (
        "退换货管理规定",
        [
            "所有退换货须在系统中登记并由主管审批。",
            "质量问题退货的运费由我方承担，同时向供应商发起索赔。",
            "退回商品须在收到后 2 个工作日内完成检验。",
        ],
        "kb_cat_returns",
        "product",
    ),
    (
        "关键客户服务标准",
        [
            "重要客户和次要客户由客户经理和技术经理共同负责。",
            "关键客户的投诉一律按专家式服务处理，响应时间不超过 4 小时。",
            "每季度至少拜访一次关键客户，记录拜访内容。",
        ],
        "kb_cat_policy",
        "service",
    ),
    (
        "发票开具与红冲管理办法",
        [
            "发票须在订单发货后 5 个工作日内开具。",
            "红冲须有退货单或折让审批单作为依据。",
            "作废和红冲的发票须在系统中留存记录。",
        ],
        "kb_cat_invoice",
        "billing",
    ),
    (
        "客户信用与账期管理制度",
        [
            "新客户默认现款现货，合作满 6 个月后可申请账期。",
            "逾期超过 30 天的客户暂停发货，由财务通知销售跟进。",
            "信用额度每年评估一次。",
        ],
        "kb_cat_statement",
        "billing",
    ),
    (
        "供应商质量问题索赔流程",
        [
            "发现供应商原因的质量问题，须在 3 个工作日内发起索赔。",
            "索赔单附检验报告、批次号和照片。",
            "索赔结果记入供应商质量档案。",
        ],
        "kb_cat_policy",
        "product",
    ),
    (
        "客户信息保密规定",
        [
            "客户资料仅限工作需要使用，不得外传。",
            "导出客户数据须经部门经理批准。",
            "离职员工须交还所有客户资料。",
        ],
        "kb_cat_policy",
        None,
    ),
    (
        "客户流失预警与挽回流程",
        [
            "系统将长期未下单或价值下降的客户标记为危险期。",
            "客户经理须在一周内联系危险期客户，了解原因。",
            "对值得挽回的客户制定挽回方案，并记录结果。",
        ],
        "kb_cat_policy",
        None,
    ),
    (
        "营销联系频次与客户同意管理",
        [
            "向客户推送营销信息前须确认客户同意该渠道。",
            "同一客户每月营销联系不超过 4 次。",
            "客户拒绝后立即停止推送并在系统中记录。",
        ],
        "kb_cat_policy",
        None,
    ),
    (
        "上门安装服务规范",
        [
            "安装人员须提前一天与客户确认时间。",
            "安装完成后清理现场并请客户签字确认。",
            "安装中发现的问题须当场登记。",
        ],
        "kb_cat_repair",
        "delivery",
    ),
    (
        "知识库文章编写与审核规范",
        [
            "文章由编辑起草，审核人发布；发布后每 180 天复核一次。",
            "问题解答须写明现象、原因和解决方法。",
            "被读者评为没有帮助的文章须在两周内修订。",
        ],
        "kb_cat_policy",
        None,
    ),
    (
        "大件商品配送与签收规定",
        [
            "大件商品须预约送货时间，送货前两小时电话通知。",
            "签收时须当面开箱检查。",
            "破损商品拒收并拍照留证。",
        ],
        "kb_cat_delivery",
        "delivery",
    ),
]

# (title, paragraphs)
TRAININGS = [
    (
        "新员工培训：以客户为中心的服务礼仪",
        [
            "称呼客户姓氏加职务；电话三声内接听。",
            "承诺的回复时间必须兑现。",
            "投诉时先致歉再了解情况。",
        ],
    ),
    (
        "客户分级与服务等级",
        [
            "按当前价值将客户分为重要客户、次要客户、普通客户和小客户。",
            "关键客户享受专家式服务，普通客户享受个性化服务。",
            "客户等级每月重新计算。",
        ],
    ),
    (
        "客户关系生命周期的识别",
        [
            "开拓期、社会化期、成长期、成熟期、危险期、解约期、中断期和恢复期。",
            "危险期客户要优先联系。",
            "恢复期客户要巩固关系，防止再次流失。",
        ],
    ),
    (
        "投诉处理的沟通技巧",
        [
            "倾听客户的完整陈述，不打断。",
            "复述客户的问题，确认理解无误。",
            "给出明确的处理时间和联系人。",
        ],
    ),
    (
        "电话接听与记录规范",
        [
            "先报公司名称和姓名。",
            "通话内容当天记入接触记录。",
            "需要回电的事项设置提醒。",
        ],
    ),
    (
        "产品知识考核要点",
        [
            "熟悉主要产品的型号、规格和保修期。",
            "能说明与竞争对手产品的差异。",
            "考核合格分数为 80 分。",
        ],
    ),
    (
        "客户门户使用指导",
        [
            "指导客户在门户中查看订单、发票和投诉进度。",
            "客户可在门户提交投诉并上传照片。",
            "常见问题可引导客户查阅公开的知识库文章。",
        ],
    ),
    (
        "ERP 集成项目的客户沟通",
        [
            "了解客户现有 ERP 系统和对接需求。",
            "明确接口范围、测试计划和上线时间。",
            "上线后一个月内每周回访一次。",
        ],
    ),
    (
        "关键客户拜访准备",
        [
            "拜访前查看客户的购买记录、投诉和满意度。",
            "准备针对客户的产品推荐和服务方案。",
            "拜访后当天记录拜访结果。",
        ],
    ),
    (
        "CRM 始于培训也终于培训",
        [
            "客户主义要求每位员工理解客户价值。",
            "新流程上线前须完成培训并确认阅读。",
            "每年复训一次，检查执行情况。",
        ],
    ),
]

SOLUTION_LINES = ["FURN", "ELEC", "INDU", "PACK", "SUPP", "GIFT"]


def _first_sentences(text, length=20):
    """The first sentences of ``text``, at least ``length`` characters."""
    summary = ""
    for sentence in text.split("。"):
        if sentence:
            summary += sentence + "。"
        if len(summary) >= length:
            break
    return summary


def _paragraphs(*texts):
    return Markup("").join(Markup("<p>%s</p>") % escape(text) for text in texts)


def _product_article(product, line):
    code, name, line_code, price, _cost, _typical = product
    category, problems, care = LINES[line_code]
    warranty_years = 3 if line_code in ("FURN", "ELEC", "INDU") else 1
    return {
        "name": f"{name}（{code}）产品说明",
        "article_type": "product",
        "summary": f"{name}的规格、价格、保修与保养要点。",
        "body": _paragraphs(
            f"产品编号 {code}，属于{category}类，"
            f"建议零售价 {price:g} 元（含 13% 增值税）。",
            f"保修期：自签收之日起 {warranty_years} 年，关键客户可延长一年。",
            f"常见问题：{problems[0][0]}、{problems[1][0]}，处理方法见相关问题解答。",
            f"使用与保养：{care}",
        ),
    }


def _solution_article(product, problem):
    code, name, *_rest = product
    issue, cause, fix = problem
    return {
        "name": f"{name}{issue}的处理方法",
        "article_type": "solution",
        "summary": f"客户反映{name}{issue}：原因多为{cause}。",
        "body": _paragraphs(
            f"现象：客户反映{name}（{code}）{issue}。",
            f"原因：{cause}。",
            f"处理：{fix}。",
            "处理完成后在投诉单中记录根本原因，并邀请客户评价满意度。",
        ),
    }


def create_knowledge_base(env, product_ids, user_ids, seed):
    """The categories, the articles and their votes; returns the article ids.

    ``product_ids``: product.product ids in the order of names.PRODUCTS;
    ``user_ids``: the users who vote."""
    rng = random.Random(seed * 31 + 5)
    category_ids = {}
    for xml_name, name, parent in CATEGORIES:
        [category_ids[xml_name]] = ensure_records(
            env,
            "crm.knowledge.category",
            [(xml_name, {"name": name, "parent_id": category_ids.get(parent)})],
        )
    complaint_categories = {
        key: env.ref(f"crm_customerism.crm_complaint_category_{key}").id
        for key in ("product", "delivery", "billing", "service", "other")
    }
    line_category = {}
    for line_code, (label, *_rest) in LINES.items():
        [line_category[line_code]] = ensure_records(
            env,
            "crm.knowledge.category",
            [
                (
                    f"kb_cat_products_{line_code.lower()}",
                    {"name": label, "parent_id": category_ids["kb_cat_products"]},
                )
            ],
        )
    rows = []
    products = list(zip(names.PRODUCTS, product_ids, strict=False))
    for product, product_id in products:
        vals = _product_article(product, product[2])
        vals.update(
            category_id=line_category[product[2]],
            product_ids=[Command.set([product_id])],
            complaint_category_ids=[Command.set([complaint_categories["product"]])],
        )
        rows.append((f"kb_product_{product[0].lower().replace('-', '_')}", vals))
    for line_code in SOLUTION_LINES:
        line_products = [p for p in products if p[0][2] == line_code][:4]
        for i, problem in enumerate(LINES[line_code][1]):
            product, product_id = line_products[i % len(line_products)]
            vals = _solution_article(product, problem)
            vals.update(
                category_id=category_ids["kb_cat_repair"],
                product_ids=[Command.set([product_id])],
                complaint_category_ids=[Command.set([complaint_categories["product"]])],
            )
            rows.append((f"kb_solution_{line_code.lower()}_{i + 1}", vals))
    for i, (title, answer, category, complaint_key) in enumerate(FAQ):
        rows.append(
            (
                f"kb_faq_{i + 1:02d}",
                {
                    "name": title,
                    "article_type": "faq",
                    "summary": _first_sentences(answer),
                    "body": _paragraphs(*[s + "。" for s in answer.split("。") if s]),
                    "category_id": category_ids[category],
                    "complaint_category_ids": [
                        Command.set([complaint_categories[complaint_key]])
                    ],
                },
            )
        )
    for i, (rival, line, strength, answer) in enumerate(COMPETITORS):
        rows.append(
            (
                f"kb_competitor_{i + 1:02d}",
                {
                    "name": f"竞品分析：{rival}（{line}）",
                    "article_type": "competitor",
                    "summary": f"{rival}的{line}：{strength}。",
                    "body": _paragraphs(
                        f"竞争对手：{rival}，主要产品线：{line}。",
                        f"对方优势：{strength}。",
                        f"我方应对：{answer}。",
                        "报价时不主动降价，先了解客户最看重的是价格、交期还是服务。",
                    ),
                    "category_id": category_ids["kb_cat_market"],
                },
            )
        )
    for i, (title, paragraphs, category, complaint_key) in enumerate(POLICIES):
        vals = {
            "name": title,
            "article_type": "policy",
            "summary": paragraphs[0],
            "body": _paragraphs(*paragraphs),
            "category_id": category_ids[category],
        }
        if complaint_key:
            vals["complaint_category_ids"] = [
                Command.set([complaint_categories[complaint_key]])
            ]
        rows.append((f"kb_policy_{i + 1:02d}", vals))
    for i, (title, paragraphs) in enumerate(TRAININGS):
        rows.append(
            (
                f"kb_training_{i + 1:02d}",
                {
                    "name": title,
                    "article_type": "training",
                    "summary": paragraphs[0],
                    "body": _paragraphs(*paragraphs),
                    "category_id": category_ids["kb_cat_training"],
                },
            )
        )
    for _xml_name, vals in rows:
        # reviewed and published: what service staff read
        vals["state"] = "published"
    article_ids = ensure_records(env, "crm.knowledge.article", rows)
    _vote(env, article_ids, user_ids, rng)
    return article_ids


def _vote(env, article_ids, user_ids, rng):
    """Votes of the demo users on about half of the articles: mostly helpful,
    a few articles mostly not (they show up as needing an update)."""
    Vote = env["crm.knowledge.vote"]
    if Vote.search_count([("article_id", "in", article_ids)], limit=1):
        return  # voted in an earlier run
    comments = [
        "步骤不够详细",
        "缺少偏远地区的说明",
        "内容已过时，流程有变化",
        "没有说明关键客户怎么处理",
    ]
    votes = []
    for index, article_id in enumerate(article_ids):
        if rng.random() < 0.45:
            continue
        poor = index % 17 == 3  # a few articles readers do not find helpful
        for user_id in rng.sample(user_ids, k=min(len(user_ids), rng.randint(1, 6))):
            helpful = rng.random() < (0.2 if poor else 0.85)
            votes.append(
                {
                    "article_id": article_id,
                    "user_id": user_id,
                    "helpful": helpful,
                    "comment": False if helpful else rng.choice(comments),
                }
            )
    Vote.create(votes)
