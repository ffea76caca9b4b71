"""Page URLs of the projects app (the API's are in projects/api/urls.py)."""

from django.urls import path

from meshportal.routes import resource_paths

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    *resource_paths(views, "projects", "project", ["list", "create", "detail", "edit"]),
    path("projects/<uuid:pk>/members/add/", views.project_member_add, name="project-member-add"),
    path(
        "projects/<uuid:pk>/members/<uuid:member_pk>/",
        views.project_member_update,
        name="project-member-update",
    ),
    path(
        "projects/<uuid:pk>/members/<uuid:member_pk>/remove/",
        views.project_member_remove,
        name="project-member-remove",
    ),
    path(
        "projects/<uuid:pk>/environments/new/",
        views.environment_create,
        name="environment-create",
    ),
    *resource_paths(views, "environments", "environment", ["detail", "retry", "delete"]),
    *resource_paths(views, "domains", "domain", ["list"]),
    path("domains/<uuid:pk>/members/", views.domain_member_list, name="domain-members"),
    path("domains/<uuid:pk>/members/add/", views.domain_member_add, name="domain-member-add"),
    path(
        "domains/<uuid:pk>/members/<uuid:member_pk>/",
        views.domain_member_update,
        name="domain-member-update",
    ),
    path(
        "domains/<uuid:pk>/members/<uuid:member_pk>/remove/",
        views.domain_member_remove,
        name="domain-member-remove",
    ),
    # Platform setup (platform admins): domains, AWS accounts, environment profiles.
    path("platform/", views.platform_home, name="platform-home"),
    *resource_paths(
        views, "platform/domains", "platform-domain", ["create", "detail", "edit", "delete"]
    ),
    path(
        "platform/domains/<uuid:pk>/accounts/new/",
        views.platform_account_create,
        name="platform-account-create",
    ),
    *resource_paths(views, "platform/accounts", "platform-account", ["edit", "delete", "check"]),
    path(
        "platform/domains/<uuid:pk>/profiles/new/",
        views.platform_profile_create,
        name="platform-profile-create",
    ),
    *resource_paths(views, "platform/profiles", "platform-profile", ["edit", "delete"]),
    *resource_paths(views, "notifications", "notification", ["list", "read"]),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
]
