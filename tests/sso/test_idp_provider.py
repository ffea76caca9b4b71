"""The test OpenID Connect provider itself, driven over HTTP with requests (no Django)."""

import base64
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from tests.sso.idp import LoginFailed, OidcTestProvider, login_form, login_with_requests

pytestmark = pytest.mark.sso

REDIRECT_URI = "http://127.0.0.1:9/callback"
ALICE_GROUPS = ["mesh-admins", "team-sales"]

CLIENTS = [
    {
        "client_id": "portal-post",
        "client_secret": "post-secret",
        "redirect_uris": [REDIRECT_URI],
        "token_endpoint_auth_method": "client_secret_post",
    },
    {
        "client_id": "portal-basic",
        "client_secret": "basic-secret",
        "redirect_uris": [REDIRECT_URI],
        "token_endpoint_auth_method": "client_secret_basic",
    },
]
ACCOUNTS = {
    "alice": {
        "password": "correct horse",
        "preferred_username": "alice",
        "email": "alice@example.test",
        "name": "Alice Example",
        "groups": ALICE_GROUPS,
    },
    "bob": {
        "password": "bob-pw",
        "preferred_username": "bob",
        "email": "bob@example.test",
        "name": "Bob Example",
        "groups": [],
    },
}


@pytest.fixture(scope="module")
def idp():
    with OidcTestProvider(clients=CLIENTS, accounts=ACCOUNTS) as provider:
        yield provider


@pytest.fixture(scope="module")
def discovery(idp):
    response = requests.get(idp.discovery_url, timeout=10)
    response.raise_for_status()
    return response.json()


def b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def jwt_payload(token: str) -> dict:
    header, payload, _signature = token.split(".")
    return json.loads(b64url_decode(payload))


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def authorization_url(
    discovery, client_id, challenge, state, nonce, scope="openid profile email groups"
):
    query = urlencode(
        {
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": scope,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{discovery['authorization_endpoint']}?{query}"


def log_in(discovery, client_id, username, password, scope="openid profile email groups"):
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    session = requests.Session()
    final = login_with_requests(
        session,
        authorization_url(discovery, client_id, challenge, state, nonce, scope),
        username,
        password,
        REDIRECT_URI,
    )
    params = parse_qs(urlsplit(final).query)
    assert params["state"] == [state], final
    assert "error" not in params, final
    return params["code"][0], verifier, nonce, params


def exchange(discovery, code, verifier, **credentials):
    """The token request for ``code``; ``credentials``: form fields (client_secret_post)
    or ``auth=(id, secret)`` (client_secret_basic)."""
    auth = credentials.pop("auth", None)
    return requests.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
            **credentials,
        },
        auth=auth,
        timeout=10,
    )


def exchange_post(discovery, code, verifier, client_id="portal-post", secret="post-secret"):
    return exchange(discovery, code, verifier, client_id=client_id, client_secret=secret)


def test_discovery_document_lists_endpoints(idp, discovery):
    assert discovery["issuer"] == idp.issuer
    assert idp.issuer.startswith("http://127.0.0.1:")
    for key, path in [
        ("authorization_endpoint", "/auth"),
        ("token_endpoint", "/token"),
        ("userinfo_endpoint", "/me"),
        ("jwks_uri", "/jwks"),
    ]:
        assert discovery[key] == idp.issuer + path
    assert {"openid", "profile", "email", "groups"} <= set(discovery["scopes_supported"])
    assert {"groups", "email", "email_verified", "preferred_username", "name"} <= set(
        discovery["claims_supported"]
    )
    assert "S256" in discovery["code_challenge_methods_supported"]
    assert {"client_secret_post", "client_secret_basic"} <= set(
        discovery["token_endpoint_auth_methods_supported"]
    )
    assert "code" in discovery["response_types_supported"]

    jwks = requests.get(discovery["jwks_uri"], timeout=10).json()
    assert [key["kty"] for key in jwks["keys"]] == ["RSA"]
    assert all("d" not in key for key in jwks["keys"]), "private key material must not leak"


def test_interaction_page_is_a_sign_in_form(discovery):
    _verifier, challenge = pkce_pair()
    session = requests.Session()
    response = session.get(
        authorization_url(discovery, "portal-post", challenge, "s", "n"),
        allow_redirects=True,
        timeout=10,
    )
    assert response.status_code == 200
    assert urlsplit(response.url).path.startswith("/interaction/")
    form = login_form(response.text)
    assert form is not None
    assert form["method"] == "post"
    assert form["action"] == urlsplit(response.url).path
    assert '<input id="password" type="password" name="password"' in response.text
    assert '<button type="submit">Sign in</button>' in response.text


