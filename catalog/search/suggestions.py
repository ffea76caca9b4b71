"""What the navigation search box suggests while a person types: listing names and
glossary terms, in one SQL statement (one round trip) that stays small at a million
listings.

Listings: every typed word must be a prefix of a word of the name (business or technical
name), read from the B-tree of name words (``catalog.models.ListingNameWord``), which
carries the names, so no listing row is read.

- One word: its prefix range is walked in index order, ``WALK_ONE`` entries at most
  however common the word, and those names are ordered shortest first.
- Several words: each word's range is counted, up to ``COUNT_BOUND`` entries (a bounded
  index-only count). The rarest word drives: its range is walked, ``COUNT_BOUND`` entries
  at most, and each name is checked for the other words. When the rarest word has fewer
  than ``COUNT_BOUND`` entries, the walk reads all of them, so the answer is exact
  ("customer sukosota" finds the few listings with both however common "customer" is).
  Only when every word is that common is the walk a sample, of ``SAMPLE`` entries: it
  starts from the longest names, which hold the most words and so most likely the others
  (the shortest names of a common word seldom hold a second one).

Terms: enabled terms of enabled glossaries whose name contains the typed text.

Who sees what is the catalog search's rule (catalog.search.engine.search_listings):
ACTIVE listings, the same for every signed-in user; the name words exist only for ACTIVE
listings.
"""

import re

from django.core.exceptions import ValidationError
from django.db import connection

from glossary.choices import GlossaryStatus
from glossary.models import Glossary, GlossaryTerm

from ..models import ListingNameWord

MAX_QUERY, MAX_WORDS, MAX_WORD, DEFAULT_LIMIT, MAX_LIMIT = 100, 5, 64, 8, 20
MIN_TEXT = 2
WALK_ONE = 200  # name-word entries read for a single typed word
COUNT_BOUND = 2_000  # entries counted per word, and walked for the rarest, with several
SAMPLE = 500  # entries walked for the rarest word when every word has COUNT_BOUND or more

# Words as the name words are stored: runs of letters and digits (film_cat → film, cat),
# so nothing in them is a LIKE or regular-expression operator.
_WORD = re.compile(r"[^\W_]+")


def typed_words(text: str) -> list[str]:
    """The distinct words of ``text`` as name words are stored, longest first (the tie
    break when several are as common), at most ``MAX_WORDS`` of ``MAX_WORD`` letters."""
    words = [w[:MAX_WORD] for w in _WORD.findall(text.lower())[:MAX_WORDS]]
    return sorted(dict.fromkeys(words), key=len, reverse=True)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _listings_sql(words: list[str]) -> tuple[str, list]:
    """The listings part: (SQL, parameters) selecting (id, name, technical name)."""
    table = connection.ops.quote_name(ListingNameWord._meta.db_table)
    columns = "listing_id, name, technical_name, name_length"
    if len(words) == 1:
        sql = (
            f"SELECT {columns} FROM {table}"  # noqa: S608 (model table, no user text)
            " WHERE word LIKE %s ORDER BY word, name_length LIMIT %s"
        )
        return sql, [f"{words[0]}%", WALK_ONE]
    counts = ", ".join(
        f"({i}, (SELECT count(*) FROM (SELECT FROM {table}"  # noqa: S608 (no user text)
        " WHERE word LIKE %s LIMIT %s) AS r))"
        for i in range(len(words))
    )
    # One branch per word; only the driver's runs (its condition is a one-time filter).
    # Backwards: longest names first (see the module docstring); complete when counted
    # below the bound.
    walks = " UNION ALL ".join(
        f"(SELECT {columns} FROM {table} WHERE word LIKE %s"  # noqa: S608 (no user text)
        f" AND (SELECT i FROM driver) = {i}"
        " ORDER BY word DESC, name_length DESC LIMIT (SELECT walk FROM driver))"
        for i in range(len(words))
    )
    others = " AND ".join(
        f"((SELECT i FROM driver) = {i} OR w.text ~ %s)"  # noqa: S608 (no user text)
        for i in range(len(words))
    )
    # MATERIALIZED: each name is lower-cased once, not once for each other word.
    sql = (
        f"WITH typed(i, n) AS (VALUES {counts}),"  # noqa: S608 (no user text)
        " driver AS (SELECT i, CASE WHEN n < %s THEN n ELSE %s END AS walk"
        "  FROM typed ORDER BY n, i LIMIT 1),"
        f" walked AS MATERIALIZED (SELECT {columns}, lower(name || ' ' || technical_name)"
        f"  AS text FROM ({walks}) AS d)"
        f" SELECT {columns} FROM walked AS w WHERE {others}"
    )
    params = [value for word in words for value in (f"{word}%", COUNT_BOUND)]
    params += [COUNT_BOUND, SAMPLE]
    params += [f"{word}%" for word in words]
    params += [f"(^|[^[:alnum:]]){word}" for word in words]
    return sql, params


