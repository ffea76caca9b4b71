"""The persona × action harness of every ``*permissions*`` test module.

Each app's permission tests are a table: for every request (an ``Action``) the status
each persona gets. A refused request or a read must leave the database as it was; a
write that succeeds must change it (and, where the row says how, ``effect`` checks it).

Adding a row for a new app (e.g. ``tests/subscriptions/test_api_permissions.py``)::

    from tests.permissions import API, Action, by_persona, matrix_test, model_state, reads

    ACTIONS = [
        # list, detail (and "missing") rows of a resource: ``reads``
        *reads("request", "subscription-requests", lambda w: w.request, MEMBERS_READ),
        Action(
            "request-approve",
            "post",
            lambda w: f"{API}/subscription-requests/{w.request.pk}/approve/",
            by_persona(platform_admin=404, steward=403, owner=200, contributor=403,
                       viewer=403, outsider=404),
            effect=lambda w: ...,             # asserts the write happened
        ),
    ]

    def database_state():
        return model_state(SubscriptionRequest, Subscription)

    test_matrix = matrix_test(ACTIONS, database_state)   # with a ``world`` fixture

Pages use ``check(response, expected)`` with ``LOGIN`` for "sent to the sign-in page",
and ``@personas(MEMBER_PAGE)`` to run a test once per persona row.
Personas are the fixtures of tests/conftest.py (``PERSONAS``).
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db.models import Count, Max

from tests.conftest import PERSONAS

API = "/api/v1"
MISSING = "00000000-0000-0000-0000-000000000000"
LOGIN = "login"  # expected on a page: a redirect to the sign-in page


@dataclass
class Action:
    """One request of the matrix, the status each persona gets, and (for writes that
    succeed) what must have changed."""

    name: str
    method: str
    url: Callable  # (world) -> path; ``world.user`` is the persona's user (None: anonymous)
    expected: dict  # persona -> status
    body: Callable | None = None  # (world) -> body
    effect: Callable | None = None  # (world) -> None, asserts the write happened
    format: str = "json"


def reads(name, path, pick, detail, *, listed=None, missing=None, detail_name="retrieve"):
    """A resource's read rows: ``{name}-list`` (``GET {API}/{path}/``, ``listed``: by
    default every signed-in persona 200), ``{name}-{detail_name}`` (the row ``pick(world)``,
    ``detail``) and, with ``missing``, ``{name}-missing`` (an id that never existed)::

        *reads("term", "glossary-terms", lambda w: w.term, everyone(200), missing=everyone(404))
    """
    rows = [
        Action(f"{name}-list", "get", lambda w: f"{API}/{path}/", listed or everyone(200)),
        Action(f"{name}-{detail_name}", "get", lambda w: f"{API}/{path}/{pick(w).pk}/", detail),
    ]
    if missing is not None:
        rows.append(Action(f"{name}-missing", "get", lambda w: f"{API}/{path}/{MISSING}/", missing))
    return rows


def everyone(status: int, anonymous: int = 401) -> dict:
    """Every signed-in persona gets ``status``; anonymous API calls get 401 with a
    WWW-Authenticate challenge (TokenAuthentication comes first)."""
    return {p: status for p in PERSONAS if p != "anonymous"} | {"anonymous": anonymous}


def by_persona(*, platform_admin, steward, owner, contributor, viewer, outsider, anonymous=401):
    return {
        "platform_admin": platform_admin,
        "steward": steward,
        "owner": owner,
        "contributor": contributor,
        "viewer": viewer,
        "outsider": outsider,
        "anonymous": anonymous,
    }


def matrix(actions, personas=PERSONAS):
    """``pytest.param(action, persona, expected)`` for every action and persona (an app
    with personas of its own, e.g. the consumer side of subscriptions, passes them)."""
    return [
        pytest.param(action, persona, action.expected[persona], id=f"{action.name}-{persona}")
        for action in actions
        for persona in personas
    ]


def model_state(*models) -> dict:
    """Row count and latest change of each model: a part of a ``database_state``."""
    return {
        model.__name__: model.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
        for model in models
    }


def row_counts(*models) -> dict:
    """Row count of each model: compare before and after a request that must leave
    nothing half-made."""
    return {model.__name__: model.objects.count() for model in models}


def assert_field_error(response, field, *fragments):
    """A 400 whose errors name ``field``, with each fragment in its message (any case)."""
    assert response.status_code == 400, (response.status_code, response.content[:500])
    body = response.json()
    assert field in body, body
    message = " ".join(body[field])
    for fragment in fragments:
        assert fragment.lower() in message.lower(), message


def assert_not_found(client, urls, body=None):
    """Each URL answers a GET with 404 and a JSON ``detail`` (the whole body ``body`` when
    given)."""
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["detail"], url
        if body is not None:
            assert response.json() == body, url


def assert_response(response, expected, *, success_keys=("id", "results"), strict_detail=False):
    """The status, and a body of the right kind: an error has a ``detail`` (a 400 may
    carry field errors instead, unless ``strict_detail``), a success one of
    ``success_keys``, a 204 nothing."""
    assert response.status_code == expected, (response.status_code, response.content[:500])
    if expected == 204:
        assert response.content == b""
        return
    body = response.json()
    if expected >= 400:
        assert body, body
        assert "detail" in body or (expected == 400 and not strict_detail), body
    else:
        assert set(success_keys) & set(body), body


def run_action(
    client,
    action: Action,
    world,
    user,
    expected: int,
    database_state: Callable[[], dict],
    *,
    check_response: Callable = assert_response,
    writes_change_state: bool = True,
):
    """Send one row of the matrix as ``user`` and check the answer and the database:
    unchanged after a refusal or a read, changed after a successful write (and as
    ``action.effect`` says)."""
    world.user = user
    url = action.url(world)  # may create the persona's own rows (before the snapshot)
    body = action.body(world) if action.body else None
    before = database_state()

    response = getattr(client, action.method)(url, body, format=action.format)

    check_response(response, expected)
    if expected >= 400 or action.method == "get":
        assert database_state() == before
    elif writes_change_state:
        assert database_state() != before
    if expected < 400 and action.method != "get" and action.effect:
        action.effect(world)
    return response


def matrix_test(
    actions, database_state, *, check_response=assert_response, personas=PERSONAS, **options
):
    """A module's whole matrix as one parametrised test::

        test_matrix = matrix_test(ACTIONS, database_state, check_response=check_response)

    (needs the module's ``world`` fixture; ``personas`` names the fixtures to walk, each
    resolved by the ``persona`` fixture; ``options`` go to ``run_action``)."""

    @pytest.mark.django_db
    @pytest.mark.parametrize(
        ("action", "persona", "expected"), matrix(actions, personas), indirect=["persona"]
    )
    def test(action, persona, expected, world, api_client_for):
        client = api_client_for(persona)
        run_action(
            client, action, world, persona, expected, database_state,
            check_response=check_response, **options,
        )  # fmt: skip

    return test


def check(response, expected):
    """A page's answer: ``LOGIN`` (a redirect to sign in) or the status."""
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    else:
        assert response.status_code == expected, response.content[:500]


