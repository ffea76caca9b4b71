"""The page a listing's "Owning project" links to: who publishes it and whom to ask."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import selectors
from ..choices import ListingStatus


@require_safe
def publisher_detail(request, pk):
    project = selectors.publisher_get(user=request.user, pk=pk)
    listings = (
        selectors.listing_list(user=request.user)
        .filter(project=project, status=ListingStatus.ACTIVE)
        .only("id", "name", "published_at", "project_id", "domain_id", "asset_id")[:50]
    )
    return render(
        request,
        "catalog/publisher_detail.html",
        {"project": project, "owners": project.owners, "listings": listings},
    )
