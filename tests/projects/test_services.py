"""Services of the projects app, called directly: the edge cases the API relies on."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from meshportal.exceptions import Conflict
from projects import permissions, selectors, services
from projects.choices import Designation
from projects.models import (
    AwsAccount,
    Domain,
    EnvironmentProfile,
    Notification,
    Project,
    ProjectMembership,
)
from tests.projects.factories import (
    DomainFactory,
    EnvironmentFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def messages(error: ValidationError, field: str) -> str:
    return " ".join(error.message_dict[field])


# --- project_create / project_update ------------------------------------------------------


def test_project_create_makes_the_creator_owner_and_strips_the_name(outsider, domain):
    project = services.project_create(
        acting_user=outsider, domain=domain, name="  Marketing Analytics  ", description=None
    )

    assert project.name == "Marketing Analytics"
    assert project.description == ""
    assert project.created_by == outsider
    assert list(project.memberships.values_list("user__username", "designation")) == [
        (outsider.username, Designation.OWNER)
    ]


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("Film Catalog Project", "already exists in domain 'streaming'"),
        ("FILM catalog PROJECT", "already exists"),
        ("  film catalog project ", "already exists"),
        ("", "Enter a name"),
        ("   ", "Enter a name"),
        ("x" * 65, "at most 64 characters (this has 65)"),
    ],
)
def test_project_create_rejects_bad_names_and_makes_nothing(name, fragment, outsider, project):
    with pytest.raises(ValidationError) as caught:
        services.project_create(acting_user=outsider, domain=project.domain, name=name)

    assert fragment in messages(caught.value, "name")
    assert Project.objects.count() == 1
    assert ProjectMembership.objects.count() == 1


def test_project_create_allows_64_characters(outsider, domain):
    project = services.project_create(acting_user=outsider, domain=domain, name="x" * 64)

    assert len(project.name) == 64


def test_project_update_needs_an_owner_and_a_free_name(owner, contributor, project):
    ProjectFactory(domain=project.domain, name="Series")

    with pytest.raises(PermissionDenied, match="Only a project owner can change"):
        services.project_update(acting_user=contributor, project=project, description="x")
    with pytest.raises(ValidationError) as caught:
        services.project_update(acting_user=owner, project=project, name="SERIES")
    assert "already exists" in messages(caught.value, "name")

    # Its own name in another case is not a clash.
    services.project_update(acting_user=owner, project=project, name="FILM catalog project")
    project.refresh_from_db()
    assert project.name == "FILM catalog project"


# --- project_member_add -------------------------------------------------------------------


def test_member_add_by_username_notifies_the_new_member(owner, project):
    newcomer = UserFactory(username="newcomer")

    membership = services.project_member_add(
        acting_user=owner, project=project, designation="CONTRIBUTOR", username=" newcomer "
    )

    assert (membership.user, membership.designation) == (newcomer, Designation.CONTRIBUTOR)
    note = Notification.objects.get(recipient=newcomer)
    assert note.topic == "PROJECT_MEMBER_ADDED"
    assert "Film Catalog Project" in note.title and "contributor" in note.title
    assert note.link == f"/projects/{project.pk}/"


def test_member_add_of_a_group_sends_no_notification(owner, project):
    membership = services.project_member_add(
        acting_user=owner, project=project, designation="VIEWER", group=" film-analysts "
    )

    assert (membership.user, membership.group) == (None, "film-analysts")
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field", "fragment"),
    [
        ({"username": "nobody"}, "user", "No user named 'nobody'"),
        ({}, "user", "either a user or an SSO group"),
        ({"username": "newcomer", "group": "g"}, "user", "not both"),
        ({"username": "film-catalog-team-admin"}, "user", "already a member"),
        ({"group": "existing-group"}, "group", "already a member"),
        ({"group": "g" * 151}, "group", "at most 150"),
        ({"username": "newcomer", "designation": "ADMIN"}, "designation", "Choose one of"),
    ],
)
def test_member_add_rejects_bad_input(kwargs, field, fragment, owner, project):
    UserFactory(username="newcomer")
    ProjectMembershipFactory(project=project, user=None, group="existing-group")
    before = ProjectMembership.objects.count()
    kwargs = {"designation": "VIEWER", **kwargs}

    with pytest.raises(ValidationError) as caught:
        services.project_member_add(acting_user=owner, project=project, **kwargs)

    assert fragment in messages(caught.value, field)
    assert ProjectMembership.objects.count() == before


@pytest.mark.parametrize("designation", [Designation.CONTRIBUTOR, Designation.VIEWER])
def test_only_owners_add_members(designation, project):
    member = UserFactory(username="member")
    ProjectMembershipFactory(project=project, user=member, designation=designation)
    UserFactory(username="newcomer")

    with pytest.raises(PermissionDenied, match="Only a project owner can add members"):
        services.project_member_add(
            acting_user=member, project=project, designation="VIEWER", username="newcomer"
        )


def test_an_owner_through_an_sso_group_manages_members(project):
    lead = UserFactory(username="lead")
    Group.objects.create(name="film-leads").user_set.add(lead)
    ProjectMembershipFactory(project=project, user=None, group="film-leads", designation="OWNER")
    UserFactory(username="newcomer")

    membership = services.project_member_add(
        acting_user=lead, project=project, designation="VIEWER", username="newcomer"
    )

    assert membership.user.username == "newcomer"


# --- project_member_update / project_member_remove ---------------------------------------


def owner_membership(project, owner):
    return ProjectMembership.objects.get(project=project, user=owner)


def test_the_last_owner_cannot_be_demoted_or_removed(owner, project):
    membership = owner_membership(project, owner)

    with pytest.raises(ValidationError) as demoted:
        services.project_member_update(
            acting_user=owner, membership=membership, designation="VIEWER"
        )
    with pytest.raises(ValidationError) as removed:
        services.project_member_remove(acting_user=owner, membership=membership)

    for caught in (demoted, removed):
        assert "at least one owner" in messages(caught.value, "designation")
    membership.refresh_from_db()
    assert membership.designation == Designation.OWNER


def test_an_owner_keeps_owner_when_re_designated_owner(owner, project):
    membership = services.project_member_update(
        acting_user=owner, membership=owner_membership(project, owner), designation="OWNER"
    )

    assert membership.designation == Designation.OWNER


def test_with_a_second_owner_the_first_can_step_down(owner, project):
    second = UserFactory(username="second")
    ProjectMembershipFactory(project=project, user=second, designation="OWNER")

    membership = services.project_member_update(
        acting_user=owner, membership=owner_membership(project, owner), designation="VIEWER"
    )

    assert membership.designation == Designation.VIEWER
    assert permissions.project_designation(owner, project) == Designation.VIEWER


def test_a_group_owner_does_not_replace_the_last_user_owner(owner, project):
    """Issue 9: a project left with only SSO-group owners could end up with nobody able
    to manage it (a group nobody belongs to); at least one person stays OWNER."""
    group_owner = ProjectMembershipFactory(
        project=project, user=None, group="film-leads", designation="OWNER"
    )

    for attempt in (
        lambda: services.project_member_remove(
            acting_user=owner, membership=owner_membership(project, owner)
        ),
        lambda: services.project_member_update(
            acting_user=owner, membership=owner_membership(project, owner), designation="VIEWER"
        ),
    ):
        with pytest.raises(ValidationError) as caught:
            attempt()
        assert "at least one owner" in messages(caught.value, "designation")
    assert owner_membership(project, owner).designation == Designation.OWNER
    # The group owner itself may go: a person still owns the project.
    services.project_member_remove(acting_user=owner, membership=group_owner)
    assert list(project.memberships.values_list("user__username", "designation")) == [
        ("film-catalog-team-admin", "OWNER")
    ]


def test_member_update_rejects_an_unknown_designation(owner, viewer, project):
    membership = ProjectMembership.objects.get(project=project, user=viewer)

    with pytest.raises(ValidationError) as caught:
        services.project_member_update(acting_user=owner, membership=membership, designation="X")

    assert "Choose one of OWNER, CONTRIBUTOR, VIEWER" in messages(caught.value, "designation")


def test_contributors_cannot_change_or_remove_members(contributor, viewer, project):
    membership = ProjectMembership.objects.get(project=project, user=viewer)

    with pytest.raises(PermissionDenied):
        services.project_member_update(
            acting_user=contributor, membership=membership, designation="OWNER"
        )
    with pytest.raises(PermissionDenied):
        services.project_member_remove(acting_user=contributor, membership=membership)
    assert ProjectMembership.objects.filter(pk=membership.pk, designation="VIEWER").exists()


def test_a_member_removed_no_longer_sees_the_project(owner, viewer, project):
    membership = ProjectMembership.objects.get(project=project, user=viewer)

    services.project_member_remove(acting_user=owner, membership=membership)

    assert not selectors.project_list(user=viewer).exists()


# --- user_sync_sso_groups -----------------------------------------------------------------


def group_names(user):
    return sorted(user.groups.values_list("name", flat=True))


def test_sync_sets_exactly_the_given_groups(outsider):
    Group.objects.create(name="old-team").user_set.add(outsider)
    Group.objects.create(name="finance")

    names = services.user_sync_sso_groups(
        user=outsider, groups=["marketing", " finance ", "marketing", ""]
    )

    assert names == ["finance", "marketing"]
    assert group_names(outsider) == ["finance", "marketing"]
    assert Group.objects.filter(name="old-team").exists()  # the group stays; the user left it
    assert permissions.user_group_names(outsider) == ["finance", "marketing"]


def test_sync_with_no_groups_removes_all(outsider):
    Group.objects.create(name="marketing").user_set.add(outsider)

    assert services.user_sync_sso_groups(user=outsider, groups=[]) == []
    assert services.user_sync_sso_groups(user=outsider, groups=None) == []
    assert group_names(outsider) == []


def test_sync_accepts_a_single_group_as_a_string(outsider):
    services.user_sync_sso_groups(user=outsider, groups="marketing")

    assert group_names(outsider) == ["marketing"]


def test_sync_changes_what_projects_a_user_sees(outsider, project):
    ProjectMembershipFactory(project=project, user=None, group="film-team", designation="VIEWER")

    services.user_sync_sso_groups(user=outsider, groups=["film-team"])
    assert list(selectors.project_list(user=outsider)) == [project]

    services.user_sync_sso_groups(user=outsider, groups=["marketing"])
    assert list(selectors.project_list(user=outsider)) == []


def test_sync_leaves_other_users_alone(outsider, owner):
    Group.objects.create(name="marketing").user_set.add(owner)

    services.user_sync_sso_groups(user=outsider, groups=[])

    assert group_names(owner) == ["marketing"]


# --- platform administration: domains, accounts, profiles --------------------------------


def test_only_platform_admins_administer(owner, domain, aws_account, profile):
    calls = [
        lambda: services.domain_create(acting_user=owner, name="marketing"),
        lambda: services.domain_update(acting_user=owner, domain=domain, description="x"),
        lambda: services.domain_delete(acting_user=owner, domain=domain),
        lambda: services.aws_account_create(
            acting_user=owner, domain=domain, account_id="222222222222", region="us-east-1"
        ),
        lambda: services.aws_account_update(acting_user=owner, account=aws_account, name="x"),
        lambda: services.aws_account_delete(acting_user=owner, account=aws_account),
        lambda: services.environment_profile_create(
            acting_user=owner,
            domain=domain,
            name="Lake 2",
            blueprint="DATA_LAKE",
            aws_account=aws_account,
            region="us-east-1",
            parameters={"s3_bucket": "meshportal-environments"},
        ),
        lambda: services.environment_profile_update(
            acting_user=owner, profile=profile, description="x"
        ),
        lambda: services.environment_profile_delete(acting_user=owner, profile=profile),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied, match="Only a platform admin"):
            call()
    assert (Domain.objects.count(), AwsAccount.objects.count()) == (1, 1)
    assert EnvironmentProfile.objects.get().description == ""


def test_domain_names_are_unique_regardless_of_case(platform_admin, domain):
    with pytest.raises(ValidationError) as caught:
        services.domain_create(acting_user=platform_admin, name="STREAMING")

    assert "already exists" in messages(caught.value, "name")
    other = DomainFactory(name="marketing")
    with pytest.raises(ValidationError):
        services.domain_update(acting_user=platform_admin, domain=other, name="Streaming")


def test_deleting_what_is_in_use_is_a_conflict_naming_it(platform_admin, project, profile):
    EnvironmentFactory(project=project, profile=profile)

    with pytest.raises(Conflict) as domain_in_use:
        services.domain_delete(acting_user=platform_admin, domain=project.domain)
    with pytest.raises(Conflict) as profile_in_use:
        services.environment_profile_delete(acting_user=platform_admin, profile=profile)

    assert "1 projects" in domain_in_use.value.message
    assert "1 aws accounts" in domain_in_use.value.message
    assert "1 environment profiles" in domain_in_use.value.message
    assert "1 environments" in profile_in_use.value.message
    assert Domain.objects.filter(pk=project.domain_id).exists()


def test_accounts_and_profiles_stay_in_their_domain(platform_admin, aws_account, profile):
    other = DomainFactory(name="marketing")

    with pytest.raises(ValidationError) as caught:
        services.aws_account_update(acting_user=platform_admin, account=aws_account, domain=other)
    assert "cannot be changed" in messages(caught.value, "domain")
    with pytest.raises(ValidationError):
        services.environment_profile_update(
            acting_user=platform_admin, profile=profile, domain=other
        )

    # Naming the current domain is not a change.
    services.aws_account_update(
        acting_user=platform_admin, account=aws_account, domain=aws_account.domain, name="Main"
    )
    aws_account.refresh_from_db()
    assert (aws_account.domain.name, aws_account.name) == ("streaming", "Main")


def test_profile_parameters_are_validated_for_the_blueprint(platform_admin, domain, aws_account):
    def create_warehouse_profile(**parameters):
        return services.environment_profile_create(
            acting_user=platform_admin,
            domain=domain,
            name="Warehouse",
            blueprint="DATA_WAREHOUSE",
            aws_account=aws_account,
            region="us-east-1",
            parameters={"host": "h", "database": "d", "user": "u", **parameters},
        )

    with pytest.raises(ValidationError) as caught:
        create_warehouse_profile(port="99999")

    assert "password" in messages(caught.value, "parameters")
    profile = create_warehouse_profile(password_env="PW")
    assert profile.parameters["password_env"] == "PW"
