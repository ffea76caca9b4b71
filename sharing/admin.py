"""Admin pages: grants for support, and the drift findings reconciliation reports."""

from django.contrib import admin

from .models import DriftFinding, EnvironmentRole, SubscriptionGrant


@admin.register(SubscriptionGrant)
class SubscriptionGrantAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "subscription",
        "environment",
        "backend",
        "status",
        "attempts",
        "updated_at",
    )
    list_filter = ("backend", "status")
    readonly_fields = [f.name for f in SubscriptionGrant._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(EnvironmentRole)
class EnvironmentRoleAdmin(admin.ModelAdmin):
    list_display = ("role_arn", "environment", "created_at")


@admin.register(DriftFinding)
class DriftFindingAdmin(admin.ModelAdmin):
    """Permissions on shared tables that no grant explains: a person decides whether they
    should stay (the portal never removes them)."""

    list_display = (
        "principal",
        "account_id",
        "resource",
        "permissions",
        "last_seen_at",
        "resolved_at",
    )
    list_filter = ("resolved_at",)
    readonly_fields = [f.name for f in DriftFinding._meta.fields]

    def has_add_permission(self, request):
        return False
