"""Articles to suggest for complaints, in one statement for many complaints.

An article is a candidate for a complaint when it applies to the complaint's
product or category, or when its bigram index (see knowledge_bigram_index)
shares a 3-character piece of text with the complaint's subject and
description. Each piece is asked of the index as its two bigrams together
(``'退货' & '货发'`` for 退货发): cheap on the GIN index and close to the
3-character substring. Candidates are scored by the number of pieces they
contain, plus a bonus for the product and for the category, and the best of
each complaint are returned, best first.

Pruned the classic way, so that the cost does not grow with the articles:
only the rarest pieces of the complaint are asked, and no common one
(found in more than COMMON_FREQUENCY of the articles) beyond the MIN_TERMS
rarest: the frequencies of the common bigrams come from the statistics of
the index column (pg_stats' ``most_common_elems``, kept by ANALYZE; a bigram
not among them is rare). A specific word of the complaint then counts, not
the words every article shares. Each piece brings at most MAX_TERM_HITS
articles, and of the articles linked by product or
category only those that can reach the best are looked up: the best
``limit`` with the product, with the category and with both (any other one
scores no more than these and comes after them).
"""

from odoo.tools import SQL

from .knowledge_bigram_index import html_to_text, normalize

# pieces of text kept per complaint (the rarest; subject first among equals)
MAX_TERMS = 8
# a piece of text found in more articles than this share is common: it is
# asked only when it is among the MIN_TERMS rarest of the complaint
COMMON_FREQUENCY = 0.05
MIN_TERMS = 4
# pieces of text considered per complaint (a long description has many)
MAX_PIECES = 200
# articles one piece of text brings at most
MAX_TERM_HITS = 200
PRODUCT_SCORE = 3
CATEGORY_SCORE = 2


