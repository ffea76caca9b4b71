"""Routes of the catalog API; meshportal/api/urls.py absorbs ``router`` into /api/v1/.

Route names start with ``api-`` (``api-data-source-detail``), as in the projects API, so
they never clash with the pages' names.
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from meshportal.api.viewsets import UUID_REGEX

from . import views

router = SimpleRouter()
router.register("data-sources", views.DataSourceViewSet, basename="api-data-source")
router.register("data-source-runs", views.DataSourceRunViewSet, basename="api-data-source-run")
router.register(
    rf"data-source-runs/(?P<run_pk>{UUID_REGEX})/activities",
    views.RunActivityViewSet,
    basename="api-data-source-run-activity",
)
router.register("assets", views.AssetViewSet, basename="api-asset")
router.register(
    rf"assets/(?P<asset_pk>{UUID_REGEX})/revisions",
    views.AssetRevisionViewSet,
    basename="api-asset-revision",
)
# Suggestions keep the path the API has always had (serializers/assets.py says why).
router.register(
    rf"assets/(?P<asset_pk>{UUID_REGEX})/predictions",
    views.SuggestionViewSet,
    basename="api-asset-suggestion",
)
router.register("listings", views.ListingViewSet, basename="api-listing")

urlpatterns: list = [path("search/", views.SearchView.as_view(), name="api-search")]
