"""The project's inventory, an asset's page and its suggestions to accept or reject."""

from collections import Counter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch, prefetch_related_objects
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST, require_safe

from glossary.choices import GlossaryStatus
from glossary.models import FormType
from glossary.queries import light_terms
from meshportal.exceptions import Conflict
from meshportal.forms import service_action, service_error_text
from meshportal.limits import BULK_ASSETS_MAX
from meshportal.markdown import render_markdown
from projects import selectors as project_selectors

from .. import selectors, services
from ..choices import AssetType, ListingStatus, SuggestionKind
from ..filters import AssetFilterSet
from ..forms import PublishForm
from ..models import AssetForm
from ..snapshots import forms_snapshot
from .helpers import INVENTORY_PAGE_SIZE, REVISION_PAGE_SIZE, _page, _permissions, _plural

ARCHIVED_CHOICES = [("false", "Current assets"), ("true", "Archived only"), ("all", "All")]


@require_safe
def inventory(request, pk):
    project = project_selectors.project_get(user=request.user, pk=pk)
    data = request.GET.copy()
    if not data.get("archived"):
        data["archived"] = "false"  # archived assets are hidden unless asked for
    # Each row says whether it is in the catalog: the listing's status and revision come
    # with the same query (a LEFT JOIN), never one query per row.
    assets = (
        selectors.asset_list(user=request.user)
        .filter(project=project)
        .annotate(
            listing_status=F("listing__status"),
            listing_revision=F("listing__revision"),
            suggestion_count=selectors.proposed_suggestion_count(),
        )
    )
    filterset = AssetFilterSet(data, queryset=assets)
    data_sources = selectors.data_source_list(user=request.user).filter(project=project)
    filtered = any(request.GET.get(k) for k in ("q", "data_source", "type")) or (
        request.GET.get("archived", "false") != "false"
    )
    return render(
        request,
        "catalog/inventory.html",
        {
            "project": project,
            "filterset": filterset,
            "page": _page(request, filterset.qs, INVENTORY_PAGE_SIZE),
            "filtered": filtered,
            "data_sources": data_sources.values_list("pk", "name"),
            "asset_types": AssetType.choices,
            "archived_choices": ARCHIVED_CHOICES,
            "selected": {
                "q": request.GET.get("q", ""),
                "data_source": request.GET.get("data_source", ""),
                "type": request.GET.get("type", ""),
                "archived": data["archived"],
            },
            "bulk_actions": services.BULK_ACTIONS,
            "bulk_max": BULK_ASSETS_MAX,
            "return_query": request.GET.urlencode(),
            **_permissions(request.user, project),
        },
    )


def _names(outcomes) -> str:
    return ", ".join(f"“{o.asset.display_name}”" for o in outcomes)


def _report_bulk(request, action, outcomes) -> None:
    """One message for what was done, one per asset that was not, saying why."""
    done = [o for o in outcomes if o.done]
    if action == "publish":
        if done:
            messages.success(
                request,
                f"Published {_plural(len(done), 'asset')}: {_names(done)}. Everyone signed in "
                "can find them in the catalog.",
            )
        for outcome in outcomes:
            if not outcome.done:
                messages.error(
                    request,
                    f"“{outcome.asset.display_name}” was not published: "
                    + " ".join(outcome.problems or [outcome.detail]),
                )
        return
    accepted = [o for o in done if o.count]
    if accepted:
        total = sum(o.count for o in accepted)
        messages.success(
            request,
            f"Accepted {_plural(total, 'suggestion')} on {_plural(len(accepted), 'asset')}: "
            f"{_names(accepted)}.",
        )
    idle = [o for o in done if not o.count]
    if idle:
        messages.info(request, f"No suggestions were left to accept on {_names(idle)}.")
    for outcome in outcomes:
        if not outcome.done:
            messages.warning(
                request, f"“{outcome.asset.display_name}”: nothing accepted. {outcome.detail}"
            )


