"""Platform administration: domains, AWS accounts, environment profiles."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from meshportal.exceptions import Conflict
from meshportal.limits import clean_description
from meshportal.services import reject_unknown_fields, save_unique

from ..choices import DomainRole
from ..models import (
    AwsAccount,
    Domain,
    DomainMembership,
    EnvironmentProfile,
)
from ..permissions import require_platform_admin


@dataclass(frozen=True)
class _AdminRules:
    """What a write of one kind of platform-admin object checks.

    ``allowed``: the fields a change may name. ``frozen`` fields may be named only with
    their current value (an account or profile stays in its domain: its profiles and
    environments depend on that). ``clash`` is the queryset of rows that would make
    ``clash_error`` true, checked before the database's constraint so the error names the
    field instead of a generic "already exists".
    """

    allowed: frozenset
    clash: Callable
    clash_error: Callable
    frozen: dict = field(default_factory=dict)


def _admin_save(instance, changes: dict, rules: _AdminRules):
    """Apply ``changes`` to a platform-admin object, validate it as a model form would, save."""
    for name, message in rules.frozen.items():
        if name in changes and changes.pop(name) != getattr(instance, name):
            raise ValidationError({name: message})
    reject_unknown_fields(changes, rules.allowed)
    if "description" in changes:
        changes["description"] = clean_description(changes["description"])
    for name, value in changes.items():
        setattr(instance, name, value)
    # clean() of EnvironmentProfile runs validate_profile (parameters per blueprint).
    instance.full_clean(validate_unique=False, validate_constraints=False)
    return save_unique(instance, rules.clash_error(instance), clash=rules.clash(instance))


def _admin_delete(instance, *, what: str) -> None:
    """Delete, or raise Conflict naming what still depends on the object (PROTECT)."""
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError as error:
        counts: dict[str, int] = {}
        for obj in error.protected_objects:
            meta = type(obj)._meta
            counts[meta.verbose_name_plural] = counts.get(meta.verbose_name_plural, 0) + 1
        in_use = ", ".join(f"{n} {name}" for name, n in sorted(counts.items()))
        raise Conflict(f"{what} is still in use ({in_use}); delete or move those first.") from None


_DOMAIN = _AdminRules(
    allowed=frozenset({"name", "description"}),
    clash=lambda domain: Domain.objects.filter(name__iexact=domain.name),
    clash_error=lambda domain: {"name": f"A domain named '{domain.name}' already exists."},
)


@transaction.atomic
def domain_create(*, acting_user, name: str, description: str = "") -> Domain:
    """Create a domain; the platform admin who creates it becomes its first OWNER (so
    somebody can name its stewards without Django admin)."""
    require_platform_admin(acting_user, "create domains")
    domain = _admin_save(
        Domain(), {"name": name, "description": clean_description(description)}, _DOMAIN
    )
    DomainMembership.objects.create(domain=domain, user=acting_user, role=DomainRole.OWNER)
    return domain


@transaction.atomic
def domain_update(*, acting_user, domain: Domain, **changes) -> Domain:
    require_platform_admin(acting_user, "change domains")
    return _admin_save(domain, changes, _DOMAIN)


@transaction.atomic
def domain_delete(*, acting_user, domain: Domain) -> None:
    """Delete a domain; one that still has projects, accounts or profiles is a Conflict."""
    require_platform_admin(acting_user, "delete domains")
    _admin_delete(domain, what=f"Domain '{domain.name}'")


_STAYS_IN_DOMAIN = "The domain cannot be changed; create a new one in the other domain instead."

_ACCOUNT = _AdminRules(
    allowed=frozenset({"name", "account_id", "region", "role_arn"}),
    clash=lambda account: AwsAccount.objects.filter(
        domain_id=account.domain_id, account_id=account.account_id
    ),
    clash_error=lambda account: {
        "account_id": f"Account {account.account_id} is already associated with this domain."
    },
    frozen={"domain": _STAYS_IN_DOMAIN},
)


@transaction.atomic
def aws_account_create(
    *, acting_user, domain: Domain, account_id: str, region: str, name: str = "", role_arn: str = ""
) -> AwsAccount:
    require_platform_admin(acting_user, "associate AWS accounts")
    return _admin_save(
        AwsAccount(domain=domain),
        {
            "name": name or "",
            "account_id": account_id,
            "region": region,
            "role_arn": role_arn or "",
        },
        _ACCOUNT,
    )


@transaction.atomic
def aws_account_update(*, acting_user, account: AwsAccount, **changes) -> AwsAccount:
    require_platform_admin(acting_user, "change AWS accounts")
    return _admin_save(account, changes, _ACCOUNT)


@transaction.atomic
def aws_account_delete(*, acting_user, account: AwsAccount) -> None:
    require_platform_admin(acting_user, "remove AWS accounts")
    _admin_delete(account, what=f"AWS account {account.account_id}")


_PROFILE = _AdminRules(
    allowed=frozenset({"name", "description", "blueprint", "aws_account", "region", "parameters"}),
    clash=lambda profile: EnvironmentProfile.objects.filter(
        domain_id=profile.domain_id, name__iexact=profile.name
    ),
    clash_error=lambda profile: {
        "name": f"This domain already has an environment profile named '{profile.name}'."
    },
    frozen={"domain": _STAYS_IN_DOMAIN},
)


@transaction.atomic
def environment_profile_create(
    *,
    acting_user,
    domain: Domain,
    name: str,
    blueprint: str,
    aws_account: AwsAccount,
    region: str,
    parameters: dict | None = None,
    description: str = "",
) -> EnvironmentProfile:
    """Create a profile; its parameters are checked for its blueprint (validate_profile)."""
    require_platform_admin(acting_user, "create environment profiles")
    return _admin_save(
        EnvironmentProfile(domain=domain),
        {
            "name": name,
            "description": description or "",
            "blueprint": blueprint,
            "aws_account": aws_account,
            "region": region,
            "parameters": {} if parameters is None else parameters,
        },
        _PROFILE,
    )


@transaction.atomic
def environment_profile_update(
    *, acting_user, profile: EnvironmentProfile, **changes
) -> EnvironmentProfile:
    """Change a profile. Existing environments keep the resources they were made with."""
    require_platform_admin(acting_user, "change environment profiles")
    return _admin_save(profile, changes, _PROFILE)


@transaction.atomic
def environment_profile_delete(*, acting_user, profile: EnvironmentProfile) -> None:
    require_platform_admin(acting_user, "delete environment profiles")
    _admin_delete(profile, what=f"Environment profile '{profile.name}'")
