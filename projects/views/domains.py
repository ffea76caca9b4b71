"""The Domains page: every domain with its accounts and profiles (everyone signed in)."""

from django.db.models import Prefetch
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import selectors


@require_safe
def domain_list(request):
    user = request.user
    domains = selectors.domain_page_list(user=user).prefetch_related(
        Prefetch("aws_accounts", queryset=selectors.aws_account_list(user=user)),
        Prefetch("environment_profiles", queryset=selectors.environment_profile_list(user=user)),
    )
    return render(request, "projects/domain_list.html", {"domains": domains})
