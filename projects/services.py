"""Writes of the projects app.

Each service is ``<noun>_<verb>(*, acting_user, ...)``, runs in one transaction, checks
that the acting user may do it, and raises ValidationError (bad input, naming the field),
PermissionDenied (not allowed) or Conflict (the state has moved on). Background work is
enqueued with transaction.on_commit so a worker never sees a row that was rolled back.
"""

import re
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, ProtectedError
from django.utils import timezone

from meshportal.exceptions import Conflict
from meshportal.limits import clean_description
from meshportal.services import reject_unknown_fields, save_unique

from .choices import Blueprint, Designation, EnvironmentStatus, NotificationKind
from .models import (
    AwsAccount,
    Domain,
    Environment,
    EnvironmentProfile,
    Notification,
    Project,
    ProjectMembership,
)
from .permissions import require_designation, require_platform_admin, user_group_names

User = get_user_model()


# --- Projects -----------------------------------------------------------------------------


def _clean_name(value: str, field: str, max_length: int = 64) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: "Enter a name."})
    if len(value) > max_length:
        raise ValidationError(
            {field: f"Use at most {max_length} characters (this has {len(value)})."}
        )
    return value


@transaction.atomic
def project_create(*, acting_user, domain, name: str, description: str = "") -> Project:
    """Create a project in a domain; its creator becomes its first OWNER."""
    name = _clean_name(name, "name")
    project = Project(
        domain=domain, name=name, description=clean_description(description), created_by=acting_user
    )
    save_unique(
        project,
        {"name": f"A project named '{name}' already exists in domain '{domain.name}'."},
        clash=Project.objects.filter(domain=domain, name__iexact=name),
    )
    ProjectMembership.objects.create(
        project=project, user=acting_user, designation=Designation.OWNER
    )
    return project


@transaction.atomic
def project_update(*, acting_user, project: Project, name=None, description=None) -> Project:
    require_designation(acting_user, project, Designation.OWNER, "change the project's details")
    if name is not None:
        project.name = _clean_name(name, "name")
    if description is not None:
        project.description = clean_description(description)
    return save_unique(
        project,
        {
            "name": f"A project named '{project.name}' already exists in domain '{project.domain.name}'."
        },
        clash=Project.objects.filter(domain=project.domain, name__iexact=project.name),
    )


# --- Members ------------------------------------------------------------------------------


def _owner_count(project) -> int:
    """OWNERs who are people. SSO-group owners do not count: a group nobody belongs to
    (any more) would leave the project with no one able to manage it."""
    return project.memberships.filter(designation=Designation.OWNER, user__isnull=False).count()


def _lock_project(project) -> Project:
    """Serialise membership changes of one project so 'at least one OWNER' holds."""
    return Project.objects.select_for_update().get(pk=project.pk)


@transaction.atomic
def project_member_add(
    *,
    acting_user,
    project: Project,
    designation: str,
    user=None,
    username: str = "",
    group: str = "",
) -> ProjectMembership:
    """Add a user (by object or username) or an SSO group to a project."""
    require_designation(acting_user, project, Designation.OWNER, "add members")
    _lock_project(project)
    if designation not in Designation.values:
        raise ValidationError({"designation": f"Choose one of {', '.join(Designation.values)}."})
    group = (group or "").strip()
    username = (username or "").strip()
    if user is None and username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise ValidationError(
                {"user": f"No user named '{username}'. People appear after their first sign-in."}
            )
    if (user is None) == (not group):
        raise ValidationError({"user": "Name either a user or an SSO group, not both or neither."})
    if user is not None and project.memberships.filter(user=user).exists():
        raise ValidationError(
            {"user": f"{user.get_username()} is already a member of this project."}
        )
    if group and project.memberships.filter(group=group).exists():
        raise ValidationError({"group": f"Group '{group}' is already a member of this project."})
    if group and len(group) > 150:
        raise ValidationError({"group": "An SSO group name has at most 150 characters."})
    membership = ProjectMembership.objects.create(
        project=project, user=user, group=group, designation=designation
    )
    if user is not None and user != acting_user:
        notification_create(
            recipient=user,
            kind=NotificationKind.EVENT,
            topic="PROJECT_MEMBER_ADDED",
            title=f"You were added to project {project.name} as {Designation(designation).label.lower()}",
            body=f"{acting_user.get_username()} added you to {project.name} in domain {project.domain.name}.",
            link=f"/projects/{project.pk}/",
        )
    return membership


