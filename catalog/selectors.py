"""Reads of the catalog app, narrowed to what the user may see.

Data sources, runs and inventory assets are visible to the owning project's members and
to the stewards and owners of its domain (the project's own visibility rule).
"""

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from glossary.choices import FieldType
from glossary.models import ATTACHABLE_TERMS, GlossaryTerm
from glossary.queries import light_terms
from projects.selectors import member_projects, visible_projects

from .choices import ListingStatus, RunStatus, SuggestionStatus
from .models import (
    Asset,
    AssetColumn,
    AssetForm,
    AssetRevision,
    DataSource,
    DataSourceRun,
    Listing,
    RunActivity,
    Suggestion,
)
from .snapshots import forms_snapshot


def data_source_list(*, user) -> QuerySet[DataSource]:
    return (
        DataSource.objects.filter(project__in=visible_projects(user=user))
        .select_related("project", "project__domain", "environment", "environment__profile")
        .annotate(asset_count=Count("assets", filter=Q(assets__archived_at__isnull=True)))
        .order_by("project__name", "name")
    )


def data_source_get(*, user, pk) -> DataSource:
    return get_object_or_404(data_source_list(user=user).select_related("created_by"), pk=pk)


def latest_runs(data_sources) -> dict:
    """The newest run of each data source, in one query (for list pages)."""
    ids = [ds.pk for ds in data_sources]
    runs = (
        DataSourceRun.objects.filter(data_source_id__in=ids)
        .order_by("data_source_id", "-created_at")
        .distinct("data_source_id")
    )
    return {run.data_source_id: run for run in runs}


def run_list(*, user) -> QuerySet[DataSourceRun]:
    return (
        DataSourceRun.objects.filter(data_source__project__in=visible_projects(user=user))
        .select_related("data_source", "data_source__project", "requested_by")
        .order_by("-created_at")
    )


def run_get(*, user, pk) -> DataSourceRun:
    return get_object_or_404(run_list(user=user), pk=pk)


def active_run(*, data_source) -> DataSourceRun | None:
    return data_source.runs.filter(status__in=RunStatus.active()).first()


def activity_list(*, run) -> QuerySet[RunActivity]:
    return run.activities.select_related("asset").order_by("id")


def asset_list(*, user) -> QuerySet[Asset]:
    return (
        Asset.objects.filter(project__in=visible_projects(user=user))
        .select_related("project", "project__domain", "data_source")
        .annotate(column_count=Count("columns"))
        .order_by("technical_name", "pk")
    )


def asset_get(*, user, pk) -> Asset:
    return get_object_or_404(
        Asset.objects.filter(project__in=visible_projects(user=user))
        .select_related("project", "project__domain", "data_source", "data_source__environment")
        .prefetch_related(
            Prefetch("columns", queryset=AssetColumn.objects.order_by("position")),
        ),
        pk=pk,
    )


def revision_list(*, asset) -> QuerySet[AssetRevision]:
    return asset.revisions.select_related("created_by").order_by("-revision")


def suggestion_list(
    *, asset, status: str | None = SuggestionStatus.PROPOSED
) -> QuerySet[Suggestion]:
    # The asset's own suggestion first, then its columns in order.
    suggestions = asset.suggestions.select_related("column").order_by(
        F("column__position").asc(nulls_first=True), "kind", "created_at"
    )
    return suggestions.filter(status=status) if status else suggestions


