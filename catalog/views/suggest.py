"""``/search/suggest/?q=…``: what the navigation search box suggests while a person types.

Listing names (every word typed is a prefix of a word of the name: its business or
technical name) and glossary terms, each with the page it opens. Small and bounded at
every step, so it keeps up with typing at a million listings: the longest typed word is
looked up as a prefix in the B-tree of name words (``ListingNameWord``), a range walk
that stops after ``CANDIDATES`` entries however common the word (a GIN index would first
collect every listing with such a word); the candidates must also have the other typed
words, and are then ordered shortest name first.
"""

import re

from django.db import connection
from django.http import JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from glossary.models import ATTACHABLE_TERMS, GlossaryTerm

from ..models import ListingNameWord

MAX_QUERY, MAX_WORDS, DEFAULT_LIMIT, MAX_LIMIT, CANDIDATES = 100, 5, 8, 20, 200
WALK_WITH_OTHER_WORDS = 1_000  # name words read for the longest word when there are others


def _listings(words: list[str], limit: int) -> list[dict]:
    """Listings whose name has a word starting with each of ``words`` (letters and
    digits only, so nothing in them is a LIKE or regular-expression operator). One
    index-only query: the longest word walks its prefix's range, at most ``CANDIDATES``
    entries (``WALK_WITH_OTHER_WORDS`` when other words must match too, checked on the
    names the index carries)."""
    table = connection.ops.quote_name(ListingNameWord._meta.db_table)
    driver, *others = sorted(set(words), key=len, reverse=True)
    # With other words the walk is longer (still bounded) and starts from the longest
    # names: a name that holds several typed words is a long one, and the shortest names
    # with a common word would use up the walk without ever holding the others.
    order = "w.word DESC, w.name_length DESC" if others else "w.word, w.name_length"
    also = "".join(" AND lower(c.name || ' ' || c.technical_name) ~ %s" for _ in others)
    sql = (
        "SELECT c.listing_id, c.name, c.technical_name FROM ("  # noqa: S608 (model table)
        "  SELECT w.listing_id, w.name, w.technical_name, w.name_length"
        f"   FROM {table} w WHERE w.word LIKE %s"
        f"   ORDER BY {order}"
        "   LIMIT %s"
        f") AS c WHERE true{also}"
        " GROUP BY c.listing_id, c.name, c.technical_name, c.name_length"
        " ORDER BY c.name_length, lower(c.name) LIMIT %s"
    )
    walk = WALK_WITH_OTHER_WORDS if others else CANDIDATES
    params = [f"{driver}%", walk, *(f"(^|[^[:alnum:]]){word}" for word in others), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        {
            "kind": "listing",
            "label": name,
            "detail": technical_name if technical_name != name else "",
            "url": reverse("listing-detail", args=[pk]),
        }
        for pk, name, technical_name in rows
    ]


def _terms(text: str, limit: int) -> list[dict]:
    terms = (
        GlossaryTerm.objects.filter(ATTACHABLE_TERMS, name__icontains=text)
        .select_related("glossary")
        .only("id", "name", "glossary__name")
        .order_by("name")[:limit]
    )
    return [
        {
            "kind": "term",
            "label": term.name,
            "detail": f"Glossary term · {term.glossary.name}",
            "url": reverse("search") + "?" + urlencode({"glossary_term": term.pk}),
        }
        for term in terms
    ]


@require_safe
def search_suggest(request):
    """JSON: ``{"q", "suggestions": [{kind, label, detail, url}]}``; 400 on a bad limit."""
    text = " ".join((request.GET.get("q") or "").split())
    raw_limit = request.GET.get("limit") or str(DEFAULT_LIMIT)
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        return JsonResponse({"limit": [f"Give a number from 1 to {MAX_LIMIT}."]}, status=400)
    if len(text) > MAX_QUERY:
        return JsonResponse({"q": [f"Use at most {MAX_QUERY} characters."]}, status=400)
    limit = int(raw_limit)
    # Words as the name words are stored: letters and digits (film_cat → film, cat).
    words = [w[:64] for w in re.findall(r"[^\W_]+", text.lower())[:MAX_WORDS]]
    if not words or len(text) < 2:
        return JsonResponse({"q": text, "suggestions": []})
    terms = _terms(text, max(1, limit // 3))
    listings = _listings(words, limit - len(terms))
    return JsonResponse({"q": text, "suggestions": listings + terms})
