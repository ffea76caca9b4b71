"""Django admin: where platform admins create domains, accounts and profiles."""

from django.contrib import admin

from .choices import DomainRole
from .models import (
    AwsAccount,
    Domain,
    DomainMembership,
    Environment,
    EnvironmentProfile,
    Notification,
    Project,
    ProjectMembership,
)


class _MembershipInline(admin.TabularInline):
    """A domain's or a project's members, added by picking a user (or naming a group)."""

    extra = 1
    autocomplete_fields = ["user"]


class DomainMembershipInline(_MembershipInline):
    model = DomainMembership


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "created_at"]
    search_fields = ["name"]
    inlines = [DomainMembershipInline]

    def save_model(self, request, obj, form, change):
        """As in the portal: the platform admin who creates a domain becomes its OWNER."""
        super().save_model(request, obj, form, change)
        if not change:
            DomainMembership.objects.get_or_create(
                domain=obj, user=request.user, defaults={"role": DomainRole.OWNER}
            )


@admin.register(DomainMembership)
class DomainMembershipAdmin(admin.ModelAdmin):
    list_display = ["domain", "user", "group", "role"]
    list_filter = ["role", "domain"]
    list_select_related = ["domain", "user"]
    autocomplete_fields = ["user"]


@admin.register(AwsAccount)
class AwsAccountAdmin(admin.ModelAdmin):
    list_display = ["account_id", "name", "domain", "region", "role_arn"]
    list_filter = ["domain", "region"]
    list_select_related = ["domain"]
    search_fields = ["account_id", "name"]


@admin.register(EnvironmentProfile)
class EnvironmentProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "blueprint", "aws_account", "region"]
    list_filter = ["blueprint", "domain"]
    list_select_related = ["domain", "aws_account"]
    search_fields = ["name"]


class ProjectMembershipInline(_MembershipInline):
    model = ProjectMembership


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "created_by", "created_at"]
    list_filter = ["domain"]
    list_select_related = ["domain", "created_by"]
    search_fields = ["name"]
    inlines = [ProjectMembershipInline]


@admin.register(ProjectMembership)
class ProjectMembershipAdmin(admin.ModelAdmin):
    list_display = ["project", "user", "group", "designation"]
    list_filter = ["designation"]
    list_select_related = ["project", "user"]
    autocomplete_fields = ["user", "project"]


@admin.register(Environment)
class EnvironmentAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "profile", "status", "attempts", "updated_at"]
    list_filter = ["status", "profile__blueprint"]
    list_select_related = ["project", "profile"]
    search_fields = ["name", "project__name"]
    readonly_fields = [
        "provisioning_steps",
        "provisioning_started_at",
        "provisioned_at",
        "last_error",
        "deletion_steps",
        "deletion_started_at",
        "deleted_at",
        "deleted_by",
    ]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "topic", "task_status", "read_at", "created_at"]
    list_filter = ["kind", "task_status", "topic"]
    list_select_related = ["recipient"]
    search_fields = ["title", "recipient__username"]
