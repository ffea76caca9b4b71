"""Reads of the glossary app.

A domain's vocabulary is public within the company: every signed-in user may read
glossaries, terms, form types and publishing rules (they explain the catalog).
"""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from projects.choices import Designation, DomainRole
from projects.models import Domain, DomainMembership, Project, ProjectMembership
from projects.permissions import member_q
from projects.selectors import domain_list

from .models import FormField, FormType, Glossary, GlossaryTerm, PublishingRule
from .queries import light_terms


def glossary_list(*, user) -> QuerySet[Glossary]:
    return (
        Glossary.objects.select_related("domain", "owning_project")
        .annotate(term_count=Count("terms"))
        .order_by("domain__name", "name")
    )


def glossary_get(*, user, pk) -> Glossary:
    return get_object_or_404(glossary_list(user=user), pk=pk)


def _related_terms(lookup) -> Prefetch:
    """Related terms with their glossary (pages name the glossary of a term from another)."""
    return Prefetch(lookup, queryset=light_terms())


def term_list(*, user) -> QuerySet[GlossaryTerm]:
    return (
        GlossaryTerm.objects.select_related("glossary", "glossary__domain")
        .prefetch_related(_related_terms("is_a"), _related_terms("classifies"))
        .order_by("glossary__name", "name")
    )


def term_get(*, user, pk) -> GlossaryTerm:
    return get_object_or_404(
        term_list(user=user).prefetch_related(
            _related_terms("narrower_terms"), _related_terms("classified_by")
        ),
        pk=pk,
    )


def form_type_list(*, user) -> QuerySet[FormType]:
    return (
        FormType.objects.select_related("domain", "owning_project")
        .prefetch_related(
            Prefetch(
                "fields", queryset=FormField.objects.select_related("glossary").order_by("order")
            )
        )
        .order_by("domain__name", "name")
    )


def form_type_get(*, user, pk) -> FormType:
    return get_object_or_404(form_type_list(user=user), pk=pk)


def publishing_rule_list(*, user) -> QuerySet[PublishingRule]:
    return PublishingRule.objects.select_related("domain").prefetch_related(
        "required_form_types", "required_glossary_terms"
    )


def publishing_rule_for(*, domain) -> PublishingRule | None:
    return publishing_rule_list(user=None).filter(domain=domain).first()


def publishing_rule_by_domain_list(*, user) -> QuerySet[Domain]:
    """Every domain with its publishing rule (``domain.publishing_rule``, or none: a domain
    that never set one requires nothing) and the rule's requirements, in four queries."""
    return (
        domain_list(user=user)
        .select_related("publishing_rule")
        .prefetch_related(
            Prefetch(
                "publishing_rule__required_form_types", queryset=FormType.objects.order_by("name")
            ),
            Prefetch(
                "publishing_rule__required_glossary_terms",
                queryset=GlossaryTerm.objects.order_by("name"),
            ),
        )
    )


def manageable_project_list(*, user) -> QuerySet[Project]:
    """Projects whose glossaries and form types the user may create: those the user OWNs
    and every project of the domains the user stewards or owns (see permissions.py)."""
    if not user.is_authenticated:
        return Project.objects.none()
    owns = Exists(
        ProjectMembership.objects.filter(
            member_q(user), project_id=OuterRef("pk"), designation=Designation.OWNER
        )
    )
    oversees = Exists(
        DomainMembership.objects.filter(
            member_q(user),
            domain_id=OuterRef("domain_id"),
            role__in=[DomainRole.STEWARD, DomainRole.OWNER],
        )
    )
    return (
        Project.objects.filter(Q(owns) | Q(oversees))
        .select_related("domain")
        .order_by("domain__name", "name")
    )


def term_tree(terms, edges) -> list[dict]:
    """The glossary's terms as a forest by ``is_a``.

    Roots are the terms without a broader term in this glossary; each child sits under
    every one of its parents. ``edges`` are (narrower id, broader id) pairs. The services
    keep is_a acyclic; the walk still refuses to revisit a term on its own path.
    """
    by_id = {t.pk: t for t in terms}
    children: dict = {}
    has_parent = set()
    for child_id, parent_id in edges:
        if child_id in by_id and parent_id in by_id:
            children.setdefault(parent_id, []).append(by_id[child_id])
            has_parent.add(child_id)
    for kids in children.values():
        kids.sort(key=lambda t: t.name.lower())

    def node(term, path):
        path = path | {term.pk}
        return {
            "term": term,
            "children": [node(c, path) for c in children.get(term.pk, []) if c.pk not in path],
        }

    roots = [t for t in terms if t.pk not in has_parent]
    return [node(t, frozenset()) for t in sorted(roots, key=lambda t: t.name.lower())]