@transaction.atomic
def project_member_update(
    *, acting_user, membership: ProjectMembership, designation: str
) -> ProjectMembership:
    project = membership.project
    require_designation(acting_user, project, Designation.OWNER, "change members' designations")
    _lock_project(project)
    if designation not in Designation.values:
        raise ValidationError({"designation": f"Choose one of {', '.join(Designation.values)}."})
    membership.refresh_from_db()
    if (
        membership.designation == Designation.OWNER
        and membership.user_id is not None
        and designation != Designation.OWNER
        and _owner_count(project) == 1
    ):
        raise ValidationError(
            {
                "designation": "A project must keep at least one owner: make someone else owner first."
            }
        )
    membership.designation = designation
    membership.save(update_fields=["designation", "updated_at"])
    return membership


@transaction.atomic
def project_member_remove(*, acting_user, membership: ProjectMembership) -> None:
    project = membership.project
    require_designation(acting_user, project, Designation.OWNER, "remove members")
    _lock_project(project)
    membership.refresh_from_db()
    if (
        membership.designation == Designation.OWNER
        and membership.user_id is not None
        and _owner_count(project) == 1
    ):
        raise ValidationError(
            {
                "designation": "A project must keep at least one owner: make someone else owner first."
            }
        )
    membership.delete()


# --- Environments ---------------------------------------------------------------------


def _slug(value: str, limit: int) -> str:
    return re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")[:limit].strip("_") or "x"


def derive_resource_names(environment: Environment) -> dict:
    """Names of the AWS resources an environment owns, fixed at creation.

    They carry a short piece of the environment's id, so two projects (even in different
    domains sharing one account) never collide, and a retry finds what it made before.
    Glue database names are lower-case letters, digits and underscores; IAM role names at
    most 64 characters; Athena workgroups letters, digits, '.', '_' and '-'.
    """
    project, profile = environment.project, environment.profile
    short = environment.pk.hex[:8]
    project_slug, env_slug = _slug(project.name, 40), _slug(environment.name, 40)
    base = f"{project_slug}_{env_slug}_{short}"
    names = {}
    if profile.blueprint == Blueprint.DATA_LAKE:
        bucket = profile.parameters["s3_bucket"]
        domain_slug = _slug(project.domain.name, 40).replace("_", "-")
        names.update(
            producer_glue_database=f"{base}_pub_db",
            consumer_glue_database=f"{base}_sub_db",
            s3_location=f"s3://{bucket}/meshportal/{domain_slug}/{base.replace('_', '-')}/",
            athena_workgroup=f"meshportal-{base.replace('_', '-')}"[:128],
            grant_role_arn=profile.parameters.get("grant_role_arn")
            or f"arn:aws:iam::{profile.aws_account.account_id}:role/meshportal/"
            + f"mp-{short}-{project_slug}-{env_slug}".replace("_", "-")[:64],
        )
    else:
        names.update(
            redshift_database=profile.parameters.get("database", ""),
            redshift_user=profile.parameters.get("user", ""),
            redshift_role=f"mp_{short}_{project_slug}_{env_slug}"[:127],
        )
    return names


def _enqueue_provisioning(environment_id) -> None:
    from .tasks import provision_environment

    transaction.on_commit(lambda: provision_environment.delay(str(environment_id)))


