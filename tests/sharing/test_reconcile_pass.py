"""A reconciliation pass reads the GRANTED grants a few tables at a time (every grant of
a table in the same read), so its memory follows the most subscribed table, not the
number of grants; what it finds is the same as one read of them all would find."""

import pytest

from sharing import granting, reconciliation
from sharing.choices import GrantStatus
from sharing.models import DriftFinding, SubscriptionGrant
from tests.sharing.conftest import CONSUMER_ROLE_SAME, PRODUCER, permissions_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def granted(approved):
    """``granted(n)``: n grants of n tables, GRANTED, ordered by their tables."""

    def make(count: int) -> list:
        grants = approved(count)
        granting.fulfil(grants[0].pk)
        return sorted(
            SubscriptionGrant.objects.filter(pk__in=[g.pk for g in grants]),
            key=lambda grant: grant.lock_key,
        )

    return make


def test_a_tables_grants_are_read_together_and_the_tables_a_few_at_a_time(granted, monkeypatch):
    first, second, third = granted(3)
    assert {g.status for g in (first, second, third)} == {GrantStatus.GRANTED}
    # As if the first two shared one table (two projects subscribed to it).
    SubscriptionGrant.objects.filter(pk=second.pk).update(lock_key=first.lock_key)
    monkeypatch.setattr(reconciliation, "TABLES_AT_ONCE", 1)

    chunks = [sorted(pk for pk, _target in chunk) for chunk in reconciliation._grant_chunks()]

    assert chunks == [sorted([first.pk, second.pk]), [third.pk]]


def test_a_pass_in_chunks_finds_and_repairs_what_one_read_would(
    granted, aws, monkeypatch, producer_environment
):
    grants = granted(3)
    producer_environment.grant_role_arn = f"arn:aws:iam::{PRODUCER}:role/meshportal/mp-film-lake"
    producer_environment.save()
    lf = aws.client("lakeformation")
    last = grants[-1].target["table"]
    last_table = {
        "Table": {"CatalogId": PRODUCER, "DatabaseName": last["database"], "Name": last["name"]}
    }
    # Behind the portal's back: the last table's SELECT revoked, and the film team's own
    # role (portal-managed, no grant on it) given SELECT on it by hand.
    lf.revoke_permissions(
        Principal={"DataLakePrincipalIdentifier": CONSUMER_ROLE_SAME},
        Resource=last_table,
        Permissions=["SELECT"],
    )
    lf.grant_permissions(
        Principal={"DataLakePrincipalIdentifier": producer_environment.grant_role_arn},
        Resource=last_table,
        Permissions=["SELECT"],
    )
    monkeypatch.setattr(reconciliation, "TABLES_AT_ONCE", 1)

    outcome = reconciliation.reconcile()

    assert outcome.summary() == {
        "grants": 3,
        "resources_checked": 6,  # each table and each link, once
        "missing": 1,
        "regranted": 1,
        "unexplained": 1,
        "errors": [],
        "dry_run": False,
    }
    assert [key for key, _step in outcome.drift.regranted] == [grants[-1].pk]
    assert permissions_of(aws, grants[-1])[CONSUMER_ROLE_SAME] == (["DESCRIBE", "SELECT"], [])
    finding = DriftFinding.objects.get(resolved_at=None)
    assert finding.principal == producer_environment.grant_role_arn
    assert finding.resource == last_table


def test_a_role_only_another_chunks_grants_name_is_reported_on_this_chunks_table(
    granted, aws, consumer_environment, monkeypatch
):
    (first,) = granted(1)  # granted to the environment's role then
    consumer_environment.grant_role_arn = f"arn:aws:iam::{PRODUCER}:role/meshportal/renamed"
    consumer_environment.save()
    (second,) = granted(1)  # granted to its new role
    table = second.target["table"]
    resource = {
        "Table": {"CatalogId": PRODUCER, "DatabaseName": table["database"], "Name": table["name"]}
    }
    # By hand: the old role, which only the first grant names, SELECT on the second table.
    aws.client("lakeformation").grant_permissions(
        Principal={"DataLakePrincipalIdentifier": CONSUMER_ROLE_SAME},
        Resource=resource,
        Permissions=["SELECT"],
    )
    monkeypatch.setattr(reconciliation, "TABLES_AT_ONCE", 1)  # each table read on its own

    outcome = reconciliation.reconcile(dry_run=True)

    assert first.target["principals"] == [CONSUMER_ROLE_SAME]
    assert [(u["principal"], u["resource"]) for u in outcome.drift.unexplained] == [
        (CONSUMER_ROLE_SAME, resource)
    ]
