"""Writes of glossary terms: relations (no cycles), synonyms, and the domain's term index."""

from django.core.exceptions import ValidationError
from django.db import transaction

from meshportal.limits import (
    RELATED_TERMS_MAX,
    SYNONYMS_PER_TERM_MAX,
    check_count,
    clean_description,
)
from meshportal.services import reject_unknown_fields, save_unique

from ..choices import GlossaryStatus
from ..models import ATTACHABLE_TERMS, Glossary, GlossaryTerm
from ..permissions import require_manage_owned
from ..queries import light_terms
from ..signals import term_words_changed
from .glossaries import LIST_SEPARATOR, _status, _text

TERM_FIELDS = {
    "name",
    "short_description",
    "long_description",
    "synonyms",
    "is_a",
    "classifies",
    "status",
}


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
    status=GlossaryStatus.ENABLED,
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


def term_index(domain_id) -> dict:
    """{lower-case name or synonym: [terms]} of the domain's attachable terms, one query.

    Suggestions compare table and column names with it; a domain's vocabulary is small
    enough (thousands of terms) to hold in memory for a run. Only the id, name and
    synonyms are fetched (no descriptions, no glossary row), so the index grows with the
    vocabulary and never with what the terms or their glossaries describe.
    """
    index: dict = {}
    terms = GlossaryTerm.objects.filter(ATTACHABLE_TERMS, glossary__domain_id=domain_id).only(
        "id", "name", "synonyms"
    )
    for term in terms:
        for key in {term.name.lower(), *(s.lower() for s in term.synonyms)}:
            index.setdefault(key, []).append(term)
    return index
