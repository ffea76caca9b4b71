"""What an import does beyond the technical metadata, per the data source's settings:
apply its default forms to new assets, suggest glossary terms, and publish on import.

Kept apart from the bulk upserts in importing.py so that those stay a constant number of
queries per batch; publishing on import costs a few queries per table and only runs when
the data source asks for it.
"""

from dataclasses import dataclass, field

from glossary.services import term_index

from .models import Asset, AssetForm
from .services.assets import suggest_glossary_terms
from .services.listings import publish_imported


@dataclass
class RunEnrichment:
    """Per-run state: the default forms and the domain's vocabulary, loaded once."""

    source: object
    form_types: list = field(default_factory=list)
    index: dict = field(default_factory=dict)

    @classmethod
    def for_source(cls, source) -> "RunEnrichment":
        return cls(
            source=source,
            form_types=list(source.default_form_types.all()),
            index=term_index(source.project.domain_id),
        )

    def apply(self, created_ids, changed_ids) -> dict:
        """Enrich one batch; returns {asset id: message} for assets that were not
        published on import (with the reasons)."""
        ids = list(created_ids) + list(changed_ids)
        if not ids or not (self.form_types or self.index or self.source.publish_on_import):
            return {}
        assets = list(Asset.objects.filter(pk__in=ids).select_related("project", "project__domain"))
        if self.form_types and created_ids:
            created = set(created_ids)
            AssetForm.objects.bulk_create(
                [
                    AssetForm(asset=asset, form_type=form_type, form_revision=form_type.revision)
                    for asset in assets
                    if asset.pk in created
                    for form_type in self.form_types
                ],
                ignore_conflicts=True,
            )
        if self.index:
            suggest_glossary_terms(assets, index=self.index)
        messages = {}
        if self.source.publish_on_import:
            for asset in assets:
                missing = publish_imported(asset)
                if missing:
                    messages[asset.pk] = "Not published: " + " ".join(missing)
                else:
                    messages[asset.pk] = "Published on import."
        return messages
