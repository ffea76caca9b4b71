"""Serializers of the projects API.

Output serializers turn rows (as the selectors return them, annotations included) into
JSON; input serializers only check the shape of a request. Neither writes: the views
pass validated data to the services, which decide and save.
"""

from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from meshportal.api.serializers import (
    DetailSerializer,  # noqa: F401 (re-exported)
    ReadOnlyModelSerializer,
)
from projects import selectors
from projects.choices import Blueprint, CheckStatus, Designation
from projects.models import (
    AwsAccount,
    Domain,
    Environment,
    EnvironmentProfile,
    Notification,
    Project,
    ProjectMembership,
    account_id_validator,
    region_validator,
    role_arn_validator,
)
from projects.provisioning import steps_for

# --- Domains, AWS accounts, environment profiles ----------------------------------------


class DomainSerializer(ReadOnlyModelSerializer):
    project_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Domain
        fields = ["id", "name", "description", "project_count", "created_at", "updated_at"]


class DomainInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    description = serializers.CharField(allow_blank=True, required=False, default="")


class AwsAccountSerializer(ReadOnlyModelSerializer):
    domain_name = serializers.CharField(source="domain.name", read_only=True)

    class Meta:
        model = AwsAccount
        fields = [
            "id",
            "domain",
            "domain_name",
            "name",
            "account_id",
            "region",
            "role_arn",
            "created_at",
            "updated_at",
        ]


class AwsAccountInputSerializer(serializers.Serializer):
    domain = serializers.PrimaryKeyRelatedField(queryset=Domain.objects.all())
    name = serializers.CharField(max_length=64, allow_blank=True, required=False, default="")
    # No max_length: a wrong length gets the one message that says what is expected.
    account_id = serializers.CharField(validators=[account_id_validator])
    region = serializers.CharField(max_length=32, validators=[region_validator])
    role_arn = serializers.CharField(
        max_length=2048,
        allow_blank=True,
        required=False,
        default="",
        validators=[role_arn_validator],
        help_text="Role the portal assumes in this account; empty uses the portal's own "
        "credentials.",
    )


class AccessCheckResultSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text="Which call: assume_role, identity, glue, "
        "lf_settings, lf_resources, s3:<bucket>, iam:<profile id>."
    )
    label = serializers.CharField()
    status = serializers.ChoiceField(choices=CheckStatus.choices)
    detail = serializers.CharField(help_text="What worked, or why not and what to change.")


class AccessReportSerializer(serializers.Serializer):
    account_id = serializers.CharField()
    role_arn = serializers.CharField(allow_blank=True)
    checked_at = serializers.DateTimeField()
    ok = serializers.BooleanField(help_text="No call FAILED (WARNINGs may remain).")
    summary = serializers.CharField()
    results = AccessCheckResultSerializer(many=True)


class EnvironmentProfileSerializer(ReadOnlyModelSerializer):
    domain_name = serializers.CharField(source="domain.name", read_only=True)
    aws_account_id = serializers.CharField(source="aws_account.account_id", read_only=True)

    class Meta:
        model = EnvironmentProfile
        fields = [
            "id",
            "domain",
            "domain_name",
            "name",
            "description",
            "blueprint",
            "aws_account",
            "aws_account_id",
            "region",
            "parameters",
            "created_at",
            "updated_at",
        ]


class EnvironmentProfileInputSerializer(serializers.Serializer):
    domain = serializers.PrimaryKeyRelatedField(queryset=Domain.objects.all())
    name = serializers.CharField(max_length=64)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    blueprint = serializers.ChoiceField(choices=Blueprint.choices)
    aws_account = serializers.PrimaryKeyRelatedField(queryset=AwsAccount.objects.all())
    region = serializers.CharField(max_length=32, validators=[region_validator])
    parameters = serializers.JSONField(
        required=False,
        default=dict,
        help_text="DATA_LAKE: s3_bucket (required), grant_role_arn (optional). "
        "DATA_WAREHOUSE: host, port, database, user, and password_env or secret_arn.",
    )


# --- Projects and members ---------------------------------------------------------------


