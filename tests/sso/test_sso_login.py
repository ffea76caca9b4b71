"""Signing in with SSO, end to end: `requests` → the real portal (`live_server`) → the real
OpenID Connect provider (tests/sso/idp) → back to the portal, whose `groups` claim sync
decides what the user may see."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from meshportal.settings import oidc_providers
from projects.choices import Designation
from tests.projects.factories import (
    DomainFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    UserFactory,
)
from tests.sso.conftest import (
    PROVIDER_ID,
    PROVIDER_NAME,
    SCOPES_WITHOUT_GROUPS,
    SSO_ACCOUNTS,
    TIMEOUT,
    configure_sso,
    login_url,
    sso_login,
)
from tests.sso.idp import LoginFailed

pytestmark = [pytest.mark.sso, pytest.mark.django_db(transaction=True)]

User = get_user_model()


def sign_in(session, live_server, idp, username):
    """Sign `session` in as `username`; asserts that it ends on the home page."""
    response = sso_login(
        session, live_server.url, idp.issuer, username, SSO_ACCOUNTS[username]["password"]
    )
    assert response.status_code == 200, response.text[:1000]
    assert response.url == f"{live_server.url}/", response.url
    return response


def group_names(username):
    return sorted(User.objects.get(username=username).groups.values_list("name", flat=True))


def shared_project(name, group, designation=Designation.VIEWER):
    project = ProjectFactory(domain=DomainFactory(name="marketing-domain"), name=name)
    ProjectMembershipFactory(project=project, user=None, group=group, designation=designation)
    return project


def api_project_names(live_server, session):
    response = session.get(f"{live_server.url}/api/v1/projects/", timeout=TIMEOUT)
    assert response.status_code == 200, response.text[:500]
    return {project["name"] for project in response.json()["results"]}


def test_sign_in_with_sso_creates_the_user_from_the_claims(live_server, sso, new_session):
    session = new_session()
    login_page = session.get(f"{live_server.url}/accounts/login/", timeout=TIMEOUT)
    assert login_page.status_code == 200
    assert f"Sign in with {PROVIDER_NAME}" in login_page.text
    assert f"/accounts/oidc/{PROVIDER_ID}/login/" in login_page.text
    assert not User.objects.filter(username="marketing-team-admin").exists()

    home = sso_login(session, live_server.url, sso.issuer, "marketing-team-admin", "marketing-pw")

    assert home.status_code == 200
    assert home.url == f"{live_server.url}/"
    assert 'title="Signed in as marketing-team-admin"' in home.text
    assert "Marketing Team Admin" in home.text
    user = User.objects.get(username="marketing-team-admin")
    assert user.email == "marketing-team-admin@acme.test"
    assert user.get_full_name() == "Marketing Team Admin"
    assert not user.has_usable_password()
    assert group_names("marketing-team-admin") == ["marketing"]
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == (PROVIDER_ID, "marketing-team-admin")
    # A real session: the API (session authentication) answers instead of refusing.
    assert session.get(f"{live_server.url}/api/v1/projects/", timeout=TIMEOUT).status_code == 200


def test_a_get_to_the_provider_login_url_does_not_start_a_login(live_server, sso, new_session):
    """Only the button's POST (with its CSRF token) leaves for the IdP: a link or image
    on another site cannot start a login (SOCIALACCOUNT_LOGIN_ON_GET is off)."""
    session = new_session()

    response = session.get(login_url(live_server.url), allow_redirects=False, timeout=TIMEOUT)

    assert response.status_code == 200
    assert 'method="post"' in response.text
    assert sso.issuer not in response.text
    forged = new_session().post(login_url(live_server.url), allow_redirects=False, timeout=TIMEOUT)
    assert forged.status_code == 403


def test_groups_from_the_claim_make_the_user_a_project_member(live_server, sso, new_session):
    marketing = shared_project("Campaign Analytics", group="marketing")
    film = shared_project("Film Catalog Project", group="film-catalog")
    session = new_session()

    sign_in(session, live_server, sso, "marketing-team-admin")

    page = session.get(f"{live_server.url}/projects/{marketing.pk}/", timeout=TIMEOUT)
    assert page.status_code == 200
    assert "Campaign Analytics" in page.text
    assert api_project_names(live_server, session) == {"Campaign Analytics"}
    hidden = session.get(f"{live_server.url}/projects/{film.pk}/", timeout=TIMEOUT)
    assert hidden.status_code == 404
    api_hidden = session.get(f"{live_server.url}/api/v1/projects/{film.pk}/", timeout=TIMEOUT)
    assert api_hidden.status_code == 404


def test_groups_are_resynced_at_every_login(live_server, sso, new_session):
    old_project = shared_project("Old Team Reports", group="old-team")
    first_session = new_session()
    sign_in(first_session, live_server, sso, "marketing-team-admin")
    # A group the user had, which the IdP no longer sends (removed there since).
    User.objects.get(username="marketing-team-admin").groups.add(
        Group.objects.create(name="old-team")
    )
    page = first_session.get(f"{live_server.url}/projects/{old_project.pk}/", timeout=TIMEOUT)
    assert page.status_code == 200  # the group grants access while the user has it
    assert api_project_names(live_server, first_session) == {"Old Team Reports"}

    session = new_session()
    sign_in(session, live_server, sso, "marketing-team-admin")

    assert group_names("marketing-team-admin") == ["marketing"]
    for client in (session, first_session):
        page = client.get(f"{live_server.url}/projects/{old_project.pk}/", timeout=TIMEOUT)
        assert page.status_code == 404
        assert api_project_names(live_server, client) == set()


def test_an_empty_groups_claim_clears_the_groups(live_server, sso, new_session):
    project = shared_project("Campaign Analytics", group="marketing")
    sign_in(new_session(), live_server, sso, "nogroups-user")
    assert group_names("nogroups-user") == []
    User.objects.get(username="nogroups-user").groups.add(
        Group.objects.get_or_create(name="marketing")[0]
    )
    session = new_session()

    sign_in(session, live_server, sso, "nogroups-user")

    account = SocialAccount.objects.get(user__username="nogroups-user")
    assert account.extra_data["userinfo"]["groups"] == []  # the claim is there, and empty
    assert group_names("nogroups-user") == []
    page = session.get(f"{live_server.url}/projects/{project.pk}/", timeout=TIMEOUT)
    assert page.status_code == 404


def test_a_login_without_the_groups_claim_leaves_the_groups_alone(
    live_server, settings, idp, new_session
):
    """An IdP not asked for (or not configured to send) `groups` is not saying "no groups"."""
    project = shared_project("Film Catalog Project", group="film-catalog")
    configure_sso(settings, idp.issuer)
    sign_in(new_session(), live_server, idp, "film-catalog-team-admin")
    assert group_names("film-catalog-team-admin") == ["film-catalog", "streaming-stewards"]
    configure_sso(settings, idp.issuer, scopes=SCOPES_WITHOUT_GROUPS)
    session = new_session()

    sign_in(session, live_server, idp, "film-catalog-team-admin")

    account = SocialAccount.objects.get(user__username="film-catalog-team-admin")
    assert account.extra_data["userinfo"]["email"] == "film-catalog-team-admin@acme.test"
    assert "groups" not in account.extra_data["userinfo"]
    assert "groups" not in account.extra_data["id_token"]
    assert group_names("film-catalog-team-admin") == ["film-catalog", "streaming-stewards"]
    page = session.get(f"{live_server.url}/projects/{project.pk}/", timeout=TIMEOUT)
    assert page.status_code == 200


def test_a_new_user_signing_in_without_the_groups_claim_has_no_groups(
    live_server, settings, idp, new_session
):
    configure_sso(settings, idp.issuer, scopes=SCOPES_WITHOUT_GROUPS)

    sign_in(new_session(), live_server, idp, "marketing-team-admin")

    assert User.objects.get(username="marketing-team-admin").email == (
        "marketing-team-admin@acme.test"
    )
    assert group_names("marketing-team-admin") == []


def test_a_wrong_password_stays_at_the_idp_and_creates_no_user(live_server, sso, new_session):
    with pytest.raises(LoginFailed) as failure:
        sso_login(
            new_session(), live_server.url, sso.issuer, "marketing-team-admin", "not-the-password"
        )

    response = failure.value.response
    assert response.status_code == 200
    assert response.url.startswith(f"{sso.issuer}/")
    assert "Invalid username or password" in response.text
    assert not User.objects.filter(username="marketing-team-admin").exists()
    assert not SocialAccount.objects.exists()


def test_without_sso_configured_there_is_no_button_and_no_provider_login(live_server, new_session):
    from django.conf import settings

    # The test settings carry no OIDC_* variables, so settings.py configured no app.
    assert settings.SOCIALACCOUNT_PROVIDERS == {"openid_connect": {"APPS": []}}
    assert settings.SOCIALACCOUNT_PROVIDERS == oidc_providers(
        "", "", "", "Company SSO", PROVIDER_ID, ["openid"]
    )
    session = new_session()

    page = session.get(f"{live_server.url}/accounts/login/", timeout=TIMEOUT)

    assert page.status_code == 200
    assert "Sign in with" not in page.text
    assert "/accounts/oidc/" not in page.text
    assert 'name="password"' in page.text  # the local sign-in form is still there
    assert session.get(login_url(live_server.url), timeout=TIMEOUT).status_code == 404
    start = session.post(
        login_url(live_server.url),
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert start.status_code == 404
    callback = session.get(
        f"{live_server.url}/accounts/oidc/{PROVIDER_ID}/login/callback/?code=x&state=y",
        timeout=TIMEOUT,
    )
    assert callback.status_code == 404


def test_local_self_signup_is_closed(live_server, new_session):
    session = new_session()
    session.get(f"{live_server.url}/accounts/login/", timeout=TIMEOUT)  # the CSRF cookie

    page = session.get(f"{live_server.url}/accounts/signup/", timeout=TIMEOUT)

    assert page.status_code == 200
    assert "closed" in page.text.lower()
    assert 'name="password1"' not in page.text
    attempt = session.post(
        f"{live_server.url}/accounts/signup/",
        data={
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
            "username": "self-made",
            "email": "self-made@acme.test",
            "password1": "a-long-enough-password-1",
            "password2": "a-long-enough-password-1",
        },
        timeout=TIMEOUT,
    )
    assert "closed" in attempt.text.lower()
    assert not User.objects.exists()


def test_a_local_account_still_signs_in_with_its_password(live_server, sso, password, new_session):
    """Break-glass admins keep their password sign-in next to the SSO button."""
    UserFactory(username="break-glass-admin", is_staff=True)
    session = new_session()
    session.get(f"{live_server.url}/accounts/login/", timeout=TIMEOUT)

    response = session.post(
        f"{live_server.url}/accounts/login/",
        data={
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
            "login": "break-glass-admin",
            "password": password,
        },
        timeout=TIMEOUT,
    )

    assert response.status_code == 200
    assert response.url == f"{live_server.url}/"
    assert 'title="Signed in as break-glass-admin"' in response.text


def test_an_sso_login_never_takes_over_a_local_account_with_the_same_username(
    live_server, sso, new_session
):
    local = UserFactory(username="marketing-team-admin", email="someone-else@acme.test")
    session = new_session()

    home = sign_in(session, live_server, sso, "marketing-team-admin")

    sso_user = SocialAccount.objects.get(uid="marketing-team-admin").user
    assert sso_user.pk != local.pk
    # A numbered variant of the IdP's preferred_username, not the local account's name.
    assert sso_user.username.startswith("marketing-team-admin")
    assert sso_user.username != "marketing-team-admin"
    assert f'title="Signed in as {sso_user.username}"' in home.text
    assert group_names(sso_user.username) == ["marketing"]
    assert group_names("marketing-team-admin") == []
    assert not SocialAccount.objects.filter(user=local).exists()


def test_an_sso_login_with_the_email_of_a_local_account_is_not_signed_in_as_it(
    live_server, sso, new_session
):
    """SOCIALACCOUNT_EMAIL_AUTHENTICATION is off: a matching email links nothing. allauth
    stops the automatic sign-up and asks for the missing details on its own form."""
    local = UserFactory(username="local-marketing", email="marketing-team-admin@acme.test")
    local.groups.add(Group.objects.create(name="local-only"))
    session = new_session()

    response = sso_login(
        session, live_server.url, sso.issuer, "marketing-team-admin", "marketing-pw"
    )

    assert response.status_code == 200
    assert response.url == f"{live_server.url}/accounts/3rdparty/signup/"
    assert "Signed in as" not in response.text
    assert list(User.objects.values_list("username", flat=True)) == ["local-marketing"]
    assert not SocialAccount.objects.exists()
    assert group_names("local-marketing") == ["local-only"]
    home = session.get(f"{live_server.url}/", timeout=TIMEOUT)
    assert home.url.startswith(f"{live_server.url}/accounts/login/")
