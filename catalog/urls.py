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
    path("projects/<uuid:pk>/inventory/bulk/", views.inventory_bulk, name="inventory-bulk"),
    path("data-sources/<uuid:pk>/", views.data_source_detail, name="data-source-detail"),
    path("data-sources/<uuid:pk>/edit/", views.data_source_edit, name="data-source-edit"),
    path("data-sources/<uuid:pk>/toggle/", views.data_source_toggle, name="data-source-toggle"),
    path("data-sources/<uuid:pk>/delete/", views.data_source_delete, name="data-source-delete"),
    path("data-sources/<uuid:pk>/run/", views.data_source_run, name="data-source-run"),
    path("data-source-runs/<uuid:pk>/", views.run_detail, name="data-source-run-detail"),
    path("assets/<uuid:pk>/", views.asset_detail, name="asset-detail"),
    path(
        "assets/<uuid:pk>/suggestions/accept-all/",
        views.asset_suggestions_accept_all,
        name="asset-suggestions-accept-all",
    ),
    path(
        "assets/<uuid:pk>/suggestions/reject-all/",
        views.asset_suggestions_reject_all,
        name="asset-suggestions-reject-all",
    ),
    path("assets/<uuid:pk>/edit/", views.asset_edit, name="asset-edit"),
    path("assets/<uuid:pk>/columns/edit/", views.asset_columns_edit, name="asset-columns-edit"),
    path(
        "assets/<uuid:pk>/glossary-term-options/",
        views.asset_term_options,
        name="asset-term-options",
    ),
    path("assets/<uuid:pk>/forms/add/", views.asset_form_add, name="asset-form-add"),
    path("assets/<uuid:pk>/forms/<uuid:form_type>/", views.asset_form_edit, name="asset-form-edit"),
    path(
        "assets/<uuid:pk>/forms/<uuid:form_type>/remove/",
        views.asset_form_remove,
        name="asset-form-remove",
    ),
    path("assets/<uuid:pk>/publish/", views.asset_publish, name="asset-publish"),
    path("assets/<uuid:pk>/unpublish/", views.asset_unpublish, name="asset-unpublish"),
    path(
        "assets/<uuid:pk>/revisions/<int:revision>/",
        views.asset_revision,
        name="asset-revision",
    ),
    path("listings/<uuid:pk>/", views.listing_detail, name="listing-detail"),
    path("publishers/<uuid:pk>/", views.publisher_detail, name="publisher-detail"),
    path("catalog/", views.catalog, name="catalog"),
    path("search/", views.search, name="search"),
    path("search/suggest/", views.search_suggest, name="search-suggest"),
    path("glossary-terms/<uuid:pk>/assets/", views.term_assets, name="term-assets"),
    path("suggestions/<uuid:pk>/accept/", views.suggestion_accept, name="suggestion-accept"),
    path("suggestions/<uuid:pk>/reject/", views.suggestion_reject, name="suggestion-reject"),
]