@transaction.atomic
def environment_create(
    *, acting_user, project: Project, profile: EnvironmentProfile, name: str, description: str = ""
) -> Environment:
    """Create an environment (CREATING) and enqueue its provisioning after commit."""
    require_designation(acting_user, project, Designation.CONTRIBUTOR, "create environments")
    name = _clean_name(name, "name")
    if profile.domain_id != project.domain_id:
        raise ValidationError(
            {
                "profile": f"Profile '{profile.name}' belongs to another domain; choose one of "
                f"domain '{project.domain.name}'."
            }
        )
    if (
        project.environments.filter(name__iexact=name)
        .exclude(status=EnvironmentStatus.DELETED)
        .exists()
    ):
        raise ValidationError({"name": f"This project already has an environment named '{name}'."})
    environment = Environment(
        id=uuid.uuid4(),
        project=project,
        profile=profile,
        name=name,
        description=clean_description(description),
        created_by=acting_user,
        status=EnvironmentStatus.CREATING,
        provisioning_started_at=timezone.now(),
        attempts=1,
    )
    for field, value in derive_resource_names(environment).items():
        setattr(environment, field, value)
    save_unique(
        environment,
        {"name": f"This project already has an environment named '{name}'."},
        force_insert=True,
    )
    _enqueue_provisioning(environment.pk)
    return environment


@transaction.atomic
def environment_retry(*, acting_user, environment: Environment) -> Environment:
    """Move a CREATE_FAILED environment back to CREATING and provision it again."""
    require_designation(
        acting_user, environment.project, Designation.CONTRIBUTOR, "retry environments"
    )
    moved = Environment.objects.filter(
        pk=environment.pk, status=EnvironmentStatus.CREATE_FAILED
    ).update(
        status=EnvironmentStatus.CREATING,
        provisioning_started_at=timezone.now(),
        attempts=F("attempts") + 1,
        updated_at=timezone.now(),
    )
    if not moved:
        environment.refresh_from_db()
        raise Conflict(
            f"Environment '{environment.name}' is {environment.get_status_display().lower()}; "
            "only a failed environment can be retried."
        )
    environment.refresh_from_db()
    _enqueue_provisioning(environment.pk)
    return environment


# --- Notifications --------------------------------------------------------------------


def notification_create(
    *, recipient, kind: str, topic: str, title: str, body: str = "", link: str = ""
) -> Notification:
    return Notification.objects.create(
        recipient=recipient, kind=kind, topic=topic, title=title[:255], body=body, link=link
    )


def notification_mark_read(*, acting_user, notification: Notification) -> Notification:
    if notification.recipient_id != acting_user.pk:  # selectors already narrow; belt and braces
        raise ValidationError("This notification is not yours.")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        notification.refresh_from_db()
    return notification


