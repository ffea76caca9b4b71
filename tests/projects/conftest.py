"""The projects tests' shared setup: the stand-in Redshift cluster's fixtures (from
``tests/cluster.py``, shared with the catalog tests)."""

from tests.cluster import cluster_params, warehouse_profile  # noqa: F401 (fixtures)
