"""The search document of a listing, and rebuilding it.

A listing's document is built from its snapshot (what consumers read) plus the current
words of the glossary terms it carries: a term renamed or given a synonym after the
listing was published is still found by its new words. The document is written with one
``UPDATE … FROM (VALUES …)`` per batch; Postgres computes the vectors, so the weights and
configurations live in one SQL expression (``DOCUMENT_VECTOR_SQL``) that the benchmark
reuses.

Weights: A = business and technical name (the identifier also split into words),
B = glossary terms with their synonyms and the names of their broader (``is_a``) terms,
column names and column business names, C = description and searchable form values,
D = column descriptions and source comments. Each weight is
``to_tsvector('english', …) || to_tsvector('simple', …)``: English stems (``genres`` finds
``genre``) and ``simple`` keeps words as written (stop words, identifiers' parts).
"""

# SQL here is assembled from constants and model table names only; every value that
# comes from a person (words, ids, filters) is a query parameter.
# ruff: noqa: S608

import html
import json
import re
from dataclasses import dataclass, field

from celery import shared_task
from django.db import connection, transaction

from ..models import Listing

# Broader terms are followed this many is_a steps up ("Genre" is a "Category" is a
# "Classification"): enough for business vocabularies, bounded for the rebuild.
PARENT_DEPTH = 3
BATCH_SIZE = 500
# A term change touching more listings than this is rebuilt by a task after commit, so a
# steward's edit does not hold a request open while thousands of documents are rebuilt.
SYNC_REBUILD_LIMIT = 2000
# to_tsvector refuses strings over 1 MB; positions stop at 16,383 anyway.
PART_LIMIT = 200_000
# ts_headline parses the whole text of each result shown: keep it short.
SNIPPET_TEXT_LIMIT = 4_000
FACET_VALUE_LIMIT = 200
# Field types whose values make useful facets (long TEXT does not).
FACET_FIELD_TYPES = {
    "STRING",
    "BOOLEAN",
    "INTEGER",
    "DECIMAL",
    "DATE",
    "EMAIL",
    "URL",
    "GLOSSARY_TERM",
}
# ts_headline marks matches with these; they never occur in stored text (stripped).
MARK_START, MARK_STOP = "\ue000", "\ue001"

CONFIGS = ("english", "simple")


def _weighted(expression: str, weight: str) -> str:
    """SQL: ``expression`` (a text) as a tsvector in both configurations, weighted."""
    both = " || ".join(f"to_tsvector('{c}', {expression})" for c in CONFIGS)
    return f"setweight({both}, '{weight}')"


def document_vector_sql(a: str, b: str, c: str, d: str) -> str:
    """SQL building the weighted search vector from four text expressions."""
    return " || ".join(_weighted(e, w) for e, w in ((a, "A"), (b, "B"), (c, "C"), (d, "D")))


def name_vector_sql(names: str) -> str:
    return " || ".join(f"to_tsvector('{c}', {names})" for c in CONFIGS)


def split_identifier(name: str) -> str:
    """``film_category`` → "film category", ``FilmCategory2024`` → "Film Category 2024"."""
    words = re.sub(r"[\W_]+", " ", name or "")
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", words)
    words = re.sub(r"(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])", " ", words)
    return " ".join(words.split())


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"\*\*|__|`+|^\s{0,3}#{1,6}\s*|^\s{0,3}>\s?", re.MULTILINE)


def plain_text(markdown_text: str) -> str:
    """Markdown as words for the index and snippets: links keep their text, emphasis and
    heading marks go. Anything else (HTML included) stays as written: snippets escape it."""
    text = _LINK.sub(r"\1", markdown_text or "")
    return " ".join(_MARKUP.sub(" ", text).split())


def _clean(text: str) -> str:
    return (text or "").replace(MARK_START, "").replace(MARK_STOP, "")


# Postgres's parser reads "category/genre", "db.table" or "a@b.c" as one token (a path, a
# host, an email) and would never find "genre" or "table" in them. People search words,
# and the query parser splits on the same characters, so the indexed text does too.
_NOT_INDEXED = re.compile(r"[^\w\s'-]+")
_JOINER = re.compile(r"(?<=\w)([/\\.@:])(?=\w)")
ZERO_WIDTH_SPACE = "\u200b"


