"""factory_boy factories for the catalog app.

Rows as an import leaves them: a data source on an ACTIVE DATA_LAKE environment of its
project, runs, assets with their first revision number, columns in order.
"""

import hashlib

import factory
from django.utils import timezone

from catalog import choices, models, services
from catalog.snapshots import asset_full_snapshot
from meshportal.demo import GLUE_DATABASE
from tests.glossary.factories import FormTypeFactory
from tests.projects.factories import EnvironmentFactory, ProjectFactory


class DataSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DataSource

    project = factory.SubFactory(ProjectFactory)
    environment = factory.SubFactory(EnvironmentFactory, project=factory.SelfAttribute("..project"))
    name = factory.Sequence(lambda n: f"source-{n}")
    type = choices.DataSourceType.GLUE
    database_name = "curatedzonedb"
    filter_expressions = factory.LazyFunction(lambda: [{"type": "INCLUDE", "expression": "*"}])


class DataSourceRunFactory(factory.django.DjangoModelFactory):
    """A finished, successful run unless told otherwise (an active run is
    ``status=RunStatus.REQUESTED``; one source has at most one)."""

    class Meta:
        model = models.DataSourceRun

    data_source = factory.SubFactory(DataSourceFactory)
    type = choices.RunType.PRIORITIZED
    status = choices.RunStatus.SUCCESS
    total = 0
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyAttribute(
        lambda run: None if run.status in choices.RunStatus.active() else timezone.now()
    )


class RunActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RunActivity

    run = factory.SubFactory(DataSourceRunFactory)
    table_name = factory.Sequence(lambda n: f"table_{n}")
    status = "SUCCEEDED_CREATED"


class AssetFactory(factory.django.DjangoModelFactory):
    """An inventory asset; ``AssetFactory(columns=5)`` adds five columns in order."""

    class Meta:
        model = models.Asset
        skip_postgeneration_save = True

    data_source = factory.SubFactory(DataSourceFactory)
    project = factory.LazyAttribute(lambda a: a.data_source.project if a.data_source else None)
    domain = factory.LazyAttribute(lambda a: a.project.domain)
    type = choices.AssetType.GLUE_TABLE
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
        models.AssetColumn.objects.bulk_create(
            models.AssetColumn(
                asset=asset,
                name=f"column_{position}",
                data_type="string",
                position=position,
            )
            for position in range(1, extracted + 1)
        )


class AssetColumnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AssetColumn

    asset = factory.SubFactory(AssetFactory)
    name = factory.Sequence(lambda n: f"col_{n}")
    data_type = "string"
    position = factory.Sequence(lambda n: n + 1)


class AssetRevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AssetRevision

    asset = factory.SubFactory(AssetFactory)
    revision = factory.LazyAttribute(lambda r: r.asset.current_revision)
    reason = choices.RevisionReason.IMPORT
    snapshot = factory.LazyAttribute(
        lambda r: {"technical_name": r.asset.technical_name, "columns": []}
    )
    changes = factory.LazyFunction(lambda: ["Imported from AWS Glue curatedzonedb"])


class SuggestionFactory(factory.django.DjangoModelFactory):
    """A PROPOSED business name for the asset, or for ``column`` when given."""

    class Meta:
        model = models.Suggestion

    asset = factory.SubFactory(AssetFactory)
    column = None
    kind = choices.SuggestionKind.BUSINESS_NAME
    value = factory.Sequence(lambda n: f"Business Name {n}")
    status = choices.SuggestionStatus.PROPOSED


class AssetFormFactory(factory.django.DjangoModelFactory):
    """A metadata form on an asset, filled under the form type's current revision
    (``values`` keyed by field name, as the services store them)."""

    class Meta:
        model = models.AssetForm

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
        model = models.Listing

    asset = factory.SubFactory(AssetFactory)
    domain = factory.LazyAttribute(lambda listing: listing.asset.domain)
    project = factory.LazyAttribute(lambda listing: listing.asset.project)
    revision = factory.LazyAttribute(lambda listing: listing.asset.current_revision)
    status = choices.ListingStatus.ACTIVE
    approval_required = True
    name = factory.LazyAttribute(lambda listing: listing.asset.display_name)
    snapshot = factory.LazyAttribute(_listing_snapshot)
    published_at = factory.LazyFunction(timezone.now)
    unpublished_at = factory.LazyAttribute(
        lambda listing: timezone.now() if listing.status == choices.ListingStatus.INACTIVE else None
    )


def film_listing(project):
    """`Movie listings with category` (film_category, four columns) of ``project``,
    published: the listing the subscriptions and events tests subscribe to."""
    asset = AssetFactory(
        data_source__project=project,
        technical_name="film_category",
        business_name="Movie listings with category",
        columns=4,
    )
    return ListingFactory(asset=asset)


# --- Through the services, as a person would ------------------------------------------


def create_glue_source(owner, project, environment, name="Curated zone", **fields):
    """A data source created through the service: Glue, over the scenario's
    ``curatedzonedb``, unless ``type`` or ``database_name`` say otherwise."""
    fields.setdefault("database_name", GLUE_DATABASE)
    fields.setdefault("type", choices.DataSourceType.GLUE)
    return services.data_source_create(
        acting_user=owner,
        project=project,
        environment=environment,
        name=name,
        **fields,
    )


def assert_run_failed(run, error_type, *fragments):
    """The run FAILED with ``error_type``, and its message holds every fragment."""
    assert run.status == choices.RunStatus.FAILED, (run.status, run.error_message)
    assert run.error_type == error_type, run.error_message
    for fragment in fragments:
        assert fragment in run.error_message, (fragment, run.error_message)


def run_now(user, data_source) -> models.DataSourceRun:
    """Start a run as a person would; the eager task has finished when this returns."""
    run, created = services.data_source_run_start(acting_user=user, data_source=data_source)
    assert created, f"a run of {data_source} was already active: {run.status}"
    run.refresh_from_db()
    return run


COUNTED = ("processed", "added", "updated", "unchanged", "archived", "failed")


def counts(run) -> dict[str, int]:
    """What a run counted: its total and how many tables ended each way."""
    return {name: getattr(run, name) for name in ("total", *COUNTED)}


def tallies(*, total, **counted) -> dict:
    """The ``counts(run)`` expected: ``total``, the counts named, 0 for every other."""
    return {"total": total} | {name: counted.pop(name, 0) for name in COUNTED} | counted
