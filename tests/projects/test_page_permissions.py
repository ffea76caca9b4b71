"""Who may open which page and do which action, persona by persona.

Objects a persona may not see are a 404 (not a 403); visible objects a persona may not
change are a 403; anonymous visitors are sent to the sign-in page.
"""

import pytest
from django.test import Client
from django.urls import reverse

from projects.choices import Designation, EnvironmentStatus
from projects.models import Environment, ProjectMembership
from tests.permissions import (
    CONTRIBUTOR_PAGE,
    CONTRIBUTOR_POST,
    MEMBER_PAGE,
    OWNER_PAGE,
    OWNER_POST,
    SIGNED_IN_PAGE,
    Page,
    check,
    page_matrix_test,
    personas,
    with_platform_admin,
)
from tests.projects.factories import EnvironmentFactory, UserFactory

# Platform admins see every project and its environments here (200), and change nothing
# (403).
MEMBER_PAGE = with_platform_admin(MEMBER_PAGE, 200)
CONTRIBUTOR_POST = with_platform_admin(CONTRIBUTOR_POST, 403)
OWNER_POST = with_platform_admin(OWNER_POST, 403)

pytestmark = pytest.mark.django_db


@pytest.fixture
def environment(project, profile):
    return EnvironmentFactory(project=project, profile=profile, name="Film Datasets S3")


@pytest.fixture
def failed_environment(project, profile):
    return EnvironmentFactory(
        project=project,
        profile=profile,
        name="Broken",
        status=EnvironmentStatus.CREATE_FAILED,
        last_error="S3 prefix: bucket 'meshportal-environments' does not exist.",
    )


@pytest.fixture
def member(project):
    """A member the actions below change or remove."""
    return ProjectMembership.objects.create(
        project=project, user=UserFactory(username="someone"), designation=Designation.VIEWER
    )


def _url(name, fixture_name=None, *, needs=()):
    """A page's URL, with the primary key of the named fixture's object (``needs``: other
    fixtures the page should find, e.g. a profile to create environments from)."""

    def url(fixture):
        for other in needs:
            fixture(other)
        return reverse(name, args=[fixture(fixture_name).pk] if fixture_name else [])

    return url


test_pages = page_matrix_test(
    [
        *(
            Page(name, _url(name), SIGNED_IN_PAGE)
            for name in [
                "home",
                "project-list",
                "project-create",
                "domain-list",
                "notification-list",
            ]
        ),
        Page("project", _url("project-detail", "project"), MEMBER_PAGE),
        Page("project-edit", _url("project-edit", "project"), with_platform_admin(OWNER_PAGE, 403)),
        Page(
            "environment-create",
            _url("environment-create", "project", needs=["profile"]),
            with_platform_admin(CONTRIBUTOR_PAGE, 403),
        ),
        Page("environment", _url("environment-detail", "environment"), MEMBER_PAGE),
    ]
)


@personas(CONTRIBUTOR_POST)
def test_environment_create_action(client_for, project, profile, persona, expected):
    response = client_for(persona).post(
        reverse("environment-create", args=[project.pk]),
        {"profile": profile.pk, "name": "Film Datasets S3"},
    )
    check(response, expected)
    created = Environment.objects.filter(project=project, name="Film Datasets S3")
    assert created.exists() == (expected == 302)
    if expected == 302:
        assert response["Location"] == reverse("environment-detail", args=[created.get().pk])


@personas(CONTRIBUTOR_POST)
def test_environment_retry_action(client_for, failed_environment, persona, expected):
    # The `db` fixture never runs on_commit callbacks: the retry moves the status and
    # enqueues nothing here, so no AWS call is made.
    response = client_for(persona).post(reverse("environment-retry", args=[failed_environment.pk]))
    check(response, expected)
    failed_environment.refresh_from_db()
    assert failed_environment.status == (
        EnvironmentStatus.CREATING if expected == 302 else EnvironmentStatus.CREATE_FAILED
    )


@personas(OWNER_POST)
def test_member_add_action(client_for, project, persona, expected):
    newcomer = UserFactory(username="newcomer")
    response = client_for(persona).post(
        reverse("project-member-add", args=[project.pk]),
        {"username": "newcomer", "designation": "VIEWER"},
    )
    check(response, expected)
    assert project.memberships.filter(user=newcomer).exists() == (expected == 302)


