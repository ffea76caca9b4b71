"""Writes about inventory assets: revisions, suggestions, business metadata."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from glossary.models import GlossaryTerm
from glossary.queries import TERM_HEAVY_FIELDS, light_terms
from meshportal.exceptions import Conflict, NestedValidationError
from meshportal.limits import (
    COLUMNS_PER_UPDATE_MAX,
    TERMS_PER_TARGET_MAX,
    check_count,
    clean_description,
)
from meshportal.services import reject_unknown_fields
from projects.choices import Designation
from projects.permissions import require_designation

from ..choices import RevisionReason, SuggestionKind, SuggestionStatus
from ..models import Asset, AssetRevision, Suggestion
from ..snapshots import asset_full_snapshot

# --- Revisions and suggestions ------------------------------------------------------------


def asset_write_revision(
    *, asset: Asset, acting_user, reason: str, changes: list[str]
) -> AssetRevision:
    """Bump the asset's revision and store a full snapshot (call inside a transaction)."""
    Asset.objects.filter(pk=asset.pk).update(
        current_revision=F("current_revision") + 1, updated_at=timezone.now()
    )
    asset.refresh_from_db(fields=["current_revision", "updated_at"])
    return AssetRevision.objects.create(
        asset=asset,
        revision=asset.current_revision,
        reason=reason,
        snapshot=asset_full_snapshot(asset),
        changes=changes,
        created_by=acting_user,
    )


def _lock_asset(asset_id) -> Asset:
    return Asset.objects.select_for_update().select_related("project").get(pk=asset_id)


def _apply_suggestion(suggestion: Suggestion, acting_user, now) -> str:
    if suggestion.kind == SuggestionKind.GLOSSARY_TERM:
        change = _apply_term_suggestion(suggestion)
    elif suggestion.column_id:
        column = suggestion.column
        column.business_name = suggestion.value
        column.save(update_fields=["business_name"])
        change = f"Column {column.name} business name set to \u201c{suggestion.value}\u201d"
    else:
        Asset.objects.filter(pk=suggestion.asset_id).update(business_name=suggestion.value)
        suggestion.asset.business_name = suggestion.value
        change = f"Business name set to \u201c{suggestion.value}\u201d"
    suggestion.status = SuggestionStatus.ACCEPTED
    suggestion.decided_by = acting_user
    suggestion.decided_at = now
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return change


@transaction.atomic
def suggestion_accept(*, acting_user, suggestion: Suggestion) -> Suggestion:
    """Accept one suggestion: set the business name and write a revision."""
    asset = _lock_asset(suggestion.asset_id)
    require_designation(acting_user, asset.project, Designation.CONTRIBUTOR, "accept suggestions")
    suggestion = Suggestion.objects.select_related(
        "column", "glossary_term", "glossary_term__glossary"
    ).get(pk=suggestion.pk)
    if suggestion.status != SuggestionStatus.PROPOSED:
        raise Conflict(f"This suggestion was already {suggestion.get_status_display().lower()}.")
    suggestion.asset = asset
    change = _apply_suggestion(suggestion, acting_user, timezone.now())
    asset_write_revision(
        asset=asset, acting_user=acting_user, reason=RevisionReason.SUGGESTION, changes=[change]
    )
    return suggestion


@transaction.atomic
def suggestion_reject(*, acting_user, suggestion: Suggestion) -> Suggestion:
    asset = _lock_asset(suggestion.asset_id)
    require_designation(acting_user, asset.project, Designation.CONTRIBUTOR, "reject suggestions")
    moved = Suggestion.objects.filter(pk=suggestion.pk, status=SuggestionStatus.PROPOSED).update(
        status=SuggestionStatus.REJECTED,
        decided_by=acting_user,
        decided_at=timezone.now(),
        updated_at=timezone.now(),
    )
    suggestion.refresh_from_db()
    if not moved:
        raise Conflict(f"This suggestion was already {suggestion.get_status_display().lower()}.")
    return suggestion


@transaction.atomic
def suggestions_accept_all(*, acting_user, asset: Asset) -> int:
    """Accept every PROPOSED business name of the asset in one revision."""
    asset = _lock_asset(asset.pk)
    require_designation(acting_user, asset.project, Designation.CONTRIBUTOR, "accept suggestions")
    proposed = list(
        asset.suggestions.filter(status=SuggestionStatus.PROPOSED)
        .select_related("column", "glossary_term", "glossary_term__glossary")
        .order_by(F("column__position").asc(nulls_first=True), "kind")
    )
    if not proposed:
        return 0
    now = timezone.now()
    changes = []
    for suggestion in proposed:
        suggestion.asset = asset
        changes.append(_apply_suggestion(suggestion, acting_user, now))
    asset_write_revision(
        asset=asset, acting_user=acting_user, reason=RevisionReason.SUGGESTION, changes=changes
    )
    return len(proposed)


