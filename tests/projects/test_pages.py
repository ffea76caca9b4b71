"""The project pages, driven through Django's test client as a browser would use them."""

import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meshportal.settings import oidc_providers
from projects.choices import Designation, EnvironmentStatus, NotificationKind, TaskStatus
from projects.models import Environment, Notification, Project, ProjectMembership
from tests.pages import htmx_partial, messages_of, text
from tests.projects.factories import (
    DomainFactory,
    EnvironmentFactory,
    EnvironmentProfileFactory,
    NotificationFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    UserFactory,
)

# --- Projects -------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_project_through_the_form(client_for, domain, outsider):
    client = client_for(outsider)
    form_page = client.get(reverse("project-create"))
    assert 'name="domain"' in text(form_page) and "Create project</button>" in text(form_page)

    response = client.post(
        reverse("project-create"),
        {"domain": domain.pk, "name": "marketing-team-analysis", "description": "Campaigns."},
        follow=True,
    )

    project = Project.objects.get(name="marketing-team-analysis")
    assert response.redirect_chain == [(reverse("project-detail", args=[project.pk]), 302)]
    assert project.memberships.get().user == outsider
    assert project.memberships.get().designation == Designation.OWNER
    assert messages_of(response) == [
        "Project “marketing-team-analysis” created. You are its owner."
    ]
    assert "<h1" in text(response) and "marketing-team-analysis" in text(response)


@pytest.mark.django_db
def test_duplicate_project_name_is_shown_on_the_form_with_the_input_kept(
    client_for, domain, project, outsider
):
    response = client_for(outsider).post(
        reverse("project-create"),
        {"domain": domain.pk, "name": "film catalog project", "description": "Mine too"},
    )

    assert response.status_code == 400
    html = text(response)
    assert "A project named &#x27;film catalog project&#x27; already exists in domain" in html
    assert re.search(r'<ul class="field__errors" id="id_name_errors">', html)
    assert 'value="film catalog project"' in html
    assert "Mine too</textarea>" in html
    assert f'<option value="{domain.pk}" selected>' in html
    assert Project.objects.filter(domain=domain).count() == 1


@pytest.mark.django_db
def test_bad_input_on_the_create_form_is_an_error_not_a_500(client_for, outsider, domain):
    response = client_for(outsider).post(
        reverse("project-create"), {"domain": "not-a-uuid", "name": "x" * 65}
    )
    assert response.status_code == 400
    html = text(response)
    assert "“not-a-uuid” is not a valid UUID." in html
    assert "Ensure this value has at most 64 characters" in html


@pytest.mark.django_db
def test_owner_edits_the_project(client_for, project, owner):
    ProjectFactory(domain=project.domain, name="Taken")
    client = client_for(owner)
    url = reverse("project-edit", args=[project.pk])

    clash = client.post(url, {"name": "taken", "description": "New words"})
    assert clash.status_code == 400
    assert "already exists in domain" in text(clash)
    assert "New words</textarea>" in text(clash)

    response = client.post(url, {"name": "Film Catalog", "description": "New words"}, follow=True)
    project.refresh_from_db()
    assert (project.name, project.description) == ("Film Catalog", "New words")
    assert messages_of(response) == ["Project details saved."]


