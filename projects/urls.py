"""Page URLs of the projects app (the API's are in projects/api/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/", views.project_list, name="project-list"),
    path("projects/new/", views.project_create, name="project-create"),
    path("projects/<uuid:pk>/", views.project_detail, name="project-detail"),
    path("projects/<uuid:pk>/edit/", views.project_edit, name="project-edit"),
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
    path("environments/<uuid:pk>/", views.environment_detail, name="environment-detail"),
    path("environments/<uuid:pk>/retry/", views.environment_retry, name="environment-retry"),
    path("environments/<uuid:pk>/delete/", views.environment_delete, name="environment-delete"),
    path("domains/", views.domain_list, name="domain-list"),
    path(
        "domains/<uuid:pk>/members/",
        views.domain_member_list,
        name="domain-members",
    ),
    path(
        "domains/<uuid:pk>/members/add/",
        views.domain_member_add,
        name="domain-member-add",
    ),
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
    path("platform/domains/new/", views.platform_domain_create, name="platform-domain-create"),
    path(
        "platform/domains/<uuid:pk>/", views.platform_domain_detail, name="platform-domain-detail"
    ),
    path(
        "platform/domains/<uuid:pk>/edit/", views.platform_domain_edit, name="platform-domain-edit"
    ),
    path(
        "platform/domains/<uuid:pk>/delete/",
        views.platform_domain_delete,
        name="platform-domain-delete",
    ),
    path(
        "platform/domains/<uuid:pk>/accounts/new/",
        views.platform_account_create,
        name="platform-account-create",
    ),
    path(
        "platform/accounts/<uuid:pk>/edit/",
        views.platform_account_edit,
        name="platform-account-edit",
    ),
    path(
        "platform/accounts/<uuid:pk>/delete/",
        views.platform_account_delete,
        name="platform-account-delete",
    ),
    path(
        "platform/accounts/<uuid:pk>/check/",
        views.platform_account_check,
        name="platform-account-check",
    ),
    path(
        "platform/domains/<uuid:pk>/profiles/new/",
        views.platform_profile_create,
        name="platform-profile-create",
    ),
    path(
        "platform/profiles/<uuid:pk>/edit/",
        views.platform_profile_edit,
        name="platform-profile-edit",
    ),
    path(
        "platform/profiles/<uuid:pk>/delete/",
        views.platform_profile_delete,
        name="platform-profile-delete",
    ),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path("notifications/<uuid:pk>/read/", views.notification_read, name="notification-read"),
]
