"""The scenario's import of `curatedzonedb` from Glue (moto's server over HTTP).

Runs are started through the service, so the task travels the production path: the run is
created, its task is enqueued on commit and (eager in tests) imports at once. Upstream
changes are made in moto with boto3, as a producer would make them in Glue.
"""

import pytest

from catalog import services
from catalog.choices import (
    ActivityStatus,
    AssetType,
    RevisionReason,
    RunStatus,
    RunType,
    SuggestionKind,
    SuggestionStatus,
)
from catalog.diffs import snapshot_differences
from catalog.models import (
    Asset,
    AssetColumn,
    AssetForm,
    AssetRevision,
    RunActivity,
    Suggestion,
)
from catalog.snapshots import asset_full_snapshot
from catalog.sources import glue_tables
from meshportal.demo import GLUE_DATABASE, TABLES, table_input
from projects.choices import Designation
from tests.catalog.factories import counts, create_glue_source, run_now, tallies
from tests.catalog.throttling_proxy import AwsProxy
from tests.glossary.factories import FormTypeFactory, GlossaryFactory, GlossaryTermFactory
from tests.projects.factories import (
    AwsAccountFactory,
    EnvironmentFactory,
    EnvironmentProfileFactory,
    ProjectFactory,
    ProjectMembershipFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

ARN = "arn:aws:glue:us-east-1:111111111111:table/curatedzonedb/{}"
SCENARIO_TABLES = {"streaming_films", "film_category", "category_streams"}
DEMO_TABLE = {table.name: table for table in TABLES}


# --- helpers shared with the other import tests ------------------------------------------


def activities(run) -> dict[str, RunActivity]:
    return {a.table_name: a for a in RunActivity.objects.filter(run=run)}


def add_column(glue, table: str, column: tuple[str, str]):
    """Add ``(name, type)`` to the scenario table in Glue, as a producer would."""
    glue.update_table(
        DatabaseName=GLUE_DATABASE,
        TableInput=glue_table_input(table, columns=[*DEMO_TABLE[table].columns, column]),
    )


def glue_table_input(name: str, *, columns=None, partition_keys=None) -> dict:
    """The TableInput of a scenario table, with its columns replaced when given."""
    table = table_input(DEMO_TABLE[name])
    if columns is not None:
        table["StorageDescriptor"]["Columns"] = [{"Name": n, "Type": t} for n, t in columns]
    if partition_keys is not None:
        table["PartitionKeys"] = [{"Name": n, "Type": t} for n, t in partition_keys]
    return table


# The fixtures (``glue``, ``environment``, ``source``) are in tests/catalog/conftest.py.


# --- first import ------------------------------------------------------------------------


def test_first_import_adds_the_three_tables(glue, owner, source):
    run = run_now(owner, source)

    assert run.status == RunStatus.SUCCESS, run.error_message
    assert run.type == RunType.PRIORITIZED and run.requested_by == owner
    assert (run.error_type, run.error_message) == ("", "")
    assert counts(run) == tallies(total=3, processed=3, added=3)
    assert run.started_at <= run.finished_at
    assert run.progress_percent == 100

    done = activities(run)
    assert set(done) == SCENARIO_TABLES
    assert {a.status for a in done.values()} == {ActivityStatus.SUCCEEDED_CREATED}

    assets = {a.technical_name: a for a in Asset.objects.filter(project=source.project)}
    assert set(assets) == SCENARIO_TABLES
    for name, asset in assets.items():
        assert asset.external_identifier == ARN.format(name)
        assert asset.type == AssetType.GLUE_TABLE
        assert asset.domain_id == source.project.domain_id
        assert asset.data_source == source
        assert asset.database_name == GLUE_DATABASE
        assert asset.current_revision == 1
        assert asset.archived_at is None
        assert done[name].asset_id == asset.pk
        metadata = asset.technical_metadata
        assert metadata["location"] == f"s3://streaming-curated-zone/curated/{name}/"
        assert metadata["format"] == "parquet"
        assert metadata["serde"].endswith("ParquetHiveSerDe")
        assert metadata["table_type"] == "EXTERNAL_TABLE"
        assert metadata["parameters"]["classification"] == "parquet"

    films = list(assets["streaming_films"].columns.order_by("position"))
    assert [(c.name, c.data_type, c.position, c.is_partition_key) for c in films] == [
        ("film_id", "bigint", 1, False),
        ("title", "string", 2, False),
        ("release_year", "int", 3, False),
        ("rating", "string", 4, False),
        ("stream_count", "bigint", 5, False),
    ]
    streams = list(assets["category_streams"].columns.order_by("position"))
    assert [(c.name, c.data_type, c.is_partition_key) for c in streams] == [
        ("category_name", "string", False),
        ("streams", "bigint", False),
        ("stream_date", "date", True),
    ]
    assert assets["film_category"].columns.get(name="special_features").data_type == (
        "array<string>"
    )

    revision = AssetRevision.objects.get(asset=assets["film_category"])
    assert revision.revision == 1
    assert revision.reason == RevisionReason.IMPORT
    assert revision.run_id == run.pk
    assert revision.changes == ["Imported from AWS Glue curatedzonedb"]
    assert revision.snapshot["external_identifier"] == ARN.format("film_category")
    assert [c["name"] for c in revision.snapshot["columns"]] == [
        "category_id",
        "name",
        "film_id",
        "special_features",
    ]
    assert AssetRevision.objects.count() == 3


def test_the_batch_size_setting_splits_an_import_into_batches(
    glue, owner, source, settings, monkeypatch
):
    from catalog.importing import Importer

    settings.DATA_SOURCE_IMPORT_BATCH_SIZE = 2
    sizes = []
    import_batch = Importer.import_batch

    def recording(self, raw_tables, convert):
        sizes.append(len(raw_tables))
        return import_batch(self, raw_tables, convert)

    monkeypatch.setattr(Importer, "import_batch", recording)

    run = run_now(owner, source)

    assert run.status == RunStatus.SUCCESS, run.error_message
    assert sizes == [2, 1]
    assert (run.total, run.processed, run.added) == (3, 3, 3)
    assert {a.technical_name for a in Asset.objects.filter(project=source.project)} == (
        SCENARIO_TABLES
    )


def test_importing_again_changes_nothing(glue, owner, source):
    first = run_now(owner, source)
    before = {
        a.pk: (a.content_hash, a.current_revision, a.updated_at)
        for a in Asset.objects.filter(project=source.project)
    }

    second = run_now(owner, source)

    assert second.status == RunStatus.SUCCESS
    assert counts(second) == tallies(total=3, processed=3, unchanged=3)
    assert {a.status for a in activities(second).values()} == {ActivityStatus.UNCHANGED}
    assert AssetRevision.objects.count() == 3  # no new revisions
    after = {
        a.pk: (a.content_hash, a.current_revision, a.updated_at)
        for a in Asset.objects.filter(project=source.project)
    }
    assert after == before
    # The first run's record is untouched by the second.
    first.refresh_from_db()
    assert (first.added, first.unchanged) == (3, 0)
    assert RunActivity.objects.filter(run=first).count() == 3


def test_a_column_added_upstream_updates_one_asset_and_keeps_business_metadata(glue, owner, source):
    run_now(owner, source)
    asset = Asset.objects.get(technical_name="film_category")
    # Business metadata a producer wrote between the imports.
    Asset.objects.filter(pk=asset.pk).update(
        business_name="Film categories", description="Which category each film is in."
    )
    AssetColumn.objects.filter(asset=asset, name="name").update(
        business_name="Category name", description="As shown in the app."
    )
    columns_before = {c.name: c.pk for c in asset.columns.all()}

    add_column(glue, "film_category", ("last_update", "timestamp"))
    run = run_now(owner, source)

    assert run.status == RunStatus.SUCCESS
    assert (run.added, run.updated, run.unchanged, run.archived) == (0, 1, 2, 0)
    done = activities(run)
    assert done["film_category"].status == ActivityStatus.SUCCEEDED_UPDATED
    assert "last_update" in done["film_category"].message
    assert done["streaming_films"].status == ActivityStatus.UNCHANGED

    asset.refresh_from_db()
    assert asset.current_revision == 2
    assert (asset.business_name, asset.description) == (
        "Film categories",
        "Which category each film is in.",
    )
    name = asset.columns.get(name="name")
    assert (name.business_name, name.description) == ("Category name", "As shown in the app.")
    # Columns are matched by name: the existing ones are the same rows.
    columns_after = {c.name: c.pk for c in asset.columns.all()}
    assert {n: columns_after[n] for n in columns_before} == columns_before
    added = asset.columns.get(name="last_update")
    assert (added.data_type, added.position, added.is_partition_key) == ("timestamp", 5, False)

    revision = asset.revisions.get(revision=2)
    assert revision.reason == RevisionReason.IMPORT
    assert revision.run_id == run.pk
    assert revision.changes == ["Column last_update added (timestamp)"]
    assert revision.snapshot["business_name"] == "Film categories"
    assert [c["name"] for c in revision.snapshot["columns"]][-1] == "last_update"
    snapshot_name = next(c for c in revision.snapshot["columns"] if c["name"] == "name")
    assert snapshot_name["description"] == "As shown in the app."
    # The other tables got no revision.
    assert AssetRevision.objects.exclude(asset=asset).count() == 2


def test_import_revisions_are_full_snapshots_with_terms_and_forms(glue, owner, project, source):
    """Revisions written by an import carry what a person's revision carries (terms and
    forms too), so comparing them with the revision before shows only the real change."""
    run_now(owner, source)
    asset = Asset.objects.get(technical_name="film_category")
    assert asset.revisions.get().snapshot == asset_full_snapshot(asset)

    glossary = GlossaryFactory(owning_project=project, name="Film terms")
    asset.glossary_terms.add(GlossaryTermFactory(glossary=glossary, name="Genre"))
    asset.columns.get(name="category_id").glossary_terms.add(
        GlossaryTermFactory(glossary=glossary, name="Identifier")
    )
    AssetForm.objects.create(
        asset=asset,
        form_type=FormTypeFactory(owning_project=project, name="Ownership"),
        values={"last_audit": "2026-01-31", "contact": "films@streaming.example"},
    )
    before = asset_full_snapshot(asset)
    add_column(glue, "film_category", ("last_update", "timestamp"))

    run_now(owner, source)

    asset.refresh_from_db()
    snapshot = asset.revisions.get(revision=2).snapshot
    assert snapshot == asset_full_snapshot(asset)
    assert [t["name"] for t in snapshot["glossary_terms"]] == ["Genre"]
    category_id = next(c for c in snapshot["columns"] if c["name"] == "category_id")
    assert [t["name"] for t in category_id["glossary_terms"]] == ["Identifier"]
    assert [f["form_type"]["name"] for f in snapshot["forms"]] == ["Ownership"]
    assert snapshot_differences(before, snapshot) == [
        {"field": "Column last_update", "before": "", "after": "added (timestamp)"}
    ]


def test_a_column_dropped_and_a_type_changed_upstream_are_named_in_the_revision(
    glue, owner, source
):
    run_now(owner, source)
    asset = Asset.objects.get(technical_name="streaming_films")
    AssetColumn.objects.filter(asset=asset, name="title").update(description="Original title")

    glue.update_table(
        DatabaseName=GLUE_DATABASE,
        TableInput=glue_table_input(
            "streaming_films",
            columns=[
                ("film_id", "bigint"),
                ("title", "string"),
                ("release_year", "smallint"),
                ("stream_count", "bigint"),
            ],
        ),
    )
    run = run_now(owner, source)

    assert (run.updated, run.unchanged) == (1, 2)
    asset.refresh_from_db()
    assert sorted(asset.columns.values_list("name", "position")) == [
        ("film_id", 1),
        ("release_year", 3),
        ("stream_count", 4),
        ("title", 2),
    ]
    assert asset.columns.get(name="title").description == "Original title"
    changes = asset.revisions.get(revision=2).changes
    assert "Column rating removed" in changes
    assert "Column release_year type changed from int to smallint" in changes


def test_a_table_dropped_upstream_is_archived_and_restored_when_it_returns(glue, owner, source):
    run_now(owner, source)
    streams = Asset.objects.get(technical_name="category_streams")

    glue.delete_table(DatabaseName=GLUE_DATABASE, Name="category_streams")
    run = run_now(owner, source)

    assert run.status == RunStatus.SUCCESS
    assert counts(run) == tallies(total=2, processed=2, unchanged=2, archived=1)
    archived = activities(run)["category_streams"]
    assert archived.status == ActivityStatus.SKIPPED_ARCHIVED
    assert archived.asset_id == streams.pk
    assert "archived, not deleted" in archived.message
    streams.refresh_from_db()  # archived, not deleted
    assert streams.archived_at is not None
    assert streams.columns.count() == 3
    assert streams.current_revision == 1

    # Still gone at the next run: nothing more happens to it.
    quiet = run_now(owner, source)
    assert (quiet.archived, quiet.unchanged) == (0, 2)
    assert "category_streams" not in activities(quiet)

    glue.create_table(DatabaseName=GLUE_DATABASE, TableInput=glue_table_input("category_streams"))
    back = run_now(owner, source)

    assert (back.added, back.updated, back.unchanged, back.archived) == (0, 1, 2, 0)
    assert activities(back)["category_streams"].status == ActivityStatus.SUCCEEDED_UPDATED
    streams.refresh_from_db()
    assert streams.archived_at is None
    assert streams.current_revision == 2
    assert Asset.objects.filter(technical_name="category_streams").count() == 1
    assert streams.revisions.get(revision=2).changes == [
        "Restored: the table is back in the source"
    ]


def test_a_table_that_returns_changed_is_restored_with_its_changes(glue, owner, source):
    run_now(owner, source)
    glue.delete_table(DatabaseName=GLUE_DATABASE, Name="film_category")
    run_now(owner, source)
    glue.create_table(
        DatabaseName=GLUE_DATABASE,
        TableInput=glue_table_input(
            "film_category", columns=[("category_id", "bigint"), ("name", "string")]
        ),
    )

    run = run_now(owner, source)

    asset = Asset.objects.get(technical_name="film_category")
    assert asset.archived_at is None
    assert activities(run)["film_category"].status == ActivityStatus.SUCCEEDED_UPDATED
    changes = asset.revisions.get(revision=2).changes
    assert changes[0] == "Restored: the table is back in the source"
    assert {"Column film_id removed", "Column special_features removed"} <= set(changes)


def test_names_comments_and_parameters_with_special_characters_arrive_intact(glue, owner, source):
    """Values travel to PostgreSQL in bulk (array literals): quoting must not bend them."""
    tricky = [
        'say "hi"',
        "back\\slash",
        "{braces}, commas",
        "NULL",
        "",
        "line\nbreak",
        "été 🎬",
    ]
    glue.create_table(
        DatabaseName=GLUE_DATABASE,
        TableInput={
            "Name": "tricky_table",
            "Description": 'A "quoted" {description}',
            "Parameters": {"note": 'a\\b "c" {d}', "empty": ""},
            "StorageDescriptor": {
                "Columns": [
                    {"Name": f"c{i}", "Type": "string", "Comment": comment}
                    for i, comment in enumerate(tricky)
                ]
                + [{"Name": 'weird "name"', "Type": "struct<a:int,b:string>"}],
                "Location": "s3://bucket/with space/",
            },
        },
    )

    run = run_now(owner, source)

    assert run.status == RunStatus.SUCCESS, run.error_message
    asset = Asset.objects.get(technical_name="tricky_table")
    columns = list(asset.columns.order_by("position"))
    assert [c.source_comment for c in columns[: len(tricky)]] == tricky
    assert columns[-1].name == 'weird "name"'
    assert columns[-1].data_type == "struct<a:int,b:string>"
    assert asset.technical_metadata["parameters"] == {"empty": "", "note": 'a\\b "c" {d}'}
    assert asset.technical_metadata["source_description"] == 'A "quoted" {description}'
    assert asset.technical_metadata["location"] == "s3://bucket/with space/"
    snapshot = asset.revisions.get().snapshot
    assert [c["source_comment"] for c in snapshot["columns"]][: len(tricky)] == tricky
    suggestion = Suggestion.objects.get(column=columns[-1])
    assert suggestion.value == "Weird Name"
    # Nothing changed upstream: the hash of what was stored matches what is read again.
    again = run_now(owner, source)
    assert (again.unchanged, again.updated) == (4, 0)


# --- filters -----------------------------------------------------------------------------


def _filters(*pairs):
    return [{"type": kind, "expression": expression} for kind, expression in pairs]


@pytest.mark.parametrize(
    ("filters", "imported"),
    [
        pytest.param([], SCENARIO_TABLES, id="no filter: every table"),
        pytest.param(_filters(("INCLUDE", "film_*")), {"film_category"}, id="include glob"),
        pytest.param(
            _filters(("INCLUDE", "film_*"), ("INCLUDE", "category_*")),
            {"film_category", "category_streams"},
            id="several includes",
        ),
        pytest.param(
            _filters(("EXCLUDE", "*_streams")),
            {"streaming_films", "film_category"},
            id="exclude only: all but",
        ),
        pytest.param(
            _filters(("INCLUDE", "*film*"), ("EXCLUDE", "film_category")),
            {"streaming_films"},
            id="exclude wins over include",
        ),
        pytest.param(
            _filters(("INCLUDE", "FILM_*"), ("EXCLUDE", "Streaming_*")),
            {"film_category"},
            id="case-insensitive",
        ),
        pytest.param(_filters(("INCLUDE", "no_such_*")), set(), id="nothing matches"),
    ],
)
def test_filter_expressions_choose_the_tables(glue, owner, project, environment, filters, imported):
    source = create_glue_source(owner, project, environment, filter_expressions=filters)

    run = run_now(owner, source)

    assert run.status == RunStatus.SUCCESS
    assert (run.total, run.added, run.archived) == (len(imported), len(imported), 0)
    assert set(activities(run)) == imported
    assert set(Asset.objects.values_list("technical_name", flat=True)) == imported


def test_tables_filtered_out_later_are_not_archived(glue, owner, source):
    run_now(owner, source)
    source = services.data_source_update(
        acting_user=owner,
        data_source=source,
        filter_expressions=_filters(("INCLUDE", "film_*")),
    )

    run = run_now(owner, source)

    assert counts(run) == tallies(total=1, processed=1, unchanged=1)
    assert set(activities(run)) == {"film_category"}
    assert not Asset.objects.filter(archived_at__isnull=False).exists()


# --- business-name suggestions -----------------------------------------------------------


def test_business_names_are_suggested_for_new_tables_and_columns(glue, owner, source):
    assert source.generate_business_names  # the default
    run_now(owner, source)

    suggestions = Suggestion.objects.select_related("asset", "column")
    assert {p.status for p in suggestions} == {SuggestionStatus.PROPOSED}
    assert {p.kind for p in suggestions} == {SuggestionKind.BUSINESS_NAME}
    tables = {p.asset.technical_name: p.value for p in suggestions if p.column is None}
    assert tables == {
        "streaming_films": "Streaming Films",
        "film_category": "Film Category",
        "category_streams": "Category Streams",
    }
    columns = {(p.asset.technical_name, p.column.name): p.value for p in suggestions if p.column}
    assert len(columns) == 5 + 4 + 3  # every column, partition keys included
    assert columns[("film_category", "category_id")] == "Category ID"
    assert columns[("category_streams", "stream_date")] == "Stream Date"
    assert columns[("film_category", "special_features")] == "Special Features"

    # An unchanged re-import proposes nothing new.
    run_now(owner, source)
    assert Suggestion.objects.count() == 3 + 12


def test_no_suggestions_when_the_source_does_not_generate_business_names(
    glue, owner, project, environment
):
    source = create_glue_source(owner, project, environment, generate_business_names=False)

    run = run_now(owner, source)

    assert run.added == 3
    assert not Suggestion.objects.exists()


def test_suggestions_skip_names_already_set_and_cover_new_columns(
    glue, owner, project, environment
):
    source = create_glue_source(owner, project, environment, generate_business_names=False)
    run_now(owner, source)
    asset = Asset.objects.get(technical_name="film_category")
    Asset.objects.filter(pk=asset.pk).update(business_name="Categories of films")
    AssetColumn.objects.filter(asset=asset, name="category_id").update(business_name="Category")
    source = services.data_source_update(
        acting_user=owner, data_source=source, generate_business_names=True
    )
    add_column(glue, "film_category", ("rental_amt", "decimal(5,2)"))

    run = run_now(owner, source)

    assert run.updated == 1
    proposed = list(Suggestion.objects.select_related("column"))
    assert [(p.asset_id, p.column.name, p.value) for p in proposed] == [
        (asset.pk, "rental_amt", "Rental Amount")
    ]


# --- ownership ---------------------------------------------------------------------------


def test_a_table_owned_by_another_project_of_the_domain_fails_only_its_activity(
    glue, owner, project, source, domain, profile
):
    marketing = ProjectFactory(domain=domain, name="marketing-team-analysis")
    ProjectMembershipFactory(project=marketing, user=owner, designation=Designation.OWNER)
    marketing_source = create_glue_source(
        owner,
        marketing,
        EnvironmentFactory(project=marketing, profile=profile, name="marketing-datalake"),
        filter_expressions=_filters(("INCLUDE", "film_category")),
    )
    assert run_now(owner, marketing_source).added == 1

    run = run_now(owner, source)

    assert run.status == RunStatus.PARTIALLY_SUCCEEDED
    assert (run.total, run.processed, run.added, run.failed) == (3, 3, 2, 1)
    assert run.error_message == "1 of 3 tables could not be imported; see the activities."
    failed = activities(run)["film_category"]
    assert failed.status == ActivityStatus.FAILED
    assert failed.asset_id is None
    # The owner is not named: a run's readers may not see that project (issue 9).
    assert "marketing-team-analysis" not in failed.message
    assert "already in the inventory of another project of this domain" in failed.message
    theirs = Asset.objects.get(external_identifier=ARN.format("film_category"))
    assert theirs.project == marketing
    assert theirs.data_source == marketing_source
    assert theirs.current_revision == 1
    assert set(Asset.objects.filter(project=project).values_list("technical_name", flat=True)) == {
        "streaming_films",
        "category_streams",
    }


def test_an_environment_whose_account_names_a_role_is_read_with_that_role(
    aws, owner, project, domain, monkeypatch
):
    """The profile's account names a role: the reader assumes it through STS and reads
    Glue with the temporary credentials. (The test's moto answers every request as one
    account — MOTO_ACCOUNT_ID — so the proxy shows which credentials were used.)"""
    role_arn = "arn:aws:iam::222222222222:role/mesh-portal-catalog"
    glue = aws.client("glue", region="eu-west-1")
    glue.create_database(DatabaseInput={"Name": "salesdb"})
    glue.create_table(
        DatabaseName="salesdb",
        TableInput={
            "Name": "orders",
            "StorageDescriptor": {"Columns": [{"Name": "order_id", "Type": "bigint"}]},
        },
    )
    account = AwsAccountFactory(
        domain=domain, account_id="222222222222", region="eu-west-1", role_arn=role_arn
    )
    profile = EnvironmentProfileFactory(
        domain=domain, aws_account=account, region="eu-west-1", name="SalesLakeProfile"
    )
    environment = EnvironmentFactory(project=project, profile=profile, name="sales-lake")
    source = create_glue_source(owner, project, environment, database_name="salesdb")

    with AwsProxy(aws.endpoint) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        run = run_now(owner, source)

    assert run.status == RunStatus.SUCCESS, run.error_message
    asset = Asset.objects.get()
    assert asset.external_identifier == "arn:aws:glue:eu-west-1:222222222222:table/salesdb/orders"
    assume = [r for r in proxy.requests if r.target == "AssumeRole"]
    assert [r.body["RoleArn"] for r in assume] == [role_arn]
    listing = [r for r in proxy.requests if r.target == "AWSGlue.GetTables"]
    assert len(listing) == 1
    # Signed with the role's temporary credentials, not the portal's own key.
    assert "X-Amz-Security-Token" in listing[0].headers
    assert "Credential=testing/" not in listing[0].headers["Authorization"]
    assert "/eu-west-1/glue/" in listing[0].headers["Authorization"]


# --- paging ------------------------------------------------------------------------------


@pytest.fixture
def paging_proxy(aws, monkeypatch):
    """A real HTTP hop in front of moto that serves GetTables in pages of 10.

    moto answers GetTables with every table at once and never returns a NextToken (see
    moto/glue/responses.py), so the proxy splits its answer and serves the next page
    when the reader sends the token back.
    """
    with AwsProxy(aws.endpoint) as proxy:
        proxy.paginate("AWSGlue.GetTables", "TableList", page_size=10)
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        yield proxy


def _add_tables(glue, count):
    for i in range(count):
        glue.create_table(
            DatabaseName=GLUE_DATABASE,
            TableInput={
                "Name": f"extra_{i:02d}",
                "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}]},
            },
        )


def test_the_glue_reader_follows_next_token_through_every_page(glue, paging_proxy, source):
    _add_tables(glue, 22)  # 25 tables: pages of 10, 10 and 5

    tables, convert = glue_tables(source)

    names = [t["Name"] for t in tables]
    assert len(names) == 25 and len(set(names)) == 25
    assert set(names) == SCENARIO_TABLES | {f"extra_{i:02d}" for i in range(22)}
    sent = [r.body for r in paging_proxy.requests if r.target == "AWSGlue.GetTables"]
    issued = paging_proxy.tokens_issued("AWSGlue.GetTables")
    assert len(issued) == 2
    assert [body.get("NextToken") for body in sent] == [None, *issued]
    assert {body["DatabaseName"] for body in sent} == {GLUE_DATABASE}
    assert convert(tables[0]).external_identifier == ARN.format(tables[0]["Name"])


def test_a_paged_listing_imports_every_table_once(glue, paging_proxy, owner, source):
    _add_tables(glue, 22)

    run = run_now(owner, source)

    assert run.status == RunStatus.SUCCESS
    assert (run.total, run.added) == (25, 25)
    assert Asset.objects.count() == 25
    assert paging_proxy.count("AWSGlue.GetTables") == 3
