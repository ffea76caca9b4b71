"""Domain memberships through the API and the members page: who may name owners and
stewards, what a steward then may do, and the demo's owner."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group

from projects.choices import DomainRole
from projects.models import Domain, DomainMembership
from projects.services import domain_create
from tests.permissions import API, Action, assert_response, matrix_test
from tests.projects.factories import UserFactory, domain_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def domain_owner(domain):
    return domain_member(domain, "domain-owner", DomainRole.OWNER)


def _members(domain):
    return sorted(DomainMembership.objects.filter(domain=domain).values_list("role", "group"))


def test_creator_of_a_domain_becomes_its_owner(platform_admin, api_client_for):
    response = api_client_for(platform_admin).post(f"{API}/domains/", {"name": "finance"})
    assert response.status_code == 201
    domain = Domain.objects.get(name="finance")
    assert list(domain.memberships.values_list("user__username", "role")) == [
        (platform_admin.username, "OWNER")
    ]
    assert domain_create(acting_user=platform_admin, name="retail").memberships.count() == 1


def _new_steward(w):
    UserFactory(username="new-steward")
    return f"{API}/domains/{w.domain.pk}/members/"


def _new_steward_added(w):
    assert DomainMembership.objects.filter(user__username="new-steward").exists()


MEMBER_ADD = Action(
    "member-add",
    "post",
    _new_steward,
    {
        "platform_admin": 201,
        "domain_owner": 201,
        "steward": 403,
        "owner": 403,
        "outsider": 403,
        "anonymous": 401,
    },
    body=lambda w: {"user": "new-steward", "role": "STEWARD"},
    effect=_new_steward_added,
)


@pytest.fixture
def world(domain, steward):
    return SimpleNamespace(domain=domain)


def _database_state():
    return sorted(DomainMembership.objects.values_list("domain", "role", "group", "user"))


def _check_response(response, expected):
    assert_response(response, expected, success_keys=("user",))
    if expected == 201:
        assert response.json()["user"] == "new-steward"


# Who adds members: platform admins and the domain's owners.
test_who_adds_members = matrix_test(
    [MEMBER_ADD],
    _database_state,
    check_response=_check_response,
    personas=list(MEMBER_ADD.expected),
)


def test_list_change_and_remove(domain, domain_owner, steward, outsider, api_client_for):
    reader = api_client_for(outsider)
    listed = reader.get(f"{API}/domains/{domain.pk}/members/").json()
    assert sorted((m["user"], m["role"]) for m in listed["results"]) == [
        ("domain-owner", "OWNER"),
        ("domain-steward", "STEWARD"),
    ]
    membership = DomainMembership.objects.get(user=steward)
    url = f"{API}/domains/{domain.pk}/members/{membership.pk}/"
    assert reader.patch(url, {"role": "OWNER"}).status_code == 403
    assert reader.delete(url).status_code == 403
    manager = api_client_for(domain_owner)
    assert manager.patch(url, {"role": "OWNER"}).json()["role"] == "OWNER"
    assert manager.patch(url, {"role": "KING"}).status_code == 400
    assert manager.delete(url).status_code == 204
    assert not DomainMembership.objects.filter(pk=membership.pk).exists()
    other = Domain.objects.create(name="other")
    assert manager.get(f"{API}/domains/{other.pk}/members/{membership.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "STEWARD"}, "user"),
        ({"user": "nobody-here", "role": "STEWARD"}, "user"),
        ({"user": "domain-steward", "role": "STEWARD"}, "user"),
        ({"user": "domain-steward", "group": "g", "role": "STEWARD"}, "user"),
        ({"group": "g" * 151, "role": "STEWARD"}, "group"),
        ({"group": "stewards", "role": "ADMIN"}, "role"),
    ],
)
def test_bad_member_input_is_400(domain, steward, platform_admin, api_client_for, body, field):
    before = _members(domain)
    response = api_client_for(platform_admin).post(f"{API}/domains/{domain.pk}/members/", body)
    assert response.status_code == 400 and field in response.json(), response.content
    assert _members(domain) == before


def test_group_steward_decides_requests(domain, platform_admin, api_client_for):
    from projects.permissions import is_domain_steward

    member = UserFactory(username="in-the-group")
    member.groups.add(Group.objects.create(name="data-stewards"))
    response = api_client_for(platform_admin).post(
        f"{API}/domains/{domain.pk}/members/", {"group": "data-stewards", "role": "STEWARD"}
    )
    assert response.status_code == 201
    assert is_domain_steward(member, domain)


def test_members_page(domain, domain_owner, steward, outsider, client_for):
    page = client_for(outsider).get(f"/domains/{domain.pk}/members/")
    assert page.status_code == 200
    assert b"domain-steward" in page.content and b"Add member" not in page.content
    assert (
        client_for(outsider)
        .post(f"/domains/{domain.pk}/members/add/", {"username": "domain-steward", "role": "OWNER"})
        .status_code
        == 403
    )
    manager = client_for(domain_owner)
    assert b"Add member" in manager.get(f"/domains/{domain.pk}/members/").content
    UserFactory(username="film-catalog-team-admin")
    added = manager.post(
        f"/domains/{domain.pk}/members/add/",
        {"username": "film-catalog-team-admin", "role": "STEWARD"},
        follow=True,
    )
    assert b"film-catalog-team-admin is now steward" in added.content
    refused = manager.post(
        f"/domains/{domain.pk}/members/add/", {"username": "ghost", "role": "STEWARD"}, follow=True
    )
    assert b"No user named" in refused.content
    membership = DomainMembership.objects.get(user__username="film-catalog-team-admin")
    manager.post(f"/domains/{domain.pk}/members/{membership.pk}/remove/")
    assert not DomainMembership.objects.filter(pk=membership.pk).exists()
    assert client_for(None).get(f"/domains/{domain.pk}/members/").status_code == 302


def test_demo_makes_admin_owner_of_streaming():
    from meshportal.demo import DemoPassword, seed_portal

    report = seed_portal(
        password=DemoPassword(value="pw-for-the-test", explicit=True, source="test")
    )
    assert "admin owner of domain streaming" in report.created
    assert list(
        DomainMembership.objects.filter(domain__name="streaming").values_list(
            "user__username", "role"
        )
    ) == [("admin", "OWNER")]
    again = seed_portal(
        password=DemoPassword(value="pw-for-the-test", explicit=True, source="test")
    )
    assert again.created == []
