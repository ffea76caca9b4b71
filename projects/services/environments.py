"""Writes of environments: creation, retry, resource names; provisioning is enqueued."""

import re
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from meshportal.exceptions import Conflict
from meshportal.limits import clean_description
from meshportal.services import save_unique

from ..choices import Blueprint, Designation, EnvironmentStatus
from ..models import (
    Environment,
    EnvironmentProfile,
    Project,
)
from ..permissions import require_designation
from .projects import _clean_name


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
    from ..tasks import provision_environment

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


# --- Environment deletion -----------------------------------------------------------------

DELETABLE_STATUSES = (
    EnvironmentStatus.ACTIVE,
    EnvironmentStatus.CREATE_FAILED,
    EnvironmentStatus.DELETE_FAILED,
)


def _enqueue_deprovisioning(environment_id) -> None:
    from ..tasks import deprovision_environment

    transaction.on_commit(lambda: deprovision_environment.delay(str(environment_id)))


@transaction.atomic
def environment_delete(*, acting_user, environment: Environment) -> Environment:
    """Move an environment to DELETING (OWNERs only) and enqueue its deprovisioning.

    Also the retry of a DELETE_FAILED deletion. Asking again while it is DELETING or
    DELETED changes nothing (a client may repeat a DELETE). A CREATING environment is a
    conflict: its provisioning worker still adds resources. The ``environment_deleting``
    signal lets the sharing app queue the revokes of the environment's grants in this
    same transaction; the task waits for them before removing anything.
    """
    from ..signals import environment_deleting

    require_designation(acting_user, environment.project, Designation.OWNER, "delete environments")
    now = timezone.now()
    moved = Environment.objects.filter(pk=environment.pk, status__in=DELETABLE_STATUSES).update(
        status=EnvironmentStatus.DELETING,
        deletion_started_at=now,
        deletion_steps={},
        deleted_by=acting_user,
        last_error="",
        updated_at=now,
    )
    environment.refresh_from_db()
    if not moved:
        if environment.status in (EnvironmentStatus.DELETING, EnvironmentStatus.DELETED):
            return environment
        raise Conflict(
            f"Environment '{environment.name}' is {environment.get_status_display().lower()}; "
            "wait until provisioning has finished or failed, then delete it."
        )
    environment_deleting.send(sender=Environment, environment_id=environment.pk)
    _enqueue_deprovisioning(environment.pk)
    return environment
