"""Credentials: requests without them are challenged (401 + WWW-Authenticate), and the
token endpoint locks out password guessing like the sign-in page (issue 9)."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

API = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth keeps its login_failed counters in the cache: start and end clean, so
    neither this module nor the next one sees the other's attempts."""
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/projects/", "/glossaries/", "/assets/", "/search/?q=x"])
def test_requests_without_credentials_are_challenged(path):
    response = APIClient().get(f"{API}{path}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def _token(client, username, password, address="10.0.0.1"):
    return client.post(
        f"{API}/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


@pytest.mark.django_db
def test_wrong_passwords_lock_the_user_out_with_retry_after(owner, password):
    client = APIClient()
    for _ in range(5):
        assert _token(client, owner.username, "wrong").status_code == 400
    locked = _token(client, owner.username, password)  # even the right one now
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert "Too many failed sign-ins" in locked.json()["detail"]
    # The lock is per user: another address does not lift it.
    assert _token(client, owner.username, password, address="10.9.9.9").status_code == 429


@pytest.mark.django_db
def test_wrong_passwords_from_one_address_lock_that_address_out(owner, outsider, password):
    client = APIClient()
    for n in range(10):
        assert _token(client, f"nobody-{n}", "wrong").status_code == 400
    assert _token(client, owner.username, password).status_code == 429
    # Another address is not locked.
    assert _token(client, owner.username, password, address="10.0.0.2").status_code == 200


@pytest.mark.django_db
def test_a_right_password_does_not_use_up_the_budget(owner, password):
    client = APIClient()
    for _ in range(8):
        response = _token(client, owner.username, password)
        assert response.status_code == 200
        assert set(response.json()) == {"token"}
