"""Django admin for subscriptions: for looking. Decisions go through the portal's
services (they notify people and tell the sharing app), never through admin edits."""

from django.contrib import admin

from meshportal.admin import ReadOnlyAdmin

from .models import Subscription, SubscriptionEvent, SubscriptionRequest


@admin.register(SubscriptionRequest)
class SubscriptionRequestAdmin(ReadOnlyAdmin):
    list_display = ["listing", "project", "requester", "status", "reviewer", "created_at"]
    list_filter = ["status"]
    list_select_related = ["listing", "project", "requester", "reviewer"]
    search_fields = ["listing__name", "project__name", "requester__username", "reason"]


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["listing", "project", "status", "expires_at", "ended_at", "created_at"]
    list_filter = ["status"]
    list_select_related = ["listing", "project"]
    search_fields = ["listing__name", "project__name"]


@admin.register(SubscriptionEvent)
class SubscriptionEventAdmin(ReadOnlyAdmin):
    list_display = ["kind", "subscription", "request", "actor", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["subscription", "request", "actor"]
