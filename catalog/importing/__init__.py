"""The import of a data source's tables into its project's inventory (one run).

The listing is read completely first, so a source that cannot be listed fails the run
without writing anything. Tables are then processed in batches, each in one transaction
with a constant number of queries however many columns the tables have: upserts in bulk,
a revision only where the technical metadata's hash changed, business metadata kept.
Tables that disappeared from the source are archived at the end.

- ``runs``: ``execute_run``, the run's life from REQUESTED to its final status.
- ``importer``: ``Importer``, one batch of tables into the inventory.
- ``bulk``: the unnest-based bulk SQL layer the importer writes through.
"""

from .bulk import bulk_insert, bulk_update_rows  # noqa: F401
from .importer import (  # noqa: F401
    ACTIVITY_FIELDS,
    ASSET_ATTRIBUTES,
    ASSET_FIELDS,
    COLUMN_FIELDS,
    REVISION_FIELDS,
    SOURCE_COLUMN_FIELDS,
    BatchCounts,
    Importer,
)
from .runs import BATCH_SIZE, execute_run, logger  # noqa: F401
