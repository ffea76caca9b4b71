"""Catalog models: data sources and their runs, inventory assets and their revisions."""

from .assets import Asset, AssetColumn, AssetForm, AssetRevision, Suggestion
from .listings import Listing, ListingNameWord
from .sources import DataSource, DataSourceRun, RunActivity

__all__ = [
    "Asset",
    "AssetColumn",
    "AssetForm",
    "AssetRevision",
    "DataSource",
    "DataSourceRun",
    "Listing",
    "ListingNameWord",
    "Suggestion",
    "RunActivity",
]
