"""SSO against the real portal: the test OpenID Connect provider and `live_server`.

The portal is configured per test (settings are built at import time) with the very
function settings.py uses, `oidc_providers()`, pointed at a module's test provider. The
helpers below are plain functions so that the browser test (tests/e2e/) can use them too.
"""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
import requests

from meshportal.settings import oidc_providers
from tests.sso.idp import OidcTestProvider, login_with_requests, parse_forms

PROVIDER_ID = "sso"
PROVIDER_NAME = "Acme SSO"
CLIENT_ID = "mesh-portal"
CLIENT_SECRET = "mesh-portal-client-secret"
SCOPES = ("openid", "profile", "email", "groups")
SCOPES_WITHOUT_GROUPS = ("openid", "profile", "email")
TIMEOUT = 15

SSO_ACCOUNTS = {
    "marketing-team-admin": {
        "password": "marketing-pw",
        "preferred_username": "marketing-team-admin",
        "email": "marketing-team-admin@acme.test",
        "name": "Marketing Team Admin",
        "groups": ["marketing"],
    },
    "film-catalog-team-admin": {
        "password": "film-catalog-pw",
        "preferred_username": "film-catalog-team-admin",
        "email": "film-catalog-team-admin@acme.test",
        "name": "Film Catalog Team Admin",
        "groups": ["film-catalog", "streaming-stewards"],
    },
    "nogroups-user": {
        "password": "nogroups-pw",
        "preferred_username": "nogroups-user",
        "email": "nogroups-user@acme.test",
        "name": "No Groups User",
        "groups": [],
    },
}


def login_path() -> str:
    """Where allauth starts a login with the provider (the SSO button's form action)."""
    return f"/accounts/oidc/{PROVIDER_ID}/login/"


def login_url(portal_url: str) -> str:
    return f"{portal_url}{login_path()}"


def callback_url(portal_url: str) -> str:
    """The redirect URI the IdP must allow (allauth: /accounts/oidc/<id>/login/callback/)."""
    return f"{portal_url}/accounts/oidc/{PROVIDER_ID}/login/callback/"


def start_idp(portal_url: str) -> OidcTestProvider:
    """A test provider that knows the portal as a confidential client and SSO_ACCOUNTS."""
    return OidcTestProvider(
        clients=[
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [callback_url(portal_url)],
            }
        ],
        accounts=SSO_ACCOUNTS,
    )


def configure_sso(settings, issuer: str, scopes=SCOPES) -> None:
    """Point the portal at `issuer`, exactly as settings.py does from OIDC_* variables."""
    settings.SOCIALACCOUNT_PROVIDERS = oidc_providers(
        issuer, CLIENT_ID, CLIENT_SECRET, PROVIDER_NAME, PROVIDER_ID, scopes
    )
    settings.OIDC_PROVIDER_NAME = PROVIDER_NAME
    settings.OIDC_PROVIDER_ID = PROVIDER_ID


def sso_login(
    session: requests.Session, portal_url: str, issuer: str, username: str, password: str
) -> requests.Response:
    """Sign in with `session` through the portal's SSO button and the IdP's form.

    Returns the portal's final response (redirects followed) after the callback. Raises
    `tests.sso.idp.LoginFailed` when the IdP rejects the credentials.
    """
    page = session.get(f"{portal_url}/accounts/login/", timeout=TIMEOUT)
    assert page.status_code == 200, page.text[:500]
    # The "Sign in with …" button: a POST form (allauth starts a provider login on POST
    # only, SOCIALACCOUNT_LOGIN_ON_GET being off) carrying the CSRF token.
    buttons = [f for f in parse_forms(page.text) if f["action"].startswith(login_path())]
    assert len(buttons) == 1, f"no SSO button on the sign-in page: {page.text[:2000]}"
    assert buttons[0]["method"] == "post"
    start = session.post(
        urljoin(page.url, buttons[0]["action"]),
        data=buttons[0]["fields"],
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert start.status_code == 302, start.text[:500]
    authorize = start.headers["Location"]
    assert authorize.startswith(f"{issuer}/"), authorize
    callback = login_with_requests(
        session, authorize, username, password, stop_at_prefix=callback_url(portal_url)
    )
    return session.get(callback, timeout=TIMEOUT)


@pytest.fixture(scope="module")
def idp(live_server):
    """One running test provider per module; stopped (process ended) at module teardown."""
    with start_idp(live_server.url) as provider:
        yield provider


@pytest.fixture
def sso(settings, idp):
    """The portal configured for SSO through `idp` with the default scopes."""
    configure_sso(settings, idp.issuer)
    return idp


@pytest.fixture
def new_session():
    """Makes `requests` sessions (one per simulated browser), closed after the test.

    Closing matters: a kept-alive connection keeps its live-server thread, and with it
    that thread's database connection (CONN_MAX_AGE), open until the test database is
    dropped.
    """
    sessions = []

    def make() -> requests.Session:
        session = requests.Session()
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()