@pytest.mark.django_db
def test_project_list_filters_with_the_filterset_and_paginates(client_for, owner, domain):
    other = DomainFactory(name="marketing")
    for n in range(30):
        ProjectMembershipFactory(
            project=ProjectFactory(domain=domain, name=f"Film {n:02d}"), user=owner
        )
    ProjectMembershipFactory(
        project=ProjectFactory(domain=other, name="Campaigns", description="ads and films"),
        user=owner,
    )
    ProjectFactory(domain=domain, name="Film secret")  # not a member: never listed
    client = client_for(owner)

    first = client.get(reverse("project-list"))
    assert len(first.context["page"].object_list) == 25
    assert "1–25 of 31" in text(first)
    second = client.get(reverse("project-list"), {"page": 2})
    assert [p.name for p in second.context["page"].object_list] == [
        "Film 24",
        "Film 25",
        "Film 26",
        "Film 27",
        "Film 28",
        "Film 29",
    ]

    by_text = client.get(reverse("project-list"), {"q": "films"})
    assert [p.name for p in by_text.context["page"].object_list] == ["Campaigns"]
    by_domain = client.get(reverse("project-list"), {"domain": other.pk, "q": ""})
    assert [p.name for p in by_domain.context["page"].object_list] == ["Campaigns"]
    assert "Film secret" not in text(client.get(reverse("project-list"), {"q": "secret"}))

    bad = client.get(reverse("project-list"), {"domain": "nonsense"})
    assert bad.status_code == 200
    assert "Domain: “nonsense” is not a valid UUID." in text(bad)


# --- Members --------------------------------------------------------------------------


@pytest.mark.django_db
def test_member_add_change_and_remove(client_for, project, owner):
    colleague = UserFactory(username="film-colleague")
    client = client_for(owner)
    detail = reverse("project-detail", args=[project.pk])

    added = client.post(
        reverse("project-member-add", args=[project.pk]),
        {"username": "film-colleague", "designation": "CONTRIBUTOR"},
        follow=True,
    )
    assert added.redirect_chain == [(detail, 302)]
    assert messages_of(added) == ["film-colleague added as contributor."]
    membership = project.memberships.get(user=colleague)
    assert membership.designation == Designation.CONTRIBUTOR

    group = client.post(
        reverse("project-member-add", args=[project.pk]),
        {"group": "team-film-analysts", "designation": "VIEWER"},
        follow=True,
    )
    assert messages_of(group) == ["group team-film-analysts added as viewer."]
    html = text(group)
    assert "SSO group</span> team-film-analysts" in html

    changed = client.post(
        reverse("project-member-update", args=[project.pk, membership.pk]),
        {"designation": "OWNER"},
        follow=True,
    )
    assert messages_of(changed) == ["film-colleague is now owner."]
    membership.refresh_from_db()
    assert membership.designation == Designation.OWNER

    removed = client.post(
        reverse("project-member-remove", args=[project.pk, membership.pk]), follow=True
    )
    assert messages_of(removed) == ["film-colleague removed from the project."]
    assert not project.memberships.filter(user=colleague).exists()
    assert 'hx-confirm="Remove' in text(removed)


@pytest.mark.django_db
def test_member_errors_are_flashed_by_name(client_for, project, owner):
    client = client_for(owner)
    own = project.memberships.get(user=owner)

    unknown = client.post(
        reverse("project-member-add", args=[project.pk]),
        {"username": "nobody", "designation": "VIEWER"},
        follow=True,
    )
    assert messages_of(unknown) == [
        "Member not added: No user named 'nobody'. People appear after their first sign-in."
    ]

    both = client.post(
        reverse("project-member-add", args=[project.pk]),
        {"username": "x", "group": "y", "designation": "VIEWER"},
        follow=True,
    )
    assert messages_of(both) == [
        "Member not added: Enter either a username or an SSO group (not both)."
    ]

    downgrade = client.post(
        reverse("project-member-update", args=[project.pk, own.pk]),
        {"designation": "VIEWER"},
        follow=True,
    )
    assert messages_of(downgrade) == [
        "film-catalog-team-admin not changed: A project must keep at least one owner: "
        "make someone else owner first."
    ]
    assert 'role="alert"' in text(downgrade)

    remove = client.post(reverse("project-member-remove", args=[project.pk, own.pk]), follow=True)
    assert messages_of(remove) == [
        "film-catalog-team-admin not removed: A project must keep at least one owner: "
        "make someone else owner first."
    ]
    own.refresh_from_db()
    assert own.designation == Designation.OWNER

    bogus = client.post(
        reverse("project-member-update", args=[project.pk, own.pk]),
        {"designation": "EMPEROR"},
        follow=True,
    )
    assert messages_of(bogus) == ["Choose a designation: owner, contributor or viewer."]