@transaction.atomic
def suggestions_reject_all(*, acting_user, asset: Asset) -> int:
    asset = _lock_asset(asset.pk)
    require_designation(acting_user, asset.project, Designation.CONTRIBUTOR, "reject suggestions")
    return asset.suggestions.filter(status=SuggestionStatus.PROPOSED).update(
        status=SuggestionStatus.REJECTED,
        decided_by=acting_user,
        decided_at=timezone.now(),
        updated_at=timezone.now(),
    )


# --- Glossary-term suggestions ----------------------------------------------------------


def _apply_term_suggestion(suggestion: Suggestion) -> str:
    term = suggestion.glossary_term
    if not term.is_attachable:
        raise Conflict(
            f"Term '{term.name}' is disabled (or its glossary is); it cannot be attached."
        )
    if suggestion.column_id:
        suggestion.column.glossary_terms.add(term)
        return f"Column {suggestion.column.name}: glossary term \u201c{term.name}\u201d added"
    suggestion.asset.glossary_terms.add(term)
    return f"Glossary term \u201c{term.name}\u201d added"


def _name_keys(*names) -> set[str]:
    """What a name can match in the glossary: the whole name, its words and word pairs."""
    from ..business_names import split_name

    keys = set()
    for name in names:
        if not name:
            continue
        words = [w.lower() for w in split_name(name)]
        keys.add(" ".join(words))
        keys.add(name.strip().lower())
        keys.update(words)
        keys.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    return keys


def suggest_glossary_terms(assets, *, index=None) -> int:
    """PROPOSED glossary-term suggestions for assets and their columns whose technical or
    business name matches a term's name or synonym. A term is suggested once per asset or
    column (a rejected one is not proposed again) and never when already attached.
    Constant queries for any number of assets; returns how many were made."""
    from glossary.services import term_index

    from ..models import AssetColumn

    assets = list(assets)
    if not assets:
        return 0
    if index is None:
        index = term_index(assets[0].domain_id)
    if not index:
        return 0
    asset_ids = [a.pk for a in assets]
    attached = set(
        Asset.glossary_terms.through.objects.filter(asset_id__in=asset_ids).values_list(
            "asset_id", "glossaryterm_id"
        )
    )
    column_attached = set(
        AssetColumn.glossary_terms.through.objects.filter(
            assetcolumn__asset_id__in=asset_ids
        ).values_list("assetcolumn_id", "glossaryterm_id")
    )
    suggestions = []
    for asset in assets:
        for key in _name_keys(asset.technical_name, asset.business_name):
            for term in index.get(key, ()):
                if (asset.pk, term.pk) not in attached:
                    suggestions.append(
                        Suggestion(
                            asset=asset,
                            kind=SuggestionKind.GLOSSARY_TERM,
                            value=term.name,
                            glossary_term=term,
                        )
                    )
    for column in AssetColumn.objects.filter(asset_id__in=asset_ids):
        for key in _name_keys(column.name, column.business_name):
            for term in index.get(key, ()):
                if (column.pk, term.pk) not in column_attached:
                    suggestions.append(
                        Suggestion(
                            asset_id=column.asset_id,
                            column=column,
                            kind=SuggestionKind.GLOSSARY_TERM,
                            value=term.name,
                            glossary_term=term,
                        )
                    )
    # One suggestion per target and term, even when several names match it; ones made
    # before (or rejected) are skipped by the unique constraints.
    unique = {(p.asset_id or p.asset.pk, p.column_id, p.glossary_term_id): p for p in suggestions}
    before = Suggestion.objects.filter(
        asset_id__in=asset_ids, kind=SuggestionKind.GLOSSARY_TERM
    ).count()
    Suggestion.objects.bulk_create(list(unique.values()), ignore_conflicts=True)
    after = Suggestion.objects.filter(
        asset_id__in=asset_ids, kind=SuggestionKind.GLOSSARY_TERM
    ).count()
    return after - before


# --- Business metadata ------------------------------------------------------------------


