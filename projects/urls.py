"""Page URLs of the projects app (the API's are in projects/api/urls.py)."""

from django.urls import path

from . import domain_member_views, views

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
        domain_member_views.domain_member_list,
        name="domain-members",
    ),
    path(
        "domains/<uuid:pk>/members/add/",
        domain_member_views.domain_member_add,
        name="domain-member-add",
    ),
    path(
        "domains/<uuid:pk>/members/<uuid:member_pk>/",
        domain_member_views.domain_member_update,
        name="domain-member-update",
    ),
    path(
        "domains/<uuid:pk>/members/<uuid:member_pk>/remove/",
        domain_member_views.domain_member_remove,
        name="domain-member-remove",
    ),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path("notifications/<uuid:pk>/read/", views.notification_read, name="notification-read"),
]