class ProjectSerializer(ReadOnlyModelSerializer):
    domain_name = serializers.CharField(source="domain.name", read_only=True)
    # A CharField, not a ChoiceField: a second enum of the same choices would get its own
    # name in the OpenAPI schema. The values are Designation's.
    my_designation = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Your highest designation in the project (OWNER, CONTRIBUTOR or VIEWER), "
        "directly or through an SSO group; null when you see it as a steward of its domain "
        "or as a platform admin.",
    )
    member_count = serializers.IntegerField(read_only=True)
    environment_count = serializers.IntegerField(read_only=True)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "domain",
            "domain_name",
            "name",
            "description",
            "my_designation",
            "member_count",
            "environment_count",
            "created_by",
            "created_at",
            "updated_at",
        ]


class ProjectCreateSerializer(serializers.Serializer):
    domain = serializers.PrimaryKeyRelatedField(queryset=Domain.objects.all())
    name = serializers.CharField(max_length=64)
    description = serializers.CharField(allow_blank=True, required=False, default="")


class ProjectUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64, required=False)
    description = serializers.CharField(allow_blank=True, required=False)


class MembershipSerializer(ReadOnlyModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ProjectMembership
        fields = [
            "id",
            "user",
            "group",
            "member_name",
            "designation",
            "created_at",
            "updated_at",
        ]


class MembershipCreateSerializer(serializers.Serializer):
    """Exactly one of ``user`` (a username) and ``group`` (an SSO group name)."""

    user = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Username of the new member."
    )
    group = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=150,
        help_text="SSO group whose members become members.",
    )
    designation = serializers.ChoiceField(choices=Designation.choices)


class MembershipUpdateSerializer(serializers.Serializer):
    designation = serializers.ChoiceField(choices=Designation.choices)


# --- Environments -----------------------------------------------------------------------


class EnvironmentResourcesSerializer(ReadOnlyModelSerializer):
    """What provisioning made: the DATA_LAKE fields or the DATA_WAREHOUSE ones are set."""

    class Meta:
        model = Environment
        fields = [
            "producer_glue_database",
            "consumer_glue_database",
            "s3_location",
            "athena_workgroup",
            "grant_role_arn",
            "redshift_database",
            "redshift_user",
            "redshift_role",
        ]


class ProvisioningStepSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    done_at = serializers.DateTimeField(allow_null=True)


class EnvironmentSerializer(ReadOnlyModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    domain = serializers.UUIDField(source="project.domain_id", read_only=True)
    profile_name = serializers.CharField(source="profile.name", read_only=True)
    blueprint = serializers.ChoiceField(
        source="profile.blueprint", choices=Blueprint.choices, read_only=True
    )
    aws_account_id = serializers.CharField(source="profile.aws_account.account_id", read_only=True)
    region = serializers.CharField(source="profile.region", read_only=True)
    resources = EnvironmentResourcesSerializer(source="*", read_only=True)
    provisioning_steps = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Environment
        fields = [
            "id",
            "project",
            "project_name",
            "domain",
            "profile",
            "profile_name",
            "blueprint",
            "aws_account_id",
            "region",
            "name",
            "description",
            "status",
            "resources",
            "provisioning_steps",
            "attempts",
            "last_error",
            "provisioning_started_at",
            "provisioned_at",
            "deletion_started_at",
            "deleted_at",
            "created_by",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(ProvisioningStepSerializer(many=True))
    def get_provisioning_steps(self, environment):
        """Every step of the blueprint in order, with when it was done (null: not yet)."""
        done = environment.provisioning_steps or {}
        steps = [
            {
                "key": key,
                "label": label,
                "done_at": parse_datetime(done[key]) if done.get(key) else None,
            }
            for key, label in steps_for(environment.profile.blueprint)
        ]
        return ProvisioningStepSerializer(steps, many=True).data


class VisibleProjectField(serializers.PrimaryKeyRelatedField):
    """A project the requesting user can see; any other id is 'does not exist', so the
    answer is the same for a project that is hidden and one that never existed."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Project.objects.none()
        return selectors.project_list(user=request.user, platform_wide=True)


class VisibleProfileField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return EnvironmentProfile.objects.none()
        return selectors.environment_profile_list(user=request.user)


class EnvironmentCreateSerializer(serializers.Serializer):
    project = VisibleProjectField(queryset=Project.objects.none())
    profile = VisibleProfileField(queryset=EnvironmentProfile.objects.none())
    name = serializers.CharField(max_length=64)
    description = serializers.CharField(allow_blank=True, required=False, default="")


# --- Notifications ----------------------------------------------------------------------


class NotificationSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "topic",
            "title",
            "body",
            "link",
            "task_status",
            "is_open_task",
            "read_at",
            "created_at",
        ]


class MarkedReadSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField(help_text="How many notifications were unread.")
