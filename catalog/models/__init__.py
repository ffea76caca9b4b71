"""Catalog models: data sources and their runs, inventory assets and their revisions."""

from .assets import Asset, AssetColumn, AssetRevision, Prediction
from .sources import DataSource, DataSourceRun, RunActivity

__all__ = [
    "Asset",
    "AssetColumn",
    "AssetRevision",
    "DataSource",
    "DataSourceRun",
    "Prediction",
    "RunActivity",
]
