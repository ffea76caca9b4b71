"""Backends that fulfil grants: Lake Formation, Redshift, and manual (a person does it).

They take plain descriptions and return JSON-able targets; see base.py for why.
"""

from .base import AccountRef, Backoff, GrantError
from .lakeformation import LakeFormationBackend, LakeFormationGrant
from .locations import location_is_under, registered_location
from .reconcile import Drift, reconcile_lake_formation
from .redshift import ClusterRef, RedshiftBackend, RedshiftGrant

__all__ = [
    "AccountRef",
    "Backoff",
    "ClusterRef",
    "Drift",
    "GrantError",
    "LakeFormationBackend",
    "LakeFormationGrant",
    "RedshiftBackend",
    "RedshiftGrant",
    "location_is_under",
    "reconcile_lake_formation",
    "registered_location",
]
