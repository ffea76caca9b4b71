"""FilterSets of the projects app; each serves both its page and its API endpoint."""

import django_filters
from django.db.models import Exists, OuterRef, Q

from meshportal.filters import PortalFilterSet

from .choices import Blueprint, EnvironmentStatus
from .models import AwsAccount, Domain, Environment, EnvironmentProfile, Notification, Project


class ProjectFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    domain = django_filters.ModelChoiceFilter(queryset=Domain.objects.all())

    profile = django_filters.UUIDFilter(
        method="with_profile", label="With environments from profile"
    )

    class Meta:
        model = Project
        fields = ["q", "domain", "profile"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))

    def with_profile(self, queryset, name, value):
        """Projects with an environment (not DELETED) made from the profile."""
        return queryset.filter(
            Exists(
                Environment.objects.filter(project_id=OuterRef("pk"), profile_id=value).exclude(
                    status=EnvironmentStatus.DELETED
                )
            )
        )


class EnvironmentFilterSet(PortalFilterSet):
    blueprint = django_filters.ChoiceFilter(
        field_name="profile__blueprint", choices=Blueprint.choices
    )

    class Meta:
        model = Environment
        fields = ["project", "status", "blueprint"]


class AwsAccountFilterSet(PortalFilterSet):
    class Meta:
        model = AwsAccount
        fields = ["domain"]


class EnvironmentProfileFilterSet(PortalFilterSet):
    class Meta:
        model = EnvironmentProfile
        fields = ["domain", "blueprint"]


class NotificationFilterSet(PortalFilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label="Unread"
    )

    class Meta:
        model = Notification
        fields = ["kind", "task_status", "unread"]
