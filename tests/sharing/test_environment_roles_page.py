"""The Roles section of the environment page: everyone who sees the environment sees its
extra IAM roles; OWNERs add and remove them, with errors that say what to enter."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sharing.models import EnvironmentRole
from sharing.services import EXTRA_ROLES_MAX
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

ETL_ROLE = "arn:aws:iam::111111111111:role/etl-job"
BI_ROLE = "arn:aws:iam::111111111111:role/bi-tool"


@pytest.fixture
def environment(producer_environment):
    return producer_environment


def page(client, environment):
    answer = client.get(f"/environments/{environment.pk}/")
    assert answer.status_code == 200
    return answer.content.decode()


def add(client, environment, role_arn):
    return client.post(
        f"/environments/{environment.pk}/roles/", {"role_arn": role_arn}, follow=True
    )


def test_an_owner_adds_a_role_sees_it_listed_and_removes_it(environment, client_for, owner):
    film = client_for(owner)
    assert 'data-testid="environment-roles-empty"' in page(film, environment)

    answer = add(film, environment, f"  {ETL_ROLE} ")

    assert answer.redirect_chain[-1][0].endswith(f"/environments/{environment.pk}/#roles")
    html = answer.content.decode()
    assert f"Role {ETL_ROLE} added" in html
    assert f'data-role="{ETL_ROLE}"' in html
    role = EnvironmentRole.objects.get(environment=environment)
    assert (role.role_arn, role.added_by) == (ETL_ROLE, owner)

    answer = film.post(f"/environment-roles/{role.pk}/remove/", follow=True)

    html = answer.content.decode()
    assert f"Role {ETL_ROLE} removed" in html
    assert f'data-role="{ETL_ROLE}"' not in html
    assert not EnvironmentRole.objects.exists()


@pytest.mark.parametrize(
    ("role_arn", "error"),
    [
        ("", "Enter an IAM role ARN (arn:aws:iam::&lt;account&gt;:role/&lt;name&gt;)."),
        ("etl-job", "Enter an IAM role ARN"),
        ("arn:aws:iam::111111111111:user/etl", "Enter an IAM role ARN"),
        ("arn:aws:iam::111111111111:role/" + "x" * 3000, "Enter an IAM role ARN"),
        (
            "arn:aws:iam::222222222222:role/etl-job",
            "The role must be in the environment&#x27;s account 111111111111.",
        ),
    ],
)
def test_a_bad_role_is_refused_with_what_to_enter(environment, client_for, owner, role_arn, error):
    answer = add(client_for(owner), environment, role_arn)

    assert answer.status_code == 200
    html = answer.content.decode()
    assert "The role was not added:" in html
    assert error in html
    assert not EnvironmentRole.objects.exists()


def test_the_form_goes_away_at_the_limit_and_a_forced_add_says_why(environment, client_for, owner):
    for n in range(EXTRA_ROLES_MAX):
        EnvironmentRole.objects.create(
            environment=environment, role_arn=f"arn:aws:iam::111111111111:role/r{n}"
        )
    film = client_for(owner)
    html = page(film, environment)
    assert 'data-testid="environment-roles-full"' in html
    assert 'data-testid="add-environment-role-form"' not in html

    html = add(film, environment, BI_ROLE).content.decode()

    assert f"At most {EXTRA_ROLES_MAX} extra roles." in html
    assert EnvironmentRole.objects.count() == EXTRA_ROLES_MAX


def test_the_roles_section_keeps_its_query_count_as_roles_grow(environment, client_for, owner):
    film = client_for(owner)
    EnvironmentRole.objects.create(environment=environment, role_arn=ETL_ROLE, added_by=owner)
    page(film, environment)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as one:
        page(film, environment)
    for n in range(5):
        EnvironmentRole.objects.create(
            environment=environment, role_arn=f"arn:aws:iam::111111111111:role/r{n}", added_by=owner
        )
    with CaptureQueriesContext(connection) as six:
        html = page(film, environment)
    assert html.count('data-testid="environment-role"') == 6
    assert len(six) == len(one)


# --- Personas --------------------------------------------------------------------------------

# Seeing the page (and the roles) follows the environment's visibility (members and the
# domain's stewards; a platform admin who is neither does not see projects' environments);
# changing roles is for the project's OWNERs. Who cannot see it learns nothing (404).
# Platform admins read every environment (read-only), so they see its roles too.
CAN_SEE = {"steward", "owner", "contributor", "viewer", "platform_admin"}
CAN_MANAGE = {"owner"}


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_persona_sees_roles_and_only_owners_get_the_form(request, persona, environment, client_for):
    name = request.node.callspec.params["persona"]
    EnvironmentRole.objects.create(environment=environment, role_arn=ETL_ROLE)
    answer = client_for(persona).get(f"/environments/{environment.pk}/")

    if name == "anonymous":
        assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
        return
    if name not in CAN_SEE:
        assert answer.status_code == 404
        return
    html = answer.content.decode()
    assert f'data-role="{ETL_ROLE}"' in html
    assert ('data-testid="add-environment-role-form"' in html) == (name in CAN_MANAGE)
    assert (f"/environment-roles/{EnvironmentRole.objects.get().pk}/remove/" in html) == (
        name in CAN_MANAGE
    )


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_persona_adding_and_removing_roles(request, persona, environment, client_for):
    name = request.node.callspec.params["persona"]
    client = client_for(persona)
    kept = EnvironmentRole.objects.create(environment=environment, role_arn=ETL_ROLE)

    added = client.post(f"/environments/{environment.pk}/roles/", {"role_arn": BI_ROLE})
    removed = client.post(f"/environment-roles/{kept.pk}/remove/")

    if name in CAN_MANAGE:
        assert (added.status_code, removed.status_code) == (302, 302)
        assert list(EnvironmentRole.objects.values_list("role_arn", flat=True)) == [BI_ROLE]
        return
    expected = {"anonymous": 302, "outsider": 404, "platform_admin": 404}.get(name, 403)
    assert (added.status_code, removed.status_code) == (expected, expected)
    if name == "anonymous":
        assert "/accounts/login/" in added["Location"]
    assert list(EnvironmentRole.objects.values_list("role_arn", flat=True)) == [ETL_ROLE]
