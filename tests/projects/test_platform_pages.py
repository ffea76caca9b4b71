"""Platform setup pages (platform admins): domains, AWS accounts and their access check,
environment profiles with typed fields; and what platform admins see of projects."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.choices import Blueprint, DomainRole, EnvironmentStatus
from projects.models import AwsAccount, Domain, EnvironmentProfile
from tests.pages import messages_of, text
from tests.projects.factories import (
    AwsAccountFactory,
    DomainFactory,
    DomainMembershipFactory,
    EnvironmentFactory,
    EnvironmentProfileFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    UserFactory,
)
from tests.sharing.conftest import multi_account_moto_server, two_accounts  # noqa: F401

pytestmark = pytest.mark.django_db


def field_errors(response) -> dict:
    form = response.context["form"]
    return {name: list(errors) for name, errors in form.errors.items()}


# --- Navigation -----------------------------------------------------------------------


def test_only_platform_admins_see_the_platform_entry(client_for, platform_admin, steward):
    admin_home = text(client_for(platform_admin).get(reverse("home")))
    assert 'data-testid="nav-platform"' in admin_home
    assert 'data-testid="nav-platform"' not in text(client_for(steward).get(reverse("home")))
    page = text(client_for(platform_admin).get(reverse("platform-home")))
    assert 'href="/platform/" aria-current="page" data-testid="nav-platform"' in page


# --- Domains --------------------------------------------------------------------------


def test_admin_creates_a_domain_and_becomes_its_owner(client_for, platform_admin):
    response = client_for(platform_admin).post(
        reverse("platform-domain-create"),
        {"name": "streaming", "description": "Films and series."},
        follow=True,
    )
    domain = Domain.objects.get(name="streaming")
    assert response.redirect_chain == [(reverse("platform-domain-detail", args=[domain.pk]), 302)]
    assert domain.memberships.get().role == DomainRole.OWNER
    assert messages_of(response) == [
        "Domain “streaming” created. You are its owner. Next: associate the AWS account its "
        "data lives in."
    ]
    assert "No AWS account yet" in text(response)


def test_domain_form_reports_a_duplicate_and_keeps_the_input(client_for, platform_admin, domain):
    response = client_for(platform_admin).post(
        reverse("platform-domain-create"), {"name": "Streaming", "description": "Kept."}
    )
    assert response.status_code == 400
    assert field_errors(response) == {"name": ["A domain named 'Streaming' already exists."]}
    assert 'value="Streaming"' in text(response) and "Kept.</textarea>" in text(response)


def test_admin_edits_a_domain(client_for, platform_admin, domain):
    client = client_for(platform_admin)
    url = reverse("platform-domain-edit", args=[domain.pk])
    assert 'value="streaming"' in text(client.get(url))
    response = client.post(url, {"name": "streaming", "description": "Films."})
    assert response.status_code == 302
    domain.refresh_from_db()
    assert domain.description == "Films."


def test_a_domain_in_use_is_not_deleted_and_the_page_says_why(client_for, platform_admin, project):
    response = client_for(platform_admin).post(
        reverse("platform-domain-delete", args=[project.domain_id]), follow=True
    )
    assert Domain.objects.filter(pk=project.domain_id).exists()
    assert messages_of(response) == [
        "Domain 'streaming' is still in use (1 projects); delete or move those first."
    ]


def test_an_empty_domain_is_deleted(client_for, platform_admin):
    domain = DomainFactory(name="spare")
    response = client_for(platform_admin).post(reverse("platform-domain-delete", args=[domain.pk]))
    assert response["Location"] == reverse("platform-home")
    assert not Domain.objects.filter(pk=domain.pk).exists()


# --- AWS accounts ---------------------------------------------------------------------


def test_admin_associates_an_account(client_for, platform_admin, domain):
    response = client_for(platform_admin).post(
        reverse("platform-account-create", args=[domain.pk]),
        {
            "account_id": "111111111111",
            "name": "Producer",
            "region": "us-east-1",
            "role_arn": "arn:aws:iam::111111111111:role/MeshPortal",
        },
        follow=True,
    )
    account = AwsAccount.objects.get(domain=domain)
    assert account.role_arn == "arn:aws:iam::111111111111:role/MeshPortal"
    assert messages_of(response) == [
        "Account 111111111111 associated with streaming. Check the portal's access there "
        "with “Check access”."
    ]
    assert "Check access</button>" in text(response)


def test_account_form_reports_every_error_at_once(client_for, platform_admin, domain):
    response = client_for(platform_admin).post(
        reverse("platform-account-create", args=[domain.pk]),
        {"account_id": "1111", "region": "Ireland", "role_arn": "arn:aws:iam::2:user/x"},
    )
    assert response.status_code == 400
    errors = field_errors(response)
    assert errors["account_id"] == ["An AWS account id is exactly 12 digits, e.g. 111111111111."]
    assert errors["region"] == ["Enter an AWS region such as us-east-1."]
    assert errors["role_arn"] == [
        "Enter an IAM role ARN such as arn:aws:iam::111111111111:role/MeshPortal."
    ]
    assert not AwsAccount.objects.exists()


def test_a_role_of_another_account_is_refused(client_for, platform_admin, domain):
    response = client_for(platform_admin).post(
        reverse("platform-account-create", args=[domain.pk]),
        {
            "account_id": "111111111111",
            "region": "us-east-1",
            "role_arn": "arn:aws:iam::222222222222:role/MeshPortal",
        },
    )
    assert response.status_code == 400
    assert field_errors(response) == {
        "role_arn": ["The role must belong to account 111111111111 (…:iam::111111111111:role/…)."]
    }


def test_a_second_association_of_the_same_account_is_a_field_error(
    client_for, platform_admin, aws_account
):
    response = client_for(platform_admin).post(
        reverse("platform-account-create", args=[aws_account.domain_id]),
        {"account_id": "111111111111", "region": "us-east-1"},
    )
    assert response.status_code == 400
    assert field_errors(response) == {
        "account_id": ["Account 111111111111 is already associated with this domain."]
    }


def test_admin_edits_and_removes_an_account(client_for, platform_admin, domain):
    account = AwsAccountFactory(domain=domain, account_id="333333333333")
    client = client_for(platform_admin)
    edited = client.post(
        reverse("platform-account-edit", args=[account.pk]),
        {"account_id": "333333333333", "name": "Analytics", "region": "eu-west-1"},
        follow=True,
    )
    assert messages_of(edited) == ["Account 333333333333 saved."]
    account.refresh_from_db()
    assert (account.name, account.region) == ("Analytics", "eu-west-1")
    removed = client.post(reverse("platform-account-delete", args=[account.pk]), follow=True)
    assert messages_of(removed) == ["Account 333333333333 removed from the domain."]
    assert not AwsAccount.objects.filter(pk=account.pk).exists()


def test_an_account_in_use_stays(client_for, platform_admin, profile):
    response = client_for(platform_admin).post(
        reverse("platform-account-delete", args=[profile.aws_account_id]), follow=True
    )
    assert AwsAccount.objects.filter(pk=profile.aws_account_id).exists()
    assert messages_of(response) == [
        "AWS account 111111111111 is still in use (1 environment profiles); delete or move "
        "those first."
    ]


def test_check_access_answers_htmx_with_the_report(
    two_accounts,  # noqa: F811
    client_for,
    platform_admin,
    domain,
):
    account = AwsAccountFactory(
        domain=domain,
        account_id="111111111111",
        role_arn="arn:aws:iam::111111111111:role/MeshPortal",
    )
    EnvironmentProfileFactory(
        domain=domain, aws_account=account, name="Lake", parameters={"s3_bucket": "missing-bucket"}
    )
    client = client_for(platform_admin)
    url = reverse("platform-account-check", args=[account.pk])

    partial = client.post(url, headers={"HX-Request": "true"})
    html = text(partial)
    assert partial.status_code == 200
    assert "<!DOCTYPE html>" not in html  # a fragment for the account's row
    assert 'data-check="glue" data-status="OK"' in html
    assert 'data-check="s3:missing-bucket" data-status="FAILED"' in html
    assert "Bucket missing-bucket (named by profile Lake) does not exist" in html
    assert "Some checks failed in account 111111111111." in html

    page = client.post(url)  # without JavaScript: a page of its own
    assert "<!DOCTYPE html>" in text(page) and "Check again" in text(page)


# --- Environment profiles -------------------------------------------------------------


def test_profile_creation_starts_with_the_blueprint(client_for, platform_admin, aws_account):
    html = text(
        client_for(platform_admin).get(
            reverse("platform-profile-create", args=[aws_account.domain_id])
        )
    )
    assert "?blueprint=DATA_LAKE" in html and "?blueprint=DATA_WAREHOUSE" in html


def test_data_lake_profile_through_typed_fields(client_for, platform_admin, aws_account):
    client = client_for(platform_admin)
    url = reverse("platform-profile-create", args=[aws_account.domain_id]) + "?blueprint=DATA_LAKE"
    form = text(client.get(url))
    assert 'name="s3_bucket"' in form and 'name="grant_role_arn"' in form
    assert 'name="host"' not in form and 'name="parameters"' not in form
    # The only account of the domain is preselected.
    assert f'<option value="{aws_account.pk}" selected>' in form

    missing = client.post(url, {"name": "DataLakeProfile", "aws_account": aws_account.pk})
    assert missing.status_code == 400
    assert field_errors(missing) == {
        "s3_bucket": [
            "A DATA_LAKE profile needs 's3_bucket', the S3 bucket that holds the "
            "environments' data."
        ]
    }
    assert not EnvironmentProfile.objects.exists()

    created = client.post(
        url,
        {"name": "DataLakeProfile", "aws_account": aws_account.pk, "s3_bucket": " lake-data "},
    )
    assert created.status_code == 302
    profile = EnvironmentProfile.objects.get()
    assert profile.blueprint == Blueprint.DATA_LAKE
    assert profile.parameters == {"s3_bucket": "lake-data"}
    assert profile.region == "us-east-1"  # the account's, as the field's help says


def test_data_lake_profile_errors_together(client_for, platform_admin, aws_account):
    url = reverse("platform-profile-create", args=[aws_account.domain_id]) + "?blueprint=DATA_LAKE"
    response = client_for(platform_admin).post(
        url,
        {
            "name": "",
            "aws_account": aws_account.pk,
            "s3_bucket": "Not_A_Bucket",
            "grant_role_arn": "role/Grants",
        },
    )
    errors = field_errors(response)
    assert errors["name"] == ["This field is required."]
    assert errors["s3_bucket"][0].startswith("'Not_A_Bucket' is not a valid S3 bucket name")
    assert errors["grant_role_arn"][0].startswith("'grant_role_arn' must be an IAM role ARN")


def test_data_warehouse_profile_through_typed_fields(client_for, platform_admin, aws_account):
    client = client_for(platform_admin)
    url = (
        reverse("platform-profile-create", args=[aws_account.domain_id])
        + "?blueprint=DATA_WAREHOUSE"
    )
    form = text(client.get(url))
    # What the blueprint needs is not marked optional; the port has its default.
    for field, label in [
        ("host", "Host"),
        ("database", "Database"),
        ("user", "User"),
        ("password_env", "Environment variable"),
    ]:
        assert f'for="id_{field}">{label}</label>' in form
    assert 'for="id_port">Port <span class="field__optional">(optional)</span>' in form
    assert 'name="s3_bucket"' not in form

    incomplete = client.post(
        url,
        {
            "name": "Warehouse",
            "aws_account": aws_account.pk,
            "port": "70000",
            "password_source": "password_env",
        },
    )
    assert incomplete.status_code == 400
    assert field_errors(incomplete) == {
        "host": ["A DATA_WAREHOUSE profile needs 'host', the cluster's host."],
        "port": ["Ensure this value is less than or equal to 65535."],
        "database": ["A DATA_WAREHOUSE profile needs 'database', the database to connect to."],
        "user": ["A DATA_WAREHOUSE profile needs 'user', the portal's database user."],
        "password_env": [
            "A DATA_WAREHOUSE profile needs the password's source: 'password_env' (an "
            "environment variable of the portal) or 'secret_arn' (AWS Secrets Manager)."
        ],
    }

    created = client.post(
        url,
        {
            "name": "Warehouse",
            "aws_account": aws_account.pk,
            "host": "cluster.example.com",
            "port": "5439",
            "database": "dev",
            "user": "meshportal",
            "password_source": "secret_arn",
            # Typed before switching the source: the profile keeps only the chosen one.
            "password_env": "OLD_VARIABLE",
            "secret_arn": "arn:aws:secretsmanager:us-east-1:111111111111:secret:redshift",
        },
    )
    assert created.status_code == 302, field_errors(created)
    assert EnvironmentProfile.objects.get().parameters == {
        "host": "cluster.example.com",
        "port": 5439,
        "database": "dev",
        "user": "meshportal",
        "secret_arn": "arn:aws:secretsmanager:us-east-1:111111111111:secret:redshift",
    }


def test_editing_a_profile_keeps_parameters_the_form_does_not_know(
    client_for, platform_admin, profile
):
    profile.parameters = {"s3_bucket": "meshportal-environments", "team_tag": "films"}
    profile.save()
    client = client_for(platform_admin)
    url = reverse("platform-profile-edit", args=[profile.pk])
    form = text(client.get(url))
    assert 'value="meshportal-environments"' in form
    response = client.post(
        url,
        {
            "name": profile.name,
            "aws_account": profile.aws_account_id,
            "region": "us-east-1",
            "s3_bucket": "other-bucket",
        },
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.parameters == {"s3_bucket": "other-bucket", "team_tag": "films"}


def test_a_profile_in_use_stays(client_for, platform_admin, project, profile):
    EnvironmentFactory(project=project, profile=profile)
    response = client_for(platform_admin).post(
        reverse("platform-profile-delete", args=[profile.pk]), follow=True
    )
    assert EnvironmentProfile.objects.filter(pk=profile.pk).exists()
    assert "is still in use (1 environments)" in messages_of(response)[0]


def test_profile_form_without_accounts_sends_the_admin_to_associate_one(client_for, platform_admin):
    domain = DomainFactory(name="bare")
    html = text(
        client_for(platform_admin).get(
            reverse("platform-profile-create", args=[domain.pk]) + "?blueprint=DATA_LAKE"
        )
    )
    assert "Associate an AWS account first" in html
    assert reverse("platform-account-create", args=[domain.pk]) in html


# --- What platform admins see of projects -----------------------------------------------


def test_admin_sees_every_project_read_only(client_for, platform_admin, project):
    other = ProjectFactory(domain=project.domain, name="Zeta")
    ProjectMembershipFactory(project=other, user=platform_admin, designation="OWNER")
    client = client_for(platform_admin)

    listing = text(client.get(reverse("project-list")))
    assert "Film Catalog Project" in listing and "Zeta" in listing
    assert "You see this project as a platform admin (read-only)" in listing

    page = client.get(reverse("project-detail", args=[project.pk]))
    html = text(page)
    assert page.status_code == 200
    assert 'data-testid="seen-as">Platform admin — read-only' in html
    assert 'data-testid="admin-read-only"' in html
    assert 'data-testid="add-member-form"' not in html and "Create environment" not in html
    assert 'data-testid="inventory-link"' not in html

    # Seeing is not changing.
    assert client.get(reverse("project-edit", args=[project.pk])).status_code == 403

    mine = text(client.get(reverse("project-detail", args=[other.pk])))
    assert 'data-testid="admin-read-only"' not in mine and 'data-testid="add-member-form"' in mine

    # Home still lists the admin's own projects.
    home = text(client.get(reverse("home")))
    assert "Zeta" in home and "Film Catalog Project" not in home


def test_a_steward_admin_is_shown_as_steward(client_for, platform_admin, project):
    DomainMembershipFactory(domain=project.domain, user=platform_admin, role=DomainRole.STEWARD)
    html = text(client_for(platform_admin).get(reverse("project-detail", args=[project.pk])))
    assert 'data-testid="seen-as">Domain steward — read-only' in html
    assert 'data-testid="inventory-link"' in html


def test_others_still_see_only_their_projects(client_for, outsider, project):
    assert "Film Catalog Project" not in text(client_for(outsider).get(reverse("project-list")))
    assert client_for(outsider).get(reverse("project-detail", args=[project.pk])).status_code == 404


# --- Counts link to what they count ---------------------------------------------------


def test_domain_counts_link_to_the_filtered_project_list(client_for, platform_admin, project):
    ProjectFactory(domain=DomainFactory(name="finance"), name="Ledger")
    client = client_for(platform_admin)
    domains = text(client.get(reverse("domain-list")))
    link = f'href="/projects/?domain={project.domain_id}" data-testid="domain-project-count"'
    assert f"{link}>1 project</a>" in domains

    listing = text(client.get(f"/projects/?domain={project.domain_id}"))
    assert "Film Catalog Project" in listing and "Ledger" not in listing


def test_the_domains_page_counts_what_the_user_finds_behind_the_link(client_for, owner, project):
    ProjectFactory(domain=project.domain, name="Hidden")
    html = text(client_for(owner).get(reverse("domain-list")))
    assert 'title="2 in all; you see those you are a member of or steward">1 project</a>' in html


def test_profile_project_count_links_to_projects_using_it(
    client_for, platform_admin, project, profile
):
    EnvironmentFactory(project=project, profile=profile)
    EnvironmentFactory(project=project, profile=profile)
    gone = ProjectFactory(domain=project.domain, name="Gone")
    EnvironmentFactory(project=gone, profile=profile, status=EnvironmentStatus.DELETED)
    ProjectFactory(domain=project.domain, name="Unrelated")
    client = client_for(platform_admin)

    detail = text(client.get(reverse("platform-domain-detail", args=[project.domain_id])))
    assert f'href="/projects/?profile={profile.pk}" aria-label="1 project with environments' in (
        detail
    )
    listing = text(client.get(f"/projects/?profile={profile.pk}"))
    assert "Film Catalog Project" in listing
    assert "Gone" not in listing and "Unrelated" not in listing
    assert 'data-testid="profile-filter"' in listing and "DataLakeProfile" in listing


def test_project_counts_link_to_environments_and_members(client_for, owner, project):
    html = text(client_for(owner).get(reverse("project-list")))
    detail = reverse("project-detail", args=[project.pk])
    assert f'href="{detail}#environments"' in html and f'href="{detail}#members"' in html


# --- Pinned query counts ---------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow_platform(start: int, n: int):
    for i in range(start, start + n):
        domain = DomainFactory(name=f"grown-{i}")
        account = AwsAccountFactory(domain=domain, account_id=f"{i + 1:012d}")
        EnvironmentProfileFactory(domain=domain, aws_account=account)
        ProjectFactory(domain=domain)
        DomainMembershipFactory(domain=domain, user=UserFactory())


def test_platform_home_query_count_is_pinned(client_for, platform_admin):
    client = client_for(platform_admin)
    _grow_platform(0, 1)
    few = _queries(client, reverse("platform-home"))
    _grow_platform(1, 6)
    assert _queries(client, reverse("platform-home")) == few == 7


def test_platform_domain_page_query_count_is_pinned(client_for, platform_admin, domain):
    client = client_for(platform_admin)
    url = reverse("platform-domain-detail", args=[domain.pk])
    account = AwsAccountFactory(domain=domain, account_id="111111111111")
    EnvironmentProfileFactory(domain=domain, aws_account=account)
    few = _queries(client, url)
    for i in range(5):
        more = AwsAccountFactory(domain=domain, account_id=f"{i + 2:012d}")
        EnvironmentProfileFactory(domain=domain, aws_account=more)
    assert _queries(client, url) == few == 9


def test_project_list_query_count_is_pinned_for_admins(client_for, platform_admin, domain):
    client = client_for(platform_admin)
    ProjectFactory(domain=domain)
    few = _queries(client, reverse("project-list"))
    for _ in range(6):
        ProjectFactory(domain=domain)
    assert _queries(client, reverse("project-list")) == few
