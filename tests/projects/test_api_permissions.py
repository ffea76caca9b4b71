"""Who may do what through the projects API: the persona × action matrix.

Every endpoint and action of /api/v1/ in the projects app, walked for each persona:
platform admin, domain steward, project owner, contributor, viewer, outsider, anonymous.
Objects a persona may not see answer 404 (not 403); visible objects the persona may not
change answer 403; anonymous requests answer 401 with a WWW-Authenticate challenge
(TokenAuthentication comes first).
"""

from types import SimpleNamespace

import pytest

from projects import services
from projects.choices import Designation, EnvironmentStatus
from projects.models import Environment, Notification
from tests.permissions import (
    API,
    Action,
    api_table,
    assert_response,
    by_persona,
    everyone,
    matrix,
    matrix_test,
    model_state,
    reads,
)
from tests.projects.factories import (
    TABLES,
    AwsAccountFactory,
    DomainFactory,
    EnvironmentFactory,
    EnvironmentProfileFactory,
    NotificationFactory,
    ProjectMembershipFactory,
    UserFactory,
)


def admin_writes(success: int) -> dict:
    """Domains, accounts and profiles: platform admins change them, nobody else."""
    return {**everyone(403), "platform_admin": success}


# Members of the project read it; only OWNERs change it; stewards and platform admins see
# it but are not members.
PROJECT_READ = api_table(200, outsider=404)


def project_owner_writes(success: int) -> dict:
    return api_table(403, owner=success, outsider=404)


ACTIONS = [
    # --- domains -------------------------------------------------------------------------
    *reads("domain", "domains", lambda w: w.domain, everyone(200)),
    Action(
        "domain-create",
        "post",
        lambda w: f"{API}/domains/",
        admin_writes(201),
        lambda w: {"name": "marketing", "description": "Campaigns."},
    ),
    Action(
        "domain-update",
        "patch",
        lambda w: f"{API}/domains/{w.domain.pk}/",
        admin_writes(200),
        lambda w: {"description": "Films and series."},
    ),
    Action(
        "domain-delete",
        "delete",
        lambda w: f"{API}/domains/{w.empty_domain.pk}/",
        admin_writes(204),
    ),
    # --- AWS accounts --------------------------------------------------------------------
    Action("aws-account-list", "get", lambda w: f"{API}/aws-accounts/", everyone(200)),
    Action(
        "aws-account-retrieve",
        "get",
        lambda w: f"{API}/aws-accounts/{w.aws_account.pk}/",
        everyone(200),
    ),
    Action(
        "aws-account-create",
        "post",
        lambda w: f"{API}/aws-accounts/",
        admin_writes(201),
        lambda w: {"domain": str(w.domain.pk), "account_id": "333333333333", "region": "eu-west-1"},
    ),
    Action(
        "aws-account-update",
        "patch",
        lambda w: f"{API}/aws-accounts/{w.aws_account.pk}/",
        admin_writes(200),
        lambda w: {"name": "Streaming producer"},
    ),
    Action(
        "aws-account-delete",
        "delete",
        lambda w: f"{API}/aws-accounts/{w.spare_account.pk}/",
        admin_writes(204),
    ),
    # --- environment profiles ------------------------------------------------------------
    Action("profile-list", "get", lambda w: f"{API}/environment-profiles/", everyone(200)),
    Action(
        "profile-retrieve",
        "get",
        lambda w: f"{API}/environment-profiles/{w.profile.pk}/",
        everyone(200),
    ),
    Action(
        "profile-create",
        "post",
        lambda w: f"{API}/environment-profiles/",
        admin_writes(201),
        lambda w: {
            "domain": str(w.domain.pk),
            "name": "Lake in Ireland",
            "blueprint": "DATA_LAKE",
            "aws_account": str(w.aws_account.pk),
            "region": "eu-west-1",
            "parameters": {"s3_bucket": "meshportal-environments"},
        },
    ),
    Action(
        "profile-update",
        "patch",
        lambda w: f"{API}/environment-profiles/{w.profile.pk}/",
        admin_writes(200),
        lambda w: {"description": "The default lake."},
    ),
    Action(
        "profile-delete",
        "delete",
        lambda w: f"{API}/environment-profiles/{w.spare_profile.pk}/",
        admin_writes(204),
    ),
    # --- projects ------------------------------------------------------------------------
    *reads("project", "projects", lambda w: w.project, PROJECT_READ),
    Action(
        "project-create",
        "post",
        lambda w: f"{API}/projects/",
        everyone(201),
        lambda w: {"domain": str(w.domain.pk), "name": "Series Catalog", "description": "TV"},
    ),
    Action(
        "project-update",
        "patch",
        lambda w: f"{API}/projects/{w.project.pk}/",
        project_owner_writes(200),
        lambda w: {"description": "Every film we license."},
    ),
    Action(
        "project-delete",
        "delete",
        lambda w: f"{API}/projects/{w.project.pk}/",
        everyone(405),
    ),
    # --- members -------------------------------------------------------------------------
    Action("member-list", "get", lambda w: f"{API}/projects/{w.project.pk}/members/", PROJECT_READ),
    Action(
        "member-retrieve",
        "get",
        lambda w: f"{API}/projects/{w.project.pk}/members/{w.membership.pk}/",
        PROJECT_READ,
    ),
    Action(
        "member-add",
        "post",
        lambda w: f"{API}/projects/{w.project.pk}/members/",
        project_owner_writes(201),
        lambda w: {"user": "newcomer", "designation": "VIEWER"},
    ),
    Action(
        "member-update",
        "patch",
        lambda w: f"{API}/projects/{w.project.pk}/members/{w.membership.pk}/",
        project_owner_writes(200),
        lambda w: {"designation": "VIEWER"},
    ),
    Action(
        "member-remove",
        "delete",
        lambda w: f"{API}/projects/{w.project.pk}/members/{w.membership.pk}/",
        project_owner_writes(204),
    ),
    # --- environments (reads; creating and retrying are below, they provision in AWS) ----
    Action("environment-list", "get", lambda w: f"{API}/environments/", everyone(200)),
    Action(
        "environment-retrieve",
        "get",
        lambda w: f"{API}/environments/{w.environment.pk}/",
        PROJECT_READ,
    ),
    # Deleting an environment has its own matrix in test_deletion_api.py (it runs in moto).
    # --- notifications -------------------------------------------------------------------
    Action("notification-list", "get", lambda w: f"{API}/notifications/", everyone(200)),
    Action(
        "notification-retrieve-own",
        "get",
        lambda w: f"{API}/notifications/{w.own_note(w.user).pk}/",
        everyone(200),
    ),
    Action(
        "notification-retrieve-others",
        "get",
        lambda w: f"{API}/notifications/{w.others_note.pk}/",
        everyone(404),
    ),
    Action(
        "notification-read-own",
        "post",
        lambda w: f"{API}/notifications/{w.own_note(w.user).pk}/read/",
        everyone(200),
    ),
    Action(
        "notification-read-others",
        "post",
        lambda w: f"{API}/notifications/{w.others_note.pk}/read/",
        everyone(404),
    ),
    Action(
        "notification-read-all",
        "post",
        lambda w: f"{API}/notifications/read-all/",
        everyone(200),
    ),
]