@pytest.mark.django_db
def test_member_of_another_project_is_404(client_for, project, owner):
    stranger = ProjectMembershipFactory(project=ProjectFactory(domain=project.domain))
    response = client_for(owner).post(
        reverse("project-member-remove", args=[project.pk, stranger.pk])
    )
    assert response.status_code == 404
    assert ProjectMembership.objects.filter(pk=stranger.pk).exists()


# --- Environments ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_environment_fails_on_a_missing_bucket_and_retry_makes_it_active(
    aws, client_for, project, profile, owner
):
    client = client_for(owner)
    created = client.post(
        reverse("environment-create", args=[project.pk]),
        {"profile": profile.pk, "name": "Film Datasets S3", "description": "Curated films"},
        follow=True,
    )
    environment = Environment.objects.get(project=project, name="Film Datasets S3")
    page = reverse("environment-detail", args=[environment.pk])
    assert created.redirect_chain == [(page, 302)]

    failed = client.get(page)
    html = text(failed)
    assert environment_status(html) == "CREATE_FAILED"
    assert (
        "S3 prefix: bucket &#x27;meshportal-environments&#x27; (named by profile "
        "&#x27;DataLakeProfile&#x27;) does not exist in account 111111111111" in html
    )
    assert "Retry</button>" in html
    assert "0 of 5 steps" in html
    assert 'hx-trigger="every 2s"' not in html  # a finished state does not poll

    aws.client("s3").create_bucket(Bucket="meshportal-environments")
    retried = client.post(reverse("environment-retry", args=[environment.pk]), follow=True)
    assert retried.redirect_chain == [(page, 302)]
    assert messages_of(retried) == ["Provisioning of “Film Datasets S3” started again."]

    environment.refresh_from_db()
    assert environment.status == EnvironmentStatus.ACTIVE
    html = text(retried)
    assert environment_status(html) == "ACTIVE"
    assert "5 of 5 steps" in html
    assert "Retry</button>" not in html
    for value in (
        environment.producer_glue_database,
        environment.consumer_glue_database,
        environment.s3_location,
        environment.athena_workgroup,
        environment.grant_role_arn,
    ):
        assert value and value in html

    again = client.post(reverse("environment-retry", args=[environment.pk]), follow=True)
    assert messages_of(again) == [
        "Environment 'Film Datasets S3' is active; only a failed environment can be retried."
    ]


def environment_status(html: str) -> str:
    match = re.search(r'data-testid="environment-status">([A-Z_]+)<', html)
    assert match, "no status badge on the page"
    return match.group(1)


@pytest.mark.django_db
def test_creating_environment_polls_with_a_partial_until_it_finishes(
    client_for, project, profile, owner
):
    environment = EnvironmentFactory(
        project=project,
        profile=profile,
        name="Sandbox",
        status=EnvironmentStatus.CREATING,
        provisioning_steps={"s3_location": "2025-01-01T10:00:00+00:00"},
    )
    client = client_for(owner)
    url = reverse("environment-detail", args=[environment.pk])

    full = text(client.get(url))
    assert full.lstrip().startswith("<!DOCTYPE html>")
    assert f'hx-get="{url}" hx-trigger="every 2s" hx-swap="outerHTML"' in full
    assert "1 of 5 steps" in full

    html = htmx_partial(client, url, "projects/_environment_panel.html", "environment-panel")
    assert 'hx-trigger="every 2s"' in html
    assert environment_status(html) == "CREATING"

    Environment.objects.filter(pk=environment.pk).update(status=EnvironmentStatus.ACTIVE)
    done = text(client.get(url, headers={"HX-Request": "true"}))
    assert environment_status(done) == "ACTIVE"
    assert "hx-trigger" not in done  # the swapped-in panel stops polling

    boosted = text(client.get(url, headers={"HX-Request": "true", "HX-Boosted": "true"}))
    assert "<!DOCTYPE html>" in boosted  # a boosted navigation gets the whole page


