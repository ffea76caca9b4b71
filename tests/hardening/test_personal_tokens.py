"""Personal API tokens: named, hashed at rest, expiring, read-only or read-write, made
and revoked on the profile page and through the API (issue 9)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, hash_key
from accounts.services import token_create

API = "/api/v1"


def _with(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.django_db
def test_made_through_the_api_shown_once_stored_as_a_hash(api_client_for, owner, project):
    response = api_client_for(owner).post(
        f"{API}/auth/tokens/", {"name": "nightly export", "scope": "WRITE", "expires_in_days": 30}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    key = body["key"]
    token = ApiToken.objects.get(pk=body["id"])
    assert token.key_hash == hash_key(key) and key not in str(token.__dict__)
    assert body["key_start"] == key[:10] and body["scope"] == "WRITE"
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    listed = api_client_for(owner).get(f"{API}/auth/tokens/").json()["results"]
    assert [t["name"] for t in listed] == ["nightly export"] and "key" not in listed[0]
    projects = _with(key).get(f"{API}/projects/")
    assert [p["name"] for p in projects.json()["results"]] == ["Film Catalog Project"]
    changed = _with(key).patch(f"{API}/projects/{project.pk}/", {"description": "by token"})
    assert changed.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.django_db
def test_a_read_only_token_reads_but_does_not_write(owner, project):
    _, key = token_create(acting_user=owner, name="dashboard", scope="READ")
    assert _with(key).get(f"{API}/projects/{project.pk}/").status_code == 200
    refused = _with(key).patch(f"{API}/projects/{project.pk}/", {"description": "x"})
    assert refused.status_code == 403
    assert refused.json() == {"detail": "This token is read-only."}
    # nor can it make itself a stronger token
    assert _with(key).post(f"{API}/auth/tokens/", {"name": "more"}).status_code == 403


@pytest.mark.django_db
def test_expired_and_revoked_tokens_are_refused(api_client_for, owner):
    token, key = token_create(acting_user=owner, name="old", scope="WRITE")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = _with(key).get(f"{API}/projects/")
    assert expired.status_code == 401 and expired.json() == {"detail": "Token expired."}
    token, key = token_create(acting_user=owner, name="to revoke", scope="WRITE")
    revoked = api_client_for(owner).delete(f"{API}/auth/tokens/{token.pk}/")
    assert revoked.status_code == 200 and revoked.json()["is_active"] is False
    assert _with(key).get(f"{API}/projects/").status_code == 401
    again = api_client_for(owner).delete(f"{API}/auth/tokens/{token.pk}/")
    assert again.status_code == 409


@pytest.mark.django_db
def test_others_tokens_are_not_found(api_client_for, owner, outsider):
    token, _ = token_create(acting_user=owner, name="mine")
    client = api_client_for(outsider)
    assert client.get(f"{API}/auth/tokens/").json()["results"] == []
    assert client.delete(f"{API}/auth/tokens/{token.pk}/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "x" * 65},
        {"name": "a", "scope": "ADMIN"},
        {"name": "a", "expires_in_days": 0},
        {"name": "a", "expires_in_days": 400},
    ],
)
def test_bad_token_requests_are_400(api_client_for, owner, body):
    assert api_client_for(owner).post(f"{API}/auth/tokens/", body).status_code == 400


@pytest.mark.django_db
def test_profile_page_makes_shows_once_and_revokes(client_for, owner, project):
    client = client_for(owner)
    url = reverse("token-list")
    made = client.post(url, {"name": "laptop", "scope": "READ", "expires_in_days": 7})
    assert made.status_code == 200
    key = made.context["new_key"]
    assert key.startswith("mp_") and key in made.content.decode()
    assert _with(key).get(f"{API}/projects/").status_code == 200
    listed = client.get(url).content.decode()
    assert "laptop" in listed and key not in listed
    token = ApiToken.objects.get(name="laptop")
    client.post(reverse("token-revoke", args=[token.pk]))
    assert _with(key).get(f"{API}/projects/").status_code == 401
    assert client.post(url, {"name": "", "scope": "READ", "expires_in_days": 7}).status_code == 400


@pytest.mark.django_db
def test_legacy_token_endpoint_still_answers_a_token(owner, password):
    response = APIClient().post(
        f"{API}/auth/token/", {"username": owner.username, "password": password}
    )
    assert response.status_code == 200 and set(response.json()) == {"token"}
    assert _with(response.json()["token"]).get(f"{API}/projects/").status_code == 200
