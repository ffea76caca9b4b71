"""Page URLs of the sharing app (the API's are in sharing/api/urls.py)."""

from django.urls import path

from meshportal.routes import resource_paths

from . import views

urlpatterns = [
    *resource_paths(views, "subscription-grants", "grant", ["retry", "status"]),
    path("environments/<uuid:pk>/roles/", views.environment_role_add, name="environment-role-add"),
    *resource_paths(views, "environment-roles", "environment-role", ["remove"]),
]
