"""``/search/suggest/?q=…``: what the navigation search box suggests while a person types.

Listing names and glossary terms, each with the page it opens, from one SQL statement
(catalog.search.suggestions). The view is kept lean because it answers every pause in
typing: no ORM models, no template, no query beyond the statement and the sign-in's
session and user.
"""

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from ..search.suggestions import clean, suggest


@require_safe
def search_suggest(request):
    """JSON: ``{"q", "suggestions": [{kind, label, detail, url}]}``; 400 on a bad limit
    or too long a text."""
    try:
        text, limit = clean(request.GET.get("q"), request.GET.get("limit"))
    except ValidationError as error:
        return JsonResponse(error.message_dict, status=400)
    listings, terms = suggest(user=request.user, text=text, limit=limit)
    if not listings and not terms:
        return JsonResponse({"q": text, "suggestions": []})
    # One reverse per kind; the ids are UUIDs, safe in a path as they are.
    placeholder = "00000000-0000-0000-0000-000000000000"
    listing_url = reverse("listing-detail", args=[placeholder]).replace(placeholder, "{}")
    search_url = reverse("search")
    suggestions = [
        {
            "kind": "listing",
            "label": name,
            "detail": technical_name if technical_name != name else "",
            "url": listing_url.format(pk),
        }
        for pk, name, technical_name in listings
    ]
    suggestions += [
        {
            "kind": "term",
            "label": name,
            "detail": f"Glossary term · {glossary}",
            "url": f"{search_url}?{urlencode({'glossary_term': pk})}",
        }
        for pk, name, glossary in terms
    ]
    return JsonResponse({"q": text, "suggestions": suggestions})
