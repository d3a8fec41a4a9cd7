"""Articles to suggest for complaints, in one statement for many complaints.

An article is a candidate for a complaint when it applies to the complaint's
product or category, or when its bigram index (see knowledge_bigram_index)
shares a 3-character piece of text with the complaint's subject and
description. Each piece is asked of the index as its two bigrams together
(``'退货' & '货发'`` for 退货发): cheap on the GIN index and close to the
3-character substring. Candidates are scored by the number of pieces they
contain, plus a bonus for the product and for the category, and the best of
each complaint are returned, best first.

No article text is read: each piece is one GIN index scan that answers
exactly, and the articles linked by product or category only are looked up
only when their bonus can bring them among the best.
"""

from odoo.tools import SQL

from .knowledge_bigram_index import _lexeme, html_to_text, normalize

# pieces of text asked of the index per complaint (subject first)
MAX_TERMS = 48
PRODUCT_SCORE = 3
CATEGORY_SCORE = 2


def text_terms(subject, description):
    """tsquery texts of the distinct 3-character pieces of letters and digits
    of the complaint's text (2-character pieces when the text has none)."""
    text = normalize(f"{subject or ''}\n{html_to_text(description)}")
    terms = {}
    for size in (3, 2):
        for i in range(len(text) - size + 1):
            piece = text[i : i + size]
            if all(char.isalnum() for char in piece):
                terms.setdefault(
                    " & ".join(_lexeme(piece[j : j + 2]) for j in range(size - 1)),
                    None,
                )
        if terms:
            break
    return list(terms)[:MAX_TERMS]


def suggestions(env, requests, limit):
    """``requests``: (key, company id, product id, category id, terms) tuples;
    returns {key: [article ids, best first]}, at most ``limit`` per key, among
    the published (live) articles of the company (access rules not applied)."""
    if not requests:
        return {}
    Article = env["crm.knowledge.article"]
    products = Article._fields["product_ids"]
    categories = Article._fields["complaint_category_ids"]
    keys, companies, product_ids, category_ids, terms = zip(
        *(
            (
                key,
                company,
                product or None,
                category or None,
                "\n".join(term_list),
            )
            for key, company, product, category, term_list in requests
        ),
        strict=True,
    )
    env.cr.execute(
        SQL(
            """
            WITH request AS (
                SELECT * FROM unnest(%(keys)s::int[], %(companies)s::int[],
                                     %(products)s::int[], %(categories)s::int[],
                                     %(terms)s::text[])
                    AS r(key, company_id, product_id, category_id, terms)
            ),
            -- one GIN index scan per piece of text: the live articles of the
            -- company containing it (the index answers exactly: no article
            -- text is read), with the columns that break ties
            text_hit AS (
                SELECT r.key, a.id, a.helpfulness, a.published_date
                  FROM request r
                 CROSS JOIN LATERAL unnest(string_to_array(r.terms, E'\n')) AS term
                 CROSS JOIN LATERAL (
                    SELECT t.id, t.helpful_count - t.not_helpful_count AS helpfulness,
                           t.published_date
                      FROM crm_knowledge_article t
                     WHERE t.search_vector @@ term::tsquery
                       -- live: published once, even while a new edit is reviewed
                       AND t.live_revision_id IS NOT NULL
                       AND t.company_id = r.company_id
                 ) a
            ),
            link AS (
                SELECT key, id, sum(score) AS score FROM (
                    SELECT r.key, p.%(p_article)s AS id, %(product_score)s AS score
                      FROM request r
                      JOIN %(p_rel)s p ON p.%(p_other)s = r.product_id
                    UNION ALL
                    SELECT r.key, c.%(c_article)s, %(category_score)s
                      FROM request r
                      JOIN %(c_rel)s c ON c.%(c_other)s = r.category_id
                ) l GROUP BY key, id
            ),
            text_scored AS (
                SELECT h.key, h.id, count(*) + coalesce(max(l.score), 0) AS score,
                       max(h.helpfulness) AS helpfulness,
                       max(h.published_date) AS published_date
                  FROM text_hit h
                  LEFT JOIN link l ON l.key = h.key AND l.id = h.id
                 GROUP BY h.key, h.id
            ),
            -- the score a candidate needs to be among the best of its complaint
            -- by text: an article linked by product or category only, with a
            -- lower score, cannot be, and is not read at all
            threshold AS (
                SELECT key, (array_agg(score ORDER BY score DESC))[%(limit)s] AS score
                  FROM text_scored GROUP BY key
            ),
            link_only AS (
                SELECT l.key, l.id, l.score,
                       a.helpful_count - a.not_helpful_count AS helpfulness,
                       a.published_date
                  FROM link l
                  JOIN request r ON r.key = l.key
                  LEFT JOIN threshold th ON th.key = l.key
                  JOIN crm_knowledge_article a
                    ON a.id = l.id AND a.live_revision_id IS NOT NULL
                   AND a.company_id = r.company_id
                 WHERE (th.score IS NULL OR l.score >= th.score)
                   AND NOT EXISTS (SELECT 1 FROM text_scored t
                                    WHERE t.key = l.key AND t.id = l.id)
            ),
            ranked AS (
                SELECT key, id,
                       row_number() OVER (
                           PARTITION BY key
                           ORDER BY score DESC, helpfulness DESC,
                                    published_date DESC NULLS LAST, id DESC
                       ) AS position
                  FROM (SELECT * FROM text_scored UNION ALL SELECT * FROM link_only) c
            )
            SELECT key, id FROM ranked WHERE position <= %(limit)s
             ORDER BY key, position
            """,
            keys=list(keys),
            companies=list(companies),
            products=list(product_ids),
            categories=list(category_ids),
            terms=list(terms),
            p_rel=SQL.identifier(products.relation),
            p_article=SQL.identifier(products.column1),
            p_other=SQL.identifier(products.column2),
            c_rel=SQL.identifier(categories.relation),
            c_article=SQL.identifier(categories.column1),
            c_other=SQL.identifier(categories.column2),
            product_score=PRODUCT_SCORE,
            category_score=CATEGORY_SCORE,
            limit=limit,
        )
    )
    result = {key: [] for key in keys}
    for key, article_id in env.cr.fetchall():
        result[key].append(article_id)
    return result
