"""Domains, AWS accounts, environment profiles, projects, environments, notifications.

These are the organisational frame of the catalog: every asset, listing and subscription
later hangs off a project, and every grant lands in an environment.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from meshportal.models import BaseModel, user_reference

from .choices import (
    Blueprint,
    Designation,
    DomainRole,
    EnvironmentStatus,
    NotificationKind,
    TaskStatus,
)

account_id_validator = RegexValidator(
    r"^\d{12}$", "An AWS account id is exactly 12 digits, e.g. 111111111111."
)
region_validator = RegexValidator(
    r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$", "Enter an AWS region such as us-east-1."
)
role_arn_validator = RegexValidator(
    r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$",
    "Enter an IAM role ARN such as arn:aws:iam::111111111111:role/MeshPortal.",
)
group_name_validator = RegexValidator(
    r"^[^\s].{0,149}$", "An SSO group name is 1–150 characters and starts with a non-space."
)


def _member_constraints(prefix: str, scope: str) -> list:
    """A membership names exactly one of a user or an SSO group, once per scope."""
    return [
        models.CheckConstraint(
            condition=(Q(user__isnull=False) & Q(group="")) | (Q(user__isnull=True) & ~Q(group="")),
            name=f"{prefix}_user_xor_group",
        ),
        models.UniqueConstraint(
            fields=[scope, "user"], condition=Q(user__isnull=False), name=f"{prefix}_unique_user"
        ),
        models.UniqueConstraint(
            fields=[scope, "group"], condition=~Q(group=""), name=f"{prefix}_unique_group"
        ),
    ]


class Domain(BaseModel):
    """A business domain of the mesh (e.g. streaming): the boundary of glossaries, rules
    and stewardship."""

    name = models.CharField(max_length=64, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class DomainMembership(BaseModel):
    """A user or an SSO group holding a role (OWNER, STEWARD) in a domain."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="domain_memberships",
    )
    group = models.CharField(max_length=150, blank=True, validators=[group_name_validator])
    role = models.CharField(max_length=16, choices=DomainRole.choices)

    class Meta:
        ordering = ["domain__name", "role"]
        constraints = _member_constraints("domainmembership", "domain")

    def __str__(self):
        return f"{self.user or 'group ' + self.group} — {self.role} of {self.domain}"

    @property
    def member_name(self) -> str:
        return self.user.get_username() if self.user_id else f"group {self.group}"


class AwsAccount(BaseModel):
    """An AWS account associated with a domain, optionally reached by assuming a role."""

    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="aws_accounts")
    name = models.CharField(max_length=64, blank=True)
    account_id = models.CharField(max_length=12, validators=[account_id_validator])
    region = models.CharField(max_length=32, validators=[region_validator])
    role_arn = models.CharField(
        max_length=2048,
        blank=True,
        validators=[role_arn_validator],
        help_text="Role the portal assumes in this account; empty uses the portal's own "
        "credentials.",
    )

    class Meta:
        ordering = ["domain__name", "account_id"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "account_id"], name="awsaccount_unique")
        ]

    def __str__(self):
        return f"{self.name or self.account_id} ({self.account_id}, {self.region})"


class EnvironmentProfile(BaseModel):
    """A platform admin's recipe for environments: blueprint, account, region, settings.

    ``parameters`` for DATA_LAKE: ``s3_bucket`` (required; the bucket that holds the
    environments' prefixes) and ``grant_role_arn`` (optional; an existing role to receive
    grants instead of one created per environment). For DATA_WAREHOUSE: ``host``,
    ``port``, ``database``, ``user`` and the password's source, ``password_env`` (an
    environment variable of the portal) or ``secret_arn`` (AWS Secrets Manager).
    """

    domain = models.ForeignKey(
        Domain, on_delete=models.PROTECT, related_name="environment_profiles"
    )
    name = models.CharField(max_length=64)
    description = models.TextField(blank=True)
    blueprint = models.CharField(max_length=16, choices=Blueprint.choices)
    aws_account = models.ForeignKey(
        AwsAccount, on_delete=models.PROTECT, related_name="environment_profiles"
    )
    region = models.CharField(max_length=32, validators=[region_validator])
    parameters = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["domain__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "name"], name="environmentprofile_unique")
        ]

    def __str__(self):
        return f"{self.name} ({self.get_blueprint_display()})"

    def clean(self):
        from .profiles import validate_profile

        validate_profile(self)


