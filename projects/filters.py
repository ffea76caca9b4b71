"""FilterSets of the projects app; each serves both its page and its API endpoint."""

import django_filters
from django.db.models import Exists, OuterRef, Q

from .choices import Blueprint, EnvironmentStatus, NotificationKind, TaskStatus
from .models import AwsAccount, Domain, Environment, EnvironmentProfile, Notification, Project


class ProjectFilterSet(django_filters.FilterSet):
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


class EnvironmentFilterSet(django_filters.FilterSet):
    project = django_filters.UUIDFilter(field_name="project_id")
    status = django_filters.ChoiceFilter(choices=EnvironmentStatus.choices)
    blueprint = django_filters.ChoiceFilter(
        field_name="profile__blueprint", choices=Blueprint.choices
    )

    class Meta:
        model = Environment
        fields = ["project", "status", "blueprint"]


class AwsAccountFilterSet(django_filters.FilterSet):
    domain = django_filters.UUIDFilter(field_name="domain_id")

    class Meta:
        model = AwsAccount
        fields = ["domain"]


class EnvironmentProfileFilterSet(django_filters.FilterSet):
    domain = django_filters.UUIDFilter(field_name="domain_id")
    blueprint = django_filters.ChoiceFilter(choices=Blueprint.choices)

    class Meta:
        model = EnvironmentProfile
        fields = ["domain", "blueprint"]


class NotificationFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=NotificationKind.choices)
    task_status = django_filters.ChoiceFilter(choices=TaskStatus.choices)
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label="Unread"
    )

    class Meta:
        model = Notification
        fields = ["kind", "task_status", "unread"]
