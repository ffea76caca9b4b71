"""Template tags of the subscriptions pages, and the places other pages show
subscriptions: the listing page's Subscribe panel, the marks on search results and the
project page's "Data this project uses" section."""

from django import template

from .. import selectors
from ..forms import SubscribeForm

register = template.Library()


@register.inclusion_tag("subscriptions/_listing_panel.html", takes_context=True)
def listing_subscription_panel(context, listing):
    """On a listing page: the state for each of the user's projects (pending request,
    subscription) and, for the projects that may still ask, the Subscribe form."""
    user = context["request"].user
    states = selectors.listing_states(user=user, listings=[listing]).get(listing.pk, [])
    busy = {state.project_id for state in states}
    projects = selectors.requestable_projects(user=user, listing=listing).exclude(pk__in=busy)
    any_project = projects.exists()
    return {
        "listing": listing,
        "states": states,
        "form": SubscribeForm(projects=projects) if any_project else None,
        "has_projects": any_project or bool(states),
        "csrf_token": context.get("csrf_token"),
        "user": user,
    }


@register.simple_tag(takes_context=True)
def project_consumption(context, project) -> dict:
    """The project page's "Data this project uses" section:
    ``{% project_consumption project as consumption %}`` in
    subscriptions/_project_consumption.html, which projects/project_detail.html includes.

    The projects app knows nothing of subscriptions (apps depend leftwards only), so the
    subscriptions app reads its part of that page itself, as the catalog does for data
    sources (``project_catalog``)."""
    return selectors.project_consumption(user=context["request"].user, project=project)


@register.simple_tag(takes_context=True)
def subscribed_listing_ids(context, hits):
    """The ids (as text, as search hits carry them) among ``hits`` that a project of the
    user subscribes to (one query, none when there are no listing hits)."""
    ids = [str(hit.pk) for hit in hits if getattr(hit, "kind", "listing") == "listing"]
    found = selectors.subscribed_listing_ids(user=context["request"].user, listing_ids=ids)
    return {str(pk) for pk in found}


@register.filter
def get_count(counts, key) -> int:
    """``{{ subscription_counts|get_count:"to_decide" }}`` (0 when absent)."""
    try:
        return counts.get(key, 0) or 0
    except AttributeError:
        return 0
