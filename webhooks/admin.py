"""Django admin for webhooks and EventBridge targets: for looking.

Changes go through the portal's services and pages (they check the URL against the SSRF
rules, generate and encrypt secrets, start drains and tell owners), so every model here is
read-only. A signing secret is never shown, not even encrypted: the admin lists only
whether a previous secret still signs.
"""

from django.contrib import admin

from meshportal.admin import ReadOnlyAdmin, ReadOnlyMixin

from .models import (
    EventBridgeDelivery,
    EventBridgeTarget,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)


class _ViewOnlyAdmin(ReadOnlyAdmin):
    # Deleting here would skip the services too: an open delivery deleted is an event
    # never sent (at least once broken); endpoints and targets are deleted on their pages.
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(_ViewOnlyAdmin):
    list_display = ["url", "project", "domain", "enabled", "disabled_at", "created_at"]
    list_filter = ["enabled"]
    list_select_related = ["project", "domain"]
    search_fields = ["url", "project__name", "domain__name"]
    # The secrets' columns are left out on purpose (``exclude`` also keeps them out of
    # the change form a viewer sees).
    exclude = ["secret_encrypted", "previous_secret_encrypted"]
    readonly_fields = ["cursor", "secret_rotated_at", "previous_secret_expires_at"]


class WebhookAttemptInline(ReadOnlyMixin, admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "duration_ms", "response_code", "response_body", "error"]
    readonly_fields = fields


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(_ViewOnlyAdmin):
    list_display = ["event", "endpoint", "status", "attempts", "next_try_at", "delivered_at"]
    list_filter = ["status", "ordered"]
    list_select_related = ["event", "endpoint"]
    search_fields = ["endpoint__url", "event__type"]
    raw_id_fields = ["event", "endpoint"]
    inlines = [WebhookAttemptInline]


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(_ViewOnlyAdmin):
    list_display = ["delivery", "number", "started_at", "response_code", "duration_ms"]
    list_select_related = ["delivery"]
    raw_id_fields = ["delivery"]


@admin.register(EventBridgeTarget)
class EventBridgeTargetAdmin(_ViewOnlyAdmin):
    list_display = ["event_bus", "domain", "aws_account", "enabled", "last_delivered_at"]
    list_filter = ["enabled"]
    list_select_related = ["domain", "aws_account"]
    search_fields = ["event_bus", "domain__name"]


@admin.register(EventBridgeDelivery)
class EventBridgeDeliveryAdmin(_ViewOnlyAdmin):
    list_display = ["event", "target", "status", "attempts", "next_attempt_at", "delivered_at"]
    list_filter = ["status"]
    list_select_related = ["event", "target"]
    raw_id_fields = ["event", "target"]