def index_text(text: str) -> str:
    """Text as the vectors index it: punctuation other than ' and - becomes a space."""
    return _NOT_INDEXED.sub(" ", _clean(text))


def snippet_text(text: str) -> str:
    """Text for snippets: a zero-width space after "/", ".", "@" or ":" between words makes
    ts_headline see (and mark) the words the index holds, and looks the same."""
    return _JOINER.sub(r"\1" + ZERO_WIDTH_SPACE, _clean(text))


@dataclass
class TermWords:
    """A glossary term's current words: name, synonyms, broader terms' names."""

    name: str
    synonyms: list = field(default_factory=list)
    parents: list = field(default_factory=list)

    def words(self) -> list[str]:
        return [self.name, *self.synonyms, *self.parents]


@dataclass
class Document:
    """What the UPDATE writes for one listing."""

    id: str
    a: str
    b: str
    c: str
    d: str
    names: str
    text: str
    technical_name: str
    asset_type: str
    term_ids: list
    form_facets: dict

    def row(self) -> tuple:
        cut = [s[:PART_LIMIT] for s in (self.a, self.b, self.c, self.d, self.names)]
        return (
            self.id,
            *cut,
            self.text,
            self.technical_name[:255],
            self.asset_type[:16],
            self.term_ids,
            json.dumps(self.form_facets),
        )


def snapshot_term_ids(snapshot: dict) -> list[str]:
    """Ids of the terms on the asset and on any of its columns, asset's first."""
    ids = [t.get("id") for t in snapshot.get("glossary_terms") or []]
    for column in snapshot.get("columns") or []:
        ids.extend(t.get("id") for t in column.get("glossary_terms") or [])
    return list(dict.fromkeys(i for i in ids if i))


