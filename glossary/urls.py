"""Page URLs of the glossary app (the API's are in glossary/api/urls.py)."""

from django.urls import path

from meshportal.routes import resource_paths

from . import views

urlpatterns = [
    *resource_paths(
        views,
        "glossaries",
        "glossary",
        ["list", "create", "detail", "edit", "status", "export", "import"],
    ),
    *resource_paths(
        views,
        "glossary-terms",
        "term",
        ["create", "detail", "edit"],
        create_under="glossaries/<uuid:pk>/terms",
    ),
    *resource_paths(views, "forms", "form-type", ["list", "create", "detail", "edit"]),
    *resource_paths(views, "publishing-rules", "publishing-rule", ["list"]),
    path("domains/<uuid:pk>/publishing-rule/", views.publishing_rule, name="publishing-rule"),
]
