"""Publishing: turning an asset's current revision into a listing consumers see."""

from django.db import transaction
from django.utils import timezone

from meshportal.events import EventType, event_record
from meshportal.exceptions import Conflict, Incomplete
from projects.choices import Designation
from projects.events import ref
from projects.permissions import require_designation

from ..choices import ListingStatus
from ..models import Asset, AssetForm, Listing, ListingNameWord
from ..search import rebuild_listing_documents
from ..signals import listing_published
from ..snapshots import asset_full_snapshot


def publish_missing(asset: Asset) -> list[str]:
    """What the domain's publishing rule and the attached forms still need, in words.

    Empty when the asset may be published.
    """
    from glossary.form_values import missing_required
    from glossary.models import PublishingRule

    missing = []
    if asset.archived_at is not None:
        missing.append("The asset is archived (its table is no longer in the source).")
    asset_forms = list(AssetForm.objects.filter(asset=asset).with_fields())
    attached = {af.form_type_id for af in asset_forms}
    rule = (
        PublishingRule.objects.filter(domain_id=asset.domain_id)
        .prefetch_related("required_form_types", "required_glossary_terms")
        .first()
    )
    if rule is not None:
        for form_type in sorted(rule.required_form_types.all(), key=lambda f: f.name):
            if form_type.pk not in attached:
                missing.append(
                    f"Form \u201c{form_type.name}\u201d is required by the domain's publishing rule."
                )
        asset_terms = set(asset.glossary_terms.values_list("pk", flat=True))
        column_terms = set(
            Asset.objects.filter(pk=asset.pk).values_list("columns__glossary_terms", flat=True)
        )
        for term in sorted(rule.required_glossary_terms.all(), key=lambda t: t.name):
            if term.pk not in asset_terms | column_terms:
                missing.append(
                    f"Glossary term \u201c{term.name}\u201d is required by the domain's publishing rule."
                )
    for asset_form in sorted(asset_forms, key=lambda af: af.form_type.name):
        for label in missing_required(
            asset_form.form_type, asset_form.values, fields=asset_form.form_type.fields.all()
        ):
            missing.append(
                f"\u201c{label}\u201d in form \u201c{asset_form.form_type.name}\u201d is required."
            )
    return missing


def _publish(asset: Asset, *, acting_user, approval_required: bool) -> Listing:
    """Validate and write the listing (inside the caller's transaction)."""
    missing = publish_missing(asset)
    if missing:
        count = len(missing)
        raise Incomplete(
            f"\u201c{asset.display_name}\u201d cannot be published yet: "
            f"{count} item{'s are' if count > 1 else ' is'} missing.",
            missing,
        )
    snapshot = asset_full_snapshot(asset)
    snapshot.update(
        revision=asset.current_revision,
        project={"id": str(asset.project_id), "name": asset.project.name},
        domain={"id": str(asset.domain_id), "name": asset.project.domain.name},
    )
    now = timezone.now()
    previous = Listing.objects.filter(asset=asset).values_list("snapshot__columns", flat=True)
    previous_columns = next(iter(previous), None)
    listing, _ = Listing.objects.update_or_create(
        asset=asset,
        defaults={
            "domain_id": asset.domain_id,
            "project_id": asset.project_id,
            "revision": asset.current_revision,
            "status": ListingStatus.ACTIVE,
            "approval_required": approval_required,
            "name": asset.display_name,
            "snapshot": snapshot,
            "published_at": now,
            "published_by": acting_user,
            "unpublished_at": None,
        },
    )
    # The search document, in this transaction: the listing is findable exactly when it
    # is published. (Unpublishing leaves it: search only reads ACTIVE listings.)
    rebuild_listing_documents([listing])
    _listing_event(
        EventType.LISTING_PUBLISHED,
        listing,
        asset=asset,
        project=asset.project,
        domain=asset.project.domain,
        actor=acting_user,
        republished=previous_columns is not None,
    )
    listing_published.send(
        sender=Listing,
        listing=listing,
        previous_columns=None
        if previous_columns is None
        else [column["name"] for column in previous_columns],
    )
    return listing


