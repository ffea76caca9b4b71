"""The Access section of the subscription page: status per environment, how to query,
and the owners' actions (retry a failed grant, report a MANUAL one)."""

import pytest

from sharing.choices import GrantBackend, GrantStatus
from tests.sharing.grants import grant_of, granted, set_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant(listing, consumer_project, consumer_environment, approve):
    """The approval's grant (tasks not run: plain db test)."""
    return grant_of(approve(listing, consumer_project))


def page(client, grant) -> str:
    answer = client.get(f"/subscriptions/{grant.subscription_id}/")
    assert answer.status_code == 200
    return answer.content.decode()


def test_a_granted_grant_shows_how_to_query(grant, client_for, consumer):
    granted(grant)
    html = page(client_for(consumer), grant)
    assert 'data-status="GRANTED"' in html
    assert "meshportal-marketing-lake" in html
    assert "SELECT * FROM &quot;marketing_sub_db&quot;.&quot;film_category&quot; LIMIT 10" in html


def test_a_manual_grant_says_the_producers_provide_it_and_the_owner_marks_it_done(
    grant, client_for, consumer, owner
):
    set_state(grant, backend=GrantBackend.MANUAL, manual_reason="Not managed by Lake Formation.")
    consumer_page = page(client_for(consumer), grant)
    assert "Access is provided by the producing team." in consumer_page
    assert "Mark GRANTED" not in consumer_page  # only the producers report it

    film = client_for(owner)
    assert "Mark GRANTED" in page(film, grant)
    answer = film.post(
        f"/subscription-grants/{grant.pk}/status/", {"status": "GRANTED", "message": "Done"}
    )
    assert answer.status_code == 302
    grant.refresh_from_db()
    assert grant.status == GrantStatus.GRANTED


def test_a_failed_grant_shows_why_and_an_owner_retries(grant, client_for, consumer, viewer):
    set_state(
        grant,
        status=GrantStatus.GRANT_FAILED,
        failure_cause="Access denied in account 111111111111.",
    )
    html = page(client_for(consumer), grant)
    assert "Access denied in account 111111111111." in html
    assert f"/subscription-grants/{grant.pk}/retry/" in html
    assert f"/subscription-grants/{grant.pk}/retry/" not in page(client_for(viewer), grant)
    assert client_for(viewer).post(f"/subscription-grants/{grant.pk}/retry/").status_code == 403

    answer = client_for(consumer).post(f"/subscription-grants/{grant.pk}/retry/")
    assert answer.status_code == 302
    grant.refresh_from_db()
    assert grant.status == GrantStatus.PENDING


def test_an_outsider_cannot_act_on_a_grant(grant, client_for, outsider):
    client = client_for(outsider)
    assert client.post(f"/subscription-grants/{grant.pk}/retry/").status_code == 404
    assert (
        client.post(f"/subscription-grants/{grant.pk}/status/", {"status": "GRANTED"}).status_code
        == 404
    )
