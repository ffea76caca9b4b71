"""Publishing and unpublishing, revisions, listings, the catalog and a term's assets."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from glossary import selectors as glossary_selectors
from meshportal.exceptions import Incomplete
from meshportal.forms import service_action
from meshportal.htmx import is_htmx_partial
from meshportal.markdown import render_markdown
from projects.permissions import project_designation

from .. import selectors, services
from ..choices import ListingStatus
from ..diffs import snapshot_differences
from ..forms import PublishForm
from .assets import _asset_context
from .helpers import _page


@require_POST
def asset_publish(request, pk):
    asset = selectors.asset_get(user=request.user, pk=pk)
    form = PublishForm(request.POST)
    form.is_valid()  # a checkbox: always valid, absent means "open to all"
    was = selectors.listing_for_asset(asset=asset)
    try:
        listing = services.asset_publish(
            acting_user=request.user,
            asset=asset,
            approval_required=form.cleaned_data["approval_required"],
        )
    except Incomplete as refused:
        context = _asset_context(request, asset, publish_refused=refused, publish_form=form)
        return render(request, "catalog/asset_detail.html", context, status=400)
    again = was is not None and was.status == ListingStatus.ACTIVE
    access = "approval required" if listing.approval_required else "open to all"
    messages.success(
        request,
        f"“{listing.name}” {'published again' if again else 'published'} as revision "
        f"{listing.revision} ({access}). Everyone signed in can find it in the catalog.",
    )
    return redirect("asset-detail", pk=asset.pk)


@require_POST
def asset_unpublish(request, pk):
    asset = selectors.asset_get(user=request.user, pk=pk)
    return service_action(
        request,
        services.asset_unpublish,
        lambda listing: (
            f"“{listing.name}” unpublished: it no longer appears in the catalog. "
            "Existing subscriptions are not affected."
        ),
        reverse("asset-detail", args=[asset.pk]),
        asset=asset,
    )


@require_safe
def asset_revision(request, pk, revision):
    """One revision compared with the one before it, field by field."""
    asset = selectors.asset_get(user=request.user, pk=pk)
    current = get_object_or_404(selectors.revision_list(asset=asset), revision=revision)
    previous = selectors.revision_list(asset=asset).filter(revision__lt=revision).first()
    return render(
        request,
        "catalog/asset_revision.html",
        {
            "asset": asset,
            "project": asset.project,
            "revision": current,
            "previous": previous,
            "differences": snapshot_differences(
                previous.snapshot if previous else {}, current.snapshot
            ),
            "newer": selectors.revision_list(asset=asset)
            .filter(revision__gt=revision)
            .order_by("revision")
            .values_list("revision", flat=True)
            .first(),
        },
    )


CATALOG_PAGE_SIZE = 25


@require_safe
def listing_detail(request, pk):
    listing = selectors.listing_get(user=request.user, pk=pk)
    snapshot = listing.snapshot or {}
    is_owner_team = project_designation(request.user, listing.project) is not None
    return render(
        request,
        "catalog/listing_detail.html",
        {
            "listing": listing,
            "snapshot": snapshot,
            "description_html": render_markdown(snapshot.get("description")),
            "columns": snapshot.get("columns") or [],
            "forms": snapshot.get("forms") or [],
            "glossary_terms": snapshot.get("glossary_terms") or [],
            "is_owner_team": is_owner_team,
            "unpublished_changes": is_owner_team and listing.is_behind(listing.asset),
        },
    )


@require_safe
def catalog(request):
    listings = selectors.listing_list(user=request.user).filter(status=ListingStatus.ACTIVE)
    return render(
        request,
        "catalog/catalog.html",
        {"page": _page(request, listings, CATALOG_PAGE_SIZE)},
    )


TERM_ASSET_LIMIT = 50


@require_safe
def term_assets(request, pk):
    """What carries a glossary term: inventory assets and columns the user may see, and
    published listings. A fragment for the term page (htmx), a page of its own otherwise."""
    term = get_object_or_404(
        glossary_selectors.term_list(user=request.user).prefetch_related(None), pk=pk
    )
    assets, columns = selectors.assets_carrying_term(user=request.user, term=term)
    term_ref = [{"id": str(term.pk)}]
    listings = (
        selectors.listing_list(user=request.user)
        .filter(status=ListingStatus.ACTIVE)
        .filter(
            Q(snapshot__glossary_terms__contains=term_ref)
            | Q(snapshot__columns__contains=[{"glossary_terms": term_ref}])
        )
    )
    context = {
        "term": term,
        "glossary": term.glossary,
        "assets": list(assets[:TERM_ASSET_LIMIT]),
        "asset_count": assets.count(),
        "columns": list(columns[:TERM_ASSET_LIMIT]),
        "column_count": columns.count(),
        "listings": list(listings[:TERM_ASSET_LIMIT]),
        "listing_count": listings.count(),
        "limit": TERM_ASSET_LIMIT,
    }
    template = (
        "catalog/_term_assets.html" if is_htmx_partial(request) else "catalog/term_assets.html"
    )
    return render(request, template, context)
