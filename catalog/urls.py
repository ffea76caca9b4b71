"""Page URLs of the catalog app (the API's are in catalog/api/)."""

from django.urls import path

from meshportal.routes import resource_paths

from . import views

urlpatterns = [
    path("projects/<uuid:pk>/inventory/", views.inventory, name="inventory"),
    path("projects/<uuid:pk>/inventory/bulk/", views.inventory_bulk, name="inventory-bulk"),
    *resource_paths(
        views,
        "data-sources",
        "data-source",
        ["create", "detail", "edit", "toggle", "delete", "run"],
        create_under="projects/<uuid:pk>/data-sources",
    ),
    *resource_paths(views, "data-source-runs", "data-source-run", ["detail"], view_prefix="run"),
    *resource_paths(
        views,
        "assets",
        "asset",
        [
            "detail",
            "edit",
            "columns/edit",
            "publish",
            "unpublish",
            "suggestions/accept-all",
            "suggestions/reject-all",
        ],
    ),
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
    path(
        "assets/<uuid:pk>/revisions/<int:revision>/",
        views.asset_revision,
        name="asset-revision",
    ),
    *resource_paths(views, "listings", "listing", ["detail"]),
    *resource_paths(views, "publishers", "publisher", ["detail"]),
    path("catalog/", views.catalog, name="catalog"),
    path("search/", views.search, name="search"),
    path("search/suggest/", views.search_suggest, name="search-suggest"),
    path("glossary-terms/<uuid:pk>/assets/", views.term_assets, name="term-assets"),
    *resource_paths(views, "suggestions", "suggestion", ["accept", "reject"]),
]
