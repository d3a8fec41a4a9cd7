"""Articles to suggest for complaints, in one statement for many complaints.

An article is a candidate for a complaint when it applies to the complaint's
product or category, or when its bigram index (see knowledge_bigram_index)
shares a 3-character piece of text with the complaint's subject and
description. Each piece is asked of the index as its two bigrams together
(``'退货' & '货发'`` for 退货发): cheap on the GIN index and close to the
3-character substring. Candidates are scored by the number of pieces they
contain, plus a bonus for the product and for the category, and the best of
each complaint are returned, best first.
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
            -- one GIN index scan per piece of text: the ids of the live
            -- articles containing it (the index answers exactly, no article
            -- text is read)
            text_hit AS (
                SELECT r.key, a.id, 1 AS score
                  FROM request r
                 CROSS JOIN LATERAL unnest(string_to_array(r.terms, E'\n')) AS term
                 CROSS JOIN LATERAL (
                    SELECT t.id FROM crm_knowledge_article t
                     WHERE t.search_vector @@ term::tsquery
                       AND t.live_revision_id IS NOT NULL
                       AND t.company_id = r.company_id
                 ) a
            ),
            link_hit AS (
                SELECT r.key, p.%(p_article)s AS id, %(product_score)s AS score
                  FROM request r
                  JOIN %(p_rel)s p ON p.%(p_other)s = r.product_id
                UNION ALL
                SELECT r.key, c.%(c_article)s, %(category_score)s
                  FROM request r
                  JOIN %(c_rel)s c ON c.%(c_other)s = r.category_id
            ),
            scored AS (
                SELECT h.key, h.id, sum(h.score) AS score
                  FROM (SELECT * FROM text_hit UNION ALL SELECT * FROM link_hit) h
                 GROUP BY h.key, h.id
            ),
            ranked AS (
                SELECT s.key, s.id,
                       row_number() OVER (
                           PARTITION BY s.key
                           ORDER BY s.score DESC,
                                    a.helpful_count - a.not_helpful_count DESC,
                                    a.published_date DESC NULLS LAST, a.id DESC
                       ) AS position
                  FROM scored s
                  JOIN request r ON r.key = s.key
                  -- live: published once, even while a new edit is reviewed
                  JOIN crm_knowledge_article a
                    ON a.id = s.id AND a.live_revision_id IS NOT NULL
                   AND a.company_id = r.company_id
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