def text_terms(subject, description):
    """The distinct 3-character pieces of letters and digits of the
    complaint's text (2-character pieces when the text has none), in order."""
    text = normalize(f"{subject or ''}\n{html_to_text(description)}")
    terms = {}
    for size in (3, 2):
        for i in range(len(text) - size + 1):
            piece = text[i : i + size]
            if all(char.isalnum() for char in piece):
                terms.setdefault(piece, None)
        if terms:
            break
    return list(terms)[:MAX_PIECES]


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
            -- how common each bigram of the index is (only the common ones
            -- are listed; the three values after them are not lexemes')
            frequency AS (
                SELECT f.lexeme, f.frequency
                  FROM pg_stats s
                 CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[],
                                           s.most_common_elem_freqs)
                       AS f(lexeme, frequency)
                 WHERE s.schemaname = current_schema()
                   AND s.tablename = %(table)s
                   AND s.attname = 'search_vector'
                   AND f.lexeme IS NOT NULL
            ),
            piece AS (
                SELECT r.key, r.company_id, p.piece, p.position,
                       -- a piece is as rare as its rarer bigram
                       least(coalesce((SELECT f.frequency FROM frequency f
                                        WHERE f.lexeme = substr(p.piece, 1, 2)), 0),
                             CASE WHEN length(p.piece) = 3 THEN
                                 coalesce((SELECT f.frequency FROM frequency f
                                            WHERE f.lexeme = substr(p.piece, 2, 2)), 0)
                             END) AS frequency
                  FROM request r
                 CROSS JOIN LATERAL unnest(string_to_array(r.terms, E'\n'))
                       WITH ORDINALITY AS p(piece, position)
            ),
            rare_piece AS (
                SELECT key, company_id,
                       -- letters and digits only: quote_literal is the lexeme
                       (quote_literal(substr(piece, 1, 2))
                        || CASE WHEN length(piece) = 3
                                THEN ' & ' || quote_literal(substr(piece, 2, 2))
                                ELSE '' END)::tsquery AS query
                  FROM (SELECT *, row_number() OVER (
                                  PARTITION BY key ORDER BY frequency, position
                              ) AS rank
                          FROM piece) ranked
                 WHERE rank <= %(max_terms)s
                   AND (frequency <= %(common)s OR rank <= %(min_terms)s)
            ),
            -- one GIN index scan per piece of text: the ids of the live
            -- articles containing it (the index answers exactly, no article
            -- text is read)
            text_score AS (
                SELECT p.key, a.id, count(*) AS score
                  FROM rare_piece p
                 CROSS JOIN LATERAL (
                    SELECT t.id FROM crm_knowledge_article t
                     WHERE t.search_vector @@ p.query
                       AND t.live_revision_id IS NOT NULL
                       AND t.company_id = p.company_id
                     LIMIT %(max_term_hits)s
                 ) a
                 GROUP BY p.key, a.id
            ),
            -- the best live articles with the product, the category, both
            linked AS (
                SELECT r.key, l.id
                  FROM request r
                 CROSS JOIN LATERAL (
                    SELECT a.id FROM crm_knowledge_article a
                     WHERE a.live_revision_id IS NOT NULL
                       AND a.company_id = r.company_id
                       AND (r.product_id IS NULL OR a.id IN (
                            SELECT p.%(p_article)s FROM %(p_rel)s p
                             WHERE p.%(p_other)s = r.product_id))
                       AND (r.category_id IS NULL OR a.id IN (
                            SELECT c.%(c_article)s FROM %(c_rel)s c
                             WHERE c.%(c_other)s = r.category_id))
                       AND (r.product_id IS NOT NULL OR r.category_id IS NOT NULL)
                     ORDER BY a.helpful_count - a.not_helpful_count DESC,
                              a.published_date DESC NULLS LAST, a.id DESC
                     LIMIT %(limit)s
                 ) l
                UNION
                SELECT r.key, l.id
                  FROM request r
                 CROSS JOIN LATERAL (
                    SELECT a.id FROM crm_knowledge_article a
                      JOIN %(p_rel)s p ON p.%(p_article)s = a.id
                     WHERE p.%(p_other)s = r.product_id
                       AND a.live_revision_id IS NOT NULL
                       AND a.company_id = r.company_id
                     ORDER BY a.helpful_count - a.not_helpful_count DESC,
                              a.published_date DESC NULLS LAST, a.id DESC
                     LIMIT %(limit)s
                 ) l
                UNION
                SELECT r.key, l.id
                  FROM request r
                 CROSS JOIN LATERAL (
                    SELECT a.id FROM crm_knowledge_article a
                      JOIN %(c_rel)s c ON c.%(c_article)s = a.id
                     WHERE c.%(c_other)s = r.category_id
                       AND a.live_revision_id IS NOT NULL
                       AND a.company_id = r.company_id
                     ORDER BY a.helpful_count - a.not_helpful_count DESC,
                              a.published_date DESC NULLS LAST, a.id DESC
                     LIMIT %(limit)s
                 ) l
            ),
            candidate AS (
                SELECT key, id FROM text_score UNION SELECT key, id FROM linked
            ),
            ranked AS (
                SELECT c.key, c.id,
                       row_number() OVER (
                           PARTITION BY c.key
                           ORDER BY coalesce(s.score, 0)
                                    + CASE WHEN EXISTS (
                                          SELECT 1 FROM %(p_rel)s p
                                           WHERE p.%(p_article)s = c.id
                                             AND p.%(p_other)s = r.product_id)
                                      THEN %(product_score)s ELSE 0 END
                                    + CASE WHEN EXISTS (
                                          SELECT 1 FROM %(c_rel)s cc
                                           WHERE cc.%(c_article)s = c.id
                                             AND cc.%(c_other)s = r.category_id)
                                      THEN %(category_score)s ELSE 0 END DESC,
                                    a.helpful_count - a.not_helpful_count DESC,
                                    a.published_date DESC NULLS LAST, a.id DESC
                       ) AS position
                  FROM candidate c
                  JOIN request r ON r.key = c.key
                  LEFT JOIN text_score s ON s.key = c.key AND s.id = c.id
                  -- live: published once, even while a new edit is reviewed
                  JOIN crm_knowledge_article a
                    ON a.id = c.id AND a.live_revision_id IS NOT NULL
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
            table=Article._table,
            max_terms=MAX_TERMS,
            common=COMMON_FREQUENCY,
            min_terms=MIN_TERMS,
            max_term_hits=MAX_TERM_HITS,
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
