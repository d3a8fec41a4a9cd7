"""Substring search for Chinese (and any other) text with a bigram index.

PostgreSQL's pg_trgm gives no trigram for a 2-character query and none at all
for Chinese under the C collation Odoo creates databases with. Instead, every
article's normalized text (``search_text``) is cut into overlapping character
bigrams, plus its last character alone, held in a generated ``tsvector``
column with a GIN index (the approach of Lucene's CJK analyzer and pg_bigm).

A query of two or more characters becomes the AND of its bigrams; a
1-character query becomes a prefix match (every character of a text starts a
bigram, or is the last character). For a query of one or two characters the
index answers exactly (a text contains 退货 if and only if 退货 is one of its
bigrams), so no article text is read. For a longer query the index only
narrows the candidates: a ``LIKE`` on ``search_text`` of the candidates then
keeps exactly the texts that contain the query. Either way the hit set is the
substring match, never a different answer.
"""

import re

from lxml import html as lxml_html

from odoo.tools import SQL

# Enough bigrams to make the index selective; the LIKE recheck keeps the
# answer exact, so a huge query only costs its LIKE, never a huge tsquery.
MAX_QUERY_BIGRAMS = 32

_BLOCK_END = re.compile(
    r"<br\s*/?>|</(?:p|div|li|ul|ol|h[1-6]|tr|td|th|blockquote|pre|table)\s*>",
    re.IGNORECASE,
)


def normalize(text):
    """Lower case, every run of whitespace (full-width included) as one space."""
    return " ".join((text or "").lower().split())


def html_to_text(body):
    """Plain text of an HTML body: inline tags join their text (办理<b>退货</b>
    reads 办理退货), block ends and line breaks separate it."""
    if not body:
        return ""
    body = _BLOCK_END.sub("\n", str(body))
    return lxml_html.fromstring(f"<div>{body}</div>").text_content()


def _lexeme(text):
    # tsquery syntax: a quoted lexeme doubles its quotes and backslashes
    return "'{}'".format(text.replace("\\", "\\\\").replace("'", "''"))


def tsquery(query):
    """tsquery text of a normalized, non-empty query."""
    if len(query) == 1:
        return _lexeme(query) + ":*"
    bigrams = dict.fromkeys(query[i : i + 2] for i in range(len(query) - 1))
    return " & ".join(_lexeme(b) for b in list(bigrams)[:MAX_QUERY_BIGRAMS])


def like_pattern(query):
    """LIKE pattern (escape character backslash) that takes % and _ literally."""
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matching_ids_sql(table, query):
    """Subquery of the ids of ``table`` whose search_text contains the
    normalized, non-empty ``query``."""
    if len(query) <= 2:
        # exact on the index alone (see the module's docstring)
        return SQL(
            "(SELECT id FROM %s WHERE search_vector @@ %s::tsquery)",
            SQL.identifier(table),
            tsquery(query),
        )
    return SQL(
        "(SELECT id FROM %s WHERE search_vector @@ %s::tsquery "
        "AND search_text LIKE %s ESCAPE '\\')",
        SQL.identifier(table),
        tsquery(query),
        like_pattern(query),
    )


def create_index(cr, table):
    """The bigram function, the generated tsvector column and its GIN index.

    The function cuts the text into the pairs of characters at even offsets,
    then at odd offsets (a newline after each pair: normalized text has no
    newline), so that every substr(t, i, 2) is a lexeme, the last character
    alone included; C functions only, no per-character SQL (a
    generate_series of substr decompresses the text once per character)."""
    cr.execute(
        SQL(
            r"""
            CREATE OR REPLACE FUNCTION crm_knowledge_bigrams(t text)
            RETURNS tsvector LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
                SELECT array_to_tsvector(array_remove(
                    string_to_array(
                        regexp_replace(t, '(..)', '\1' || chr(10), 'g'), chr(10)
                    ) || string_to_array(
                        regexp_replace(substr(t, 2), '(..)', '\1' || chr(10), 'g'),
                        chr(10)
                    ),
                    ''
                ))
            $$
            """
        )
    )
    cr.execute(
        SQL(
            "ALTER TABLE %s ADD COLUMN IF NOT EXISTS search_vector tsvector "
            "GENERATED ALWAYS AS (crm_knowledge_bigrams(coalesce(search_text, ''))) "
            "STORED",
            SQL.identifier(table),
        )
    )
    # lz4 decompresses the text several times faster than the default pglz:
    # a search reads the text of every hit (recheck, ranking); metadata only,
    # values written from now on use it
    cr.execute(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
        "WHERE name = 'default_toast_compression'"
    )
    row = cr.fetchone()
    if row and row[0]:
        cr.execute(
            SQL(
                "ALTER TABLE %s ALTER COLUMN search_text SET COMPRESSION lz4",
                SQL.identifier(table),
            )
        )
    cr.execute(
        SQL(
            "CREATE INDEX IF NOT EXISTS %s ON %s USING gin (search_vector)",
            SQL.identifier(f"{table}_search_vector_idx"),
            SQL.identifier(table),
        )
    )


def drop_function(cr):
    cr.execute(SQL("DROP FUNCTION IF EXISTS crm_knowledge_bigrams(text) CASCADE"))


def rank_order_sql(alias, query):
    """ORDER BY of the articles found for the normalized, non-empty ``query``:
    title hits first, then body relevance (how often the text contains the
    query), then helpfulness (helpful minus not helpful votes), then the most
    recently published."""

    def column(name):
        return SQL.identifier(alias, name)

    # the title as normalized: whitespace matters only to a query holding some
    title = (
        SQL("lower(regexp_replace(%s, '\\s+', ' ', 'g'))", column("name"))
        if " " in query
        else SQL("lower(%s)", column("name"))
    )
    return SQL(
        "position(%(query)s in %(title)s) > 0 "
        # octet_length: the size of a value, without counting its characters
        "DESC, (octet_length(%(text)s) - octet_length(replace(%(text)s, %(query)s, "
        "''))) / %(length)s DESC, %(helpful)s - %(not_helpful)s DESC, "
        "%(published)s DESC NULLS LAST, %(id)s DESC",
        query=query,
        title=title,
        text=column("search_text"),
        length=len(query.encode()),
        helpful=column("helpful_count"),
        not_helpful=column("not_helpful_count"),
        published=column("published_date"),
        id=column("id"),
    )
