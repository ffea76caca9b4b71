"""Management commands for operators: issue_token."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.projects.factories import UserFactory

pytestmark = pytest.mark.django_db


def issue_token(*args) -> str:
    out = StringIO()
    call_command("issue_token", *args, stdout=out)
    return out.getvalue().strip()


def test_issue_token_creates_and_prints_a_token_that_authenticates():
    user = UserFactory(username="sso-only-person")

    key = issue_token("sso-only-person")

    assert Token.objects.get(user=user).key == key
    assert len(key) == 40
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/projects/").status_code == 200


def test_issue_token_prints_the_same_token_again():
    user = UserFactory(username="sso-only-person")
    first = issue_token("sso-only-person")

    assert issue_token("sso-only-person") == first
    assert Token.objects.filter(user=user).count() == 1


def test_rotate_replaces_the_token_and_the_old_one_stops_working():
    user = UserFactory(username="sso-only-person")
    old = issue_token("sso-only-person")

    new = issue_token("sso-only-person", "--rotate")

    assert new != old
    assert list(Token.objects.filter(user=user).values_list("key", flat=True)) == [new]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    response = client.get("/api/v1/projects/")
    assert response.status_code in (401, 403)
    assert response.json()["detail"] == "Invalid token."


def test_rotate_without_a_token_creates_one():
    user = UserFactory(username="sso-only-person")

    key = issue_token("sso-only-person", "--rotate")

    assert Token.objects.get(user=user).key == key


def test_unknown_user_is_a_clear_error():
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        issue_token("nobody")
    assert not Token.objects.exists()