def test_code_flow_with_pkce_returns_groups_in_userinfo_and_id_token(idp, discovery):
    code, verifier, nonce, params = log_in(discovery, "portal-post", "alice", "correct horse")
    assert params["iss"] == [idp.issuer]

    response = exchange_post(discovery, code, verifier)
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["token_type"].lower() == "bearer"

    claims = jwt_payload(tokens["id_token"])
    assert claims["iss"] == idp.issuer
    assert claims["aud"] == "portal-post"
    assert claims["sub"] == "alice"
    assert claims["nonce"] == nonce
    assert claims["groups"] == ALICE_GROUPS
    assert claims["email"] == "alice@example.test"
    assert claims["email_verified"] is True
    assert claims["preferred_username"] == "alice"
    assert claims["name"] == "Alice Example"
    assert "password" not in claims

    userinfo = requests.get(
        discovery["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=10,
    )
    assert userinfo.status_code == 200, userinfo.text
    assert userinfo.json() == {
        "sub": "alice",
        "name": "Alice Example",
        "preferred_username": "alice",
        "email": "alice@example.test",
        "email_verified": True,
        "groups": ALICE_GROUPS,
    }


def test_client_secret_basic_and_pkce_verifier_is_checked(discovery):
    code, verifier, _nonce, _params = log_in(discovery, "portal-basic", "bob", "bob-pw")

    wrong = exchange(discovery, code, pkce_pair()[0], auth=("portal-basic", "basic-secret"))
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"

    # A code is single use, and the failed attempt above consumed it: log in again.
    code, verifier, _nonce, _params = log_in(discovery, "portal-basic", "bob", "bob-pw")
    response = exchange(discovery, code, verifier, auth=("portal-basic", "basic-secret"))
    assert response.status_code == 200, response.text
    claims = jwt_payload(response.json()["id_token"])
    assert claims["sub"] == "bob"
    assert claims["groups"] == []


def test_groups_claim_needs_the_groups_scope(discovery):
    code, verifier, _nonce, _params = log_in(
        discovery, "portal-post", "alice", "correct horse", scope="openid email"
    )
    tokens = exchange_post(discovery, code, verifier).json()
    claims = jwt_payload(tokens["id_token"])
    assert claims["email"] == "alice@example.test"
    assert "groups" not in claims
    assert "name" not in claims
    userinfo = requests.get(
        discovery["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=10,
    ).json()
    assert userinfo == {"sub": "alice", "email": "alice@example.test", "email_verified": True}


def test_wrong_password_shows_the_error(discovery):
    _verifier, challenge = pkce_pair()
    session = requests.Session()
    with pytest.raises(LoginFailed) as failure:
        login_with_requests(
            session,
            authorization_url(discovery, "portal-post", challenge, "s", "n"),
            "alice",
            "not the password",
            REDIRECT_URI,
        )
    response = failure.value.response
    assert response.status_code == 200
    assert "Invalid username or password" in response.text
    assert "Invalid username or password" in str(failure.value)
    form = login_form(response.text)
    assert form is not None
    assert form["fields"]["login"] == "alice"
    assert form["fields"]["password"] == ""

    # The same interaction still accepts the right password afterwards.
    retry = session.post(
        response.url,
        data={"login": "alice", "password": "correct horse"},
        allow_redirects=False,
        timeout=10,
    )
    assert retry.status_code == 303
    location = retry.headers["Location"]
    while not location.startswith(REDIRECT_URI):
        step = session.get(location, allow_redirects=False, timeout=10)
        assert step.is_redirect, step.text[:300]
        location = requests.compat.urljoin(step.url, step.headers["Location"])
    assert "code" in parse_qs(urlsplit(location).query)


def test_unknown_user_shows_the_same_error(discovery):
    _verifier, challenge = pkce_pair()
    with pytest.raises(LoginFailed) as failure:
        login_with_requests(
            requests.Session(),
            authorization_url(discovery, "portal-post", challenge, "s", "n"),
            "mallory",
            "correct horse",
            REDIRECT_URI,
        )
    assert "Invalid username or password" in failure.value.response.text


def test_existing_session_logs_in_without_the_form(discovery):
    verifier, challenge = pkce_pair()
    session = requests.Session()
    login_with_requests(
        session,
        authorization_url(discovery, "portal-post", challenge, "s1", "n1"),
        "alice",
        "correct horse",
        REDIRECT_URI,
    )
    # Second authorization in the same browser session: straight back with a code.
    verifier, challenge = pkce_pair()
    response = session.get(
        authorization_url(discovery, "portal-post", challenge, "s2", "n2"),
        allow_redirects=False,
        timeout=10,
    )
    location = response.headers["Location"]
    while not location.startswith(REDIRECT_URI):
        step = session.get(location, allow_redirects=False, timeout=10)
        assert step.is_redirect, step.text[:300]
        location = requests.compat.urljoin(step.url, step.headers["Location"])
    params = parse_qs(urlsplit(location).query)
    assert params["state"] == ["s2"]
    tokens = exchange_post(discovery, params["code"][0], verifier).json()
    assert jwt_payload(tokens["id_token"])["groups"] == ALICE_GROUPS


def test_new_scope_in_an_existing_session_is_granted_without_the_form(discovery):
    session = requests.Session()
    _verifier, challenge = pkce_pair()
    login_with_requests(
        session,
        authorization_url(discovery, "portal-post", challenge, "s1", "n1", scope="openid email"),
        "alice",
        "correct horse",
        REDIRECT_URI,
    )
    # The grant lacks `groups`: the provider asks for consent, which is given automatically
    # (no sign-in form is shown: the password below would fail if it were submitted).
    verifier, challenge = pkce_pair()
    final = login_with_requests(
        session,
        authorization_url(discovery, "portal-post", challenge, "s2", "n2"),
        "alice",
        "wrong password, never submitted",
        REDIRECT_URI,
    )
    params = parse_qs(urlsplit(final).query)
    assert params["state"] == ["s2"]
    tokens = exchange_post(discovery, params["code"][0], verifier).json()
    claims = jwt_payload(tokens["id_token"])
    assert claims["groups"] == ALICE_GROUPS
    assert claims["name"] == "Alice Example"


def test_stop_terminates_the_process():
    provider = OidcTestProvider(clients=CLIENTS, accounts=ACCOUNTS).start()
    proc = provider._proc
    issuer = provider.issuer
    assert requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).status_code == 200
    provider.stop()
    assert proc.returncode == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5)
