"""URL map: pages, the REST API under /api/v1/, its schema and docs, admin, health."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import views
from .api.docs import SwaggerDocsView
from .api.fallback import api_not_found

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("markdown/preview/", views.markdown_preview, name="markdown-preview"),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("meshportal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file (no inline script, CSP).
    path("api/docs/", SwaggerDocsView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^api/", api_not_found),  # unknown API paths answer JSON, not a page
    path("", include("glossary.urls")),
    path("", include("projects.urls")),
    path("", include("catalog.urls")),
    path("", include("subscriptions.urls")),
    path("", include("sharing.urls")),
    path("", include("accounts.urls")),
    path("", include("webhooks.urls")),
]

handler403 = "meshportal.views.permission_denied"
handler404 = "meshportal.views.page_not_found"
handler500 = "meshportal.views.server_error"