@pytest.mark.django_db
def test_environment_form_keeps_input_on_errors(client_for, project, profile, owner):
    EnvironmentFactory(project=project, profile=profile, name="Film Datasets S3")
    foreign = EnvironmentProfileFactory(domain=DomainFactory(name="other"))
    client = client_for(owner)
    url = reverse("environment-create", args=[project.pk])

    duplicate = client.post(url, {"profile": profile.pk, "name": "film datasets s3"})
    assert duplicate.status_code == 400
    html = text(duplicate)
    assert "This project already has an environment named &#x27;film datasets s3&#x27;." in html
    assert 'value="film datasets s3"' in html

    other_domain = client.post(url, {"profile": foreign.pk, "name": "x"})
    assert other_domain.status_code == 400
    assert "Select a valid choice" in text(other_domain)
    assert Environment.objects.filter(project=project).count() == 1


@pytest.mark.django_db
def test_environment_form_explains_missing_profiles(client_for, project, owner, platform_admin):
    html = text(client_for(owner).get(reverse("environment-create", args=[project.pk])))
    assert "Domain streaming has no environment profiles yet" in html
    assert "Ask a platform admin" in html
    create_profile = reverse("platform-profile-create", args=[project.domain_id])
    assert create_profile not in html

    ProjectMembershipFactory(project=project, user=platform_admin, designation="OWNER")
    staff = text(client_for(platform_admin).get(reverse("environment-create", args=[project.pk])))
    assert create_profile in staff


# --- Domains --------------------------------------------------------------------------


@pytest.mark.django_db
def test_domain_list_shows_accounts_and_profiles(client_for, profile, outsider, platform_admin):
    html = text(client_for(outsider).get(reverse("domain-list")))
    assert "streaming" in html
    assert "DataLakeProfile" in html and "Data lake" in html
    assert "111111111111" in html and "us-east-1" in html
    assert reverse("platform-domain-create") not in html
    assert reverse("platform-domain-create") in text(
        client_for(platform_admin).get(reverse("domain-list"))
    )


# --- Notifications --------------------------------------------------------------------


