"""Bulk actions of the inventory: publish the chosen assets, or accept their suggestions.

Each asset goes through the same service as on its own page (``asset_publish``,
``suggestions_accept_all``) in its own transaction, so one asset that a publishing rule
refuses does not undo the others; the outcome of every asset is reported.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from meshportal.exceptions import Conflict, Incomplete
from meshportal.limits import BULK_ASSETS_MAX, check_count
from projects.choices import Designation
from projects.permissions import require_designation

from ..models import Asset
from .assets import suggestions_accept_all
from .listings import asset_publish

__all__ = ["BULK_ACTIONS", "BulkOutcome", "assets_bulk_apply"]

PUBLISH, ACCEPT_SUGGESTIONS = "publish", "accept_suggestions"
BULK_ACTIONS = {PUBLISH: "Publish", ACCEPT_SUGGESTIONS: "Accept suggestions"}


@dataclass
class BulkOutcome:
    """What happened to one asset: ``done`` (published; or suggestions accepted, ``count``
    of them), or why not (``detail``, and ``problems``: each missing item)."""

    asset: Asset
    done: bool
    detail: str = ""
    problems: list[str] = field(default_factory=list)
    count: int = 0


def _clean_ids(asset_ids) -> list[str]:
    ids = list(dict.fromkeys(str(pk) for pk in asset_ids or []))
    if not ids:
        raise ValidationError({"assets": ["Select at least one asset."]})
    check_count(ids, BULK_ASSETS_MAX, "assets", "assets at once")
    return ids


def _publish_one(acting_user, asset, approval_required) -> BulkOutcome:
    try:
        listing = asset_publish(
            acting_user=acting_user, asset=asset, approval_required=approval_required
        )
    except Incomplete as refused:
        return BulkOutcome(asset, False, refused.message, list(refused.missing))
    return BulkOutcome(asset, True, f"revision {listing.revision}")


def _accept_one(acting_user, asset) -> BulkOutcome:
    try:
        count = suggestions_accept_all(acting_user=acting_user, asset=asset)
    except Conflict as error:
        return BulkOutcome(asset, False, error.message, [error.message])
    asset.refresh_from_db(fields=["business_name", "current_revision"])  # named as it is now
    return BulkOutcome(asset, True, count=count)


def assets_bulk_apply(
    *, acting_user, project, asset_ids, action: str, approval_required: bool = True
) -> list[BulkOutcome]:
    """Apply ``action`` (``publish`` or ``accept_suggestions``) to the project's assets
    named by ``asset_ids`` (at most BULK_ASSETS_MAX), one transaction per asset, in the
    inventory's order. Ids of assets outside the project are refused as a whole (400):
    the page only offers the project's own. Not atomic on purpose: an asset refused by
    the publishing rule is reported, the others are published."""
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": [f"Choose one of: {', '.join(BULK_ACTIONS)}."]})
    ids = _clean_ids(asset_ids)
    require_designation(acting_user, project, Designation.CONTRIBUTOR, "change assets")
    try:
        assets = list(
            Asset.objects.filter(project=project, pk__in=ids)
            .select_related("project", "project__domain")
            .order_by("technical_name", "pk")
        )
    except ValidationError as error:  # a malformed id
        raise ValidationError({"assets": ["Select assets of this project."]}) from error
    if len(assets) != len(ids):
        raise ValidationError({"assets": ["Select assets of this project."]})
    outcomes = []
    for asset in assets:
        if action == PUBLISH:
            outcomes.append(_publish_one(acting_user, asset, bool(approval_required)))
        else:
            outcomes.append(_accept_one(acting_user, asset))
    return outcomes