def term_words(term_ids) -> dict[str, TermWords]:
    """{term id: its current words}, with broader terms up to PARENT_DEPTH, one query."""
    from glossary.models import GlossaryTerm

    ids = [str(i) for i in term_ids]
    if not ids:
        return {}
    through = GlossaryTerm.is_a.through
    child = through._meta.get_field("from_glossaryterm").column
    parent = through._meta.get_field("to_glossaryterm").column
    edges, terms = through._meta.db_table, GlossaryTerm._meta.db_table
    sql = f"""
        WITH RECURSIVE up(term_id, ancestor_id, depth) AS (
            SELECT e.{child}, e.{parent}, 1 FROM {edges} e WHERE e.{child} = ANY(%s::uuid[])
          UNION
            SELECT up.term_id, e.{parent}, up.depth + 1
            FROM up JOIN {edges} e ON e.{child} = up.ancestor_id
            WHERE up.depth < %s
        )
        SELECT t.id::text, t.name, t.synonyms,
               ARRAY(SELECT DISTINCT p.name FROM up JOIN {terms} p ON p.id = up.ancestor_id
                     WHERE up.term_id = t.id ORDER BY p.name)
        FROM {terms} t WHERE t.id = ANY(%s::uuid[])
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids, PARENT_DEPTH, ids])
        return {
            row[0]: TermWords(row[1], list(row[2] or []), list(row[3] or []))
            for row in cursor.fetchall()
        }


def _term(ref: dict, words: dict[str, TermWords]) -> TermWords:
    # A term deleted since publishing keeps the name the snapshot recorded.
    return words.get(str(ref.get("id"))) or TermWords(ref.get("name") or "")


def listing_document(listing_id, snapshot: dict, words: dict[str, TermWords]) -> Document:
    """The search document of one listing from its snapshot and its terms' words."""
    snapshot = snapshot or {}
    technical = snapshot.get("technical_name") or ""
    business = snapshot.get("business_name") or ""
    description = plain_text(snapshot.get("description") or "")
    asset_terms = [_term(t, words) for t in snapshot.get("glossary_terms") or []]

    b_parts, d_parts, text_columns = [], [], []
    for term in asset_terms:
        b_parts.extend(term.words())
    for column in snapshot.get("columns") or []:
        name, column_business = column.get("name") or "", column.get("business_name") or ""
        b_parts.extend([name, split_identifier(name), column_business])
        column_terms = [_term(t, words) for t in column.get("glossary_terms") or []]
        for term in column_terms:
            b_parts.extend(term.words())
        column_description = plain_text(column.get("description") or "")
        d_parts.extend([column_description, column.get("source_comment") or ""])
        if column_description or column_business:
            label = f"{name} ({column_business})" if column_business else name
            text_columns.append(f"{label}: {column_description}".rstrip(": "))

    c_parts = [description, snapshot.get("database_name") or "", snapshot.get("schema_name") or ""]
    text_forms, form_facets = [], {}
    for form in snapshot.get("forms") or []:
        form_name = (form.get("form_type") or {}).get("name") or ""
        for form_field in form.get("fields") or []:
            display = str(form_field.get("display") or "").strip()
            if not form_field.get("searchable") or not display:
                continue
            label = form_field.get("label") or form_field.get("name") or ""
            c_parts.append(f"{label} {display}")
            text_forms.append(f"{label}: {display}")
            if form_field.get("type") in FACET_FIELD_TYPES:
                form_facets[f"{form_name} / {label}"] = display[:FACET_VALUE_LIMIT]

    names = [business, technical, split_identifier(technical)]
    for term in asset_terms:
        names.extend([term.name, *term.synonyms])
    text = " · ".join(
        part
        for part in (
            description,
            "Columns: " + "; ".join(text_columns) if text_columns else "",
            "; ".join(text_forms),
        )
        if part
    )
    join = " ".join
    return Document(
        id=str(listing_id),
        a=index_text(join([business, technical, split_identifier(technical)])),
        b=index_text(join(b_parts)),
        c=index_text(join(c_parts)),
        d=index_text(join(d_parts)),
        names=index_text(join(names)),
        # Escaped here: ts_headline keeps entities as they are and drops tags, so a
        # description's "<script>" reaches the snippet as text, never as markup.
        text=html.escape(snippet_text(text[:SNIPPET_TEXT_LIMIT]), quote=False),
        technical_name=technical,
        asset_type=snapshot.get("type") or "",
        term_ids=snapshot_term_ids(snapshot),
        form_facets=form_facets,
    )


UPDATE_SQL = """
    UPDATE {table} AS l SET
        search_vector = {vector},
        name_vector = {names},
        search_text = v.t,
        technical_name = v.tn,
        asset_type = v.at,
        glossary_term_ids = v.terms,
        form_facets = v.ff
    FROM (VALUES {rows}) AS v(id, a, b, c, d, n, t, tn, at, terms, ff)
    WHERE l.id = v.id
"""
_ROW = "(%s::uuid, %s::text, %s::text, %s::text, %s::text, %s::text, %s::text, %s::text, %s::text, %s::uuid[], %s::jsonb)"