def proposed_suggestion_count():
    """An annotation: how many suggestions of the asset wait for a decision (a subquery,
    so it adds no join to the inventory's column count and no query per row)."""
    return Coalesce(
        Subquery(
            Suggestion.objects.filter(asset=OuterRef("pk"), status=SuggestionStatus.PROPOSED)
            .order_by()
            .values("asset")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


def suggestion_get(*, user, pk) -> Suggestion:
    return get_object_or_404(
        Suggestion.objects.filter(asset__project__in=visible_projects(user=user)).select_related(
            "asset", "asset__project", "column"
        ),
        pk=pk,
    )


def listing_list(*, user) -> QuerySet[Listing]:
    """ACTIVE listings for every signed-in user; INACTIVE ones only for members of the
    owning project."""
    if not user.is_authenticated:
        return Listing.objects.none()
    return (
        Listing.objects.filter(
            Q(status=ListingStatus.ACTIVE) | Q(project__in=member_projects(user=user))
        )
        .select_related("project", "domain", "asset")
        .order_by("-published_at")
    )


def listing_get(*, user, pk) -> Listing:
    return get_object_or_404(listing_list(user=user).select_related("published_by"), pk=pk)


def publisher_get(*, user, pk):
    """A project as the publisher of listings, with its owners as contacts.

    Anyone who may see one of its listings (every signed-in user, for an ACTIVE one) may
    learn whom to ask about it; any other project is a 404, as for its members' pages.
    """
    from projects.choices import Designation
    from projects.models import Project, ProjectMembership

    projects = Project.objects.filter(
        Q(pk__in=listing_list(user=user).values("project_id"))
        | Q(pk__in=visible_projects(user=user).values("pk"))
    ).select_related("domain")
    owners = Prefetch(
        "memberships",
        queryset=ProjectMembership.objects.filter(designation=Designation.OWNER)
        .select_related("user")
        .order_by("group", "user__username"),
        to_attr="owners",
    )
    return get_object_or_404(projects.prefetch_related(owners), pk=pk)


def listing_for_asset(*, asset) -> Listing | None:
    return Listing.objects.filter(asset=asset).first()


def assets_carrying_term(*, user, term):
    """(assets, columns) visible to the user that carry the term, for the term page."""
    assets = asset_list(user=user).filter(glossary_terms=term)
    columns = (
        AssetColumn.objects.filter(
            glossary_terms=term, asset__project__in=visible_projects(user=user)
        )
        .select_related("asset", "asset__project")
        .order_by("asset__technical_name", "position")
    )
    return assets, columns


def editable_forms(asset) -> list[dict]:
    """The asset's forms as forms_snapshot reads them, with what a person filling them
    needs besides: each field's help text and the glossary a term field draws from, and
    whether the values were filled under the form type's current revision. Three queries
    at most, for any number of forms and fields."""
    asset_forms = list(AssetForm.objects.filter(asset=asset).with_fields())
    forms = forms_snapshot(asset_forms)
    for data, asset_form in zip(forms, asset_forms, strict=True):
        form_type = asset_form.form_type
        data["form_type"]["revision"] = form_type.revision
        data["is_current"] = asset_form.form_revision == form_type.revision
        by_name = {f.name: f for f in form_type.fields.all()}
        for field in data["fields"]:
            source = by_name.get(field["name"])
            field["help_text"] = source.help_text if source else ""
            field["glossary"] = source.glossary_id if source else None
    return forms


def term_field_choices(form_fields, values) -> dict:
    """Per GLOSSARY_TERM field: the enabled terms of its glossary (one query for all),
    plus the current value if it has been disabled since (so it shows, and saving says
    why it no longer fits)."""
    term_fields = [f for f in form_fields if f.type == FieldType.GLOSSARY_TERM]
    if not term_fields:
        return {}
    current = {str(values.get(f.name)) for f in term_fields if values.get(f.name)}
    # Only names and the glossary's state: a domain may hold many terms with long texts.
    terms = light_terms(
        GlossaryTerm.objects.filter(
            (ATTACHABLE_TERMS & Q(glossary_id__in={f.glossary_id for f in term_fields}))
            | Q(pk__in=[v for v in current if is_uuid(v)])
        )
    )
    choices = {}
    for field in term_fields:
        options = [("", "Choose a term…")]
        for term in sorted(terms, key=lambda t: t.name.lower()):
            if term.glossary_id == field.glossary_id and term.is_attachable:
                options.append((str(term.pk), term.name))
            elif str(term.pk) == str(values.get(field.name)):
                options.append((str(term.pk), f"{term.name} ({term.glossary.name}, disabled)"))
        choices[field.pk] = options
    return choices


def is_uuid(value) -> bool:
    """Whether a submitted value can be a primary key (else it is a name, or junk)."""
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