def _statement(text: str, words: list[str], limit: int, term_limit: int) -> tuple[str, list]:
    """Listings (at most ``limit``, shortest names first, one row each) and terms (at
    most ``term_limit``, by name) in one statement: (kind, id, label, detail) rows."""
    walked, params = _listings_sql(words)
    terms, glossaries = GlossaryTerm._meta.db_table, Glossary._meta.db_table
    # UNION ALL keeps no order of its own: each part numbers its rows.
    sql = (
        "SELECT kind, id, label, detail FROM ("  # noqa: S608 (model tables, no user text)
        " (SELECT 'listing' AS kind, c.listing_id::text AS id, c.name AS label,"
        "   c.technical_name AS detail,"
        "   row_number() OVER (ORDER BY c.name_length, lower(c.name)) AS position"
        f"  FROM ({walked}) AS c"
        "  GROUP BY c.listing_id, c.name, c.technical_name, c.name_length"
        "  ORDER BY c.name_length, lower(c.name) LIMIT %s)"
        " UNION ALL"
        " (SELECT 'term', t.id::text, t.name, g.name, row_number() OVER (ORDER BY t.name)"
        f"  FROM {terms} AS t JOIN {glossaries} AS g ON g.id = t.glossary_id"
        "  WHERE t.status = %s AND g.status = %s AND t.name ILIKE %s"
        "  ORDER BY t.name LIMIT %s)"
        ") AS s ORDER BY kind, position"
    )
    enabled = GlossaryStatus.ENABLED.value
    params += [limit, enabled, enabled, f"%{_like_escape(text)}%", term_limit]
    return sql, params


def clean(raw_text, raw_limit) -> tuple[str, int]:
    """The typed text (spaces collapsed) and the limit; ValidationError keyed by field."""
    text = " ".join(str(raw_text or "").split())
    raw_limit = str(raw_limit or DEFAULT_LIMIT)
    # isascii: "²" is a digit to isdigit() but not to int().
    if not (raw_limit.isascii() and raw_limit.isdigit()) or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise ValidationError({"limit": [f"Give a number from 1 to {MAX_LIMIT}."]})
    if len(text) > MAX_QUERY:
        raise ValidationError({"q": [f"Use at most {MAX_QUERY} characters."]})
    return text, int(raw_limit)


def suggest(*, user, text: str, limit: int) -> tuple[list[tuple], list[tuple]]:
    """Listings ``(id, name, technical_name)`` and terms ``(id, name, glossary name)``
    for what was typed, together at most ``limit`` (about a third of them terms); both
    empty for fewer than ``MIN_TEXT`` characters or no word. At most one query."""
    if not user.is_authenticated:
        raise ValidationError("Sign in to search the catalog.")
    words = typed_words(text)
    if not words or len(text) < MIN_TEXT:
        return [], []
    term_limit = max(1, limit // 3)
    sql, params = _statement(text, words, limit, term_limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    terms = [row[1:] for row in rows if row[0] == "term"]
    listings = [row[1:] for row in rows if row[0] == "listing"]
    return listings[: limit - len(terms)], terms