@pytest.fixture
def world(project, domain, aws_account, profile, owner):
    """Everything the matrix's requests point at, next to the persona fixtures' rows."""
    bystander = UserFactory(username="bystander")
    UserFactory(username="newcomer")
    notes = {}

    def own_note(user):
        # Anonymous has no notifications; any id will do, the request never gets that far.
        if user is None:
            return others_note
        if user.pk not in notes:
            notes[user.pk] = NotificationFactory(recipient=user, title="Yours")
        return notes[user.pk]

    others_note = NotificationFactory(recipient=bystander, title="Not yours")
    return SimpleNamespace(
        project=project,
        domain=domain,
        aws_account=aws_account,
        profile=profile,
        empty_domain=DomainFactory(name="empty-domain"),
        spare_account=AwsAccountFactory(domain=domain, account_id="222222222222"),
        spare_profile=EnvironmentProfileFactory(
            domain=domain, aws_account=aws_account, name="Spare"
        ),
        membership=ProjectMembershipFactory(
            project=project, user=bystander, designation=Designation.CONTRIBUTOR
        ),
        environment=EnvironmentFactory(project=project, profile=profile, name="active-env"),
        others_note=others_note,
        own_note=own_note,
    )


def check_response(response, expected):
    assert_response(response, expected, success_keys=("id", "results", "marked_read"))


def database_state():
    """Row counts and the latest change of every projects model, and how many
    notifications are read: a refused request or a read leaves all of it as it was."""
    state = model_state(*TABLES)
    state["read"] = Notification.objects.filter(read_at__isnull=False).count()
    return state


# Marking all read may find nothing unread: a write need not change the state.
test_matrix = matrix_test(
    ACTIONS, database_state, check_response=check_response, writes_change_state=False
)


# --- environment writes: they provision in moto, so on_commit must run ------------------

ENVIRONMENT_WRITES = [
    Action(
        # A project the persona cannot see is "does not exist" (400 on the field), the same
        # answer as for an id that never existed; a visible one needs CONTRIBUTOR (platform
        # admins see every project, read-only).
        "environment-create",
        "post",
        lambda w: f"{API}/environments/",
        by_persona(
            platform_admin=403, steward=403, owner=201, contributor=201, viewer=403, outsider=400
        ),
        lambda w: {"project": str(w.project.pk), "profile": str(w.profile.pk), "name": "lake"},
    ),
    Action(
        "environment-retry",
        "post",
        lambda w: f"{API}/environments/{w.failed.pk}/retry/",
        by_persona(
            platform_admin=403, steward=403, owner=202, contributor=202, viewer=403, outsider=404
        ),
    ),
]


@pytest.fixture
def failed_environment(project, profile, owner):
    """A CREATE_FAILED environment with its resource names derived as creation does."""
    environment = EnvironmentFactory(
        project=project,
        profile=profile,
        name="failed-env",
        status=EnvironmentStatus.CREATE_FAILED,
        attempts=1,
        last_error="S3 prefix: bucket missing.",
        created_by=owner,
    )
    for field, value in services.derive_resource_names(environment).items():
        setattr(environment, field, value)
    environment.save()
    return environment


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("action", "persona", "expected"), matrix(ENVIRONMENT_WRITES), indirect=["persona"]
)
def test_environment_write_matrix(
    action,
    persona,
    expected,
    project,
    profile,
    failed_environment,
    api_client_for,
    aws,
    environment_bucket,
):
    world = SimpleNamespace(project=project, profile=profile, failed=failed_environment)
    count_before = Environment.objects.count()
    client = api_client_for(persona)
    body = action.body(world) if action.body else None
    world.user = persona
    response = client.post(action.url(world), body, format="json")

    assert_response(response, expected)
    if expected in (201, 202):
        assert response.json()["status"] == EnvironmentStatus.ACTIVE, response.json()["last_error"]
    else:
        failed_environment.refresh_from_db()
        assert failed_environment.status == EnvironmentStatus.CREATE_FAILED
        assert Environment.objects.count() == count_before
    if expected == 400:
        assert "does not exist" in response.json()["project"][0]
