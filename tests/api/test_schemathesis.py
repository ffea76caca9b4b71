"""schemathesis over every operation of the OpenAPI document, as a project owner and as
an outsider: no server errors, and every answer matches the document (issue 9).

Runs against the live test server over HTTP with real tokens. Bounded: a few generated
cases per operation and persona (SCHEMATHESIS_EXAMPLES, default 6), so the module takes
a few minutes; the number of requests sent is printed. The operations are dealt into
SHARDS tests per persona (every operation in exactly one) so that parallel workers
(pytest-xdist) share the minutes out instead of one worker carrying them all.

Then schemathesis' own run (its engine, as the CLI runs it) checks that the document tells
the truth about what the server accepts: no operation may turn away every input the
document allows ("validation_mismatch", which the CLI prints as operations that "mostly
rejected generated data due to validation errors").
"""

import os
import types

import hypothesis
import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.cli.commands.run.warnings import WarningCollector
from schemathesis.config import SchemathesisWarning
from schemathesis.engine import events, from_schema

from projects.choices import Designation
from tests.catalog.factories import (
    AssetFactory,
    DataSourceFactory,
    DataSourceRunFactory,
    ListingFactory,
)
from tests.glossary.factories import GlossaryFactory, GlossaryTermFactory
from tests.projects.factories import (
    EnvironmentFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    UserFactory,
)

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "6"))
CHECKS = [not_a_server_error, response_schema_conformance]
SHARDS = 3

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def api_schema():
    """The OpenAPI document, generated once for the module (the tests only read it)."""
    return schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


def operations(api_schema, shard: int) -> list:
    """Shard `shard` of the document's operations, dealt round-robin in label order."""
    every = sorted((result.ok() for result in api_schema.get_all_operations()), key=_label)
    return every[shard::SHARDS]


def _label(operation) -> str:
    return operation.label


@pytest.fixture
def world(domain):
    """Something to find behind the ids: a project with a glossary, a data source with a
    run, an asset and a published one, owned by one user; another user is member of
    nothing."""
    owner = UserFactory(username="fuzz-owner")
    project = ProjectFactory(domain=domain, name="Fuzzed")
    ProjectMembershipFactory(project=project, user=owner, designation=Designation.OWNER)
    glossary = GlossaryFactory(owning_project=project)
    GlossaryTermFactory(glossary=glossary)
    source = DataSourceFactory(project=project)
    DataSourceRunFactory(data_source=source)  # no error: error_type ""
    AssetFactory(data_source=source, columns=3)
    ListingFactory(asset=AssetFactory(data_source=source, columns=2))
    # A member the owner may remove (the last owner may not leave), and another team's
    # published listing the owner's project may ask for (not its own).
    ProjectMembershipFactory(
        project=project, user=UserFactory(username="fuzz-viewer"), designation=Designation.VIEWER
    )
    producer = ProjectFactory(domain=domain, name="Producer")
    listing = ListingFactory(
        asset=AssetFactory(
            data_source=DataSourceFactory(
                project=producer,
                environment=EnvironmentFactory(
                    project=producer, profile=source.environment.profile
                ),
            ),
            columns=2,
        )
    )
    outsider = UserFactory(username="fuzz-outsider")
    # What a body field naming another object may hold: the ids of this world.
    references = {
        "project": project.pk,
        "owning_project": project.pk,
        "domain": domain.pk,
        "glossary": glossary.pk,
        "environment": source.environment_id,
        "profile": source.environment.profile_id,
        "listing": listing.pk,
    }
    return {"owner": owner, "outsider": outsider, "references": references}


def _fuzz(operations, live_server, user) -> tuple[int, list[str]]:
    key = Token.objects.create(user=user).key
    headers = {"Authorization": f"Token {key}"}
    sent, failures = 0, []
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        def run(case):
            nonlocal sent
            sent += 1
            case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # collect every failure, then report
            failures.append(f"{operation.label}: {str(error)[:600]}")
    return sent, failures


@pytest.mark.django_db(transaction=False)
def test_the_shards_deal_out_every_operation_once(api_schema):
    labels = [
        operation.label for shard in range(SHARDS) for operation in operations(api_schema, shard)
    ]
    every = [result.ok().label for result in api_schema.get_all_operations()]
    assert len(every) > 50  # the whole API, not an empty document
    assert sorted(labels) == sorted(every)
    assert len(set(labels)) == len(labels)


