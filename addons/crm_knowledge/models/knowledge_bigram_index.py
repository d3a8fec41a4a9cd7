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


# Occurrence levels: a second generated tsvector, ``search_levels``, holds
# "bigram, newline, level" for every level of LEVELS up to the number of
# times the bigram occurs in the text (newline: normalized text has none),
# and "bigram, newline, t" for the bigrams of the title. A text holding a
# query n times holds each of its bigrams at least n times, so its GIN index
# finds the articles whose title may hold the query, and those that may hold
# it at least 3, 6, 12, ... times, without reading any text (see
# restrict_to_first_page). It is a column of its own so that the bigram
# column stays small: the searches that read it row by row do not grow.
# Few bigrams occur often: the high levels cost little room.
LEVELS = (48, 32, 24, 16, 12, 6, 3)
TITLE_MARK = "t"
FUNCTIONS = ("crm_knowledge_bigrams", "crm_knowledge_bigram_levels")

# the text cut into its bigrams (see create_index), as an SQL expression
_BIGRAMS = r"""array_remove(
    string_to_array(regexp_replace(t, '(..)', '\1' || chr(10), 'g'), chr(10))
    || string_to_array(
        regexp_replace(substr(t, 2), '(..)', '\1' || chr(10), 'g'), chr(10)
    ),
    ''
)"""


def create_index(cr, table):
    """The bigram functions, the generated tsvector columns and their GIN
    indexes.

    The bigram function cuts the text into the pairs of characters at even
    offsets, then at odd offsets (a newline after each pair: normalized text
    has no newline), so that every substr(t, i, 2) is a lexeme, the last
    character alone included; C functions only, no per-character SQL (a
    generate_series of substr decompresses the text once per character).
    The level function counts the same bigrams (see LEVELS)."""
    cr.execute(
        SQL(
            """
            CREATE OR REPLACE FUNCTION crm_knowledge_bigrams(t text)
            RETURNS tsvector LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
                SELECT array_to_tsvector(%s)
            $$
            """,
            SQL(_BIGRAMS),
        )
    )
    cr.execute(
        SQL(
            r"""
            CREATE OR REPLACE FUNCTION crm_knowledge_bigram_levels(
                t text, title text
            )
            RETURNS tsvector LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
                SELECT array_to_tsvector(coalesce(array_agg(lexeme), '{}')) FROM (
                    SELECT s.bigram || chr(10) || l.level AS lexeme
                      FROM (SELECT bigram, count(*) AS occurrences
                              FROM unnest(%s) AS bigram
                             GROUP BY bigram
                            HAVING count(*) >= %s) s
                      JOIN unnest(%s::int[]) AS l(level)
                        ON l.level <= s.occurrences
                    UNION ALL
                    -- the title as the ranking reads it (see title_hit_sql)
                    SELECT bigram || chr(10) || %s
                      FROM (SELECT lower(regexp_replace(title, '\s+', ' ', 'g'))
                                   AS t) n,
                           unnest(%s) AS bigram
                ) x
            $$
            """,
            SQL(_BIGRAMS),
            min(LEVELS),
            list(LEVELS),
            TITLE_MARK,
            SQL(_BIGRAMS),
        )
    )
    for column, function, arguments in (
        ("search_vector", FUNCTIONS[0], "coalesce(search_text, '')"),
        (
            "search_levels",
            FUNCTIONS[1],
            "coalesce(search_text, ''), coalesce(name, '')",
        ),
    ):
        cr.execute(
            SQL(
                "ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s tsvector "
                "GENERATED ALWAYS AS (%s(%s)) STORED",
                SQL.identifier(table),
                SQL.identifier(column),
                SQL.identifier(function),
                SQL(arguments),
            )
        )
        cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS %s ON %s USING gin (%s)",
                SQL.identifier(f"{table}_{column}_idx"),
                SQL.identifier(table),
                SQL.identifier(column),
            )
        )
    # lz4 decompresses the text several times faster than the default pglz:
    # a search reads the text of the hits it ranks; metadata only, values
    # written from now on use it
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


def drop_function(cr):
    for function in FUNCTIONS:
        cr.execute(SQL("DROP FUNCTION IF EXISTS %s CASCADE", SQL.identifier(function)))


def _bigrams(query):
    return list(dict.fromkeys(query[i : i + 2] for i in range(len(query) - 1)))[
        :MAX_QUERY_BIGRAMS
    ]


def level_tsquery(query, level):
    """tsquery text of the texts that may hold the normalized ``query`` (two
    characters or more) at least ``level`` times (one of LEVELS): each of its
    bigrams occurs at least that often; with ``level`` TITLE_MARK, of the
    titles that may hold it."""
    return " & ".join(_lexeme(f"{bigram}\n{level}") for bigram in _bigrams(query))