@require_POST
def inventory_bulk(request, pk):
    """The inventory's "With selected" actions: publish, or accept suggestions, for up to
    BULK_ASSETS_MAX checked assets; back to the inventory (its filters kept) with one
    line per asset that could not be done."""
    project = project_selectors.project_get(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    try:
        outcomes = services.assets_bulk_apply(
            acting_user=request.user,
            project=project,
            asset_ids=request.POST.getlist("assets"),
            action=action,
            approval_required=request.POST.get("approval_required") == "on",
        )
    except ValidationError as error:
        messages.error(request, service_error_text(error))
    else:
        _report_bulk(request, action, outcomes)
    back = reverse("inventory", args=[project.pk])
    query = QueryDict(request.POST.get("return_query", "")[:2000]).copy()
    kept = {k: query[k] for k in ("q", "data_source", "type", "archived", "page") if query.get(k)}
    return redirect(f"{back}?{urlencode(kept)}" if kept else back)


def _publishing_status(asset, listing) -> dict:
    """What the publishing panel says: not published, published, unpublished changes
    (the asset moved on since the listing's revision), or unpublished (INACTIVE)."""
    if listing is None:
        return {"state": "none", "label": "Not published"}
    if listing.status == ListingStatus.INACTIVE:
        return {"state": "inactive", "label": "Unpublished (inactive)"}
    if listing.has_unpublished_changes(asset):
        return {
            "state": "changes",
            "label": f"Unpublished changes: revision {asset.current_revision} is newer than "
            f"the published {listing.revision}",
        }
    return {
        "state": "published",
        "label": f"Published (revision {listing.revision}, "
        f"{formats.date_format(timezone.localtime(listing.published_at), 'M j, Y H:i')})",
    }


def _asset_forms(asset) -> list:
    """The asset's forms with their fields in order (three queries)."""
    return list(AssetForm.objects.filter(asset=asset).with_fields())


def _mark_attached_terms(suggestions, asset_terms, columns_by_id) -> None:
    """``suggestion.current_terms``: the terms its table or column carries now, and
    ``already_attached`` when the suggested term is among them (set by hand since)."""
    for suggestion in suggestions:
        if suggestion.kind != SuggestionKind.GLOSSARY_TERM:
            continue
        column = columns_by_id.get(suggestion.column_id)
        current = list(column.glossary_terms.all()) if column is not None else asset_terms
        suggestion.current_terms = current
        suggestion.already_attached = any(t.pk == suggestion.glossary_term_id for t in current)


def _asset_context(request, asset, **extra) -> dict:
    """Everything the asset page shows, in a constant number of queries however many
    columns, terms, forms and revisions the asset has."""
    permissions = _permissions(request.user, asset.project)
    suggestions = list(
        selectors.suggestion_list(asset=asset).select_related(
            "glossary_term", "glossary_term__glossary"
        )
    )
    suggested = {
        p.column_id: p.value
        for p in suggestions
        if p.column_id and p.kind == SuggestionKind.BUSINESS_NAME
    }
    columns = list(asset.columns.all())
    prefetch_related_objects(
        columns,
        Prefetch(
            "glossary_terms",
            queryset=light_terms().order_by("name"),
        ),
    )
    for column in columns:
        column.suggestion = suggested.get(column.pk, "")
    asset_terms = list(light_terms(asset.glossary_terms.all()).order_by("name"))
    _mark_attached_terms(suggestions, asset_terms, {c.pk: c for c in columns})
    metadata = asset.technical_metadata or {}
    asset_forms = _asset_forms(asset)
    attached = {af.form_type_id for af in asset_forms}
    listing = selectors.listing_for_asset(asset=asset)
    context = {
        "asset": asset,
        "project": asset.project,
        "columns": columns,
        "metadata": metadata,
        "parameters": sorted((metadata.get("parameters") or {}).items()),
        "description_html": render_markdown(asset.description),
        "glossary_terms": asset_terms,
        "has_comments": any(c.source_comment for c in columns),
        "forms": forms_snapshot(asset_forms),
        "table_suggestions": [p for p in suggestions if p.column_id is None],
        "column_suggestions": [p for p in suggestions if p.column_id],
        "suggestion_count": len(suggestions),
        "page": _page(request, selectors.revision_list(asset=asset), REVISION_PAGE_SIZE),
        "listing": listing,
        "publishing": _publishing_status(asset, listing),
        **permissions,
    }
    if permissions["can_edit"]:
        context["addable_form_types"] = list(
            FormType.objects.filter(domain_id=asset.domain_id, status=GlossaryStatus.ENABLED)
            .exclude(pk__in=attached)
            .order_by("name")
        )
        context["publish_missing"] = services.publish_missing(asset)
        context.setdefault(
            "publish_form",
            PublishForm(
                initial={"approval_required": listing.approval_required if listing else True}
            ),
        )
    context.update(extra)
    return context


@require_safe
def asset_detail(request, pk):
    asset = selectors.asset_get(user=request.user, pk=pk)
    return render(request, "catalog/asset_detail.html", _asset_context(request, asset))


def _decided(suggestion, verb: str) -> str:
    target = f"column {suggestion.column.name}" if suggestion.column_id else "the table"
    if suggestion.kind == SuggestionKind.GLOSSARY_TERM:
        return f"Glossary term “{suggestion.value}” {verb} for {target}."
    return f"Business name “{suggestion.value}” {verb} for {target}."


def _decide(request, pk, service, verb: str):
    """Accept or reject one suggestion, then back to its asset with what was decided."""
    suggestion = selectors.suggestion_get(user=request.user, pk=pk)
    back = reverse("asset-detail", args=[suggestion.asset_id])
    return service_action(
        request, service, lambda _: _decided(suggestion, verb), back, suggestion=suggestion
    )


@require_POST
def suggestion_accept(request, pk):
    return _decide(request, pk, services.suggestion_accept, "accepted")


@require_POST
def suggestion_reject(request, pk):
    return _decide(request, pk, services.suggestion_reject, "rejected")


@require_POST
def asset_suggestions_accept_all(request, pk):
    asset = selectors.asset_get(user=request.user, pk=pk)
    kinds = Counter(selectors.suggestion_list(asset=asset).values_list("kind", flat=True))
    try:
        count = services.suggestions_accept_all(acting_user=request.user, asset=asset)
    except Conflict as error:
        messages.warning(request, f"Nothing was accepted: {error.message}")
        return redirect("asset-detail", pk=asset.pk)
    if count:
        asset.refresh_from_db(fields=["current_revision"])
        accepted = " and ".join(
            _plural(kinds[kind], word)
            for kind, word in (
                (SuggestionKind.BUSINESS_NAME, "business name"),
                (SuggestionKind.GLOSSARY_TERM, "glossary term"),
            )
            if kinds[kind]
        ) or _plural(count, "suggestion")
        messages.success(
            request,
            f"Accepted {accepted}; revision {asset.current_revision} records them.",
        )
    else:
        messages.info(request, "There were no suggestions left to accept.")
    return redirect("asset-detail", pk=asset.pk)


@require_POST
def asset_suggestions_reject_all(request, pk):
    asset = selectors.asset_get(user=request.user, pk=pk)
    count = services.suggestions_reject_all(acting_user=request.user, asset=asset)
    if count:
        messages.success(request, f"Rejected {_plural(count, 'suggestion')}.")
    else:
        messages.info(request, "There were no suggestions left to reject.")
    return redirect("asset-detail", pk=asset.pk)
