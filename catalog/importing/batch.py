"""What one import batch counts, and the snapshots its revisions start from."""

from collections import defaultdict
from dataclasses import dataclass, field

from glossary.queries import TERM_HEAVY_FIELDS

from ..choices import ActivityStatus
from ..models import Asset, AssetColumn, AssetForm
from ..snapshots import _term_ref, asset_snapshot, forms_snapshot, source_column_snapshot

# A term link's long texts stay in the database: a revision records names, not descriptions.
LINK_HEAVY_FIELDS = [f"glossaryterm__{name}" for name in TERM_HEAVY_FIELDS]


@dataclass
class BatchCounts:
    processed: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0
    failed: int = 0
    activities: list = field(default_factory=list)

    def add(self, status: str, table: str, asset_id=None, message: str = ""):
        self.activities.append((table, status, asset_id, message))
        attribute = {
            ActivityStatus.SUCCEEDED_CREATED: "added",
            ActivityStatus.SUCCEEDED_UPDATED: "updated",
            ActivityStatus.UNCHANGED: "unchanged",
            ActivityStatus.SKIPPED_ARCHIVED: "archived",
            ActivityStatus.FAILED: "failed",
        }[status]
        setattr(self, attribute, getattr(self, attribute) + 1)


def _new_asset_snapshot(asset, table) -> dict:
    """The full snapshot of a new asset: no terms or forms yet."""
    columns = [{**source_column_snapshot(c), "glossary_terms": []} for c in table.columns]
    snapshot = asset_snapshot(asset, columns)
    snapshot["glossary_terms"] = []
    snapshot["forms"] = []
    return snapshot


def _business_snapshots(asset_ids) -> tuple[dict, dict, dict]:
    """The glossary terms of the assets and of their columns (by column id), and their
    forms, as asset_full_snapshot records them, in a constant number of queries."""

    asset_terms, column_terms, forms = defaultdict(list), defaultdict(list), defaultdict(list)
    links = (
        Asset.glossary_terms.through.objects.filter(asset_id__in=asset_ids)
        .select_related("glossaryterm__glossary")
        .defer(*LINK_HEAVY_FIELDS)
        .order_by("glossaryterm__name")
    )
    for link in links:
        asset_terms[link.asset_id].append(_term_ref(link.glossaryterm))
    links = (
        AssetColumn.glossary_terms.through.objects.filter(assetcolumn__asset_id__in=asset_ids)
        .select_related("glossaryterm__glossary")
        .defer(*LINK_HEAVY_FIELDS)
        .order_by("glossaryterm__name")
    )
    for link in links:
        column_terms[link.assetcolumn_id].append(_term_ref(link.glossaryterm))
    asset_forms = list(AssetForm.objects.filter(asset_id__in=asset_ids).with_fields())
    for asset_form, form in zip(asset_forms, forms_snapshot(asset_forms), strict=True):
        forms[asset_form.asset_id].append(form)
    return asset_terms, column_terms, forms
