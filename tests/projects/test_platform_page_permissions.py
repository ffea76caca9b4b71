"""Who may open and post the platform setup pages, persona by persona.

Only platform admins: everyone else signed in gets the 403 page (domains, accounts and
profiles are listed on the Domains page, so they are no secret, but changing them is a
platform admin's job); anonymous visitors go to the sign-in page. A refused post changes
nothing.
"""

import pytest
from django.urls import reverse

from projects.models import AwsAccount, Domain, DomainMembership, EnvironmentProfile
from tests.permissions import (
    MISSING,
    PLATFORM_ADMIN_PAGE,
    PLATFORM_ADMIN_POST,
    check,
    model_state,
    personas,
)
from tests.projects.factories import AwsAccountFactory, DomainFactory, EnvironmentProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def spare(domain, aws_account):
    """Rows the deleting posts remove (nothing depends on them)."""
    spare_domain = DomainFactory(name="spare")
    account = AwsAccountFactory(domain=domain, account_id="999999999999")
    profile = EnvironmentProfileFactory(domain=domain, aws_account=aws_account, name="Spare")
    return {"domain": spare_domain, "account": account, "profile": profile}


def state():
    return model_state(Domain, DomainMembership, AwsAccount, EnvironmentProfile)


PAGES = [
    ("platform-home", lambda w: []),
    ("platform-domain-create", lambda w: []),
    ("platform-domain-detail", lambda w: [w["domain"].pk]),
    ("platform-domain-edit", lambda w: [w["domain"].pk]),
    ("platform-account-create", lambda w: [w["domain"].pk]),
    ("platform-account-edit", lambda w: [w["account"].pk]),
    ("platform-profile-create", lambda w: [w["domain"].pk]),
    ("platform-profile-edit", lambda w: [w["profile"].pk]),
]


@pytest.fixture
def world(domain, aws_account, profile, spare):
    return {"domain": domain, "account": aws_account, "profile": profile, **{
        f"spare_{k}": v for k, v in spare.items()
    }}  # fmt: skip


@personas(PLATFORM_ADMIN_PAGE)
@pytest.mark.parametrize(("url_name", "args"), PAGES, ids=[p[0] for p in PAGES])
def test_platform_pages(client_for, world, persona, expected, url_name, args):
    check(client_for(persona).get(reverse(url_name, args=args(world))), expected)


POSTS = [
    ("platform-domain-create", lambda w: [], lambda w: {"name": "marketing"}),
    (
        "platform-domain-edit",
        lambda w: [w["domain"].pk],
        lambda w: {"name": "streaming", "description": "Films and series."},
    ),
    ("platform-domain-delete", lambda w: [w["spare_domain"].pk], lambda w: {}),
    (
        "platform-account-create",
        lambda w: [w["domain"].pk],
        lambda w: {"account_id": "333333333333", "region": "eu-west-1"},
    ),
    (
        "platform-account-edit",
        lambda w: [w["account"].pk],
        lambda w: {"account_id": "111111111111", "region": "us-east-1", "name": "Producer 2"},
    ),
    ("platform-account-delete", lambda w: [w["spare_account"].pk], lambda w: {}),
    (
        "platform-profile-create",
        lambda w: [w["domain"].pk],
        lambda w: {
            "blueprint": "DATA_LAKE",
            "name": "Lake 2",
            "aws_account": w["account"].pk,
            "s3_bucket": "lake-two",
        },
    ),
    (
        "platform-profile-edit",
        lambda w: [w["profile"].pk],
        lambda w: {
            "name": "DataLakeProfile",
            "aws_account": w["account"].pk,
            "region": "us-east-1",
            "s3_bucket": "other-bucket",
        },
    ),
    ("platform-profile-delete", lambda w: [w["spare_profile"].pk], lambda w: {}),
]


@personas(PLATFORM_ADMIN_POST)
@pytest.mark.parametrize(("url_name", "args", "body"), POSTS, ids=[p[0] for p in POSTS])
def test_platform_posts(client_for, world, persona, expected, url_name, args, body):
    before = state()
    response = client_for(persona).post(reverse(url_name, args=args(world)), body(world))
    check(response, expected)
    assert (state() == before) == (expected != 302), url_name


@personas(PLATFORM_ADMIN_PAGE)
def test_check_access_post(client_for, aws, world, persona, expected):
    before = state()
    response = client_for(persona).post(
        reverse("platform-account-check", args=[world["account"].pk]),
        headers={"HX-Request": "true"},
    )
    check(response, expected)
    assert state() == before  # a check only reads


@pytest.mark.parametrize(
    "url_name",
    [
        "platform-domain-detail",
        "platform-domain-edit",
        "platform-account-create",
        "platform-account-edit",
        "platform-profile-create",
        "platform-profile-edit",
    ],
)
def test_missing_objects_are_404_for_admins(client_for, platform_admin, url_name):
    assert client_for(platform_admin).get(reverse(url_name, args=[MISSING])).status_code == 404


def test_check_access_is_post_only(client_for, platform_admin, aws_account):
    url = reverse("platform-account-check", args=[aws_account.pk])
    assert client_for(platform_admin).get(url).status_code == 405
