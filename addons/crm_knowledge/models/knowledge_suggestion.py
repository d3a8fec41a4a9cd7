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
    keys, companies, product_ids, category_ids, any_terms, terms = zip(
        *(
            (
                key,
                company,
                product or None,
                category or None,
                # NULL, not an empty tsquery, when the text gives no piece
                " | ".join(f"({term})" for term in term_list) or None,
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
                                     %(any_terms)s::text[], %(terms)s::text[])
                    AS r(key, company_id, product_id, category_id, any_terms, terms)
            )
            SELECT r.key, s.id
              FROM request r
             CROSS JOIN LATERAL (
                SELECT a.id, a.helpful_count - a.not_helpful_count AS helpfulness,
                       a.published_date, score.value AS score
                  FROM crm_knowledge_article a
                 CROSS JOIN LATERAL (SELECT
                       (SELECT count(*)
                          FROM unnest(string_to_array(r.terms, E'\\n')) AS term
                         WHERE a.search_vector @@ term::tsquery)
                     + CASE WHEN EXISTS (
                           SELECT 1 FROM %(p_rel)s p
                            WHERE p.%(p_article)s = a.id
                              AND p.%(p_other)s = r.product_id)
                       THEN %(product_score)s ELSE 0 END
                     + CASE WHEN EXISTS (
                           SELECT 1 FROM %(c_rel)s c
                            WHERE c.%(c_article)s = a.id
                              AND c.%(c_other)s = r.category_id)
                       THEN %(category_score)s ELSE 0 END AS value
                 ) score
                 -- live: published once, even while a new edit is reviewed
                 WHERE a.live_revision_id IS NOT NULL AND a.company_id = r.company_id
                   AND a.id IN (
                        SELECT t.id FROM crm_knowledge_article t
                         WHERE t.search_vector @@ r.any_terms::tsquery
                        UNION
                        SELECT p.%(p_article)s FROM %(p_rel)s p
                         WHERE p.%(p_other)s = r.product_id
                        UNION
                        SELECT c.%(c_article)s FROM %(c_rel)s c
                         WHERE c.%(c_other)s = r.category_id
                   )
                 ORDER BY score.value DESC, helpfulness DESC,
                          a.published_date DESC NULLS LAST, a.id DESC
                 LIMIT %(limit)s
             ) s
             ORDER BY r.key, s.score DESC, s.helpfulness DESC,
                      s.published_date DESC NULLS LAST, s.id DESC
            """,
            keys=list(keys),
            companies=list(companies),
            products=list(product_ids),
            categories=list(category_ids),
            any_terms=list(any_terms),
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
