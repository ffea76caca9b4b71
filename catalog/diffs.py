"""What changed between two revisions of an asset, field by field, for the revision page.

Revisions store full snapshots (catalog/snapshots.py) and a few human-written lines; a
reader who wants to know what a description said before, or which column lost a term,
needs the two snapshots compared. Pure functions over plain dicts: no database.

Snapshots written before terms and forms existed lack those keys; a missing key reads as
empty, so comparing an old snapshot with a new one shows the additions, not an error.
"""

from __future__ import annotations

SNAPSHOT_LABELS = {
    "type": "Type",
    "technical_name": "Technical name",
    "database_name": "Database",
    "schema_name": "Schema",
    "external_identifier": "Identifier",
}


def _text(value) -> str:
    """A snapshot value as a person reads it: booleans as Yes/No, lists joined, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_text(v)}" for k, v in sorted(value.items()))
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _term_names(terms) -> str:
    names = sorted(
        (t.get("name", "") if isinstance(t, dict) else str(t) for t in terms or []),
        key=str.lower,
    )
    return ", ".join(names)


def _add(result: list, field: str, before, after) -> None:
    before, after = _text(before), _text(after)
    if before != after:
        result.append({"field": field, "before": before, "after": after})


def _columns(snapshot: dict) -> dict:
    columns = snapshot.get("columns") or []
    return {c.get("name"): c for c in sorted(columns, key=lambda c: c.get("position") or 0)}


def _column_differences(old: dict, new: dict) -> list[dict]:
    result: list = []
    old_columns, new_columns = _columns(old), _columns(new)
    for name, after in new_columns.items():
        before = old_columns.get(name)
        prefix = f"Column {name}"
        if before is None:
            result.append(
                {"field": prefix, "before": "", "after": f"added ({after.get('data_type', '')})"}
            )
            before = {}
        else:
            _add(result, f"{prefix}: data type", before.get("data_type"), after.get("data_type"))
            _add(
                result,
                f"{prefix}: partition key",
                bool(before.get("is_partition_key")),
                bool(after.get("is_partition_key")),
            )
            _add(result, f"{prefix}: position", before.get("position"), after.get("position"))
        _add(
            result,
            f"{prefix}: comment in the source",
            before.get("source_comment"),
            after.get("source_comment"),
        )
        _add(
            result,
            f"{prefix}: business name",
            before.get("business_name"),
            after.get("business_name"),
        )
        _add(result, f"{prefix}: description", before.get("description"), after.get("description"))
        _add(
            result,
            f"{prefix}: glossary terms",
            _term_names(before.get("glossary_terms")),
            _term_names(after.get("glossary_terms")),
        )
    for name, before in old_columns.items():
        if name not in new_columns:
            result.append(
                {
                    "field": f"Column {name}",
                    "before": before.get("data_type", ""),
                    "after": "removed",
                }
            )
    return result


def _form_values(snapshot: dict) -> dict:
    """{form name: {label: display value}} of a snapshot's forms."""
    forms = {}
    for form in snapshot.get("forms") or []:
        name = (form.get("form_type") or {}).get("name", "")
        forms[name] = {
            field.get("label", field.get("name", "")): field.get(
                "display", _text(field.get("value"))
            )
            for field in form.get("fields") or []
        }
    return forms


def _form_differences(old: dict, new: dict) -> list[dict]:
    result: list = []
    old_forms, new_forms = _form_values(old), _form_values(new)
    for name in sorted(set(old_forms) | set(new_forms), key=str.lower):
        if name not in old_forms:
            result.append({"field": f"Form {name}", "before": "", "after": "added"})
        elif name not in new_forms:
            result.append({"field": f"Form {name}", "before": "attached", "after": "removed"})
            continue
        before, after = old_forms.get(name, {}), new_forms[name]
        for label in [*after, *(k for k in before if k not in after)]:
            _add(result, f"Form {name}: {label}", before.get(label), after.get(label))
    return result


def _technical_differences(old: dict, new: dict) -> list[dict]:
    result: list = []
    for key, label in SNAPSHOT_LABELS.items():
        _add(result, label, old.get(key), new.get(key))
    old_meta, new_meta = old.get("technical_metadata") or {}, new.get("technical_metadata") or {}
    for key in sorted(set(old_meta) | set(new_meta)):
        _add(
            result,
            f"Technical metadata: {key.replace('_', ' ')}",
            old_meta.get(key),
            new_meta.get(key),
        )
    return result


def snapshot_differences(old: dict | None, new: dict | None) -> list[dict]:
    """``[{"field", "before", "after"}]`` for every field that differs between two asset
    snapshots: business name, description, glossary terms, each column's business
    metadata and technical shape, each form's values, and the technical metadata.

    Values are the strings a person reads (term names, form display values, Yes/No);
    an empty ``before`` means the field was added, an empty ``after`` that it was
    cleared. Columns are matched by name, forms by name, form values by label.
    """
    old, new = old or {}, new or {}
    result: list = []
    _add(result, "Business name", old.get("business_name"), new.get("business_name"))
    _add(result, "Description", old.get("description"), new.get("description"))
    _add(
        result,
        "Glossary terms",
        _term_names(old.get("glossary_terms")),
        _term_names(new.get("glossary_terms")),
    )
    result.extend(_column_differences(old, new))
    result.extend(_form_differences(old, new))
    result.extend(_technical_differences(old, new))
    return result
