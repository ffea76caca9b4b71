"""What moto never does, injected by the proxy in front of it: throttling, concurrent
modification, access denied, a grant on a table that is gone, and AWS's real answer to a
revoke of something that is not granted (moto revokes nothing silently)."""

import pytest

from sharing.backends import AccountRef, Backoff, GrantError, LakeFormationBackend
from tests.sharing.conftest import (
    PRODUCER,
    REGION,
    make_glue_database,
    make_glue_table,
    table_permissions,
)
from tests.sharing.test_lakeformation import LOCATION, ROLE, same_account_spec

GRANT = "/GrantPermissions"
REVOKE = "/RevokePermissions"


@pytest.fixture
def shared_table(aws):
    glue = aws.client("glue")
    make_glue_table(glue, "curatedzonedb", "film", LOCATION)
    make_glue_database(glue, "marketing_sub_db")
    return glue


@pytest.fixture
def pauses():
    """The backoff's pauses, recorded instead of slept: the test stays fast and shows the
    delays grow and vary."""
    return []


@pytest.fixture
def backend(pauses):
    return LakeFormationBackend(Backoff(attempts=4, base=0.2, cap=5.0, sleep=pauses.append))


def test_throttling_then_success_grants(shared_table, proxy, backend, aws):
    proxy.fail(GRANT, "ThrottlingException", "Rate exceeded", times=2)

    target = backend.grant(same_account_spec())

    assert proxy.count(GRANT, "ThrottlingException") == 2
    assert proxy.count(GRANT, "forwarded") == 2  # the table, then the link
    assert table_permissions(aws.client("lakeformation"), PRODUCER, "curatedzonedb", "film") == {
        ROLE: (["DESCRIBE", "SELECT"], [])
    }
    assert len(target["steps"]) == 3


def test_concurrent_modification_is_retried_with_backoff_and_jitter(
    shared_table, proxy, backend, pauses, aws
):
    proxy.fail(GRANT, "ConcurrentModificationException", "Concurrent modification", times=3)

    backend.grant(same_account_spec())

    assert proxy.count(GRANT, "ConcurrentModificationException") == 3
    assert len(pauses) == 3
    # Full jitter: each pause lies within its doubling ceiling.
    for attempt, pause in enumerate(pauses):
        assert 0 <= pause <= 0.2 * 2**attempt
    assert table_permissions(aws.client("lakeformation"), PRODUCER, "curatedzonedb", "film")


def test_concurrent_modification_that_does_not_stop_is_transient_and_keeps_progress(
    shared_table, proxy, backend
):
    # The table grant goes through; the link's DESCRIBE keeps colliding.
    proxy.fail(GRANT, "ConcurrentModificationException", after=1)

    with pytest.raises(GrantError) as raised:
        backend.grant(same_account_spec())

    assert raised.value.transient is True
    assert "ConcurrentModificationException" in raised.value.message
    assert [s["type"] for s in raised.value.target["steps"]] == ["permission", "resource_link"]


def test_access_denied_fails_permanently_with_what_to_fix(shared_table, proxy, backend, pauses):
    proxy.fail(
        GRANT,
        "AccessDeniedException",
        "User: arn:aws:sts::111111111111:assumed-role/portal/mesh-portal is not authorized "
        "to perform: lakeformation:GrantPermissions",
    )

    with pytest.raises(GrantError) as raised:
        backend.grant(same_account_spec())

    error = raised.value
    assert error.transient is False
    assert f"access denied in account {PRODUCER}" in error.message
    assert "data lake administrator" in error.message
    assert "lakeformation:GrantPermissions" in error.message  # AWS's own words
    assert proxy.count(GRANT) == 1  # never retried
    assert pauses == []
    assert error.target["steps"] == []


def test_a_table_gone_from_glue_fails_permanently_with_a_hint(shared_table, proxy, backend):
    # moto would accept this grant; AWS answers EntityNotFoundException.
    proxy.fail(GRANT, "EntityNotFoundException", "Table film not found.")

    with pytest.raises(GrantError) as raised:
        backend.grant(same_account_spec())

    assert raised.value.transient is False
    assert "run the data source again" in raised.value.message


def test_revoke_of_nothing_answered_as_aws_does_counts_as_revoked(
    shared_table, proxy, backend, aws
):
    target = backend.grant(same_account_spec())
    proxy.fail(
        REVOKE,
        "InvalidInputException",
        "No permissions revoked. Grantee has no permissions for the resource.",
    )

    left = backend.revoke(target)

    assert proxy.count(REVOKE, "InvalidInputException") == 2  # both permissions "gone"
    assert left["steps"] == []
    glue = aws.client("glue")
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_table(DatabaseName="marketing_sub_db", Name="film")


def test_other_invalid_input_on_revoke_fails_and_keeps_what_is_left(shared_table, proxy, backend):
    target = backend.grant(same_account_spec())
    proxy.fail(REVOKE, "InvalidInputException", "Permissions modification is invalid.", after=1)

    with pytest.raises(GrantError) as raised:
        backend.revoke(target)

    assert raised.value.transient is False
    # The link's DESCRIBE and the link itself were undone; the table permission is left.
    assert [s["type"] for s in raised.value.target["steps"]] == ["permission"]
    assert raised.value.target["steps"][0]["resource"]["Table"]["Name"] == "film"


def test_a_partial_grant_is_undone_by_revoking_its_recorded_target(
    shared_table, proxy, backend, aws
):
    proxy.fail(GRANT, "AccessDeniedException", after=1)
    with pytest.raises(GrantError) as raised:
        backend.grant(same_account_spec())

    backend.revoke(raised.value.target)

    lf = aws.client("lakeformation")
    assert table_permissions(lf, PRODUCER, "curatedzonedb", "film") == {}
    assert aws.client("glue").get_tables(DatabaseName="marketing_sub_db")["TableList"] == []


def test_registered_location_lookup_denied_is_permanent(proxy, backend):
    from sharing.backends import registered_location

    proxy.fail("/ListResources", "AccessDeniedException")
    with pytest.raises(GrantError) as raised:
        registered_location(AccountRef(PRODUCER, REGION), LOCATION)
    assert raised.value.transient is False
