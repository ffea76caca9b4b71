"""URL map: pages, the REST API under /api/v1/, its schema and docs, admin, health."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from . import views
from .api.docs import SwaggerDocsView

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("meshportal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("glossary.urls")),
    path("", include("projects.urls")),
    path("", include("catalog.urls")),
]

handler403 = "meshportal.views.permission_denied"
handler404 = "meshportal.views.page_not_found"
handler500 = "meshportal.views.server_error"