def write_documents(documents: list[Document]) -> None:
    """Write the documents in one UPDATE (Postgres builds the vectors)."""
    if not documents:
        return
    sql = UPDATE_SQL.format(
        table=Listing._meta.db_table,
        vector=document_vector_sql("v.a", "v.b", "v.c", "v.d"),
        names=name_vector_sql("v.n"),
        rows=", ".join([_ROW] * len(documents)),
    )
    params = [value for document in documents for value in document.row()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    write_name_words([document.id for document in documents])


# The words of ACTIVE listings' names (catalog.models.ListingNameWord): business and
# technical name, lower-cased, split at anything not a letter or digit (film_category →
# film, category). Migration 0004 backfills with the same statement.
NAME_WORDS_SQL = """
    INSERT INTO {words} (listing_id, word, name_length, name, technical_name)
    SELECT DISTINCT l.id, left(w.word, 64), length(l.name), l.name, l.technical_name
    FROM {listings} AS l,
         regexp_split_to_table(lower(l.name || ' ' || l.technical_name), '[^[:alnum:]]+')
             AS w(word)
    WHERE l.id = ANY(%s::uuid[]) AND l.status = 'ACTIVE' AND w.word <> ''
"""


def write_name_words(listing_ids) -> None:
    """Replace these listings' name words with their current names' (two statements;
    call after their documents are written, in the same transaction)."""
    from ..models import ListingNameWord

    ids = [str(pk) for pk in listing_ids]
    if not ids:
        return
    words = ListingNameWord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {words} WHERE listing_id = ANY(%s::uuid[])", [ids])  # noqa: S608
        cursor.execute(NAME_WORDS_SQL.format(words=words, listings=Listing._meta.db_table), [ids])


def rebuild_listing_documents(listings) -> None:
    """Rebuild the documents of these (loaded) listings: 2 queries, 1 without terms.

    Call inside the transaction that wrote them (publishing does)."""
    listings = list(listings)
    words = term_words({i for listing in listings for i in snapshot_term_ids(listing.snapshot)})
    write_documents([listing_document(x.pk, x.snapshot, words) for x in listings])


def rebuild_listings(listing_ids=None, *, batch_size: int = BATCH_SIZE, progress=None) -> int:
    """Rebuild the documents of the given listings (all when None) in batches of
    ``batch_size``, each batch in its own transaction; ``progress(done, total)`` is
    called after each. Returns how many were rebuilt."""
    queryset = Listing.objects.order_by("pk")
    if listing_ids is not None:
        queryset = queryset.filter(pk__in=list(listing_ids))
    total = queryset.count()
    done, last = 0, None
    while True:
        batch = queryset.filter(pk__gt=last) if last is not None else queryset
        rows = list(batch.values_list("pk", "snapshot")[:batch_size])
        if not rows:
            break
        with transaction.atomic():
            words = term_words({i for _, snapshot in rows for i in snapshot_term_ids(snapshot)})
            write_documents([listing_document(pk, snapshot, words) for pk, snapshot in rows])
        done += len(rows)
        last = rows[-1][0]
        if progress is not None:
            progress(done, total)
    return done


def listings_carrying_terms(term_ids) -> list:
    """Ids of listings whose document holds any of these terms' words: listings carrying
    them (on the asset or a column) or a narrower term (whose document names its broader
    terms up to PARENT_DEPTH). One query."""
    from glossary.models import GlossaryTerm

    ids = [str(i) for i in term_ids]
    if not ids:
        return []
    through = GlossaryTerm.is_a.through
    child = through._meta.get_field("from_glossaryterm").column
    parent = through._meta.get_field("to_glossaryterm").column
    sql = f"""
        WITH RECURSIVE down(id, depth) AS (
            SELECT t, 0 FROM unnest(%s::uuid[]) AS t
          UNION
            SELECT e.{child}, down.depth + 1
            FROM down JOIN {through._meta.db_table} e ON e.{parent} = down.id
            WHERE down.depth < %s
        )
        SELECT l.id FROM {Listing._meta.db_table} l
        WHERE l.glossary_term_ids && ARRAY(SELECT id FROM down)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids, PARENT_DEPTH])
        return [row[0] for row in cursor.fetchall()]


@shared_task(ignore_result=True)
def rebuild_listings_task(listing_ids: list[str]) -> int:
    """Rebuild the documents of many listings after a term change (ids as strings)."""
    return rebuild_listings(listing_ids)


def on_term_words_changed(sender, term_ids, **kwargs) -> None:
    """Receiver of ``glossary.signals.term_words_changed`` (connected in CatalogConfig):
    rebuild the listings that carry the terms, in the steward's transaction — or, for
    very many, in a task once it commits."""
    ids = listings_carrying_terms(term_ids)
    if len(ids) <= SYNC_REBUILD_LIMIT:
        rebuild_listings(ids)
    else:
        chunks = [ids[i : i + 10 * BATCH_SIZE] for i in range(0, len(ids), 10 * BATCH_SIZE)]
        for chunk in chunks:
            transaction.on_commit(
                lambda chunk=chunk: rebuild_listings_task.delay([str(i) for i in chunk])
            )
