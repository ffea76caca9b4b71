"""Page URLs of the projects app (the API's are in projects/api/urls.py)."""

from django.urls import path

from meshportal.routes import resource_paths

from . import views


def member_paths(collection: str, name: str) -> list:
    """Adding, changing and removing the members of a project or a domain."""
    view = f"{name}_member"
    return [
        path(
            f"{collection}/<uuid:pk>/members/add/",
            getattr(views, f"{view}_add"),
            name=f"{name}-member-add",
        ),
        path(
            f"{collection}/<uuid:pk>/members/<uuid:member_pk>/",
            getattr(views, f"{view}_update"),
            name=f"{name}-member-update",
        ),
        path(
            f"{collection}/<uuid:pk>/members/<uuid:member_pk>/remove/",
            getattr(views, f"{view}_remove"),
            name=f"{name}-member-remove",
        ),
    ]


urlpatterns = [
    path("", views.home, name="home"),
    *resource_paths(views, "projects", "project", ["list", "create", "detail", "edit"]),
    *member_paths("projects", "project"),
    *resource_paths(
        views,
        "environments",
        "environment",
        ["create", "detail", "retry", "delete"],
        create_under="projects/<uuid:pk>/environments",
    ),
    *resource_paths(views, "domains", "domain", ["list"]),
    path("domains/<uuid:pk>/members/", views.domain_member_list, name="domain-members"),
    *member_paths("domains", "domain"),
    # Platform setup (platform admins): domains, AWS accounts, environment profiles.
    path("platform/", views.platform_home, name="platform-home"),
    *resource_paths(
        views, "platform/domains", "platform-domain", ["create", "detail", "edit", "delete"]
    ),
    *resource_paths(
        views,
        "platform/accounts",
        "platform-account",
        ["create", "edit", "delete", "check"],
        create_under="platform/domains/<uuid:pk>/accounts",
    ),
    *resource_paths(
        views,
        "platform/profiles",
        "platform-profile",
        ["create", "edit", "delete"],
        create_under="platform/domains/<uuid:pk>/profiles",
    ),
    *resource_paths(views, "notifications", "notification", ["list", "read"]),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
]
