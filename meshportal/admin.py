"""Admin bases shared by the apps (Django imports this module first, as every app's).

Rows that the portal's services write (decisions, deliveries, grants) are for looking at
in the admin: an edit there would skip the service that notifies people and records
events.
"""

from django.contrib import admin


class ReadOnlyMixin:
    """No adding and no changing: for a ModelAdmin or an inline alike."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """An admin page to look at rows that only services write."""
