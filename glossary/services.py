"""Writes of the glossary app: glossaries, terms (and their CSV), form types, rules."""

import csv
import io

from django.core.exceptions import ValidationError
from django.db import transaction

from meshportal.limits import (
    CSV_IMPORT_MAX_TERMS,
    FIELDS_PER_FORM_TYPE_MAX,
    RELATED_TERMS_MAX,
    SYNONYMS_PER_TERM_MAX,
    check_count,
    clean_description,
)
from meshportal.services import reject_unknown_fields, save_unique

from .choices import FieldType, Status
from .models import FormField, FormType, Glossary, GlossaryTerm, PublishingRule
from .permissions import require_domain_steward, require_manage_owned
from .queries import light_terms
from .signals import term_words_changed

GLOSSARY_FIELDS = {"name", "description", "status"}
TERM_FIELDS = {
    "name",
    "short_description",
    "long_description",
    "synonyms",
    "is_a",
    "classifies",
    "status",
}
CSV_HEADER = ["name", "short_description", "long_description", "synonyms", "parents"]
LIST_SEPARATOR = ";"


def _text(value, field, *, max_length, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: "This field is required."})
    if len(value) > max_length:
        raise ValidationError(
            {field: f"Use at most {max_length} characters (this has {len(value)})."}
        )
    return value


def _status(value) -> str:
    value = (value or Status.ENABLED).upper()
    if value not in Status.values:
        raise ValidationError({"status": "Choose ENABLED or DISABLED."})
    return value


# --- Glossaries -------------------------------------------------------------------------


@transaction.atomic
def glossary_create(
    *, acting_user, domain, owning_project, name, description="", status=Status.ENABLED
) -> Glossary:
    if owning_project.domain_id != domain.pk:
        raise ValidationError({"owning_project": "Choose a project of this domain."})
    require_manage_owned(acting_user, domain, owning_project, "create glossaries")
    glossary = Glossary(
        domain=domain,
        owning_project=owning_project,
        name=_text(name, "name", max_length=256),
        description=clean_description(description),
        status=_status(status),
    )
    return save_unique(
        glossary,
        {"name": f"Domain '{domain.name}' already has a glossary named '{glossary.name}'."},
    )


@transaction.atomic
def glossary_update(*, acting_user, glossary: Glossary, **changes) -> Glossary:
    require_manage_owned(
        acting_user, glossary.domain, glossary.owning_project, "change this glossary"
    )
    reject_unknown_fields(changes, GLOSSARY_FIELDS)
    if "name" in changes:
        glossary.name = _text(changes["name"], "name", max_length=256)
    if "description" in changes:
        glossary.description = clean_description(changes["description"])
    if "status" in changes:
        glossary.status = _status(changes["status"])
    return save_unique(
        glossary,
        {
            "name": f"Domain '{glossary.domain.name}' already has a glossary named '{glossary.name}'."
        },
    )


# --- Terms ------------------------------------------------------------------------------


