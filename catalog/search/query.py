"""The query language people type, and the text-search queries Postgres builds from it.

Words (all should match; a listing matching most of them still appears, lower), ``"quoted
phrases"``, ``-excluded`` words, and the last word matched as a prefix while typing.

User text never becomes SQL or tsquery syntax: the parser keeps only word characters,
each word or phrase goes to Postgres as a parameter, and Postgres itself turns it into
lexemes (``plainto_tsquery``/``phraseto_tsquery``) and combines them with tsquery
operators and two aggregates (migration 0003). The combined queries come back as
tsquery values that the search queries pass on as parameters, so the planner sees them
as constants and can use its statistics on the vectors.
"""

import re
from dataclasses import dataclass, field

from django.db import connection

MAX_QUERY_LENGTH = 512
MAX_TOKENS = 16
MIN_PREFIX_LENGTH = 2

_TOKEN = re.compile(r'"([^"]*)(?:"|$)|([^\s"]+)')
_NOT_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "prefix" (the last word, while typing), "phrase" or "exclude"
    text: str  # word characters and single spaces only, lower case


@dataclass
class ParsedQuery:
    text: str = ""
    tokens: list[Token] = field(default_factory=list)
    exact: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    had_text: bool = False

    @property
    def positive(self) -> list[Token]:
        return [t for t in self.tokens if t.kind != "exclude"]