def _attachable_terms(domain_id, ids, field, *, already=()) -> list:
    """Terms of the domain that may be attached; already attached ones may stay even if
    their glossary has been disabled since."""
    from glossary.models import GlossaryTerm

    ids = [str(i) for i in (ids or [])]
    check_count(ids, TERMS_PER_TARGET_MAX, field, "glossary terms")
    try:
        terms = list(
            GlossaryTerm.objects.filter(pk__in=ids, glossary__domain_id=domain_id)
            .select_related("glossary")
            .defer(*TERM_HEAVY_FIELDS)
        )
    except ValidationError:
        raise ValidationError({field: ["Give glossary term ids."]}) from None
    if len(terms) != len(set(ids)):
        raise ValidationError({field: ["Choose terms of this domain's glossaries."]})
    keep = {t.pk for t in already}
    refused = [t.name for t in terms if not t.is_attachable and t.pk not in keep]
    if refused:
        raise ValidationError(
            {
                field: [
                    f"Term '{name}' is disabled (or its glossary is) and cannot be attached."
                    for name in refused
                ]
            }
        )
    return terms


def _term_changes(prefix, before, after) -> list[str]:
    added = sorted(t.name for t in after if t.pk not in {b.pk for b in before})
    removed = sorted(t.name for t in before if t.pk not in {a.pk for a in after})
    changes = []
    if added:
        changes.append(f"{prefix}glossary terms added: {', '.join(added)}")
    if removed:
        changes.append(f"{prefix}glossary terms removed: {', '.join(removed)}")
    return changes


def _clean_business_name(value, field="business_name") -> str:
    value = (value or "").strip()
    if len(value) > 255:
        raise ValidationError({field: [f"Use at most 255 characters (this has {len(value)})."]})
    return value


def _clean_description(value, field="description") -> str:
    return clean_description(value, field)


def _require_editable(acting_user, asset, action):
    require_designation(acting_user, asset.project, Designation.CONTRIBUTOR, action)


@transaction.atomic
def asset_update(*, acting_user, asset: Asset, **changes) -> Asset:
    """Change the asset's business name, description (Markdown) and glossary terms."""
    asset = _lock_asset(asset.pk)
    _require_editable(acting_user, asset, "edit assets")
    reject_unknown_fields(changes, {"business_name", "description", "glossary_terms"})
    lines, fields = [], []
    if "business_name" in changes:
        name = _clean_business_name(changes["business_name"])
        if name != asset.business_name:
            lines.append(
                f"Business name changed from \u201c{asset.business_name or asset.technical_name}\u201d to \u201c{name or asset.technical_name}\u201d"
            )
            asset.business_name = name
            fields.append("business_name")
    if "description" in changes:
        description = _clean_description(changes["description"])
        if description != asset.description:
            lines.append("Description changed" if asset.description else "Description added")
            asset.description = description
            fields.append("description")
    if "glossary_terms" in changes:
        before = list(asset.glossary_terms.all())
        after = _attachable_terms(
            asset.domain_id, changes["glossary_terms"], "glossary_terms", already=before
        )
        term_lines = _term_changes("", before, after)
        if term_lines:
            asset.glossary_terms.set(after)
            lines.extend(term_lines)
    if fields:
        asset.save(update_fields=[*fields, "updated_at"])
    if lines:
        asset_write_revision(
            asset=asset, acting_user=acting_user, reason=RevisionReason.EDIT, changes=lines
        )
        if "business_name" in fields:
            suggest_glossary_terms([asset])
    return asset


@transaction.atomic
def asset_columns_update(*, acting_user, asset: Asset, columns: list) -> Asset:
    """Change business names, descriptions and terms of columns (matched by name), in
    one revision. Errors are keyed ``columns`` → column name → field."""
    from ..models import AssetColumn

    asset = _lock_asset(asset.pk)
    _require_editable(acting_user, asset, "edit assets")
    if not isinstance(columns, list):
        raise ValidationError(
            {"columns": ["Give a list of {name, business_name, description, glossary_terms}."]}
        )
    check_count(columns, COLUMNS_PER_UPDATE_MAX, "columns", "columns")
    by_name = {
        c.name: c
        for c in AssetColumn.objects.filter(asset=asset).prefetch_related(
            Prefetch("glossary_terms", queryset=light_terms(GlossaryTerm.objects.all()))
        )
    }
    errors, lines, to_save, term_sets = {}, [], [], []
    for item in columns:
        name = item.get("name") if isinstance(item, dict) else None
        column = by_name.get(name)
        if column is None:
            errors[str(name)] = {"name": [f"The asset has no column '{name}'."]}
            continue
        try:
            if "business_name" in item:
                value = _clean_business_name(item["business_name"])
                if value != column.business_name:
                    lines.append(
                        f"Column {name} business name set to \u201c{value}\u201d"
                        if value
                        else f"Column {name} business name cleared"
                    )
                    column.business_name = value
                    to_save.append(column)
            if "description" in item:
                value = _clean_description(item["description"])
                if value != column.description:
                    lines.append(
                        f"Column {name} description changed"
                        if column.description
                        else f"Column {name} description added"
                    )
                    column.description = value
                    to_save.append(column)
            if "glossary_terms" in item:
                before = list(column.glossary_terms.all())
                after = _attachable_terms(
                    asset.domain_id, item["glossary_terms"], "glossary_terms", already=before
                )
                term_lines = _term_changes(f"Column {name}: ", before, after)
                if term_lines:
                    term_sets.append((column, after))
                    lines.extend(term_lines)
        except ValidationError as error:
            errors[name] = error.message_dict
    if errors:
        raise NestedValidationError({"columns": errors})
    if to_save:
        AssetColumn.objects.bulk_update(
            list({c.pk: c for c in to_save}.values()), ["business_name", "description"]
        )
    for column, terms in term_sets:
        column.glossary_terms.set(terms)
    if lines:
        asset_write_revision(
            asset=asset, acting_user=acting_user, reason=RevisionReason.EDIT, changes=lines
        )
        suggest_glossary_terms([asset])
    return asset


