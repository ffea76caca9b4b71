"""A glossary's terms as CSV: export, and import (create or update by name)."""

import csv
import io
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction

from meshportal.limits import CSV_IMPORT_MAX_TERMS, clean_description

from ..models import Glossary, GlossaryTerm
from ..permissions import require_manage_owned
from .glossaries import LIST_SEPARATOR
from .terms import _clean_synonyms, _words_changed, check_is_a_acyclic

CSV_HEADER = ["name", "short_description", "long_description", "synonyms", "parents"]


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


class _CsvTerm(NamedTuple):
    """One valid line of an import file."""

    line_number: int
    name: str
    short: str
    long: str
    synonyms: list
    parents: list


@transaction.atomic
def glossary_import_csv(*, acting_user, glossary: Glossary, content: str) -> dict:
    """Create or update terms by name from CSV; all or nothing, idempotent.

    Parents name terms of this glossary (in the file or already there). Returns counts.
    """
    require_manage_owned(
        acting_user, glossary.domain, glossary.owning_project, "import terms into this glossary"
    )
    errors, rows = _parse_rows(_csv_reader(content))
    existing = {t.name.lower(): t for t in glossary.terms.all()}
    errors += _parent_errors(rows, known=set(existing) | {row.name.lower() for row in rows})
    if errors:
        # In file order, as a person fixes them.
        errors.sort(key=lambda message: int(message.split(":", 1)[0].removeprefix("Line ")))
        raise CsvImportError(errors)

    terms, created, changed, reworded = _save_terms(glossary, rows, existing)
    for term in _save_parents(glossary, rows, terms, {**existing, **terms}):
        reworded.add(term.pk)
        if term.pk not in created:
            changed.add(term.pk)
    _words_changed(sorted(created | reworded, key=str))
    return {
        "created": len(created),
        "updated": len(changed),
        "unchanged": len(rows) - len(created) - len(changed),
    }


def _csv_reader(content) -> csv.DictReader:
    """A reader over UTF-8 text whose header names known columns (lower-cased)."""
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
    return reader


def _parse_rows(reader) -> tuple[list[str], list[_CsvTerm]]:
    """Every line checked on its own: (errors, the valid lines)."""
    errors, rows, names_in_file = [], [], {}
    for line_number, row in _csv_rows(reader):
        if line_number - 1 > CSV_IMPORT_MAX_TERMS:
            raise CsvImportError(
                [f"A file may hold at most {CSV_IMPORT_MAX_TERMS:,} terms; split it in parts."]
            )
        parsed = _parse_row(line_number, row, names_in_file)
        if isinstance(parsed, _CsvTerm):
            names_in_file[parsed.name.lower()] = line_number
            rows.append(parsed)
        else:
            errors.extend(parsed)
    return errors, rows


def _parse_row(line_number: int, row: dict, names_in_file: dict) -> _CsvTerm | list[str]:
    """One line as a term, or the errors that keep it from being one."""
    if None in row:
        return [f"Line {line_number}: more values than columns (quote values that contain commas)."]
    name = (row.get("name") or "").strip()
    if not name:
        return [f"Line {line_number}: the term has no name."]
    if len(name) > 256:
        return [f"Line {line_number}: the name has more than 256 characters."]
    if name.lower() in names_in_file:
        return [f"Line {line_number}: term '{name}' is also on line {names_in_file[name.lower()]}."]
    short = (row.get("short_description") or "").strip()
    if len(short) > 1024:
        return [f"Line {line_number}: the short description has more than 1024 characters."]
    try:
        long = clean_description((row.get("long_description") or "").strip(), "long_description")
        synonyms = _clean_synonyms(row.get("synonyms") or "")
    except ValidationError as error:
        return [
            f"Line {line_number}: {field.replace('_', ' ')}: {' '.join(messages)}"
            for field, messages in error.message_dict.items()
        ]
    parents = [p.strip() for p in (row.get("parents") or "").split(LIST_SEPARATOR) if p.strip()]
    return _CsvTerm(line_number, name, short, long, synonyms, parents)


def _parent_errors(rows: list[_CsvTerm], *, known: set) -> list[str]:
    """Parents must be terms of this glossary or of the file, and not the term itself."""
    errors = []
    for row in rows:
        for parent in row.parents:
            if parent.lower() not in known:
                errors.append(
                    f"Line {row.line_number}: parent '{parent}' is not a term of this glossary or this file."
                )
            elif parent.lower() == row.name.lower():
                errors.append(
                    f"Line {row.line_number}: term '{row.name}' cannot be its own parent."
                )
    return errors


def _save_terms(glossary, rows: list[_CsvTerm], existing: dict):
    """Create the new terms and rewrite the changed ones: (terms by lower-case name,
    created pks, changed pks, pks whose synonyms changed)."""
    created, changed, reworded = set(), set(), set()
    terms = {}
    for row in rows:
        term = existing.get(row.name.lower())
        if term is None:
            term = GlossaryTerm.objects.create(
                glossary=glossary,
                name=row.name,
                short_description=row.short,
                long_description=row.long,
                synonyms=row.synonyms,
            )
            created.add(term.pk)
        elif (term.short_description, term.long_description, term.synonyms) != (
            row.short,
            row.long,
            row.synonyms,
        ):
            if term.synonyms != row.synonyms:
                reworded.add(term.pk)
            term.short_description, term.long_description = row.short, row.long
            term.synonyms = row.synonyms
            term.save()
            changed.add(term.pk)
        terms[row.name.lower()] = term
    return terms, created, changed, reworded


def _save_parents(glossary, rows: list[_CsvTerm], terms: dict, all_terms: dict):
    """Set each term's parents in this glossary (those elsewhere are kept); yields the
    terms whose parents changed."""
    for row in rows:
        term = terms[row.name.lower()]
        current = list(term.is_a.all())
        elsewhere = [p for p in current if p.glossary_id != glossary.pk]  # kept as they are
        wanted = [all_terms[p.lower()] for p in row.parents] + elsewhere
        if {p.pk for p in wanted} != {p.pk for p in current}:
            try:
                check_is_a_acyclic(term, wanted)
            except ValidationError:
                raise CsvImportError(
                    [
                        f"Line {row.line_number}: the parents of '{row.name}' would make an is-a cycle."
                    ]
                ) from None
            term.is_a.set(wanted)
            yield term