def notification_mark_all_read(*, acting_user) -> int:
    return Notification.objects.filter(recipient=acting_user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- SSO groups -----------------------------------------------------------------------


@transaction.atomic
def user_sync_sso_groups(*, user, groups) -> list[str]:
    """Make the user's groups exactly the ones the identity provider sent.

    The IdP is the source of truth for SSO users: a group removed there loses its
    project memberships here at the next login.
    """
    if isinstance(groups, str):
        groups = [groups]
    names = sorted({str(g).strip()[:150] for g in (groups or []) if str(g).strip()})
    existing = {g.name: g for g in Group.objects.filter(name__in=names)}
    for name in names:
        if name not in existing:
            existing[name], _ = Group.objects.get_or_create(name=name)
    user.groups.set(existing.values())
    user._meshportal_group_names = names
    user_group_names(user)
    return names


# --- Platform administration: domains, AWS accounts, environment profiles ----------------


def _admin_save(instance, *, changes: dict, allowed: set, frozen: dict, clash, clash_error):
    """Apply ``changes`` to a platform-admin object, validate it as a model form would, save.

    ``frozen`` fields may be named only with their current value (an account or profile
    stays in its domain: its profiles and environments depend on that). ``clash`` is the
    queryset of rows that would make ``clash_error`` true, checked before the database's
    constraint so the error names the field instead of a generic "already exists".
    """
    for field, message in frozen.items():
        if field in changes and changes.pop(field) != getattr(instance, field):
            raise ValidationError({field: message})
    reject_unknown_fields(changes, allowed)
    if "description" in changes:
        changes["description"] = clean_description(changes["description"])
    for field, value in changes.items():
        setattr(instance, field, value)
    # clean() of EnvironmentProfile runs validate_profile (parameters per blueprint).
    instance.full_clean(validate_unique=False, validate_constraints=False)
    return save_unique(instance, clash_error(instance), clash=clash(instance))


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


def _domain_clash(domain):
    return Domain.objects.filter(name__iexact=domain.name)


def _domain_clash_error(domain):
    return {"name": f"A domain named '{domain.name}' already exists."}


@transaction.atomic
def domain_create(*, acting_user, name: str, description: str = "") -> Domain:
    require_platform_admin(acting_user, "create domains")
    return _admin_save(
        Domain(),
        changes={"name": name, "description": clean_description(description)},
        allowed={"name", "description"},
        frozen={},
        clash=_domain_clash,
        clash_error=_domain_clash_error,
    )


@transaction.atomic
def domain_update(*, acting_user, domain: Domain, **changes) -> Domain:
    require_platform_admin(acting_user, "change domains")
    return _admin_save(
        domain,
        changes=changes,
        allowed={"name", "description"},
        frozen={},
        clash=_domain_clash,
        clash_error=_domain_clash_error,
    )


@transaction.atomic
def domain_delete(*, acting_user, domain: Domain) -> None:
    """Delete a domain; one that still has projects, accounts or profiles is a Conflict."""
    require_platform_admin(acting_user, "delete domains")
    _admin_delete(domain, what=f"Domain '{domain.name}'")


_ACCOUNT_FIELDS = {"name", "account_id", "region", "role_arn"}
_STAYS_IN_DOMAIN = "The domain cannot be changed; create a new one in the other domain instead."


def _account_clash(account):
    return AwsAccount.objects.filter(domain_id=account.domain_id, account_id=account.account_id)


def _account_clash_error(account):
    return {"account_id": f"Account {account.account_id} is already associated with this domain."}


@transaction.atomic
def aws_account_create(
    *, acting_user, domain: Domain, account_id: str, region: str, name: str = "", role_arn: str = ""
) -> AwsAccount:
    require_platform_admin(acting_user, "associate AWS accounts")
    return _admin_save(
        AwsAccount(domain=domain),
        changes={
            "name": name or "",
            "account_id": account_id,
            "region": region,
            "role_arn": role_arn or "",
        },
        allowed=_ACCOUNT_FIELDS,
        frozen={},
        clash=_account_clash,
        clash_error=_account_clash_error,
    )


@transaction.atomic
def aws_account_update(*, acting_user, account: AwsAccount, **changes) -> AwsAccount:
    require_platform_admin(acting_user, "change AWS accounts")
    return _admin_save(
        account,
        changes=changes,
        allowed=_ACCOUNT_FIELDS,
        frozen={"domain": _STAYS_IN_DOMAIN},
        clash=_account_clash,
        clash_error=_account_clash_error,
    )


@transaction.atomic
def aws_account_delete(*, acting_user, account: AwsAccount) -> None:
    require_platform_admin(acting_user, "remove AWS accounts")
    _admin_delete(account, what=f"AWS account {account.account_id}")


_PROFILE_FIELDS = {"name", "description", "blueprint", "aws_account", "region", "parameters"}


def _profile_clash(profile):
    return EnvironmentProfile.objects.filter(domain_id=profile.domain_id, name__iexact=profile.name)


def _profile_clash_error(profile):
    return {"name": f"This domain already has an environment profile named '{profile.name}'."}


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
        changes={
            "name": name,
            "description": description or "",
            "blueprint": blueprint,
            "aws_account": aws_account,
            "region": region,
            "parameters": {} if parameters is None else parameters,
        },
        allowed=_PROFILE_FIELDS,
        frozen={},
        clash=_profile_clash,
        clash_error=_profile_clash_error,
    )


@transaction.atomic
def environment_profile_update(
    *, acting_user, profile: EnvironmentProfile, **changes
) -> EnvironmentProfile:
    """Change a profile. Existing environments keep the resources they were made with."""
    require_platform_admin(acting_user, "change environment profiles")
    return _admin_save(
        profile,
        changes=changes,
        allowed=_PROFILE_FIELDS,
        frozen={"domain": _STAYS_IN_DOMAIN},
        clash=_profile_clash,
        clash_error=_profile_clash_error,
    )


@transaction.atomic
def environment_profile_delete(*, acting_user, profile: EnvironmentProfile) -> None:
    require_platform_admin(acting_user, "delete environment profiles")
    _admin_delete(profile, what=f"Environment profile '{profile.name}'")
