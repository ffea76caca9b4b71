"""The projects API: what each endpoint returns, how bad input is answered, and that
lists cost a constant number of queries. Permissions per persona are in
test_api_permissions.py."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects.choices import Designation, EnvironmentStatus
from projects.models import (
    AwsAccount,
    Domain,
    EnvironmentProfile,
    Notification,
    Project,
    ProjectMembership,
)
from projects.provisioning import DATA_LAKE_STEPS
from tests.permissions import API, assert_field_error, assert_not_found, row_counts
from tests.projects.factories import (
    TABLES,
    AwsAccountFactory,
    DomainFactory,
    DomainMembershipFactory,
    EnvironmentFactory,
    EnvironmentProfileFactory,
    NotificationFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    UserFactory,
)


def counts():
    """Row counts of everything an API write could leave half-made."""
    return row_counts(*TABLES)


# --- Domains ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_platform_admin_creates_updates_and_deletes_a_domain(platform_admin, api_client_for):
    client = api_client_for(platform_admin)

    created = client.post(f"{API}/domains/", {"name": "marketing", "description": "Campaigns"})
    assert created.status_code == 201, created.json()
    domain = created.json()
    assert domain["name"] == "marketing"
    assert domain["project_count"] == 0

    updated = client.patch(f"{API}/domains/{domain['id']}/", {"description": "Ads and campaigns"})
    assert updated.status_code == 200
    assert updated.json()["description"] == "Ads and campaigns"
    assert updated.json()["name"] == "marketing"

    assert client.delete(f"{API}/domains/{domain['id']}/").status_code == 204
    assert not Domain.objects.filter(name="marketing").exists()


@pytest.mark.django_db
def test_duplicate_or_too_long_domain_name_is_a_field_error(platform_admin, domain, api_client_for):
    client = api_client_for(platform_admin)
    before = counts()

    assert_field_error(client.post(f"{API}/domains/", {"name": "Streaming"}), "name", "already")
    assert_field_error(client.post(f"{API}/domains/", {"name": "x" * 65}), "name", "64")
    assert_field_error(client.post(f"{API}/domains/", {}), "name", "required")
    assert counts() == before


@pytest.mark.django_db
def test_deleting_a_domain_that_has_projects_is_a_conflict(platform_admin, project, api_client_for):
    response = api_client_for(platform_admin).delete(f"{API}/domains/{project.domain_id}/")

    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "streaming" in detail and "projects" in detail and "delete or move" in detail
    assert Domain.objects.filter(pk=project.domain_id).exists()


@pytest.mark.django_db
def test_domain_list_counts_projects(outsider, domain, api_client_for):
    ProjectFactory(domain=domain)
    ProjectFactory(domain=domain)
    DomainFactory(name="marketing")

    body = api_client_for(outsider).get(f"{API}/domains/").json()

    assert [(d["name"], d["project_count"]) for d in body["results"]] == [
        ("marketing", 0),
        ("streaming", 2),
    ]


# --- AWS accounts -------------------------------------------------------------------------


@pytest.mark.django_db
def test_platform_admin_associates_an_aws_account(platform_admin, domain, api_client_for):
    response = api_client_for(platform_admin).post(
        f"{API}/aws-accounts/",
        {
            "domain": str(domain.pk),
            "name": "Consumer",
            "account_id": "222222222222",
            "region": "eu-west-1",
            "role_arn": "arn:aws:iam::222222222222:role/MeshPortal",
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["domain"] == str(domain.pk)
    assert body["domain_name"] == "streaming"
    assert body["account_id"] == "222222222222"
    assert body["role_arn"] == "arn:aws:iam::222222222222:role/MeshPortal"
    assert AwsAccount.objects.get(pk=body["id"]).region == "eu-west-1"


@pytest.mark.django_db
@pytest.mark.parametrize("account_id", ["12345", "1234567890123", "11111111111a", ""])
def test_malformed_account_id_is_a_field_error(account_id, platform_admin, domain, api_client_for):
    before = counts()
    response = api_client_for(platform_admin).post(
        f"{API}/aws-accounts/",
        {"domain": str(domain.pk), "account_id": account_id, "region": "us-east-1"},
    )

    assert response.status_code == 400
    if account_id:
        assert response.json() == {
            "account_id": ["An AWS account id is exactly 12 digits, e.g. 111111111111."]
        }
    else:
        assert response.json()["account_id"] == ["This field may not be blank."]
    assert counts() == before


@pytest.mark.django_db
def test_aws_account_bad_region_role_and_duplicate(
    platform_admin, domain, aws_account, api_client_for
):
    client = api_client_for(platform_admin)
    before = counts()
    base = {"domain": str(domain.pk), "account_id": "222222222222", "region": "us-east-1"}

    assert_field_error(
        client.post(f"{API}/aws-accounts/", {**base, "region": "Mars"}), "region", "us-east-1"
    )
    assert_field_error(
        client.post(f"{API}/aws-accounts/", {**base, "role_arn": "MeshPortal"}), "role_arn", "ARN"
    )
    assert_field_error(
        client.post(f"{API}/aws-accounts/", {**base, "account_id": "111111111111"}),
        "account_id",
        "already associated",
    )
    assert counts() == before


@pytest.mark.django_db
def test_aws_account_stays_in_its_domain(platform_admin, aws_account, api_client_for):
    other = DomainFactory(name="marketing")
    response = api_client_for(platform_admin).patch(
        f"{API}/aws-accounts/{aws_account.pk}/", {"domain": str(other.pk), "name": "moved"}
    )

    assert_field_error(response, "domain", "cannot be changed")
    aws_account.refresh_from_db()
    assert aws_account.domain.name == "streaming"
    assert aws_account.name == "Producer account"


@pytest.mark.django_db
def test_aws_accounts_filter_by_domain(outsider, aws_account, api_client_for):
    marketing = DomainFactory(name="marketing")
    AwsAccountFactory(domain=marketing, account_id="333333333333")
    client = api_client_for(outsider)

    everything = client.get(f"{API}/aws-accounts/").json()
    streaming = client.get(f"{API}/aws-accounts/", {"domain": str(aws_account.domain_id)}).json()

    assert everything["count"] == 2
    assert [a["account_id"] for a in streaming["results"]] == ["111111111111"]


@pytest.mark.django_db
def test_deleting_an_account_used_by_a_profile_is_a_conflict(
    platform_admin, aws_account, profile, api_client_for
):
    response = api_client_for(platform_admin).delete(f"{API}/aws-accounts/{aws_account.pk}/")

    assert response.status_code == 409
    assert "environment profiles" in response.json()["detail"]
    assert AwsAccount.objects.filter(pk=aws_account.pk).exists()


# --- Environment profiles -----------------------------------------------------------------


def profile_body(domain, account, **overrides):
    return {
        "domain": str(domain.pk),
        "name": "Lake",
        "blueprint": "DATA_LAKE",
        "aws_account": str(account.pk),
        "region": "us-east-1",
        "parameters": {"s3_bucket": "meshportal-environments"},
        **overrides,
    }


@pytest.mark.django_db
def test_platform_admin_defines_a_profile(platform_admin, domain, aws_account, api_client_for):
    response = api_client_for(platform_admin).post(
        f"{API}/environment-profiles/", profile_body(domain, aws_account), format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["blueprint"] == "DATA_LAKE"
    assert body["aws_account_id"] == "111111111111"
    assert body["parameters"] == {"s3_bucket": "meshportal-environments"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"parameters": {}}, "parameters", "s3_bucket"),
        ({"parameters": {"s3_bucket": "Not A Bucket"}}, "parameters", "not a valid S3 bucket"),
        ({"parameters": ["s3_bucket"]}, "parameters", "JSON object"),
        (
            {"blueprint": "DATA_WAREHOUSE", "parameters": {"host": "h", "user": "u"}},
            "parameters",
            "'database'",
        ),
        (
            {
                "blueprint": "DATA_WAREHOUSE",
                "parameters": {"host": "h", "database": "d", "user": "u"},
            },
            "parameters",
            "password",
        ),
        ({"blueprint": "DATA_SWAMP"}, "blueprint", "not a valid choice"),
        ({"name": "DataLakeProfile"}, "name", "already has"),
    ],
)
def test_invalid_profile_is_a_field_error(
    overrides, field, fragment, platform_admin, domain, aws_account, profile, api_client_for
):
    before = counts()
    response = api_client_for(platform_admin).post(
        f"{API}/environment-profiles/",
        profile_body(domain, aws_account, **overrides),
        format="json",
    )

    assert_field_error(response, field, fragment)
    assert counts() == before


@pytest.mark.django_db
def test_profile_account_must_belong_to_the_profile_domain(platform_admin, domain, api_client_for):
    foreign_account = AwsAccountFactory(domain=DomainFactory(name="marketing"))
    response = api_client_for(platform_admin).post(
        f"{API}/environment-profiles/", profile_body(domain, foreign_account), format="json"
    )

    assert_field_error(response, "aws_account", "same domain")
    assert not EnvironmentProfile.objects.exists()


@pytest.mark.django_db
def test_profile_update_validates_parameters(platform_admin, profile, api_client_for):
    client = api_client_for(platform_admin)

    bad = client.patch(
        f"{API}/environment-profiles/{profile.pk}/", {"parameters": {}}, format="json"
    )
    good = client.patch(
        f"{API}/environment-profiles/{profile.pk}/",
        {"parameters": {"s3_bucket": "other-bucket"}},
        format="json",
    )

    assert_field_error(bad, "parameters", "s3_bucket")
    assert good.status_code == 200
    profile.refresh_from_db()
    assert profile.parameters == {"s3_bucket": "other-bucket"}


@pytest.mark.django_db
def test_profiles_filter_by_domain_and_blueprint(outsider, profile, api_client_for):
    marketing = DomainFactory(name="marketing")
    EnvironmentProfileFactory(domain=marketing, name="Warehouse", blueprint="DATA_WAREHOUSE")
    client = api_client_for(outsider)

    by_domain = client.get(f"{API}/environment-profiles/", {"domain": str(profile.domain_id)})
    by_blueprint = client.get(f"{API}/environment-profiles/", {"blueprint": "DATA_WAREHOUSE"})

    assert [p["name"] for p in by_domain.json()["results"]] == ["DataLakeProfile"]
    assert [p["name"] for p in by_blueprint.json()["results"]] == ["Warehouse"]


@pytest.mark.django_db
def test_deleting_a_profile_with_environments_is_a_conflict(
    platform_admin, project, profile, api_client_for
):
    EnvironmentFactory(project=project, profile=profile)
    response = api_client_for(platform_admin).delete(f"{API}/environment-profiles/{profile.pk}/")

    assert response.status_code == 409
    assert "environments" in response.json()["detail"]
    assert EnvironmentProfile.objects.filter(pk=profile.pk).exists()


# --- Projects -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_creating_a_project_makes_the_creator_its_owner(outsider, domain, api_client_for):
    response = api_client_for(outsider).post(
        f"{API}/projects/",
        {"domain": str(domain.pk), "name": "Marketing Analytics", "description": "Campaigns"},
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Marketing Analytics"
    assert body["domain"] == str(domain.pk)
    assert body["domain_name"] == "streaming"
    assert body["my_designation"] == "OWNER"
    assert body["member_count"] == 1
    assert body["environment_count"] == 0
    assert body["created_by"] == outsider.username
    membership = ProjectMembership.objects.get(project_id=body["id"])
    assert (membership.user, membership.designation) == (outsider, Designation.OWNER)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({"name": "Film Catalog Project"}, "name", "already exists in domain 'streaming'"),
        ({"name": "film CATALOG project"}, "name", "already exists"),
        ({"name": "x" * 65}, "name", "no more than 64"),
        ({"name": "   "}, "name", "blank"),
        ({"name": None}, "name", "null"),
    ],
)
def test_bad_project_name_is_a_field_error(
    body, field, fragment, outsider, project, domain, api_client_for
):
    before = counts()
    response = api_client_for(outsider).post(
        f"{API}/projects/", {"domain": str(domain.pk), **body}, format="json"
    )

    assert_field_error(response, field, fragment)
    assert counts() == before


@pytest.mark.django_db
def test_missing_or_unknown_fields_of_a_project(outsider, api_client_for):
    client = api_client_for(outsider)

    missing = client.post(f"{API}/projects/", {})
    unknown_domain = client.post(
        f"{API}/projects/", {"domain": "00000000-0000-0000-0000-000000000000", "name": "A"}
    )

    assert missing.status_code == 400
    assert missing.json() == {
        "domain": ["This field is required."],
        "name": ["This field is required."],
    }
    assert_field_error(unknown_domain, "domain", "does not exist")
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_the_same_name_in_another_domain_is_fine(outsider, project, api_client_for):
    marketing = DomainFactory(name="marketing")
    response = api_client_for(outsider).post(
        f"{API}/projects/", {"domain": str(marketing.pk), "name": project.name}
    )

    assert response.status_code == 201
    assert Project.objects.filter(name=project.name).count() == 2


@pytest.mark.django_db
def test_owner_renames_a_project_and_a_clash_is_a_field_error(
    owner, project, domain, api_client_for
):
    ProjectFactory(domain=domain, name="Series Catalog")
    client = api_client_for(owner)

    clash = client.patch(f"{API}/projects/{project.pk}/", {"name": "series catalog"})
    renamed = client.patch(f"{API}/projects/{project.pk}/", {"name": "Film Catalog"})

    assert_field_error(clash, "name", "already exists")
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Film Catalog"
    assert renamed.json()["my_designation"] == "OWNER"
    project.refresh_from_db()
    assert project.name == "Film Catalog"


@pytest.mark.django_db
def test_project_list_shows_only_visible_projects_with_counts(
    owner, viewer, steward, outsider, project, profile, api_client_for
):
    EnvironmentFactory(project=project, profile=profile)
    EnvironmentFactory(project=project, profile=profile, status=EnvironmentStatus.DELETED)
    ProjectFactory(domain=DomainFactory(name="marketing"), name="Hidden")

    def names(user):
        body = api_client_for(user).get(f"{API}/projects/").json()
        return {p["name"]: p for p in body["results"]}

    owned = names(owner)
    assert list(owned) == ["Film Catalog Project"]
    assert owned["Film Catalog Project"]["member_count"] == 2  # owner and viewer
    assert owned["Film Catalog Project"]["environment_count"] == 1  # DELETED is not counted
    assert names(viewer)["Film Catalog Project"]["my_designation"] == "VIEWER"
    assert names(steward)["Film Catalog Project"]["my_designation"] is None
    assert names(outsider) == {}


@pytest.mark.django_db
def test_project_list_filters(owner, project, domain, api_client_for):
    other = ProjectFactory(domain=DomainFactory(name="marketing"), name="Campaigns")
    ProjectMembershipFactory(project=other, user=owner, designation=Designation.VIEWER)
    client = api_client_for(owner)

    def names(**params):
        return [p["name"] for p in client.get(f"{API}/projects/", params).json()["results"]]

    assert names() == ["Campaigns", "Film Catalog Project"]
    assert names(domain=str(domain.pk)) == ["Film Catalog Project"]
    assert names(q="campaign") == ["Campaigns"]
    bad = client.get(f"{API}/projects/", {"domain": "not-a-uuid"})
    assert bad.status_code == 400 and "domain" in bad.json()


@pytest.mark.django_db
def test_group_membership_makes_a_project_visible(project, api_client_for):
    ProjectMembershipFactory(project=project, user=None, group="marketing", designation="VIEWER")
    UserFactory(username="ana")
    url = f"{API}/projects/{project.pk}/"

    # Users are re-read for each client: a user object caches its group names.
    def client():
        return api_client_for(get_user_model().objects.get(username="ana"))

    without_group = client().get(url)
    Group.objects.create(name="marketing").user_set.add(
        get_user_model().objects.get(username="ana")
    )
    with_group = client().get(url)

    assert without_group.status_code == 404
    assert without_group.json() == {"detail": "No Project matches the given query."}
    assert with_group.status_code == 200
    assert with_group.json()["my_designation"] == "VIEWER"
    assert client().get(f"{API}/projects/").json()["count"] == 1


@pytest.mark.django_db
def test_domain_owner_sees_the_domain_projects(domain, project, api_client_for):
    domain_owner = UserFactory(username="head-of-streaming")
    DomainMembershipFactory(domain=domain, user=domain_owner, role="OWNER")

    response = api_client_for(domain_owner).get(f"{API}/projects/{project.pk}/")

    assert response.status_code == 200
    assert response.json()["my_designation"] is None


# --- Members ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_owner_adds_a_user_and_a_group(owner, project, api_client_for):
    newcomer = UserFactory(username="newcomer")
    client = api_client_for(owner)
    url = f"{API}/projects/{project.pk}/members/"

    by_user = client.post(url, {"user": "newcomer", "designation": "CONTRIBUTOR"})
    by_group = client.post(url, {"group": "film-analysts", "designation": "VIEWER"})

    assert by_user.status_code == 201, by_user.json()
    assert by_user.json()["user"] == "newcomer"
    assert by_user.json()["group"] == ""
    assert by_user.json()["designation"] == "CONTRIBUTOR"
    assert by_group.status_code == 201, by_group.json()
    assert by_group.json()["user"] is None
    assert by_group.json()["member_name"] == "group film-analysts"
    assert Notification.objects.filter(recipient=newcomer, topic="PROJECT_MEMBER_ADDED").exists()

    listed = client.get(url).json()
    assert listed["count"] == 3
    assert [m["designation"] for m in listed["results"]] == ["OWNER", "CONTRIBUTOR", "VIEWER"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({"user": "nobody", "designation": "VIEWER"}, "user", "No user named 'nobody'"),
        ({"user": "newcomer", "group": "g", "designation": "VIEWER"}, "user", "not both"),
        ({"designation": "VIEWER"}, "user", "either a user or an SSO group"),
        ({"user": "film-catalog-team-admin", "designation": "VIEWER"}, "user", "already"),
        ({"user": "newcomer", "designation": "ADMIN"}, "designation", "not a valid choice"),
        ({"user": "newcomer"}, "designation", "required"),
        ({"group": "g" * 151, "designation": "VIEWER"}, "group", "150"),
    ],
)
def test_bad_member_input_is_a_field_error(body, field, fragment, owner, project, api_client_for):
    UserFactory(username="newcomer")
    before = counts()
    response = api_client_for(owner).post(f"{API}/projects/{project.pk}/members/", body)

    assert_field_error(response, field, fragment)
    assert counts() == before


@pytest.mark.django_db
def test_the_last_owner_cannot_be_demoted_or_removed(owner, project, api_client_for):
    membership = ProjectMembership.objects.get(project=project, user=owner)
    url = f"{API}/projects/{project.pk}/members/{membership.pk}/"
    client = api_client_for(owner)

    demoted = client.patch(url, {"designation": "VIEWER"})
    removed = client.delete(url)

    for response in (demoted, removed):
        assert_field_error(response, "designation", "at least one owner")
    membership.refresh_from_db()
    assert membership.designation == Designation.OWNER


@pytest.mark.django_db
def test_with_two_owners_one_can_step_down_and_leave(owner, project, api_client_for):
    second = UserFactory(username="second-owner")
    ProjectMembershipFactory(project=project, user=second, designation=Designation.OWNER)
    membership = ProjectMembership.objects.get(project=project, user=owner)
    url = f"{API}/projects/{project.pk}/members/{membership.pk}/"
    client = api_client_for(owner)

    demoted = client.patch(url, {"designation": "CONTRIBUTOR"})
    assert demoted.status_code == 200
    assert demoted.json()["designation"] == "CONTRIBUTOR"

    # Now a contributor, the former owner may no longer manage members.
    assert client.delete(url).status_code == 403
    second_membership = ProjectMembership.objects.get(project=project, user=second)
    assert api_client_for(second).delete(url).status_code == 204
    assert list(project.memberships.all()) == [second_membership]


@pytest.mark.django_db
def test_membership_of_another_project_is_not_found(owner, project, api_client_for):
    other = ProjectFactory(domain=project.domain, name="Other")
    foreign = ProjectMembershipFactory(project=other, designation=Designation.OWNER)

    response = api_client_for(owner).patch(
        f"{API}/projects/{project.pk}/members/{foreign.pk}/", {"designation": "VIEWER"}
    )

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.designation == Designation.OWNER


@pytest.mark.django_db
def test_ids_that_are_not_uuids_are_not_found(owner, project, api_client_for):
    client = api_client_for(owner)

    urls = (
        f"{API}/projects/42/",
        f"{API}/projects/42/members/",
        f"{API}/projects/{project.pk}/members/42/",
        f"{API}/environments/nope/",
    )
    assert_not_found(client, urls, body={"detail": "Not found."})


# --- Environments -------------------------------------------------------------------------


def environment_body(project, profile, **overrides):
    return {"project": str(project.pk), "profile": str(profile.pk), "name": "lake", **overrides}


@pytest.mark.django_db(transaction=True)
def test_creating_an_environment_provisions_it(
    contributor, project, profile, aws, environment_bucket, api_client_for
):
    client = api_client_for(contributor)
    response = client.post(
        f"{API}/environments/", environment_body(project, profile, description="Film datasets")
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "ACTIVE", body["last_error"]
    assert body["project"] == str(project.pk)
    assert body["project_name"] == "Film Catalog Project"
    assert body["profile_name"] == "DataLakeProfile"
    assert body["blueprint"] == "DATA_LAKE"
    assert body["aws_account_id"] == "111111111111"
    assert body["created_by"] == "film-contributor"
    assert body["attempts"] == 1
    assert body["last_error"] == ""
    assert body["provisioned_at"] is not None
    resources = body["resources"]
    assert resources["s3_location"].startswith("s3://meshportal-environments/meshportal/streaming/")
    assert resources["producer_glue_database"].endswith("_pub_db")
    assert resources["consumer_glue_database"].endswith("_sub_db")
    assert resources["grant_role_arn"].startswith("arn:aws:iam::111111111111:role/")
    assert resources["redshift_role"] == ""
    assert [(s["key"], s["label"]) for s in body["provisioning_steps"]] == DATA_LAKE_STEPS
    assert all(s["done_at"] for s in body["provisioning_steps"])

    glue = aws.client("glue")
    assert glue.get_database(Name=resources["producer_glue_database"])["Database"]
    assert client.get(f"{API}/environments/{body['id']}/").json() == body
    assert client.get(f"{API}/projects/{project.pk}/").json()["environment_count"] == 1


@pytest.mark.django_db(transaction=True)
def test_failed_provisioning_is_reported_and_retry_finishes_it(
    owner, project, profile, aws, api_client_for
):
    client = api_client_for(owner)
    created = client.post(f"{API}/environments/", environment_body(project, profile))

    # No bucket in moto: the first step fails with a message a person can act on.
    assert created.status_code == 201
    failed = created.json()
    assert failed["status"] == "CREATE_FAILED"
    assert "bucket 'meshportal-environments'" in failed["last_error"]
    assert "retry" in failed["last_error"]
    assert [s["done_at"] for s in failed["provisioning_steps"]] == [None] * len(DATA_LAKE_STEPS)

    aws.client("s3").create_bucket(Bucket="meshportal-environments")
    retried = client.post(f"{API}/environments/{failed['id']}/retry/")

    assert retried.status_code == 202, retried.json()
    assert retried.json()["status"] == "ACTIVE"
    assert retried.json()["attempts"] == 2
    assert retried.json()["last_error"] == ""

    again = client.post(f"{API}/environments/{failed['id']}/retry/")
    assert again.status_code == 409
    assert "only a failed environment can be retried" in again.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_bad_environment_input_is_a_field_error_and_makes_nothing(
    owner, project, profile, aws, environment_bucket, api_client_for
):
    client = api_client_for(owner)
    foreign_profile = EnvironmentProfileFactory(
        domain=DomainFactory(name="marketing"), name="MarketingLake"
    )
    hidden_project = ProjectFactory(domain=project.domain, name="Hidden")
    EnvironmentFactory(project=project, profile=profile, name="existing")
    before = counts()
    missing = "00000000-0000-0000-0000-000000000000"

    def post(**overrides):
        return client.post(
            f"{API}/environments/", {**environment_body(project, profile), **overrides}
        )

    assert_field_error(post(profile=missing), "profile", "does not exist")
    assert_field_error(post(profile=str(foreign_profile.pk)), "profile", "another domain")
    assert_field_error(post(name="x" * 65), "name", "no more than 64")
    assert_field_error(post(name="EXISTING"), "name", "already has an environment")
    hidden = post(project=str(hidden_project.pk))
    unknown = post(project=missing)
    assert_field_error(hidden, "project", "does not exist")
    assert_field_error(unknown, "project", "does not exist")
    # The hidden project and one that does not exist get the same answer.
    assert (
        hidden.json()["project"][0].replace(str(hidden_project.pk), missing)
        == (unknown.json()["project"][0])
    )
    assert client.post(f"{API}/environments/", {}).json().keys() == {"project", "profile", "name"}
    assert counts() == before


@pytest.mark.django_db
def test_environment_list_filters(owner, project, profile, api_client_for):
    warehouse = EnvironmentProfileFactory(
        domain=project.domain,
        aws_account=profile.aws_account,
        name="Warehouse",
        blueprint="DATA_WAREHOUSE",
        parameters={"host": "h", "database": "d", "user": "u", "password_env": "P"},
    )
    other = ProjectFactory(domain=project.domain, name="Other")
    ProjectMembershipFactory(project=other, user=owner, designation=Designation.VIEWER)
    EnvironmentFactory(project=project, profile=profile, name="lake")
    EnvironmentFactory(
        project=project, profile=warehouse, name="dwh", status=EnvironmentStatus.CREATE_FAILED
    )
    EnvironmentFactory(project=other, profile=profile, name="other-lake")
    EnvironmentFactory(project=project, profile=profile, name="gone", status="DELETED")
    EnvironmentFactory(project=ProjectFactory(domain=project.domain), profile=profile, name="x")
    client = api_client_for(owner)

    def names(**params):
        return [e["name"] for e in client.get(f"{API}/environments/", params).json()["results"]]

    assert names() == ["dwh", "lake", "other-lake"]
    assert names(project=str(other.pk)) == ["other-lake"]
    assert names(status="CREATE_FAILED") == ["dwh"]
    assert names(blueprint="DATA_WAREHOUSE") == ["dwh"]
    steps = client.get(f"{API}/environments/", {"blueprint": "DATA_WAREHOUSE"}).json()
    assert [s["key"] for s in steps["results"][0]["provisioning_steps"]] == [
        "cluster_connection",
        "redshift_role",
    ]


# --- Notifications ------------------------------------------------------------------------


@pytest.mark.django_db
def test_notifications_are_private_and_can_be_marked_read(owner, outsider, api_client_for):
    mine = [NotificationFactory(recipient=owner, title=f"Mine {i}") for i in range(3)]
    NotificationFactory(recipient=outsider, title="Theirs")
    client = api_client_for(owner)

    listed = client.get(f"{API}/notifications/").json()
    assert sorted(n["title"] for n in listed["results"]) == ["Mine 0", "Mine 1", "Mine 2"]

    read = client.post(f"{API}/notifications/{mine[0].pk}/read/")
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    assert client.get(f"{API}/notifications/", {"unread": "true"}).json()["count"] == 2

    assert client.post(f"{API}/notifications/read-all/").json() == {"marked_read": 2}
    assert client.post(f"{API}/notifications/read-all/").json() == {"marked_read": 0}
    assert Notification.objects.get(recipient=outsider).read_at is None


@pytest.mark.django_db
def test_notifications_filter_by_kind(owner, api_client_for):
    NotificationFactory(recipient=owner, kind="TASK", title="Decide")
    NotificationFactory(recipient=owner, kind="EVENT", title="FYI")

    body = api_client_for(owner).get(f"{API}/notifications/", {"kind": "TASK"}).json()

    assert [(n["title"], n["is_open_task"]) for n in body["results"]] == [("Decide", True)]


# --- Token authentication -----------------------------------------------------------------


@pytest.mark.django_db
def test_token_from_username_and_password_authenticates(owner, project, password):
    anonymous = APIClient()
    response = anonymous.post(
        f"{API}/auth/token/", {"username": owner.username, "password": password}
    )

    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=owner).key == token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    projects = client.get(f"{API}/projects/")
    assert projects.status_code == 200
    assert [p["name"] for p in projects.json()["results"]] == ["Film Catalog Project"]


@pytest.mark.django_db
def test_wrong_password_or_token_is_refused(owner):
    response = APIClient().post(
        f"{API}/auth/token/", {"username": owner.username, "password": "wrong"}
    )

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}
    assert not Token.objects.exists()

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    refused = client.get(f"{API}/projects/")
    assert refused.status_code in (401, 403)
    assert refused.json() == {"detail": "Invalid token."}


# --- Query counts: lists cost the same for 3 rows and for 30 ----------------------------


def count_queries(client, url) -> int:
    client.get(url)  # warm up: the user's SSO group names are read once per user object
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.json()["count"] > 0
    return len(queries)


def grow_projects(profile, user, n):
    for _ in range(n):
        p = ProjectFactory(domain=profile.domain)
        ProjectMembershipFactory(project=p, user=user, designation=Designation.OWNER)
        ProjectMembershipFactory(project=p, designation=Designation.VIEWER)
        EnvironmentFactory(project=p, profile=profile)


def grow_members(project, n):
    for i in range(n):
        if i % 2:
            ProjectMembershipFactory(project=project, designation=Designation.VIEWER)
        else:
            ProjectMembershipFactory(project=project, user=None, group=f"group-{uuid.uuid4()}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "expected_queries"),
    [
        ("projects", 2),
        ("members", 3),
        ("environments", 2),
        ("domains", 2),
        ("aws-accounts", 2),
        ("environment-profiles", 2),
        ("notifications", 2),
    ],
)
def test_list_endpoints_cost_a_constant_number_of_queries(
    name, expected_queries, owner, project, profile, api_client_for, django_assert_num_queries
):
    client = api_client_for(owner)
    urls = {"members": f"{API}/projects/{project.pk}/members/"}
    url = urls.get(name, f"{API}/{name}/")

    def grow(n):
        grow_projects(profile, owner, n)
        grow_members(project, n)
        for _ in range(n):
            DomainFactory()
            AwsAccountFactory(domain=project.domain, account_id=f"{Domain.objects.count():012d}")
            EnvironmentFactory(project=project, profile=profile)
            EnvironmentProfileFactory(domain=profile.domain, aws_account=profile.aws_account)
            NotificationFactory(recipient=owner)

    grow(3)
    few = count_queries(client, url)
    grow(27)
    assert count_queries(client, url) == few
    with django_assert_num_queries(expected_queries):
        response = client.get(url)
    assert response.json()["count"] >= 30
