"""``/search/suggest/?q=…``: what the navigation search box suggests while a person types.

Listing names (every word typed is a prefix of a word of the name, through the compact
``name_vector`` GIN index) and glossary terms, each with the page it opens. Small and
bounded at every step, so it keeps up with typing at a million listings: the index
hands over at most ``CANDIDATES`` rows, which are then ordered shortest-name first.
"""

import re

from django.db import connection
from django.http import JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from glossary.models import ATTACHABLE_TERMS, GlossaryTerm

from ..choices import ListingStatus
from ..models import Listing

MAX_QUERY, MAX_WORDS, DEFAULT_LIMIT, MAX_LIMIT, CANDIDATES = 100, 5, 8, 20, 200


def _prefix_query(words: list[str]) -> str:
    # Words are \w+ only (no tsquery syntax); each is quoted and matched as a prefix.
    return " & ".join(f"'{word}':*" for word in words)


def _listings(words: list[str], limit: int) -> list[dict]:
    table = connection.ops.quote_name(Listing._meta.db_table)
    sql = (
        "SELECT id, name, technical_name FROM ("  # noqa: S608 (table name from the model)
        f"  SELECT id, name, technical_name FROM {table}"
        "   WHERE status = %s AND name_vector @@ to_tsquery('simple', %s) LIMIT %s"
        ") AS candidates ORDER BY length(name), lower(name) LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ListingStatus.ACTIVE, _prefix_query(words), CANDIDATES, limit])
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
    words = re.findall(r"\w+", text.lower())[:MAX_WORDS]
    if not words or len(text) < 2:
        return JsonResponse({"q": text, "suggestions": []})
    terms = _terms(text, max(1, limit // 3))
    listings = _listings(words, limit - len(terms))
    return JsonResponse({"q": text, "suggestions": listings + terms})
