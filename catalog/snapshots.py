"""Full snapshots of assets, stored in revisions (and later in listings)."""


def column_snapshot(column) -> dict:
    return {
        "name": column.name,
        "data_type": column.data_type,
        "position": column.position,
        "is_partition_key": column.is_partition_key,
        "source_comment": column.source_comment,
        "business_name": column.business_name,
        "description": column.description,
    }


def source_column_snapshot(column) -> dict:
    """The snapshot of a column new to the asset (a SourceColumn): no business metadata yet."""
    return {
        "name": column.name,
        "data_type": column.data_type,
        "position": column.position,
        "is_partition_key": column.is_partition_key,
        "source_comment": column.comment,
        "business_name": "",
        "description": "",
    }


def asset_snapshot(asset, columns) -> dict:
    """Everything a revision records about an asset, business metadata included.

    ``columns`` are AssetColumns or snapshots of columns already made (dicts).
    """
    snapshots = [c if isinstance(c, dict) else column_snapshot(c) for c in columns]
    return {
        "type": asset.type,
        "technical_name": asset.technical_name,
        "database_name": asset.database_name,
        "schema_name": asset.schema_name,
        "external_identifier": asset.external_identifier,
        "business_name": asset.business_name,
        "description": asset.description,
        "technical_metadata": asset.technical_metadata,
        "content_hash": asset.content_hash,
        "columns": sorted(snapshots, key=lambda c: c["position"]),
    }


def technical_changes(old_asset, new_table, old_columns, new_columns) -> list[str]:
    """Human-readable lines describing what the source changed."""
    changes = []
    old_by_name = {c.name: c for c in old_columns}
    new_by_name = {c.name: c for c in new_columns}
    for name in new_by_name.keys() - old_by_name.keys():
        column = new_by_name[name]
        changes.append(f"Column {name} added ({column.data_type})")
    for name in old_by_name.keys() - new_by_name.keys():
        changes.append(f"Column {name} removed")
    for name in old_by_name.keys() & new_by_name.keys():
        old, new = old_by_name[name], new_by_name[name]
        if old.data_type != new.data_type:
            changes.append(f"Column {name} type changed from {old.data_type} to {new.data_type}")
        if old.is_partition_key != new.is_partition_key:
            changes.append(
                f"Column {name} {'became' if new.is_partition_key else 'is no longer'} a partition key"
            )
        if old.source_comment != new.comment:
            changes.append(f"Column {name} comment changed")
    if not changes and [c.name for c in sorted(old_columns, key=lambda c: c.position)] != [
        c.name for c in new_columns
    ]:
        changes.append("Column order changed")
    old_meta, new_meta = old_asset.technical_metadata or {}, new_table.metadata
    for key in sorted(set(old_meta) | set(new_meta)):
        if old_meta.get(key) != new_meta.get(key):
            label = key.replace("_", " ")
            if isinstance(new_meta.get(key), str) and isinstance(old_meta.get(key), str):
                changes.append(
                    f"{label.capitalize()} changed from {old_meta.get(key) or '(none)'} to "
                    f"{new_meta.get(key) or '(none)'}"
                )
            else:
                changes.append(f"{label.capitalize()} changed")
    if old_asset.type != new_table.type:
        changes.append(f"Type changed from {old_asset.type} to {new_table.type}")
    return sorted(changes) if changes else ["Technical metadata changed"]


def _term_ref(term) -> dict:
    return {"id": str(term.pk), "name": term.name, "glossary": term.glossary.name}


def forms_snapshot(asset_forms) -> list[dict]:
    """Each form with its fields' labels and values as a person reads them.

    Fields are the form type's current ones; a value whose field was removed since it was
    filled stays, marked with the revision it came from, so nothing filled is lost.
    """
    from glossary.choices import FieldType
    from glossary.models import GlossaryTerm

    term_ids = {
        value
        for asset_form in asset_forms
        for field in asset_form.form_type.fields.all()
        if field.type == FieldType.GLOSSARY_TERM and (value := asset_form.values.get(field.name))
    }
    term_names = (
        {str(t.pk): t.name for t in GlossaryTerm.objects.filter(pk__in=term_ids)}
        if term_ids
        else {}
    )
    result = []
    for asset_form in asset_forms:
        form_type = asset_form.form_type
        fields, known = [], set()
        for field in form_type.fields.all():
            known.add(field.name)
            value = asset_form.values.get(field.name)
            display = term_names.get(value, "") if field.type == FieldType.GLOSSARY_TERM else value
            if isinstance(display, bool):
                display = "Yes" if display else "No"
            fields.append(
                {
                    "name": field.name,
                    "label": field.label,
                    "type": field.type,
                    "required": field.required,
                    "searchable": field.searchable,
                    "value": value,
                    "display": "" if display is None else str(display),
                }
            )
        for name, value in asset_form.values.items():
            if name not in known:  # filled under an older revision of the form
                fields.append(
                    {
                        "name": name,
                        "label": f"{name} (from form revision {asset_form.form_revision})",
                        "type": "STRING",
                        "required": False,
                        "searchable": False,
                        "value": value,
                        "display": str(value),
                    }
                )
        result.append(
            {
                "form_type": {"id": str(form_type.pk), "name": form_type.name},
                "form_revision": asset_form.form_revision,
                "fields": fields,
            }
        )
    return result


def asset_full_snapshot(asset) -> dict:
    """Technical and business metadata with terms and forms (a constant number of queries)."""
    from django.db.models import Prefetch

    from glossary.queries import light_terms

    from .models import AssetColumn, AssetForm

    terms = list(light_terms(asset.glossary_terms.all()).order_by("name"))
    columns = list(
        AssetColumn.objects.filter(asset=asset)
        .prefetch_related(
            Prefetch(
                "glossary_terms",
                queryset=light_terms().order_by("name"),
            )
        )
        .order_by("position")
    )
    asset_forms = list(AssetForm.objects.filter(asset=asset).with_fields())
    snapshot = asset_snapshot(asset, columns)
    snapshot["glossary_terms"] = [_term_ref(t) for t in terms]
    for column_data, column in zip(snapshot["columns"], columns, strict=True):
        column_data["glossary_terms"] = [_term_ref(t) for t in column.glossary_terms.all()]
    snapshot["forms"] = forms_snapshot(asset_forms)
    return snapshot
