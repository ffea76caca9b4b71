"""Platform setup in the portal (platform admins only): domains, the AWS accounts
associated with them and a check of the portal's access there, environment profiles
with a typed field per parameter of their blueprint.

Everything here is also in Django admin, which stays for emergencies; these pages are
the everyday way, with the same services as the API behind them. Anyone else gets the
403 page: domains, accounts and profiles are no secret (the Domains page lists them),
changing them is.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from meshportal.exceptions import Conflict
from meshportal.forms import form_page, service_action, success_redirect
from meshportal.htmx import is_htmx_partial

from .. import selectors, services
from ..access_check import aws_account_check_access
from ..choices import Blueprint
from ..forms import AwsAccountForm, DomainForm, EnvironmentProfileForm
from ..permissions import require_platform_admin


def _admin(request, action: str) -> None:
    require_platform_admin(request.user, action)


def _domain_url(domain, anchor: str = "") -> str:
    return reverse("platform-domain-detail", args=[domain.pk]) + (f"#{anchor}" if anchor else "")


def _form_page(request, form, *, save, message, back, template: str, context: dict):
    """A platform create or edit page: the shared form loop (``handle_form``); on success
    a message and back to the domain's page (``back(saved object)``), else the form again
    with its errors (400, 409 for a conflict)."""
    return form_page(
        request, form, save, success_redirect(request, message, back), template, context
    )


# --- Overview and domains ---------------------------------------------------------------


@require_safe
def platform_home(request):
    _admin(request, "set up the platform")
    domains = selectors.platform_domain_list(user=request.user)
    return render(request, "projects/platform/home.html", {"domains": domains})


@require_http_methods(["GET", "POST"])
def platform_domain_create(request):
    _admin(request, "create domains")
    return _form_page(
        request,
        DomainForm(request.POST or None),
        save=lambda form: services.domain_create(acting_user=request.user, **form.service_kwargs()),
        message=lambda domain: (
            f"Domain “{domain.name}” created. You are its owner. Next: "
            "associate the AWS account its data lives in."
        ),
        back=_domain_url,
        template="projects/platform/domain_form.html",
        context={"creating": True},
    )


@require_safe
def platform_domain_detail(request, pk):
    _admin(request, "set up domains")
    domain = selectors.platform_domain_get(user=request.user, pk=pk)
    return render(
        request,
        "projects/platform/domain_detail.html",
        {
            "domain": domain,
            "accounts": selectors.platform_account_list(domain=domain),
            "profiles": selectors.platform_profile_list(domain=domain),
            "blueprints": Blueprint.choices,
        },
    )


@require_http_methods(["GET", "POST"])
def platform_domain_edit(request, pk):
    _admin(request, "change domains")
    domain = selectors.platform_domain_get(user=request.user, pk=pk)
    return _form_page(
        request,
        DomainForm(
            request.POST or None, initial={"name": domain.name, "description": domain.description}
        ),
        save=lambda form: services.domain_update(
            acting_user=request.user, domain=domain, **form.service_kwargs()
        ),
        message=lambda _: "Domain saved.",
        back=lambda _: _domain_url(domain),
        template="projects/platform/domain_form.html",
        context={"domain": domain, "creating": False},
    )


@require_POST
def platform_domain_delete(request, pk):
    _admin(request, "delete domains")
    domain = selectors.platform_domain_get(user=request.user, pk=pk)
    try:
        services.domain_delete(acting_user=request.user, domain=domain)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect(_domain_url(domain))
    messages.success(request, f"Domain “{domain.name}” deleted.")
    return redirect("platform-home")


# --- AWS accounts -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def platform_account_create(request, pk):
    _admin(request, "associate AWS accounts")
    domain = selectors.platform_domain_get(user=request.user, pk=pk)
    return _form_page(
        request,
        AwsAccountForm(request.POST or None),
        save=lambda form: services.aws_account_create(
            acting_user=request.user, domain=domain, **form.service_kwargs()
        ),
        message=lambda account: (
            f"Account {account.account_id} associated with {domain.name}. "
            "Check the portal's access there with “Check access”."
        ),
        back=lambda _: _domain_url(domain, "accounts"),
        template="projects/platform/account_form.html",
        context={"domain": domain, "creating": True},
    )


@require_http_methods(["GET", "POST"])
def platform_account_edit(request, pk):
    _admin(request, "change AWS accounts")
    account = selectors.platform_account_get(user=request.user, pk=pk)
    initial = {f: getattr(account, f) for f in ("account_id", "name", "region", "role_arn")}
    return _form_page(
        request,
        AwsAccountForm(request.POST or None, initial=initial),
        save=lambda form: services.aws_account_update(
            acting_user=request.user, account=account, **form.service_kwargs()
        ),
        message=lambda _: f"Account {account.account_id} saved.",
        back=lambda _: _domain_url(account.domain, "accounts"),
        template="projects/platform/account_form.html",
        context={"domain": account.domain, "account": account, "creating": False},
    )


@require_POST
def platform_account_delete(request, pk):
    _admin(request, "remove AWS accounts")
    account = selectors.platform_account_get(user=request.user, pk=pk)
    done = f"Account {account.account_id} removed from the domain."
    back = _domain_url(account.domain, "accounts")
    return service_action(request, services.aws_account_delete, done, back, account=account)


@require_POST
def platform_account_check(request, pk):
    """Check the portal's access to the account now. htmx swaps the report in under the
    account's row (the button shows "Checking…" meanwhile); without JavaScript the
    report is a page of its own."""
    _admin(request, "check access to AWS accounts")
    account = selectors.platform_account_get(user=request.user, pk=pk)
    report = aws_account_check_access(acting_user=request.user, account=account)
    context = {"account": account, "domain": account.domain, "report": report}
    if is_htmx_partial(request):
        return render(request, "projects/platform/_access_report.html", context)
    return render(request, "projects/platform/account_check.html", context)


# --- Environment profiles -----------------------------------------------------------------


def _blueprint(value) -> str | None:
    return value if value in Blueprint.values else None


@require_http_methods(["GET", "POST"])
def platform_profile_create(request, pk):
    _admin(request, "create environment profiles")
    domain = selectors.platform_domain_get(user=request.user, pk=pk)
    blueprint = _blueprint(request.GET.get("blueprint") or request.POST.get("blueprint"))
    accounts = selectors.platform_account_list(domain=domain)
    if blueprint is None:
        # First choose what kind of environments the profile makes: the fields follow.
        return render(
            request,
            "projects/platform/profile_blueprint.html",
            {"domain": domain, "blueprints": Blueprint.choices, "has_accounts": accounts.exists()},
        )
    return _form_page(
        request,
        EnvironmentProfileForm(request.POST or None, blueprint=blueprint, accounts=accounts),
        save=lambda form: services.environment_profile_create(
            acting_user=request.user, domain=domain, blueprint=blueprint, **form.service_kwargs()
        ),
        message=lambda profile: (
            f"Environment profile “{profile.name}” created: projects of "
            f"{domain.name} can create environments from it."
        ),
        back=lambda _: _domain_url(domain, "profiles"),
        template="projects/platform/profile_form.html",
        context={
            "domain": domain,
            "blueprint": Blueprint(blueprint),
            "creating": True,
            # The template calls it, so a successful POST spends no query on it.
            "has_accounts": accounts.exists,
        },
    )


@require_http_methods(["GET", "POST"])
def platform_profile_edit(request, pk):
    _admin(request, "change environment profiles")
    profile = selectors.platform_profile_get(user=request.user, pk=pk)
    domain = profile.domain
    return _form_page(
        request,
        EnvironmentProfileForm(
            request.POST or None,
            blueprint=profile.blueprint,
            accounts=selectors.platform_account_list(domain=domain),
            profile=profile,
        ),
        save=lambda form: services.environment_profile_update(
            acting_user=request.user, profile=profile, **form.service_kwargs()
        ),
        message=lambda _: (
            f"Environment profile “{profile.name}” saved. Existing environments "
            "keep the resources they were made with."
        ),
        back=lambda _: _domain_url(domain, "profiles"),
        template="projects/platform/profile_form.html",
        context={
            "domain": domain,
            "profile": profile,
            "blueprint": Blueprint(profile.blueprint),
            "creating": False,
            "has_accounts": True,
        },
    )


@require_POST
def platform_profile_delete(request, pk):
    _admin(request, "delete environment profiles")
    profile = selectors.platform_profile_get(user=request.user, pk=pk)
    done = f"Environment profile “{profile.name}” deleted."
    back = _domain_url(profile.domain, "profiles")
    return service_action(request, services.environment_profile_delete, done, back, profile=profile)
