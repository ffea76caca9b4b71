"""Pages of a domain's publishing rule."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from meshportal.forms import form_status, handle_form
from projects import selectors as project_selectors
from projects.permissions import is_domain_steward

from .. import selectors, services
from ..forms import PublishingRuleForm
from ..models import FormType
from ..permissions import require_domain_steward
from .terms import _domain_terms


@require_safe
def publishing_rule_list(request):
    return render(
        request,
        "glossary/publishing_rule_list.html",
        {
            "domains": selectors.publishing_rule_by_domain_list(user=request.user),
            "section": "rules",
        },
    )


@require_http_methods(["GET", "POST"])
def publishing_rule(request, pk):
    domain = project_selectors.domain_get(user=request.user, pk=pk)
    rule = selectors.publishing_rule_for(domain=domain)
    can_edit = is_domain_steward(request.user, domain)
    if request.method == "POST" and not can_edit:
        require_domain_steward(request.user, domain, "set publishing rules")
    form_types = FormType.objects.filter(domain=domain).order_by("name")
    terms = _domain_terms(domain)
    form = None
    if can_edit:
        form = PublishingRuleForm(
            request.POST if request.method == "POST" else None,
            initial={
                "required_form_types": [f.pk for f in rule.required_form_types.all()]
                if rule
                else [],
                "required_glossary_terms": [t.pk for t in rule.required_glossary_terms.all()]
                if rule
                else [],
                "description": rule.description if rule else "",
            },
            form_types=form_types,
            terms=terms,
        )

    def save(form):
        return services.publishing_rule_set(
            acting_user=request.user,
            domain=domain,
            required_form_types=[f.pk for f in form.cleaned_data["required_form_types"]],
            required_glossary_terms=[t.pk for t in form.cleaned_data["required_glossary_terms"]],
            description=form.cleaned_data["description"],
        )

    def saved(_rule):
        messages.success(request, f"Publishing rule of {domain.name} saved.")
        return redirect("publishing-rule", pk=domain.pk)

    if form is not None and (response := handle_form(request, form, save, saved)):
        return response
    return render(
        request,
        "glossary/publishing_rule.html",
        {
            "domain": domain,
            "rule": rule,
            "form": form,
            "can_edit": can_edit,
            "has_form_types": form_types.exists() if can_edit else False,
            "required_forms": sorted(rule.required_form_types.all(), key=lambda f: f.name.lower())
            if rule
            else [],
            "required_terms": sorted(
                rule.required_glossary_terms.all(), key=lambda t: t.name.lower()
            )
            if rule
            else [],
        },
        status=form_status(form),
    )