def _clean_synonyms(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.split(LIST_SEPARATOR)
    if not isinstance(value, list | tuple):
        raise ValidationError({"synonyms": "Give a list of words or phrases."})
    check_count(value, SYNONYMS_PER_TERM_MAX, "synonyms", "synonyms")
    cleaned, seen = [], set()
    for item in value:
        item = str(item).strip()
        if not item or item.lower() in seen:
            continue
        if len(item) > 256:
            raise ValidationError(
                {"synonyms": f"A synonym has at most 256 characters ('{item[:30]}…')."}
            )
        seen.add(item.lower())
        cleaned.append(item)
    return cleaned


def _related_terms(ids, field, domain) -> list[GlossaryTerm]:
    ids = list(ids or [])
    check_count(ids, RELATED_TERMS_MAX, field, "terms")
    terms = list(light_terms(GlossaryTerm.objects.filter(pk__in=ids, glossary__domain=domain)))
    if len(terms) != len({str(i) for i in ids}):
        raise ValidationError({field: "Choose terms of this domain's glossaries."})
    return terms


def check_is_a_acyclic(term: GlossaryTerm, parents: list[GlossaryTerm]) -> None:
    """Raise unless adding ``term is_a parents`` keeps the domain's is_a graph acyclic."""
    domain_id = term.glossary.domain_id
    edges: dict = {}
    for child_id, parent_id in GlossaryTerm.is_a.through.objects.filter(
        from_glossaryterm__glossary__domain_id=domain_id
    ).values_list("from_glossaryterm_id", "to_glossaryterm_id"):
        if child_id != term.pk:  # the term's own edges are being replaced
            edges.setdefault(child_id, set()).add(parent_id)
    # Walking up from each new parent must never reach the term itself.
    stack, seen = [p.pk for p in parents], set()
    while stack:
        current = stack.pop()
        if current == term.pk:
            raise ValidationError(
                {
                    "is_a": f"'{term.name}' cannot be a kind of one of its own narrower terms (a cycle)."
                }
            )
        if current in seen:
            continue
        seen.add(current)
        stack.extend(edges.get(current, ()))


def _set_relations(term, is_a, classifies) -> None:
    domain = term.glossary.domain
    if is_a is not None:
        parents = _related_terms(is_a, "is_a", domain)
        if any(p.pk == term.pk for p in parents):
            raise ValidationError({"is_a": "A term cannot be a kind of itself."})
        check_is_a_acyclic(term, parents)
        term.is_a.set(parents)
    if classifies is not None:
        classified = _related_terms(classifies, "classifies", domain)
        if any(c.pk == term.pk for c in classified):
            raise ValidationError({"classifies": "A term cannot classify itself."})
        term.classifies.set(classified)


@transaction.atomic
def term_create(
    *,
    acting_user,
    glossary: Glossary,
    name,
    short_description="",
    long_description="",
    synonyms=None,
    is_a=None,
    classifies=None,
    status=Status.ENABLED,
) -> GlossaryTerm:
    require_manage_owned(
        acting_user, glossary.domain, glossary.owning_project, "add terms to this glossary"
    )
    term = GlossaryTerm(
        glossary=glossary,
        name=_text(name, "name", max_length=256),
        short_description=_text(
            short_description, "short_description", max_length=1024, required=False
        ),
        long_description=clean_description(long_description, "long_description"),
        synonyms=_clean_synonyms(synonyms),
        status=_status(status),
    )
    save_unique(
        term, {"name": f"Glossary '{glossary.name}' already has a term named '{term.name}'."}
    )
    _set_relations(term, is_a, classifies)
    _words_changed([term.pk])
    return term


def _words_changed(term_ids) -> None:
    """Tell the apps above (the catalog's search) that these terms' words changed."""
    if term_ids:
        term_words_changed.send(sender=GlossaryTerm, term_ids=list(term_ids))


@transaction.atomic
def term_update(*, acting_user, term: GlossaryTerm, **changes) -> GlossaryTerm:
    glossary = term.glossary
    require_manage_owned(
        acting_user, glossary.domain, glossary.owning_project, "change terms of this glossary"
    )
    reject_unknown_fields(changes, TERM_FIELDS)
    words_before = (term.name, list(term.synonyms))
    parents_before = (
        set(term.is_a.values_list("pk", flat=True)) if changes.get("is_a") is not None else None
    )
    if "name" in changes:
        term.name = _text(changes["name"], "name", max_length=256)
    if "short_description" in changes:
        term.short_description = _text(
            changes["short_description"], "short_description", max_length=1024, required=False
        )
    if "long_description" in changes:
        term.long_description = clean_description(changes["long_description"], "long_description")
    if "synonyms" in changes:
        term.synonyms = _clean_synonyms(changes["synonyms"])
    if "status" in changes:
        term.status = _status(changes["status"])
    save_unique(
        term, {"name": f"Glossary '{glossary.name}' already has a term named '{term.name}'."}
    )
    _set_relations(term, changes.get("is_a"), changes.get("classifies"))
    if (term.name, list(term.synonyms)) != words_before or (
        parents_before is not None and parents_before != set(term.is_a.values_list("pk", flat=True))
    ):
        _words_changed([term.pk])
    return term


# --- CSV --------------------------------------------------------------------------------


def glossary_export_csv(*, glossary: Glossary) -> str:
    """The glossary's terms as CSV (name, short/long description, synonyms, parents)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for term in glossary.terms.prefetch_related("is_a").order_by("name"):
        writer.writerow(
            [
                term.name,
                term.short_description,
                term.long_description,
                LIST_SEPARATOR.join(term.synonyms),
                # Parents name terms of this glossary; broader terms in other glossaries
                # of the domain are kept by an import, not written here.
                LIST_SEPARATOR.join(
                    sorted(p.name for p in term.is_a.all() if p.glossary_id == glossary.pk)
                ),
            ]
        )
    return out.getvalue()


class CsvImportError(ValidationError):
    """All the problems of an import, each with its line number; nothing was saved."""


def _csv_rows(reader):
    """(line number, row) of a CSV file; a malformed file (a field over the csv module's
    limit, say) is an import error naming the line, not a crash."""
    line_number = 1
    while True:
        line_number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvImportError([f"Line {line_number}: {error}."]) from None
        yield line_number, row


@transaction.atomic
def glossary_import_csv(*, acting_user, glossary: Glossary, content: str) -> dict:
    """Create or update terms by name from CSV; all or nothing, idempotent.

    Parents name terms of this glossary (in the file or already there). Returns counts.
    """
    require_manage_owned(
        acting_user, glossary.domain, glossary.owning_project, "import terms into this glossary"
    )
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CsvImportError(["The file is not UTF-8 text; save it as CSV UTF-8."]) from None
    content = content.lstrip("\ufeff")
    if "\x00" in content:
        raise CsvImportError(["The file contains NUL characters; save it as CSV UTF-8 text."])
    reader = csv.DictReader(io.StringIO(content))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as error:
        raise CsvImportError([f"Line 1: {error}."]) from None
    if "name" not in header:
        raise CsvImportError(
            [
                f"Line 1: the header must name the columns {', '.join(CSV_HEADER)} ('name' is required)."
            ]
        )
    unknown = set(header) - set(CSV_HEADER)
    if unknown:
        raise CsvImportError(
            [
                f"Line 1: unknown column(s) {', '.join(sorted(unknown))}; expected {', '.join(CSV_HEADER)}."
            ]
        )
    reader.fieldnames = header

    errors, rows, names_in_file = [], [], {}
    for line_number, row in _csv_rows(reader):
        if line_number - 1 > CSV_IMPORT_MAX_TERMS:
            raise CsvImportError(
                [f"A file may hold at most {CSV_IMPORT_MAX_TERMS:,} terms; split it in parts."]
            )
        if None in row:
            errors.append(
                f"Line {line_number}: more values than columns (quote values that contain commas)."
            )
            continue
        name = (row.get("name") or "").strip()
        if not name:
            errors.append(f"Line {line_number}: the term has no name.")
            continue
        if len(name) > 256:
            errors.append(f"Line {line_number}: the name has more than 256 characters.")
            continue
        if name.lower() in names_in_file:
            errors.append(
                f"Line {line_number}: term '{name}' is also on line {names_in_file[name.lower()]}."
            )
            continue
        short = (row.get("short_description") or "").strip()
        if len(short) > 1024:
            errors.append(
                f"Line {line_number}: the short description has more than 1024 characters."
            )
            continue
        try:
            long = clean_description(
                (row.get("long_description") or "").strip(), "long_description"
            )
            synonyms = _clean_synonyms(row.get("synonyms") or "")
        except ValidationError as error:
            errors.extend(
                f"Line {line_number}: {field.replace('_', ' ')}: {' '.join(messages)}"
                for field, messages in error.message_dict.items()
            )
            continue
        names_in_file[name.lower()] = line_number
        rows.append(
            (
                line_number,
                name,
                short,
                long,
                synonyms,
                [p.strip() for p in (row.get("parents") or "").split(LIST_SEPARATOR) if p.strip()],
            )
        )

    existing = {t.name.lower(): t for t in glossary.terms.all()}
    known = set(existing) | set(names_in_file)
    for line_number, name, *_, parents in rows:
        for parent in parents:
            if parent.lower() not in known:
                errors.append(
                    f"Line {line_number}: parent '{parent}' is not a term of this glossary or this file."
                )
            elif parent.lower() == name.lower():
                errors.append(f"Line {line_number}: term '{name}' cannot be its own parent.")
    if errors:
        # In file order, as a person fixes them.
        errors.sort(key=lambda message: int(message.split(":", 1)[0].removeprefix("Line ")))
        raise CsvImportError(errors)

    created, changed, reworded = set(), set(), set()
    terms = {}
    for _line, name, short, long, synonyms, _parents in rows:
        term = existing.get(name.lower())
        if term is None:
            term = GlossaryTerm.objects.create(
                glossary=glossary,
                name=name,
                short_description=short,
                long_description=long,
                synonyms=synonyms,
            )
            created.add(term.pk)
        elif (term.short_description, term.long_description, term.synonyms) != (
            short,
            long,
            synonyms,
        ):
            if term.synonyms != synonyms:
                reworded.add(term.pk)
            term.short_description, term.long_description, term.synonyms = short, long, synonyms
            term.save()
            changed.add(term.pk)
        terms[name.lower()] = term
    all_terms = {**existing, **terms}
    for line_number, name, *_, parents in rows:
        term = terms[name.lower()]
        current = list(term.is_a.all())
        elsewhere = [p for p in current if p.glossary_id != glossary.pk]  # kept as they are
        wanted = [all_terms[p.lower()] for p in parents] + elsewhere
        if {p.pk for p in wanted} != {p.pk for p in current}:
            try:
                check_is_a_acyclic(term, wanted)
            except ValidationError:
                raise CsvImportError(
                    [f"Line {line_number}: the parents of '{name}' would make an is-a cycle."]
                ) from None
            term.is_a.set(wanted)
            reworded.add(term.pk)
            if term.pk not in created:
                changed.add(term.pk)
    _words_changed(sorted(created | reworded, key=str))
    return {
        "created": len(created),
        "updated": len(changed),
        "unchanged": len(rows) - len(created) - len(changed),
    }


# --- Form types -------------------------------------------------------------------------


def _clean_fields(domain, fields) -> list[dict]:
    if not isinstance(fields, list):
        raise ValidationError({"fields": "Give a list of fields."})
    check_count(fields, FIELDS_PER_FORM_TYPE_MAX, "fields", "fields")
    cleaned, names, errors = [], set(), []
    for number, raw in enumerate(fields, start=1):
        if not isinstance(raw, dict):
            errors.append(f"Field {number}: give an object.")
            continue
        label = str(raw.get("label") or "").strip()
        name = str(raw.get("name") or "").strip() or "_".join(label.lower().split())
        name = "".join(ch for ch in name.lower() if ch.isalnum() or ch in "_-")[:64]
        kind = str(raw.get("type") or "").upper()
        if not label:
            errors.append(f"Field {number}: enter a label.")
        if not name:
            errors.append(f"Field {number}: enter a name (letters, digits, '_' or '-').")
        elif name in names:
            errors.append(f"Field {number}: another field is already named '{name}'.")
        if kind not in FieldType.values:
            errors.append(f"Field {number}: type must be one of {', '.join(FieldType.values)}.")
        glossary = None
        if kind == FieldType.GLOSSARY_TERM:
            glossary_id = raw.get("glossary")
            glossary = (
                Glossary.objects.filter(pk=glossary_id, domain=domain).first()
                if glossary_id
                else None
            )
            if glossary is None:
                errors.append(
                    f"Field {number}: choose the glossary of this domain whose terms it offers."
                )
        names.add(name)
        cleaned.append(
            {
                "name": name,
                "label": label[:128],
                "type": kind,
                "glossary": glossary,
                "required": bool(raw.get("required")),
                "searchable": bool(raw.get("searchable")),
                "help_text": str(raw.get("help_text") or "")[:512],
                "order": number,
            }
        )
    if errors:
        raise ValidationError({"fields": errors})
    return cleaned


def _field_signature(field) -> tuple:
    get = field.get if isinstance(field, dict) else lambda k: getattr(field, k)
    glossary = get("glossary")
    return (
        get("name"),
        get("label"),
        get("type"),
        getattr(glossary, "pk", glossary),
        get("required"),
        get("searchable"),
        get("help_text"),
        get("order"),
    )


def _replace_fields(form_type, fields) -> bool:
    """Replace the fields; True when anything changed."""
    current = [_field_signature(f) for f in form_type.fields.all()]
    if current == [_field_signature(f) for f in fields]:
        return False
    form_type.fields.all().delete()
    FormField.objects.bulk_create(FormField(form_type=form_type, **f) for f in fields)
    return True


@transaction.atomic
def form_type_create(
    *, acting_user, domain, owning_project, name, description="", fields=(), status=Status.ENABLED
) -> FormType:
    if owning_project.domain_id != domain.pk:
        raise ValidationError({"owning_project": "Choose a project of this domain."})
    require_manage_owned(acting_user, domain, owning_project, "create metadata forms")
    form_type = FormType(
        domain=domain,
        owning_project=owning_project,
        name=_text(name, "name", max_length=128),
        description=clean_description(description),
        status=_status(status),
    )
    cleaned = _clean_fields(domain, list(fields))
    save_unique(
        form_type, {"name": f"Domain '{domain.name}' already has a form named '{form_type.name}'."}
    )
    _replace_fields(form_type, cleaned)
    return form_type


@transaction.atomic
def form_type_update(*, acting_user, form_type: FormType, **changes) -> FormType:
    require_manage_owned(
        acting_user, form_type.domain, form_type.owning_project, "change this metadata form"
    )
    reject_unknown_fields(changes, {"name", "description", "status", "fields"})
    if "name" in changes:
        form_type.name = _text(changes["name"], "name", max_length=128)
    if "description" in changes:
        form_type.description = clean_description(changes["description"])
    if "status" in changes:
        form_type.status = _status(changes["status"])
    if "fields" in changes:
        cleaned = _clean_fields(form_type.domain, list(changes["fields"]))
        if _replace_fields(form_type, cleaned):
            form_type.revision += 1
    return save_unique(
        form_type,
        {"name": f"Domain '{form_type.domain.name}' already has a form named '{form_type.name}'."},
    )


# --- Publishing rules -------------------------------------------------------------------


@transaction.atomic
def publishing_rule_set(
    *, acting_user, domain, required_form_types=(), required_glossary_terms=(), description=""
) -> PublishingRule:
    require_domain_steward(acting_user, domain, "set publishing rules")
    forms = list(FormType.objects.filter(pk__in=list(required_form_types), domain=domain))
    if len(forms) != len({str(i) for i in required_form_types}):
        raise ValidationError({"required_form_types": "Choose form types of this domain."})
    terms = list(
        GlossaryTerm.objects.filter(pk__in=list(required_glossary_terms), glossary__domain=domain)
    )
    if len(terms) != len({str(i) for i in required_glossary_terms}):
        raise ValidationError({"required_glossary_terms": "Choose glossary terms of this domain."})
    rule, _ = PublishingRule.objects.get_or_create(domain=domain)
    rule.description = clean_description(description)
    rule.save()
    rule.required_form_types.set(forms)
    rule.required_glossary_terms.set(terms)
    return rule


def term_index(domain_id) -> dict:
    """{lower-case name or synonym: [terms]} of the domain's attachable terms, one query.

    Suggestions compare table and column names with it; a domain's vocabulary is small
    enough (thousands of terms) to hold in memory for a run. Only the id, name and
    synonyms are fetched (no descriptions, no glossary row), so the index grows with the
    vocabulary and never with what the terms or their glossaries describe.
    """
    index: dict = {}
    terms = GlossaryTerm.objects.filter(
        glossary__domain_id=domain_id, status=Status.ENABLED, glossary__status=Status.ENABLED
    ).only("id", "name", "synonyms")
    for term in terms:
        for key in {term.name.lower(), *(s.lower() for s in term.synonyms)}:
            index.setdefault(key, []).append(term)
    return index
