"""factory_boy factories for the catalog app.

Rows as an import leaves them: a data source on an ACTIVE DATA_LAKE environment of its
project, runs, assets with their first revision number, columns in order.
"""

import hashlib

import factory
from django.utils import timezone

from catalog.choices import (
    AssetType,
    DataSourceType,
    ListingStatus,
    RevisionReason,
    RunStatus,
    RunType,
    SuggestionKind,
    SuggestionStatus,
)
from catalog.models import (
    Asset,
    AssetColumn,
    AssetForm,
    AssetRevision,
    DataSource,
    DataSourceRun,
    Listing,
    RunActivity,
    Suggestion,
)
from catalog.snapshots import asset_full_snapshot
from tests.glossary.factories import FormTypeFactory
from tests.projects.factories import EnvironmentFactory, ProjectFactory


class DataSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataSource

    project = factory.SubFactory(ProjectFactory)
    environment = factory.SubFactory(EnvironmentFactory, project=factory.SelfAttribute("..project"))
    name = factory.Sequence(lambda n: f"source-{n}")
    type = DataSourceType.GLUE
    database_name = "curatedzonedb"
    filter_expressions = factory.LazyFunction(lambda: [{"type": "INCLUDE", "expression": "*"}])


class DataSourceRunFactory(factory.django.DjangoModelFactory):
    """A finished, successful run unless told otherwise (an active run is
    ``status=RunStatus.REQUESTED``; one source has at most one)."""

    class Meta:
        model = DataSourceRun

    data_source = factory.SubFactory(DataSourceFactory)
    type = RunType.PRIORITIZED
    status = RunStatus.SUCCESS
    total = 0
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyAttribute(
        lambda run: None if run.status in RunStatus.active() else timezone.now()
    )


class RunActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RunActivity

    run = factory.SubFactory(DataSourceRunFactory)
    table_name = factory.Sequence(lambda n: f"table_{n}")
    status = "SUCCEEDED_CREATED"


class AssetFactory(factory.django.DjangoModelFactory):
    """An inventory asset; ``AssetFactory(columns=5)`` adds five columns in order."""

    class Meta:
        model = Asset
        skip_postgeneration_save = True

    data_source = factory.SubFactory(DataSourceFactory)
    project = factory.LazyAttribute(lambda a: a.data_source.project if a.data_source else None)
    domain = factory.LazyAttribute(lambda a: a.project.domain)
    type = AssetType.GLUE_TABLE
    technical_name = factory.Sequence(lambda n: f"table_{n}")
    database_name = "curatedzonedb"
    external_identifier = factory.LazyAttribute(
        lambda a: f"arn:aws:glue:us-east-1:111111111111:table/{a.database_name}/{a.technical_name}"
    )
    technical_metadata = factory.LazyAttribute(
        lambda a: {"location": f"s3://bucket/{a.technical_name}/", "format": "parquet"}
    )
    content_hash = factory.LazyAttribute(
        lambda a: hashlib.sha256(a.external_identifier.encode()).hexdigest()
    )

    @factory.post_generation
    def columns(asset, create, extracted, **kwargs):
        if not create or not extracted:
            return
        AssetColumn.objects.bulk_create(
            AssetColumn(
                asset=asset,
                name=f"column_{position}",
                data_type="string",
                position=position,
            )
            for position in range(1, extracted + 1)
        )


class AssetColumnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssetColumn

    asset = factory.SubFactory(AssetFactory)
    name = factory.Sequence(lambda n: f"col_{n}")
    data_type = "string"
    position = factory.Sequence(lambda n: n + 1)


class AssetRevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssetRevision

    asset = factory.SubFactory(AssetFactory)
    revision = factory.LazyAttribute(lambda r: r.asset.current_revision)
    reason = RevisionReason.IMPORT
    snapshot = factory.LazyAttribute(
        lambda r: {"technical_name": r.asset.technical_name, "columns": []}
    )
    changes = factory.LazyFunction(lambda: ["Imported from AWS Glue curatedzonedb"])


class SuggestionFactory(factory.django.DjangoModelFactory):
    """A PROPOSED business name for the asset, or for ``column`` when given."""

    class Meta:
        model = Suggestion

    asset = factory.SubFactory(AssetFactory)
    column = None
    kind = SuggestionKind.BUSINESS_NAME
    value = factory.Sequence(lambda n: f"Business Name {n}")
    status = SuggestionStatus.PROPOSED


class AssetFormFactory(factory.django.DjangoModelFactory):
    """A metadata form on an asset, filled under the form type's current revision
    (``values`` keyed by field name, as the services store them)."""

    class Meta:
        model = AssetForm

    asset = factory.SubFactory(AssetFactory)
    form_type = factory.SubFactory(
        FormTypeFactory, owning_project=factory.SelfAttribute("..asset.project")
    )
    form_revision = factory.LazyAttribute(lambda f: f.form_type.revision)
    values = factory.LazyFunction(dict)


def _listing_snapshot(listing) -> dict:
    """What asset_publish stores: the asset's full snapshot with project and domain."""
    asset = listing.asset
    snapshot = asset_full_snapshot(asset)
    snapshot.update(
        revision=listing.revision,
        project={"id": str(asset.project_id), "name": asset.project.name},
        domain={"id": str(asset.domain_id), "name": asset.project.domain.name},
    )
    return snapshot


class ListingFactory(factory.django.DjangoModelFactory):
    """The asset's listing as publishing writes it: ACTIVE, from its current revision,
    with a snapshot of the asset as it is when the factory runs (``status=INACTIVE`` for
    an unpublished one)."""

    class Meta:
        model = Listing

    asset = factory.SubFactory(AssetFactory)
    domain = factory.LazyAttribute(lambda listing: listing.asset.domain)
    project = factory.LazyAttribute(lambda listing: listing.asset.project)
    revision = factory.LazyAttribute(lambda listing: listing.asset.current_revision)
    status = ListingStatus.ACTIVE
    approval_required = True
    name = factory.LazyAttribute(lambda listing: listing.asset.display_name)
    snapshot = factory.LazyAttribute(_listing_snapshot)
    published_at = factory.LazyFunction(timezone.now)
    unpublished_at = factory.LazyAttribute(
        lambda listing: timezone.now() if listing.status == ListingStatus.INACTIVE else None
    )
