#!/usr/bin/env python3
"""Benchmark the Chinese search and the complaint suggestions of crm_knowledge.

Usage::

    python scripts/bench_knowledge.py -c ODOO_CONF -d DATABASE
        [--articles 50000] [--runs 3] [--seed 42] [--keep] [--json]

Generates ``--articles`` published Chinese / mixed Chinese-Latin articles of
about 1,000 characters (returns, invoices, ERP integration, product
information, competitors, policies, ...) with bulk SQL, then prints, from
one run:

- the bulk insert time (the bigram ``tsvector`` is a generated column: its
  computation is part of the insert), the time to build the GIN index on all
  the articles (a second, identical index, dropped afterwards), and the sizes
  of the index and of the indexed column;
- for a set of 2-character, 4-character, mixed and 1-character queries: the
  search time (the ORM search of the article views' search box: all hits),
  the time of an unindexed ``ILIKE`` scan over the same text
  (``search_text``, ``%``, ``_`` and ``\\`` escaped), their ratio (goal: at
  least 10x for queries of 2 or more characters), the number of hits and
  whether both hit sets are identical (they must be: the index is an
  accelerator, not a different answer); then the time of the ranked first
  page (the 80 best hits, as the article views show them) and its ratio to
  the scan (goal: at least 10x for 2 or more characters); the page must be
  exactly the first 80 of the full ranking of all hits (checked, untimed);
  times are the median of ``--runs``;
- the time to compute the suggested articles of a complaint (median over a
  few complaints, goal: under 200 ms).

Everything runs in one transaction, rolled back at the end unless
``--keep``: the database is left as it was. ``--reuse`` measures the
articles an earlier ``--keep`` run left instead of generating new ones (no
insert figure). The database must have
crm_knowledge installed. Exit status 1 when a hit set differs.
"""

import argparse
import json
import os
import random
import sys
import time
from statistics import median

GOAL_RATIO = 10.0
GOAL_SUGGEST_MS = 200.0
# the hits the article views show at once
RANKED_PAGE = 80
BATCH = 5000

QUERIES = [
    ("2 characters", "退货"),
    ("2 characters", "发票"),
    ("2 characters", "保修"),
    ("2 characters", "竞品"),
    ("4 characters", "专用发票"),
    ("4 characters", "上门安装"),
    ("4 characters", "退款时限"),
    ("mixed", "ERP 集成"),
    ("mixed", "KX-200"),
    ("mixed", "API 接口"),
    ("1 character", "退"),
    ("1 character", "税"),
]

# (name, model number)
PRODUCTS = [
    ("人体工学办公椅", "KX-200"),
    ("电动升降办公桌", "DT-500"),
    ("四门钢制文件柜", "FC-400"),
    ("27英寸 4K 显示器", "MN-270"),
    ("黑白激光打印机", "LP-300"),
    ("千兆企业路由器", "RT-1000"),
    ("高速文档扫描仪", "SC-800"),
    ("三相异步电机", "YE3-2.2"),
    ("通用变频器", "VF-550"),
    ("五层瓦楞纸箱", "BX-5"),
    ("塑料托盘", "PL-1200"),
    ("激光打印机硒鼓", "TN-260"),
]
COMPETITORS = ["华南办公家具", "东方电子", "联合工业", "顺达包装", "金桥办公"]