@pytest.mark.parametrize("shard", range(SHARDS))
@pytest.mark.parametrize("persona", ["owner", "outsider"])
def test_every_operation_holds_to_the_document(
    api_schema, live_server, world, persona, shard, capsys
):
    chosen = operations(api_schema, shard)
    sent, failures = _fuzz(chosen, live_server, world[persona])
    with capsys.disabled():
        print(
            f"\nschemathesis as {persona}, shard {shard + 1}/{SHARDS}: {len(chosen)} operations, "
            f"{sent} requests, {len(failures)} failing operations"
        )
    assert not failures, "\n\n".join(failures)


# An operation whose every valid-looking input is refused for a reason no document can
# state: a password schemathesis makes up is wrong (400, as DRF answers bad credentials).
# The same for a webhook's URL, which must resolve in DNS (made-up hosts do not), and for an
# EventBridge target, whose AWS account must be one of its domain's (a relation between
# two ids that a JSON Schema cannot state).
UNDOCUMENTABLE = {
    "POST /api/v1/auth/token/",
    "POST /api/v1/webhooks/",
    "POST /api/v1/event-bridge-targets/",
}


def _engine_run(api_schema, live_server, world, user) -> tuple[int, list[str], set[str]]:
    """schemathesis' engine over every operation (its fuzzing phase, valid inputs only),
    with the CLI's own warning collector: (requests, failures, validation mismatches)."""
    config = api_schema.config
    config.update(
        base_url=live_server.url,
        headers={"Authorization": f"Token {Token.objects.create(user=user).key}"},
        workers=1,
        # Creating an environment provisions it in the request (eager tasks, moto).
        request_timeout=60,
        # A body field that takes another object's id gets one that exists (an id is only
        # "valid" if it names something, which a document cannot enumerate).
        parameters={f"body.{name}": str(pk) for name, pk in world["references"].items()},
    )
    # Every run starts from what it sees (no .schemathesis/ cache of earlier runs' answers).
    config.cache.enabled = False
    config.phases.update(phases=["fuzzing"])
    # NUL characters are refused in every text (400, documented); JSON Schema cannot say
    # so short of a pattern on every string.
    config.generation.update(
        modes=["positive"], max_examples=EXAMPLES, deterministic=True, allow_x00=False
    )
    config.checks.update(included_check_names=[check.__name__ for check in CHECKS])
    operations = {op.label: op for op in (r.ok() for r in api_schema.get_all_operations())}
    collector = WarningCollector(config=config)
    context = types.SimpleNamespace(find_operation=operations.get)
    sent, failures = 0, []
    for event in from_schema(api_schema).execute():
        if isinstance(event, events.ScenarioFinished):
            sent += len(event.recorder.interactions)
            collector.on_scenario_finished(context, event)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(f"{getattr(event, 'label', '')}: {getattr(event, 'value', event)}")
        elif isinstance(event, events.EngineFinished):
            failures += [f"{failure.operation}: {failure.title}" for failure in event.failures]
    mismatches = set(collector.data.validation_mismatch) - UNDOCUMENTABLE
    assert SchemathesisWarning.VALIDATION_MISMATCH in config.warnings.display
    return sent, failures, mismatches


def test_the_document_admits_only_what_the_server_accepts(
    live_server, world, environment_bucket, capsys
):
    # A document of its own: the engine's configuration (base URL, headers) is set on the
    # schema, and the module's shared one may already have built operations without it.
    api_schema = schemathesis.openapi.from_dict(
        SchemaGenerator().get_schema(request=None, public=True)
    )
    sent, failures, mismatches = _engine_run(api_schema, live_server, world, world["owner"])
    with capsys.disabled():
        print(f"\nschemathesis engine as owner: {sent} requests, {len(mismatches)} mismatches")
    assert not failures, "\n".join(failures)
    assert not mismatches, (
        "These operations refused every input their document allows (make the document "
        "say what the server accepts):\n" + "\n".join(sorted(mismatches))
    )
