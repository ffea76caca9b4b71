"""schemathesis over every operation of the OpenAPI document, as a project owner and as
an outsider: no server errors, and every answer matches the document (issue 9).

Runs against the live test server over HTTP with real tokens. Bounded: a few generated
cases per operation and persona (SCHEMATHESIS_EXAMPLES, default 6), so the module takes
a few minutes; the number of requests sent is printed. The operations are dealt into
SHARDS tests per persona (every operation in exactly one) so that parallel workers
(pytest-xdist) share the minutes out instead of one worker carrying them all.
"""

import os

import hypothesis
import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error, response_schema_conformance

from projects.choices import Designation
from tests.catalog.factories import (
    AssetFactory,
    DataSourceFactory,
    DataSourceRunFactory,
    ListingFactory,
)
from tests.glossary.factories import GlossaryFactory, GlossaryTermFactory
from tests.projects.factories import ProjectFactory, ProjectMembershipFactory, UserFactory

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
    outsider = UserFactory(username="fuzz-outsider")
    return {"owner": owner, "outsider": outsider}


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