# per topic: title templates, then body sentences ({p} product, {c} model
# number, {n} a number, {k} a competitor)
TOPICS = {
    "solution": (
        ["{p}退货流程说明", "{p}({c})常见故障的处理方法", "{p}到货破损怎么办"],
        [
            "客户收到{p}后发现外箱破损，应在签收后{n}天内拍照反馈。",
            "质量问题的退货由我方承担运费，非质量问题由客户承担。",
            "售后工程师可在{n}个工作日内上门检测型号{c}的设备。",
            "确认故障后先更换配件，无法修复的整机换货。",
            "退款时限为收到退回商品后的{n}个工作日。",
            "请在工单中记录批次号和序列号，便于向供应商索赔。",
        ],
    ),
    "faq": (
        [
            "如何申请重开增值税专用发票?",
            "发票抬头开错了怎么办?",
            "{p}可以开具哪种发票?",
        ],
        [
            "客户在收到发票{n}天内可申请重开专用发票。",
            "重开需提供开票信息变更说明和原发票。",
            "财务在{n}个工作日内作废或红冲后重新开具。",
            "电子发票会发送到客户预留的邮箱。",
            "增值税税率按国家规定执行，目前为{n}%。",
            "对账单与发票金额不一致时，以合同约定为准。",
        ],
    ),
    "integration": (
        ["ERP 集成指南：订单同步", "通过 API 接口对接库存", "{p}编码与 ERP 物料映射"],
        [
            "客户的 ERP 系统通过 XML-RPC 与我方平台集成，每{n}分钟同步一次订单。",
            "API 接口返回 JSON 格式的数据，字段包括 SKU 编码和数量。",
            "物料编码{c}对应我方的{p}。",
            "接口调用失败时会自动重试{n}次，并通知系统管理员。",
            "集成上线前须在测试环境完成对账。",
        ],
    ),
    "product": (
        ["{p}({c})产品说明", "{p}规格参数", "{p}安装与保养"],
        [
            "{p}型号{c}，保修期{n}年，提供免费上门安装。",
            "产品符合国家标准，出厂前经过{n}项检测。",
            "日常保养请使用中性清洁剂，避免阳光直射。",
            "配件可单独购买，交货期约{n}天。",
            "关键客户可享受专属技术支持。",
        ],
    ),
    "competitor": (
        ["竞品分析：{k}", "与{k}的{p}对比", "{k}报价应对策略"],
        [
            "{k}的同类产品价格低{n}%，但交货期长{n}天。",
            "竞品不提供上门安装服务，我方保修期更长。",
            "面对竞品降价，应强调服务等级和响应速度。",
            "关键客户更关注供货稳定性而不是单价。",
            "{k}在华东地区的市场份额约为{n}%。",
        ],
    ),
    "policy": (
        ["客户投诉处理流程", "退换货政策", "关键客户服务标准"],
        [
            "投诉须在{n}小时内受理并联系客户。",
            "严重投诉升级至部门经理，并在{n}天内给出处理结果。",
            "所有退换货必须有审批记录。",
            "结案后邀请客户评价满意度。",
            "重要客户由客户经理和技术经理共同负责。",
        ],
    ),
    "training": (
        ["新员工培训：服务礼仪", "电话接听规范", "以客户为中心的沟通技巧"],
        [
            "电话须在三声内接听，先报公司名称和姓名。",
            "承诺客户的回复时间必须兑现。",
            "投诉时先致歉，再了解情况，最后提出方案。",
            "每季度进行一次服务技能考核，合格分数为{n}分。",
            "培训结束后须在系统中确认阅读。",
        ],
    ),
}
FILLER = [
    "本文由客户服务部整理，如有疑问请联系主管。",
    "以上内容适用于华东、华南和华北地区的客户。",
    "处理过程中请保持与客户的沟通，及时更新工单状态。",
    "相关记录须在系统中保存至少{n}个月。",
    "如遇特殊情况，请与销售经理协商处理。",
    "客户满意度是考核服务质量的重要指标。",
    "请注意保护客户的个人信息和商业秘密。",
    "本说明自发布之日起执行，原有规定同时废止。",
    "第{n}条：各部门应积极配合，确保流程顺畅。",
    "我们始终坚持以客户为中心的服务理念。",
]
COMPLAINTS = [
    ("人体工学办公椅退货后迟迟没有退款", "<p>客户退货已经{n}天，退款还没有到账。</p>"),
    ("专用发票抬头开错，要求重开", "<p>财务发现增值税专用发票的税号有误。</p>"),
    (
        "ERP 集成后订单没有同步",
        "<p>客户的 ERP 系统通过 API 接口下单，但我方没有收到。</p>",
    ),
    ("竞品报价更低，客户要求降价", "<p>客户说东方电子的同类产品便宜很多。</p>"),
    ("激光打印机上门安装预约不上", "<p>客户多次预约上门安装都没有成功。</p>"),
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--articles", type=int, default=50000)
    parser.add_argument("--runs", type=int, default=3, help="timings per figure")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="commit the articles instead of rolling back",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the articles an earlier --keep run left (no generation)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.articles < 1 or args.runs < 1:
        parser.error("--articles and --runs must be at least 1")
    return args


def fill(rng, template, product):
    return template.format(
        p=product[0], c=product[1], n=rng.randint(2, 90), k=rng.choice(COMPETITORS)
    )


def make_article(rng):
    """(type, title, summary, HTML body, product index) of about 1,000 characters."""
    topic = rng.choice(list(TOPICS))
    titles, sentences = TOPICS[topic]
    product_index = rng.randrange(len(PRODUCTS))
    product = PRODUCTS[product_index]
    title = fill(rng, rng.choice(titles), product)
    paragraphs, length = [], 0
    while length < 1000:
        paragraph = "".join(
            fill(rng, rng.choice(sentences if rng.random() < 0.6 else FILLER), product)
            for _i in range(rng.randint(3, 6))
        )
        paragraphs.append(paragraph)
        length += len(paragraph)
    article_type = "solution" if topic == "integration" else topic
    return (
        article_type,
        title,
        paragraphs[0][:60],
        "".join(f"<p>{p}</p>" for p in paragraphs),
        product_index,
    )


def timed(function, *args, runs=1):
    """(median seconds, result of the last run)."""
    durations = []
    for _i in range(runs):
        start = time.perf_counter()
        result = function(*args)
        durations.append(time.perf_counter() - start)
    return median(durations), result


def insert_articles(env, company, products, category_ids, count, seed):
    """Bulk insert of ``count`` published articles; returns their ids."""
    from odoo import fields
    from odoo.tools import SQL

    from odoo.addons.crm_knowledge.models import knowledge_bigram_index as bigrams

    rng = random.Random(seed)
    now = fields.Datetime.now()
    ids = []
    for start in range(0, count, BATCH):
        rows = [make_article(rng) for _i in range(min(BATCH, count - start))]
        texts = [
            bigrams.normalize(f"{title}\n{summary}\n{bigrams.html_to_text(body)}")
            for _type, title, summary, body, _p in rows
        ]
        env.cr.execute(
            SQL(
                """
                INSERT INTO crm_knowledge_article
                       (name, article_type, summary, body, search_text, state,
                        visibility, sequence, company_id, author_id, user_id,
                        published_date,
                        published_by_id, helpful_count, not_helpful_count,
                        not_helpful_share, needs_update, create_uid, write_uid,
                        create_date, write_date)
                SELECT r.name, r.article_type, r.summary, r.body, r.search_text,
                       'published', 'internal', 10, %(company)s, %(uid)s, %(uid)s,
                       %(now)s - r.age * interval '1 hour', %(uid)s,
                       0, 0, 0, false, %(uid)s, %(uid)s, %(now)s, %(now)s
                  FROM unnest(%(names)s::text[], %(types)s::text[],
                              %(summaries)s::text[], %(bodies)s::text[],
                              %(texts)s::text[], %(ages)s::int[])
                       AS r(name, article_type, summary, body, search_text, age)
                RETURNING id
                """,
                company=company.id,
                uid=env.uid,
                now=now,
                names=[row[1] for row in rows],
                types=[row[0] for row in rows],
                summaries=[row[2] for row in rows],
                bodies=[row[3] for row in rows],
                texts=texts,
                ages=[rng.randrange(24 * 720) for _row in rows],
            )
        )
        batch_ids = [row[0] for row in env.cr.fetchall()]
        ids += batch_ids
        # published: revision 1 of each is the live text readers see
        env.cr.execute(
            SQL(
                """
                WITH rev AS (
                    INSERT INTO crm_knowledge_article_revision
                           (article_id, number, name, summary, body, search_text,
                            visibility, published_by_id, published_date,
                            is_major_change, is_live, company_id, create_uid,
                            write_uid, create_date, write_date)
                    SELECT a.id, 1, a.name, a.summary, a.body, a.search_text,
                           a.visibility, a.published_by_id, a.published_date,
                           true, true, a.company_id, %(uid)s, %(uid)s, %(now)s,
                           %(now)s
                      FROM crm_knowledge_article a WHERE a.id = ANY(%(ids)s)
                    RETURNING id, article_id)
                UPDATE crm_knowledge_article a SET live_revision_id = rev.id
                  FROM rev WHERE rev.article_id = a.id
                """,
                ids=batch_ids,
                uid=env.uid,
                now=now,
            )
        )
        # one product each, a complaint category for every third article
        field = env["crm.knowledge.article"]._fields["product_ids"]
        env.cr.execute(
            SQL(
                "INSERT INTO %s (%s, %s) SELECT * FROM unnest(%s::int[], %s::int[])",
                SQL.identifier(field.relation),
                SQL.identifier(field.column1),
                SQL.identifier(field.column2),
                batch_ids,
                [products[row[4]] for row in rows],
            )
        )
        if category_ids:
            field = env["crm.knowledge.article"]._fields["complaint_category_ids"]
            pairs = [
                (article_id, category_ids[i % len(category_ids)])
                for i, article_id in enumerate(batch_ids)
                if i % 3 == 0
            ]
            env.cr.execute(
                SQL(
                    "INSERT INTO %s (%s, %s) "
                    "SELECT * FROM unnest(%s::int[], %s::int[])",
                    SQL.identifier(field.relation),
                    SQL.identifier(field.column1),
                    SQL.identifier(field.column2),
                    [pair[0] for pair in pairs],
                    [pair[1] for pair in pairs],
                )
            )
    return ids


def build_index(cr):
    """Time a full build of the GIN index (an identical second index, dropped
    afterwards; the article index itself stays in place)."""
    cr.execute(
        "CREATE INDEX crm_knowledge_article_bench_idx "
        "ON crm_knowledge_article USING gin (search_vector)"
    )
    cr.execute("DROP INDEX crm_knowledge_article_bench_idx")


def ilike_scan(cr, pattern):
    cr.execute(
        "SELECT id FROM crm_knowledge_article WHERE search_text ILIKE %s ESCAPE '\\'",
        [pattern],
    )
    return {row[0] for row in cr.fetchall()}


def main(argv=None):
    args = parse_args(argv)
    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = Registry(args.database)
    figures = {"database": args.database, "articles": args.articles}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if "crm.knowledge.article" not in env:
            sys.exit(f"crm_knowledge is not installed in {args.database}.")
        from odoo.addons.crm_knowledge.models import knowledge_bigram_index as bigrams

        # fail rather than wait forever behind another session's open writes
        cr.execute("SET lock_timeout = '60s'")
        company = env.company
        Article = env["crm.knowledge.article"].with_company(company)
        codes = [code for _name, code in PRODUCTS]
        if args.reuse:
            found = env["product.product"].search([("default_code", "in", codes)])
            by_code = {product.default_code: product.id for product in found}
            if set(by_code) != set(codes):
                sys.exit(f"No earlier --keep run in {args.database} to reuse.")
            products = [by_code[code] for code in codes]
        else:
            products = (
                env["product.product"]
                .create(
                    [{"name": name, "default_code": code} for name, code in PRODUCTS]
                )
                .ids
            )
        categories = env["crm.complaint.category"].search([], limit=5).ids
        # the articles only, not the products and complaints the bench makes
        cr.execute("SELECT count(*) FROM crm_knowledge_article")
        figures["articles_before"] = cr.fetchone()[0]
        figures["insert_s"] = None
        if not args.reuse:
            figures["insert_s"], _ids = timed(
                insert_articles,
                env,
                company,
                products,
                categories,
                args.articles,
                args.seed,
            )
        cr.execute("ANALYZE crm_knowledge_article")
        cr.execute("ANALYZE crm_knowledge_article_revision")
        cr.execute("SELECT count(*) FROM crm_knowledge_article")
        figures["articles_total"] = cr.fetchone()[0]
        figures["index_build_s"], _none = timed(build_index, cr)
        cr.execute(
            "SELECT pg_relation_size('crm_knowledge_article_search_vector_idx'),"
            " sum(pg_column_size(search_vector)), avg(length(search_text))"
            " FROM crm_knowledge_article"
        )
        index_size, vector_size, average_chars = cr.fetchone()
        figures["index_mb"] = round(index_size / 2**20, 1)
        figures["tsvector_mb"] = round(vector_size / 2**20, 1)
        figures["average_chars"] = round(float(average_chars))
        figures["queries"] = []
        for kind, query in QUERIES:
            normalized = bigrams.normalize(query)

            def search(query=query):
                env.invalidate_all()
                return set(Article.search([("text_search", "ilike", query)]).ids)

            def ranked_page(query=query):
                env.invalidate_all()
                return Article._search_by_text(query, limit=RANKED_PAGE)

            search_s, found = timed(search, runs=args.runs)
            ranked_s, page = timed(ranked_page, runs=args.runs)
            # the full ranking of all hits, whose first page the page must be
            full = Article.with_context(knowledge_rank_query=query).search(
                [("text_search", "ilike", query)]
            )
            scan_s, expected = timed(
                ilike_scan, cr, bigrams.like_pattern(normalized), runs=args.runs
            )
            figures["queries"].append(
                {
                    "kind": kind,
                    "query": query,
                    "hits": len(expected),
                    "search_ms": round(search_s * 1000, 1),
                    "ranked_ms": round(ranked_s * 1000, 1),
                    "ilike_ms": round(scan_s * 1000, 1),
                    "ratio": round(scan_s / search_s, 1),
                    "ranked_ratio": round(scan_s / ranked_s, 1),
                    "identical": found == expected
                    and set(full.ids) == expected
                    and page.ids == full.ids[:RANKED_PAGE],
                }
            )
        suggest = []
        for subject, description in COMPLAINTS:
            complaint = env["crm.complaint"].new(
                {
                    "subject": subject,
                    "description": description.format(n=7),
                    "product_id": products[0],
                    "category_id": categories[0] if categories else False,
                    "company_id": company.id,
                }
            )
            duration, suggested = timed(
                lambda c=complaint: (
                    c._compute_suggested_article_ids() or c.suggested_article_ids
                ),
                runs=args.runs,
            )
            suggest.append(duration)
            figures.setdefault("suggested", []).append(len(suggested))
        figures["suggest_ms"] = round(median(suggest) * 1000, 1)
        if args.keep:
            cr.commit()  # pylint: disable=invalid-commit
        else:
            cr.rollback()
    long_queries = [q for q in figures["queries"] if q["kind"] != "1 character"]
    figures["goals_met"] = {
        "ratio": all(
            min(q["ratio"], q["ranked_ratio"]) >= GOAL_RATIO for q in long_queries
        ),
        "identical": all(q["identical"] for q in figures["queries"]),
        "suggest": figures["suggest_ms"] < GOAL_SUGGEST_MS,
    }
    if args.json:
        sys.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    else:
        report(figures)
    return 0 if figures["goals_met"]["identical"] else 1


def report(figures):
    out = sys.stdout.write
    out(f"database          {figures['database']}\n")
    made = (
        f"{figures['articles']} generated"
        if figures["insert_s"] is not None
        else "reused"
    )
    out(
        f"articles          {made} "
        f"({figures['articles_total']} in the table, "
        f"{figures['average_chars']} characters of text on average)\n"
    )
    if figures["insert_s"] is None:
        out("bulk insert       none (--reuse: the articles of an earlier run)\n")
    else:
        out(
            f"bulk insert       {figures['insert_s']:.1f} s "
            "(the bigram tsvector is generated on insert)\n"
        )
    out(
        f"GIN index build   {figures['index_build_s']:.1f} s, "
        f"index {figures['index_mb']} MB, tsvector column "
        f"{figures['tsvector_mb']} MB\n"
    )
    out(
        f"{'query':<22}{'hits':>7}{'search ms':>11}{'ILIKE ms':>10}"
        f"{'ratio':>8}  identical{'ranked page ms':>16}{'ratio':>8}\n"
    )
    for q in figures["queries"]:
        label = f"{q['query']} ({q['kind']})"
        # Chinese characters take two columns in a terminal
        pad = 22 - sum(2 if ord(ch) > 0x2E7F else 1 for ch in label)
        out(
            f"{label}{' ' * max(pad, 1)}{q['hits']:>7}{q['search_ms']:>11.1f}"
            f"{q['ilike_ms']:>10.1f}{q['ratio']:>7.1f}x  "
            f"{'yes' if q['identical'] else 'NO ':<9}{q['ranked_ms']:>16.1f}"
            f"{q['ranked_ratio']:>7.1f}x\n"
        )
    out(
        f"suggestions       {figures['suggest_ms']:.1f} ms per complaint "
        f"(median; goal < {GOAL_SUGGEST_MS:g} ms)\n"
    )
    goals = figures["goals_met"]
    out(
        f"goals             ratio >= {GOAL_RATIO:g}x for 2+ characters "
        "(search and ranked page): "
        f"{'met' if goals['ratio'] else 'NOT met'}; identical hit sets: "
        f"{'yes' if goals['identical'] else 'NO'}; suggestions: "
        f"{'met' if goals['suggest'] else 'NOT met'}\n"
    )


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