@transaction.atomic
def asset_publish(*, acting_user, asset: Asset, approval_required: bool = True) -> Listing:
    """Publish the asset's current revision as its (ACTIVE) listing.

    Raises Incomplete listing exactly what the domain's rules and the asset's forms still
    need; nothing is published then. Publishing again replaces the listing's snapshot.
    """
    asset = Asset.objects.select_for_update().select_related("project__domain").get(pk=asset.pk)
    require_designation(acting_user, asset.project, Designation.CONTRIBUTOR, "publish assets")
    return _publish(asset, acting_user=acting_user, approval_required=bool(approval_required))


def publish_imported(asset: Asset, *, acting_user=None) -> list[str]:
    """Publish on import (the data source's choice): [] when published, else what is
    missing. Runs inside the import's batch transaction."""
    try:
        with transaction.atomic():
            _publish(asset, acting_user=acting_user, approval_required=True)
    except Incomplete as refused:
        return refused.missing
    return []


@transaction.atomic
def asset_unpublish(*, acting_user, asset: Asset) -> Listing:
    """Take the listing out of the catalog (INACTIVE). Existing subscriptions are not
    dropped by this; they are revoked on their own."""
    asset = Asset.objects.select_for_update().select_related("project").get(pk=asset.pk)
    require_designation(acting_user, asset.project, Designation.CONTRIBUTOR, "unpublish assets")
    if not listings_deactivate(asset_ids=[asset.pk], acting_user=acting_user):
        raise Conflict(f"\u201c{asset.display_name}\u201d is not published.")
    return Listing.objects.get(asset=asset)


def _listing_event(event_type, listing, *, asset, project, domain, actor, **extra):
    """One ``listing.*`` event (in the caller's transaction)."""
    payload = {
        "listing": ref(
            listing,
            revision=listing.revision,
            status=listing.status,
            approval_required=listing.approval_required,
        ),
        "asset": ref(
            asset, name=asset.display_name, technical_name=asset.technical_name, type=asset.type
        ),
        "producer_project": ref(project),
        "domain": ref(domain),
        **extra,
    }
    event_record(
        event_type,
        payload=payload,
        domain_id=domain.pk,
        project_ids=[project.pk],
        actor=actor,
    )


# Why a listing left the catalog (the ``cause`` of a ``listing.unpublished`` event).
UNPUBLISHED = "UNPUBLISHED"
ASSET_ARCHIVED = "ASSET_ARCHIVED"


def listings_deactivate(*, asset_ids, now=None, acting_user=None, cause: str = UNPUBLISHED) -> int:
    """The one way a listing leaves the catalog: ACTIVE → INACTIVE by compare-and-set (a
    listing already INACTIVE is left as it was), for an unpublish or for tables an import
    found gone (``cause`` ASSET_ARCHIVED). Runs in the caller's transaction; returns how
    many listings it took down, each with its ``listing.unpublished`` event."""
    now = now or timezone.now()
    # Locked first, so the listings taken down are exactly the ones reported.
    listings = list(
        Listing.objects.filter(asset_id__in=asset_ids, status=ListingStatus.ACTIVE)
        .select_for_update(of=("self",))
        .select_related("asset", "project", "domain")
        .only(
            "id", "name", "revision", "status", "approval_required", "project_id", "domain_id",
            "asset__id", "asset__business_name", "asset__technical_name", "asset__type",
            "project__id", "project__name", "domain__id", "domain__name",
        )
    )  # fmt: skip
    if not listings:
        return 0
    Listing.objects.filter(
        pk__in=[listing.pk for listing in listings], status=ListingStatus.ACTIVE
    ).update(status=ListingStatus.INACTIVE, unpublished_at=now, updated_at=now)
    # Suggestions offer only what is in the catalog (publishing writes the words again).
    ListingNameWord.objects.filter(listing__in=listings).delete()
    for listing in listings:
        listing.status = ListingStatus.INACTIVE
        _listing_event(
            EventType.LISTING_UNPUBLISHED,
            listing,
            asset=listing.asset,
            project=listing.project,
            domain=listing.domain,
            actor=acting_user,
            cause=cause,
        )
    return len(listings)