@transaction.atomic
def asset_forms_update(*, acting_user, asset: Asset, forms: dict) -> Asset:
    """Fill, change or remove (value None) the asset's metadata forms, keyed by form type
    id or name. Values are validated against the form's fields; errors come back as
    ``{"forms": {form name: {field label: [messages]}}}`` and nothing is saved."""
    from ..models import AssetForm

    asset = _lock_asset(asset.pk)
    _require_editable(acting_user, asset, "edit assets")
    if not isinstance(forms, dict):
        raise ValidationError({"forms": ["Give an object of form type id (or name): values."]})
    form_types = _form_types_by_key(asset)
    current = {af.form_type_id: af for af in AssetForm.objects.filter(asset=asset)}
    errors, lines, writes, removals = {}, [], [], []
    for key, values in forms.items():
        form_type = form_types.get(str(key)) or form_types.get(str(key).lower())
        if form_type is None:
            errors[str(key)] = {
                "form": [f"Domain '{asset.domain.name}' has no metadata form '{key}'."]
            }
            continue
        existing = current.get(form_type.pk)
        if values is None:
            if existing is not None:
                removals.append(existing.pk)
                lines.append(f"Form {form_type.name} removed")
            continue
        try:
            write, line = _asset_form_write(asset, form_type, existing, values)
        except ValidationError as error:
            errors[form_type.name] = error.message_dict
            continue
        if write is not None:
            writes.append(write)
            lines.append(line)
    if errors:
        raise NestedValidationError({"forms": errors})
    if removals:
        AssetForm.objects.filter(pk__in=removals).delete()
    for asset_form in writes:
        asset_form.save()
    if lines:
        asset_write_revision(
            asset=asset, acting_user=acting_user, reason=RevisionReason.EDIT, changes=lines
        )
    return asset


def _form_types_by_key(asset) -> dict:
    """The asset's domain's form types, each under its id and its lower-case name."""
    from glossary.models import FormType

    form_types = {}
    for form_type in FormType.objects.filter(domain_id=asset.domain_id).prefetch_related(
        "fields__glossary"
    ):
        form_types[str(form_type.pk)] = form_type
        form_types[form_type.name.lower()] = form_type
    return form_types


def _asset_form_write(asset, form_type, existing, values):
    """(the AssetForm to save, its revision line), or (None, None) when nothing changes;
    a ValidationError for values the form does not accept or a disabled form."""
    from glossary.choices import GlossaryStatus
    from glossary.form_values import clean_form_values

    from ..models import AssetForm

    if existing is None and form_type.status != GlossaryStatus.ENABLED:
        raise ValidationError(
            {"form": [f"Form '{form_type.name}' is disabled and cannot be added."]}
        )
    cleaned = clean_form_values(form_type, values, fields=list(form_type.fields.all()))
    if existing is None:
        write = AssetForm(
            asset=asset, form_type=form_type, form_revision=form_type.revision, values=cleaned
        )
        return write, f"Form {form_type.name} added"
    if existing.values == cleaned and existing.form_revision == form_type.revision:
        return None, None
    changed = sorted(
        f.label
        for f in form_type.fields.all()
        if existing.values.get(f.name) != cleaned.get(f.name)
    )
    existing.values, existing.form_revision = cleaned, form_type.revision
    return existing, f"Form {form_type.name}: {', '.join(changed) or 'values'} changed"