@pytest.mark.django_db
def test_reading_a_notification_marks_it_read_and_follows_its_link(client_for, owner, project):
    notification = NotificationFactory(recipient=owner, link=f"/projects/{project.pk}/")
    client = client_for(owner)
    assert 'data-testid="unread-count">1<' in text(client.get("/"))

    response = client.post(reverse("notification-read", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert 'data-testid="unread-count"' not in text(client.get("/"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "link", ["https://evil.example.com/", "//evil.example.com/x", "/\\evil.example.com", ""]
)
def test_notification_links_elsewhere_go_back_to_the_inbox(client_for, owner, link):
    notification = NotificationFactory(recipient=owner, link=link)
    response = client_for(owner).post(reverse("notification-read", args=[notification.pk]))
    assert response["Location"] == reverse("notification-list")
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.django_db
def test_inbox_tabs_and_mark_all_read(client_for, owner):
    NotificationFactory(recipient=owner, title="Environment ready")
    NotificationFactory(
        recipient=owner, kind=NotificationKind.TASK, title="Decide the request", link="/"
    )
    NotificationFactory(
        recipient=owner,
        kind=NotificationKind.TASK,
        title="Old task",
        task_status=TaskStatus.INACTIVE,
    )
    client = client_for(owner)
    url = reverse("notification-list")

    def titles(params):
        return [n.title for n in client.get(url, params).context["page"].object_list]

    assert sorted(titles({})) == ["Decide the request", "Environment ready", "Old task"]
    assert titles({"kind": "TASK", "task_status": "ACTIVE"}) == ["Decide the request"]
    open_tasks = text(client.get(url, {"kind": "TASK", "task_status": "ACTIVE"}))
    assert 'aria-current="page">Open tasks' in open_tasks
    assert 'data-testid="open-task"' in open_tasks

    response = client.post(
        reverse("notification-read-all"), {"next": f"{url}?unread=true"}, follow=True
    )
    assert response.redirect_chain == [(f"{url}?unread=true", 302)]
    assert messages_of(response) == ["Marked 3 notifications as read."]
    assert titles({"unread": "true"}) == []
    assert "You are all caught up" in text(response)
    assert not Notification.objects.filter(recipient=owner, read_at__isnull=True).exists()


# --- Sign-in ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_in_page_shows_the_sso_button_only_when_configured(client, settings):
    page = text(client.get(reverse("account_login")))
    assert "Sign in with" not in page
    assert 'name="login"' in page and "Sign in</button>" in page

    settings.OIDC_PROVIDER_NAME = "Acme SSO"
    settings.OIDC_PROVIDER_ID = "acme"
    settings.SOCIALACCOUNT_PROVIDERS = oidc_providers(
        "http://127.0.0.1:9/idp", "mesh-portal", "secret", "Acme SSO", "acme", ["openid"]
    )
    page = text(client.get(reverse("account_login")))
    assert "Sign in with Acme SSO</button>" in page
    sso_form = re.search(r'<form method="post" action="([^"]+)"[^>]*data-testid="sso-form">', page)
    assert sso_form and sso_form.group(1) == "/accounts/oidc/acme/login/"
    form_html = page[sso_form.start() : page.index("</form>", sso_form.start())]
    assert 'name="csrfmiddlewaretoken"' in form_html


@pytest.mark.django_db
def test_allauth_pages_are_in_the_portal_frame(client, settings):
    settings.OIDC_PROVIDER_NAME = "Acme SSO"
    settings.SOCIALACCOUNT_PROVIDERS = oidc_providers(
        "http://127.0.0.1:9/idp", "mesh-portal", "secret", "Acme SSO", "acme", ["openid"]
    )
    confirm = client.get("/accounts/oidc/acme/login/")
    assert confirm.status_code == 200
    html = text(confirm)
    assert "Sign in with Acme SSO</h1>" in html
    assert "Continue</button>" in html and 'name="csrfmiddlewaretoken"' in html

    closed = text(client.get(reverse("account_signup")))
    assert "Accounts are not created here" in closed
    assert "Sign in with Acme SSO: your Mesh Portal account is created" in closed

    reset = client.get(reverse("account_reset_password"))
    assert "allauth/layouts/base.html" in [t.name for t in reset.templates]
    assert 'class="auth-card auth-card--allauth"' in text(reset)
    assert "/static/css/portal.css" in text(reset)


@pytest.mark.django_db
def test_sign_in_with_a_wrong_password_shows_the_error(client, owner, password):
    response = client.post(
        reverse("account_login"), {"login": owner.username, "password": "not-it"}
    )
    assert response.status_code == 200
    html = text(response)
    assert "The username and/or password you specified are not correct." in html
    assert 'data-testid="login-error"' in html
    assert f'value="{owner.username}"' in html

    ok = client.post(reverse("account_login"), {"login": owner.username, "password": password})
    assert ok.status_code == 302 and ok["Location"] == "/"


@pytest.mark.django_db
def test_sign_out_button_posts_to_allauth(client_for, owner):
    client = client_for(owner)
    html = text(client.get("/"))
    assert f'<form method="post" action="{reverse("account_logout")}"' in html
    assert "Sign out</button>" in html
    confirm = client.get(reverse("account_logout"))
    assert "Do you want to sign out of Mesh Portal" in text(confirm)
    client.post(reverse("account_logout"))
    assert client.get("/").status_code == 302


# --- Error pages and layout ----------------------------------------------------------


@pytest.mark.django_db
def test_error_pages(client_for, outsider):
    response = client_for(outsider).get("/projects/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert "Page not found" in text(response)
    assert "404.html" in [t.name for t in response.templates]
    # 500 is rendered without a request or database: nothing in it may need them.
    html = render_to_string("500.html")
    assert "Something went wrong" in html and "/static/css/portal.css" in html


@pytest.mark.django_db
def test_layout_navigation_and_htmx_setup(client_for, owner):
    html = text(client_for(owner).get(reverse("project-list")))
    for href in ("/", "/projects/", "/domains/", "/notifications/", "/api/docs/"):
        assert f'href="{href}"' in html
    assert 'href="/projects/" aria-current="page"' in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert re.search(r"hx-headers='\{\"X-CSRFToken\": \"[\w-]+\"\}'", html)
    # Everything the page loads comes from this server: no src or href leaves it (a CDN's
    # address, absolute or protocol-relative). Not a search for "cdn", which the random
    # CSRF token contains now and then.
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)


@pytest.mark.django_db
def test_home_empty_state_tells_a_newcomer_what_to_do(client_for, outsider):
    html = text(client_for(outsider).get("/"))
    assert "You are not in any project yet" in html
    assert "Ask one of its owners to add <strong>marketing-team-admin</strong>" in html
    assert f'href="{reverse("project-create")}"' in html
    assert "Nothing waiting for you" in html


# --- Query counts do not grow with rows --------------------------------------------------


def queries_for(client, url) -> int:
    client.get(url)  # warm up (session, first-request work)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def many_projects_for(user, domain, count=30):
    for n in range(count):
        project = ProjectFactory(domain=domain, name=f"Bulk {n:02d}")
        ProjectMembershipFactory(project=project, user=user, designation=Designation.OWNER)
        ProjectMembershipFactory(project=project, designation=Designation.VIEWER)
        EnvironmentFactory(project=project, profile__aws_account__account_id=f"{n:012d}")


@pytest.mark.django_db
def test_home_query_count_is_pinned(client_for, owner, project, django_assert_num_queries):
    client = client_for(owner)
    NotificationFactory(recipient=owner, kind=NotificationKind.TASK)
    small = queries_for(client, "/")

    many_projects_for(owner, project.domain)
    for _ in range(20):
        NotificationFactory(recipient=owner, kind=NotificationKind.TASK)
        NotificationFactory(recipient=owner)
    with django_assert_num_queries(small):
        client.get("/")


@pytest.mark.django_db
def test_project_list_query_count_is_pinned(client_for, owner, project, django_assert_num_queries):
    client = client_for(owner)
    small = queries_for(client, reverse("project-list"))

    many_projects_for(owner, project.domain)
    with django_assert_num_queries(small):
        response = client.get(reverse("project-list"))
    assert len(response.context["page"].object_list) == 25


@pytest.mark.django_db
def test_project_detail_query_count_is_pinned(
    client_for, owner, project, profile, django_assert_num_queries
):
    client = client_for(owner)
    url = reverse("project-detail", args=[project.pk])
    EnvironmentFactory(project=project, profile=profile)
    small = queries_for(client, url)

    for n in range(25):
        ProjectMembershipFactory(project=project, designation=Designation.CONTRIBUTOR)
        ProjectMembership.objects.create(project=project, group=f"team-{n}", designation="VIEWER")
        # each with its own profile and account
        EnvironmentFactory(project=project, profile__aws_account__account_id=f"{n:012d}")
    with django_assert_num_queries(small):
        response = client.get(url)
    assert text(response).count('data-testid="environment-status"') == 26


@pytest.mark.django_db
def test_notification_list_query_count_is_pinned(client_for, owner, django_assert_num_queries):
    client = client_for(owner)
    NotificationFactory(recipient=owner)
    url = reverse("notification-list")
    small = queries_for(client, url)

    for _ in range(20):
        NotificationFactory(recipient=owner, kind=NotificationKind.TASK)
        NotificationFactory(recipient=owner)
    with django_assert_num_queries(small):
        client.get(url)
