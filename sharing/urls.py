from django.urls import path

from . import views

urlpatterns = [
    path("subscription-grants/<uuid:pk>/retry/", views.grant_retry, name="grant-retry"),
    path("subscription-grants/<uuid:pk>/status/", views.grant_status, name="grant-status"),
    path("environments/<uuid:pk>/roles/", views.environment_role_add, name="environment-role-add"),
    path(
        "environment-roles/<uuid:pk>/remove/",
        views.environment_role_remove,
        name="environment-role-remove",
    ),
]