def personas(rows):
    """``@personas(rows)``: the test runs once per ``(persona, expected)`` row, with the
    ``persona`` fixture resolving the name to its user (None: anonymous)."""
    return pytest.mark.parametrize(("persona", "expected"), rows, indirect=["persona"])


def page_rows(expected: dict) -> list[tuple]:
    """``[(persona, expected), …]`` for ``@pytest.mark.parametrize("persona, expected", …)``."""
    return [(persona, expected[persona]) for persona in PERSONAS]


def api_table(others, *, anonymous=401, **personas) -> dict:
    """An action's statuses: each named persona's, ``others`` for every other signed-in
    persona; anonymous API calls get 401."""
    return {p: others for p in PERSONAS} | personas | {"anonymous": anonymous}


def page_table(others, *, anonymous=LOGIN, **personas) -> list[tuple]:
    """Page rows: each named persona's answer, ``others`` for every other signed-in
    persona, and anonymous visitors sent to sign in."""
    return page_rows(api_table(others, anonymous=anonymous, **personas))


# The API tables the apps share.
# A project's things: its members and the domain's stewards read them; nobody else
# learns they exist.
MEMBERS_READ = api_table(200, platform_admin=404, outsider=404)
# The project's own members only (an INACTIVE listing).
TEAM_READ = api_table(200, platform_admin=404, steward=404, outsider=404)


def contributor_writes(success: int) -> dict:
    """A project's CONTRIBUTORs and OWNERs change it; stewards and viewers see it (403)."""
    return api_table(403, owner=success, contributor=success, platform_admin=404, outsider=404)


def owner_only(success: int) -> dict:
    """Something of one OWNER's: nobody else learns it exists."""
    return api_table(404, owner=success)


def with_platform_admin(rows: list[tuple], status) -> list[tuple]:
    """A shared table with the platform admin's answer of an app's pages (the projects
    app lets admins read every project, 200, and change nothing, 403)."""
    return [(persona, status if persona == "platform_admin" else e) for persona, e in rows]


@dataclass
class Page:
    """One page of a page matrix: its URL, built from the test's fixtures
    (``fixture("project")`` is that fixture's value), and the rows of ``page_table``."""

    name: str
    url: Callable  # (fixture) -> path
    expected: list[tuple]


def page_matrix_test(pages):
    """A module's page matrix as one parametrised test: every persona GETs every page and
    gets its row's answer (``LOGIN``: sent to sign in)::

        test_pages = page_matrix_test([Page("project", lambda f: f"/projects/{f('project').pk}/",
                                            MEMBER_PAGE), …])
    """

    @pytest.mark.parametrize(
        ("page", "persona", "expected"),
        [
            pytest.param(page, persona, expected, id=f"{page.name}-{persona}")
            for page in pages
            for persona, expected in page.expected
        ],
        indirect=["persona"],
    )
    def test(page, persona, expected, client_for, request):
        check(client_for(persona).get(page.url(request.getfixturevalue)), expected)

    return test


# The page tables the apps share (``@pytest.mark.parametrize("persona, expected", …)``).
# A page of the whole portal: every signed-in persona.
SIGNED_IN_PAGE = page_table(200)
# A project's page: its members and the domain's stewards; nobody else learns it exists.
MEMBER_PAGE = page_table(200, platform_admin=404, outsider=404)
# A project's page only its OWNER opens (others who see the project: 403).
OWNER_PAGE = page_table(403, owner=200, platform_admin=404, outsider=404)
# A project's page its OWNERs and CONTRIBUTORs open.
CONTRIBUTOR_PAGE = page_table(403, owner=200, contributor=200, platform_admin=404, outsider=404)
# A project's form that CONTRIBUTOR may post (redirects on success).
CONTRIBUTOR_POST = page_table(403, owner=302, contributor=302, platform_admin=404, outsider=404)
# A project's form only its OWNER may post (redirects on success).
OWNER_POST = page_table(403, owner=302, platform_admin=404, outsider=404)
# Something of one OWNER's: nobody else learns it exists.
OWNER_ONLY_PAGE = page_table(404, owner=200)
# The platform setup pages and their forms: platform admins only.
PLATFORM_ADMIN_PAGE = page_table(403, platform_admin=200)
PLATFORM_ADMIN_POST = page_table(403, platform_admin=302)
