"""Writes of a domain's publishing rule."""

from django.core.exceptions import ValidationError
from django.db import transaction

from meshportal.limits import clean_description

from ..models import FormType, GlossaryTerm, PublishingRule
from ..permissions import require_domain_steward


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
