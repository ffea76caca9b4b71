"""Reads of the glossary app.

A domain's vocabulary is public within the company: every signed-in user may read
glossaries, terms, form types and publishing rules (they explain the catalog).
"""

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from .models import FormField, FormType, Glossary, GlossaryTerm, PublishingRule


def glossary_list(*, user) -> QuerySet[Glossary]:
    return (
        Glossary.objects.select_related("domain", "owning_project")
        .annotate(term_count=Count("terms"))
        .order_by("domain__name", "name")
    )


def glossary_get(*, user, pk) -> Glossary:
    return get_object_or_404(glossary_list(user=user), pk=pk)


def term_list(*, user) -> QuerySet[GlossaryTerm]:
    return (
        GlossaryTerm.objects.select_related("glossary", "glossary__domain")
        .prefetch_related("is_a", "classifies")
        .order_by("glossary__name", "name")
    )


def term_get(*, user, pk) -> GlossaryTerm:
    return get_object_or_404(
        term_list(user=user).prefetch_related("narrower_terms", "classified_by"), pk=pk
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