class Project(BaseModel):
    """A team's unit of ownership: it owns data sources, assets and listings, and
    subscribes to other projects' listings."""

    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="projects")
    name = models.CharField(max_length=64)
    description = models.TextField(blank=True)
    created_by = user_reference()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "name"], name="project_unique_name_in_domain")
        ]

    def __str__(self):
        return self.name


class ProjectMembership(BaseModel):
    """A user or an SSO group with a designation (OWNER, CONTRIBUTOR, VIEWER) in a project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="project_memberships",
    )
    group = models.CharField(max_length=150, blank=True, validators=[group_name_validator])
    designation = models.CharField(max_length=16, choices=Designation.choices)

    class Meta:
        ordering = ["project__name", "group", "user__username"]
        constraints = _member_constraints("projectmembership", "project")

    def __str__(self):
        return f"{self.member_name} — {self.designation} of {self.project}"

    @property
    def member_name(self) -> str:
        return self.user.get_username() if self.user_id else f"group {self.group}"


class Environment(BaseModel):
    """Where a project's data lives and where its subscriptions are granted.

    Provisioning fills the resource fields; their names are derived once, at creation,
    so that a retry finds and reuses what an earlier attempt made.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="environments")
    profile = models.ForeignKey(
        EnvironmentProfile, on_delete=models.PROTECT, related_name="environments"
    )
    name = models.CharField(max_length=64)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=EnvironmentStatus.choices, default=EnvironmentStatus.CREATING
    )
    created_by = user_reference()
    # DATA_LAKE resources
    producer_glue_database = models.CharField(max_length=255, blank=True)
    consumer_glue_database = models.CharField(max_length=255, blank=True)
    s3_location = models.CharField(max_length=1024, blank=True)
    athena_workgroup = models.CharField(max_length=128, blank=True)
    grant_role_arn = models.CharField(max_length=2048, blank=True)
    # DATA_WAREHOUSE resources
    redshift_database = models.CharField(max_length=127, blank=True)
    redshift_user = models.CharField(max_length=127, blank=True)
    redshift_role = models.CharField(max_length=127, blank=True)
    # Progress and outcome of provisioning, shown on the environment page.
    provisioning_steps = models.JSONField(default=dict, blank=True)
    provisioning_started_at = models.DateTimeField(null=True, blank=True)
    provisioned_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Progress and outcome of deletion: which of what provisioning made is gone already
    # (a retry skips nothing, but the page shows how far the last attempt got).
    deletion_steps = models.JSONField(default=dict, blank=True)
    deletion_started_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = user_reference()

    class Meta:
        ordering = ["project__name", "name"]
        constraints = [
            # A DELETED environment stays as a record, but its name is free again.
            models.UniqueConstraint(
                fields=["project", "name"],
                condition=~models.Q(status="DELETED"),
                name="environment_unique_name_in_project",
            )
        ]

    def __str__(self):
        return f"{self.project} / {self.name}"

    @property
    def blueprint(self) -> str:
        return self.profile.blueprint

    @property
    def aws_account_id(self) -> str:
        return self.profile.aws_account.account_id


class Notification(BaseModel):
    """Something a person should know (EVENT) or do (TASK), shown in their inbox.

    TASK notifications stay ACTIVE until the work they ask for is done elsewhere (a
    request decided, a manual grant fulfilled); reading one does not close it.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=8, choices=NotificationKind.choices)
    topic = models.CharField(max_length=64)
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=1024, blank=True)
    task_status = models.CharField(
        max_length=8, choices=TaskStatus.choices, default=TaskStatus.ACTIVE
    )
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title

    @property
    def is_open_task(self) -> bool:
        return self.kind == NotificationKind.TASK and self.task_status == TaskStatus.ACTIVE
