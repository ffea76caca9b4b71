"""Writes of projects and their members (at least one OWNER stays)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from meshportal.limits import clean_description
from meshportal.services import save_unique

from ..choices import Designation, NotificationKind
from ..models import (
    Project,
    ProjectMembership,
)
from ..permissions import require_designation
from .notifications import notification_create

User = get_user_model()


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
        domain=domain,
        name=name,
        description=clean_description(description),
        created_by=acting_user,
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