def match_sql(alias, query):
    """Condition on the row ``alias`` (of a table with the bigram index):
    its search_text contains the normalized, non-empty ``query``."""
    condition = SQL(
        "%s @@ %s::tsquery", SQL.identifier(alias, "search_vector"), tsquery(query)
    )
    if len(query) <= 2:
        return condition
    return SQL(
        "%s AND %s LIKE %s ESCAPE '\\'",
        condition,
        SQL.identifier(alias, "search_text"),
        like_pattern(query),
    )


def title_hit_sql(alias, query):
    """Condition: the title of ``alias`` contains ``query`` (whitespace
    normalized only when the query holds some)."""
    name = SQL.identifier(alias, "name")
    title = (
        SQL("lower(regexp_replace(%s, '\\s+', ' ', 'g'))", name)
        if " " in query
        else SQL("lower(%s)", name)
    )
    return SQL("position(%s in %s) > 0", query, title)


def occurrences_sql(alias, query):
    """How many times the search_text of ``alias`` holds ``query`` (octet_length:
    the size of a value, without counting its characters)."""
    text = SQL.identifier(alias, "search_text")
    return SQL(
        "(octet_length(%s) - octet_length(replace(%s, %s, ''))) / %s",
        text,
        text,
        query,
        len(query.encode()),
    )


def rank_order_sql(text_alias, alias, query):
    """ORDER BY of the articles ``alias`` found for the normalized, non-empty
    ``query`` in the text of ``text_alias`` (the article, or the revision a
    reader reads): title hits first, then body relevance (how often the text
    contains the query), then helpfulness (helpful minus not helpful votes),
    then the most recently published."""

    def column(name):
        return SQL.identifier(alias, name)

    return SQL(
        "%s DESC, %s DESC, %s - %s DESC, %s DESC NULLS LAST, %s DESC",
        title_hit_sql(text_alias, query),
        occurrences_sql(text_alias, query),
        column("helpful_count"),
        column("not_helpful_count"),
        column("published_date"),
        column("id"),
    )


def restrict_to_first_page(cr, query, text_alias, text_table, search, size):
    """Restrict ``query`` (the hits of the normalized text ``search``, ordered
    by rank_order_sql) to rows that can reach its first ``size`` rows, so that
    ranking reads the text of those only, not of every hit.

    The first page holds the title hits first: when at least ``size`` hits have
    the query in their title, only those compete; otherwise all title hits
    are on the page and the other hits compete for the rest. Among the
    competitors, the page goes to those holding the query most often: at the
    highest level L (see LEVELS) at which at least as many competitors as
    places hold the query L times or more, every competitor holding it fewer
    times is beaten, so only those found at level L by the index are kept.
    Each restriction is checked on the query itself (its other conditions and
    record rules may drop rows): it is kept only when at least ``size`` rows
    are left. Without such a level nothing is restricted (every hit is
    ranked)."""
    if len(search) < 2:
        return
    table = SQL.identifier(text_table)
    title = title_hit_sql(text_table, search)
    occurrences = occurrences_sql(text_table, search)

    def ids(*conditions):
        cr.execute(
            SQL("SELECT id FROM %s WHERE %s", table, SQL(" AND ").join(conditions))
        )
        return [row[0] for row in cr.fetchall()]

    def restricted(candidate_ids):
        return SQL("%s = ANY(%s)", SQL.identifier(text_alias, "id"), candidate_ids)

    def enough(candidate_ids):
        if len(candidate_ids) < size:
            return False
        where = [query.where_clause] if query.where_clause.code else []
        cr.execute(
            SQL(
                "SELECT count(*) FROM %s WHERE %s",
                query.from_clause,
                SQL(" AND ").join([*where, restricted(candidate_ids)]),
            )
        )
        return cr.fetchone()[0] >= size

    def leveled(level, competitors):
        return ids(
            SQL("search_levels @@ %s::tsquery", level_tsquery(search, level)),
            competitors,
            SQL("%s >= %s", occurrences, level),
        )

    # the rows whose title holds the query (found by the index, checked on
    # the title only): a superset of the title hits
    title_ids = ids(
        SQL("search_levels @@ %s::tsquery", level_tsquery(search, TITLE_MARK)),
        title,
    )
    attempts = []
    if len(title_ids) >= size:
        attempts += [(level, title, []) for level in LEVELS]
    attempts += [(level, SQL("NOT (%s)", title), title_ids) for level in LEVELS]
    for level, competitors, kept in attempts:
        candidate_ids = kept + leveled(level, competitors)
        if enough(candidate_ids):
            query.add_where(restricted(candidate_ids))
            return
