"""Page URLs of the catalog app (the API's are in catalog/api/)."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "projects/<uuid:pk>/data-sources/new/",
        views.data_source_create,
        name="data-source-create",
    ),
    path("projects/<uuid:pk>/inventory/", views.inventory, name="inventory"),
    path("data-sources/<uuid:pk>/", views.data_source_detail, name="data-source-detail"),
    path("data-sources/<uuid:pk>/edit/", views.data_source_edit, name="data-source-edit"),
    path("data-sources/<uuid:pk>/toggle/", views.data_source_toggle, name="data-source-toggle"),
    path("data-sources/<uuid:pk>/delete/", views.data_source_delete, name="data-source-delete"),
    path("data-sources/<uuid:pk>/run/", views.data_source_run, name="data-source-run"),
    path("data-source-runs/<uuid:pk>/", views.run_detail, name="data-source-run-detail"),
    path("assets/<uuid:pk>/", views.asset_detail, name="asset-detail"),
    path(
        "assets/<uuid:pk>/predictions/accept-all/",
        views.asset_predictions_accept_all,
        name="asset-predictions-accept-all",
    ),
    path(
        "assets/<uuid:pk>/predictions/reject-all/",
        views.asset_predictions_reject_all,
        name="asset-predictions-reject-all",
    ),
    path("predictions/<uuid:pk>/accept/", views.prediction_accept, name="prediction-accept"),
    path("predictions/<uuid:pk>/reject/", views.prediction_reject, name="prediction-reject"),
]