@personas(OWNER_POST)
def test_member_update_action(client_for, project, member, persona, expected):
    response = client_for(persona).post(
        reverse("project-member-update", args=[project.pk, member.pk]),
        {"designation": "CONTRIBUTOR"},
    )
    check(response, expected)
    member.refresh_from_db()
    assert member.designation == ("CONTRIBUTOR" if expected == 302 else "VIEWER")


@personas(OWNER_POST)
def test_member_remove_action(client_for, project, member, persona, expected):
    response = client_for(persona).post(
        reverse("project-member-remove", args=[project.pk, member.pk])
    )
    check(response, expected)
    assert ProjectMembership.objects.filter(pk=member.pk).exists() == (expected != 302)


@pytest.mark.parametrize(
    "persona, manages_members, creates_environments",
    [
        ("steward", False, False),
        ("owner", True, True),
        ("contributor", False, True),
        ("viewer", False, False),
    ],
    indirect=["persona"],
)
def test_only_the_allowed_controls_are_shown(
    client_for, project, member, environment, persona, manages_members, creates_environments
):
    html = client_for(persona).get(reverse("project-detail", args=[project.pk])).content.decode()

    assert ('data-testid="add-member-form"' in html) == manages_members
    assert ("Add member</button>" in html) == manages_members
    assert (f'hx-confirm="Remove {member.member_name} from' in html) == manages_members
    assert (f'name="designation" id="designation-{member.pk}"' in html) == manages_members
    assert (reverse("project-edit", args=[project.pk]) in html) == manages_members
    assert (reverse("environment-create", args=[project.pk]) in html) == creates_environments
    # Everyone who sees the project sees its members and environments.
    assert member.member_name in html
    assert environment.name in html


def test_steward_sees_the_domains_project_read_only(client_for, project, steward):
    html = client_for(steward).get(reverse("project-detail", args=[project.pk])).content.decode()
    assert "Domain steward — read-only" in html
    assert project.name in html
    assert "Create environment" not in html


def test_viewer_without_the_add_form_still_gets_403_with_the_reason(client_for, project, viewer):
    html = client_for(viewer).get(reverse("project-detail", args=[project.pk])).content.decode()
    assert 'data-testid="add-member-form"' not in html

    response = client_for(viewer).post(
        reverse("project-member-add", args=[project.pk]),
        {"username": "film-catalog-team-admin", "designation": "OWNER"},
    )
    assert response.status_code == 403
    assert "Only a project owner can add members." in response.content.decode()
    assert "403.html" in [t.name for t in response.templates]


def test_admin_link_only_for_staff(client_for, platform_admin, owner):
    admin_link = f'href="{reverse("admin:index")}"'
    assert admin_link in client_for(platform_admin).get("/").content.decode()
    assert admin_link not in client_for(owner).get("/").content.decode()


def test_anonymous_visitor_sees_only_the_sign_in_page(db):
    client = Client()
    response = client.get("/", follow=True)
    assert response.redirect_chain == [("/accounts/login/?next=/", 302)]
    html = response.content.decode()
    assert "Sign in" in html
    assert 'aria-label="Main"' not in html  # no navigation bar for anonymous visitors


def test_posts_need_a_csrf_token(project, owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(
        reverse("project-member-add", args=[project.pk]),
        {"username": "film-catalog-team-admin", "designation": "VIEWER"},
    )
    assert response.status_code == 403
    assert project.memberships.count() == 1


def test_other_peoples_notifications_are_404(client_for, owner, outsider):
    from tests.projects.factories import NotificationFactory

    notification = NotificationFactory(recipient=owner, link="/")
    response = client_for(outsider).post(reverse("notification-read", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize(
    "url_name",
    [
        "project-member-add",
        "environment-retry",
        "notification-read",
        "notification-read-all",
    ],
)
def test_actions_refuse_get(client_for, owner, project, failed_environment, url_name):
    args = {
        "project-member-add": [project.pk],
        "environment-retry": [failed_environment.pk],
        "notification-read": [project.pk],
        "notification-read-all": [],
    }[url_name]
    assert client_for(owner).get(reverse(url_name, args=args)).status_code == 405