def _words(text: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", text).split()).lower()


def parse_query(raw) -> ParsedQuery:
    """Split what a person typed into tokens; never fails, notes what it changed."""
    text = str(raw or "").replace("\x00", "")
    parsed = ParsedQuery(had_text=bool(text.strip()))
    if len(text) > MAX_QUERY_LENGTH:
        text = text[:MAX_QUERY_LENGTH]
        parsed.notes.append(f"Only the first {MAX_QUERY_LENGTH} characters were searched.")
    parsed.text = text.strip()
    if text.count('"') % 2:
        parsed.notes.append(
            "A quotation mark was not closed: the words after it were searched as a phrase."
        )
    tokens, dropped = [], []
    for match in _TOKEN.finditer(text):
        if match.group(1) is not None:
            words = _words(match.group(1))
            if words:
                tokens.append(Token("phrase" if " " in words else "word", words))
            continue
        raw_token = match.group(2)
        exclude = raw_token.startswith("-") and len(raw_token) > 1
        words = _words(raw_token[1:] if exclude else raw_token)
        if not words:
            dropped.append(raw_token)
            continue
        tokens.append(Token("exclude" if exclude else "word", words))
    if dropped:
        parsed.notes.append(
            "Ignored what is not a word: "
            + " ".join(dropped[:5])
            + (" …" if len(dropped) > 5 else "")
        )
    # The last word is still being typed unless a space (or closing quote) follows it.
    last = tokens[-1] if tokens else None
    if (
        last is not None
        and last.kind == "word"
        and text
        and not text[-1].isspace()
        and text[-1] != '"'
        and len(last.text.rsplit(" ", 1)[-1]) >= MIN_PREFIX_LENGTH
    ):
        tokens[-1] = Token("prefix", last.text)
    unique = list(dict.fromkeys(tokens))
    if len(unique) > MAX_TOKENS:
        parsed.notes.append(f"Only the first {MAX_TOKENS} words and phrases were searched.")
        unique = unique[:MAX_TOKENS]
    parsed.tokens = unique
    whole = " ".join(text.replace('"', " ").split()).lower()
    if whole and not whole.startswith("-"):
        parsed.exact = list(dict.fromkeys([whole, whole.replace(" ", "_")]))
    return parsed


@dataclass
class Prepared:
    """The tsqueries of a parsed query (as Postgres prints them) and what was ignored.

    The last word while typing is matched as a prefix in names and terms only
    (``name_vector``: compact, so a prefix scan is cheap) and as a whole word everywhere
    (a prefix scan over every document's words costs ten times a word's at a million
    listings): "warehou" finds "Warehouse stock levels", "status" finds every listing
    that says status, and names starting with it."""

    match: str  # whole words, in search_vector: any word, every phrase, no excluded word
    every: str  # every word and phrase, whole (and no excluded word)
    any: str  # any word or phrase, the last word as a prefix: names, ranking, snippets
    required: str  # every phrase and no excluded word ('' when none): with ``any``
    each: str  # tsquery[] literal, one per word or phrase (prefix): how many match
    count: int  # how many words and phrases are searched
    has_prefix: bool  # the last word is matched as a prefix (in names and terms)
    ignored: list[str]  # common words left out (stop words are searched only alone)

    @property
    def searchable(self) -> bool:
        return bool(self.match)


# Each token becomes a tsquery in both configurations, English (stemmed forms) or simple
# (words as written), once when both agree. A token whose English query is empty is a
# stop word: searched only when the query has nothing else. A prefix appends ":*" to the
# lexemes Postgres produced (never to user text), through the simple configuration so an
# English stem is not stemmed twice.
PREPARE_SQL = """
WITH t AS (
    SELECT u.ord, u.kind, u.txt
    FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS u(kind, txt, ord)
), parsed AS (
    SELECT t.ord, t.kind, t.txt,
        CASE WHEN t.kind = 'phrase' THEN phraseto_tsquery('english', t.txt)
             ELSE plainto_tsquery('english', t.txt) END AS e,
        CASE WHEN t.kind = 'phrase' THEN phraseto_tsquery('simple', t.txt)
             ELSE plainto_tsquery('simple', t.txt) END AS s
    FROM t
), q AS (
    SELECT ord, kind, txt, numnode(e) = 0 AS stop,
        CASE WHEN numnode(e) = 0 THEN s WHEN e::text = s::text THEN e ELSE e || s END AS qe,
        CASE WHEN kind <> 'prefix' OR numnode(s) = 0 THEN NULL
             WHEN numnode(e) = 0 OR e::text = s::text
                 THEN to_tsquery('simple', s::text || ':*')
             ELSE to_tsquery('simple', e::text || ':*') || to_tsquery('simple', s::text || ':*')
        END AS qp
    FROM parsed
), pos AS (
    SELECT ord, kind, qe, COALESCE(qp, qe) AS qf, qp IS NOT NULL AS prefixed FROM q
    WHERE kind <> 'exclude' AND numnode(qe) > 0
      AND (NOT stop OR NOT EXISTS (
          SELECT 1 FROM q AS o WHERE o.kind <> 'exclude' AND NOT o.stop AND numnode(o.qe) > 0))
), neg AS (
    SELECT ord, qe FROM q WHERE kind = 'exclude' AND NOT stop AND numnode(qe) > 0
), parts AS (
    SELECT
        (SELECT catalog_tsquery_or(qe ORDER BY ord) FROM pos WHERE kind <> 'phrase') AS q_words,
        (SELECT catalog_tsquery_and(qe ORDER BY ord) FROM pos WHERE kind = 'phrase') AS q_phrases,
        (SELECT catalog_tsquery_and(qe ORDER BY ord) FROM pos) AS q_every,
        (SELECT catalog_tsquery_or(qf ORDER BY ord) FROM pos) AS q_any,
        (SELECT !! catalog_tsquery_or(qe ORDER BY ord) FROM neg) AS q_not,
        (SELECT array_agg(qf ORDER BY ord) FROM pos) AS q_each,
        (SELECT count(*) FROM pos) AS n,
        (SELECT bool_or(prefixed) FROM pos) AS prefixed,
        (SELECT array_agg(ord ORDER BY ord) FROM q
         WHERE ord NOT IN (SELECT ord FROM pos) AND ord NOT IN (SELECT ord FROM neg)) AS ignored
    FROM (SELECT 1) AS one
)
SELECT
    ((COALESCE(q_words, ''::tsquery) && COALESCE(q_phrases, ''::tsquery))
        && COALESCE(q_not, ''::tsquery))::text,
    (COALESCE(q_every, ''::tsquery) && COALESCE(q_not, ''::tsquery))::text,
    COALESCE(q_any, ''::tsquery)::text,
    (COALESCE(q_phrases, ''::tsquery) && COALESCE(q_not, ''::tsquery))::text,
    COALESCE(q_each, ARRAY[]::tsquery[])::text,
    n,
    COALESCE(prefixed, false),
    COALESCE(ignored, ARRAY[]::bigint[])
FROM parts
"""


def prepare(parsed: ParsedQuery) -> Prepared:
    """One query: the tsqueries of the parsed tokens."""
    kinds = [t.kind for t in parsed.tokens]
    texts = [t.text for t in parsed.tokens]
    with connection.cursor() as cursor:
        cursor.execute(PREPARE_SQL, [kinds, texts])
        match, every, any_, required, each, count, prefixed, ignored = cursor.fetchone()
    return Prepared(
        match=match or "",
        every=every or "",
        any=any_ or "",
        required=required or "",
        each=each,
        count=int(count or 0),
        has_prefix=bool(prefixed),
        ignored=[parsed.tokens[i - 1].text for i in ignored],
    )
