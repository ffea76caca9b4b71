"""The inventory's bulk actions: a producer selects assets and publishes them, or accepts
their suggestions, in one go; each asset goes through the same service as on its page and
every one that cannot be done says why."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import services
from catalog.choices import ListingStatus, SuggestionStatus
from catalog.models import Asset, AssetForm, Listing
from meshportal.limits import BULK_ASSETS_MAX
from tests.catalog.test_pages import make_asset, make_data_source, make_environment
from tests.glossary.factories import FormTypeFactory, PublishingRuleFactory
from tests.pages import text
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_source(project, profile):
    return make_data_source(project, make_environment(project, profile))


@pytest.fixture
def films(project, data_source):
    return [make_asset(project, data_source, name, columns=2) for name in ("films", "genres")]


def bulk(client, project, assets, action, **extra):
    return client.post(
        reverse("inventory-bulk", args=[project.pk]),
        {"assets": [str(a.pk) for a in assets], "action": action, **extra},
        follow=True,
    )


def flashes(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_inventory_offers_selection_to_editors_only(client_for, project, films, owner, viewer):
    page = text(client_for(owner).get(reverse("inventory", args=[project.pk])))
    assert page.count('name="assets"') == 2
    assert 'data-testid="bulk-publish"' in page and 'data-testid="bulk-accept"' in page
    # Each row says how many suggestions wait (a business name for the table and each column).
    assert re.findall(r'data-testid="suggestion-count"><a [^>]+>(\d+)</a>', page) == ["3", "3"]
    read_only = text(client_for(viewer).get(reverse("inventory", args=[project.pk])))
    assert 'name="assets"' not in read_only and "bulk-form" not in read_only


def test_bulk_publish_reports_each_asset_a_rule_refuses(client_for, project, films, owner):
    required = FormTypeFactory(owning_project=project, name="Data owner", fields=[])
    PublishingRuleFactory(domain=project.domain, required_form_types=[required])
    AssetForm.objects.create(asset=films[0], form_type=required, values={})
    response = bulk(
        client_for(owner), project, films, "publish", return_query="type=GLUE_TABLE&evil=1"
    )

    assert response.redirect_chain == [
        (reverse("inventory", args=[project.pk]) + "?type=GLUE_TABLE", 302)
    ]
    assert flashes(response) == [
        "Published 1 asset: “films”. Everyone signed in can find them in the catalog.",
        "“genres” was not published: Form “Data owner” is required by the domain's "
        "publishing rule.",
    ]
    assert list(Listing.objects.values_list("asset__technical_name", "status")) == [
        ("films", ListingStatus.ACTIVE)
    ]
    assert 'data-testid="publish-status"><span class="badge badge--success">Published' in text(
        response
    )


def test_bulk_accept_suggestions_writes_one_revision_per_asset(client_for, project, films, owner):
    services.suggestions_reject_all(acting_user=owner, asset=films[1])
    response = bulk(client_for(owner), project, films, "accept_suggestions")

    assert flashes(response) == [
        "Accepted 3 suggestions on 1 asset: “Films”.",
        "No suggestions were left to accept on “genres”.",
    ]
    first = Asset.objects.get(pk=films[0].pk)
    assert (first.business_name, first.current_revision) == ("Films", 2)
    assert not first.suggestions.filter(status=SuggestionStatus.PROPOSED).exists()
    assert Asset.objects.get(pk=films[1].pk).current_revision == 1


def test_bulk_refusals_change_nothing(client_for, project, films, owner, viewer, domain):
    client = client_for(owner)
    assert flashes(bulk(client, project, [], "publish")) == ["Select at least one asset."]
    assert flashes(bulk(client, project, films, "delete")) == [
        "Choose one of: publish, accept_suggestions."
    ]
    other = ProjectFactory(domain=domain)
    foreign = make_asset(other, None, "foreign", columns=1)
    assert flashes(bulk(client, project, [films[0], foreign], "publish")) == [
        "Select assets of this project."
    ]
    garbage = client.post(
        reverse("inventory-bulk", args=[project.pk]),
        {"assets": ["not-a-uuid"], "action": "publish"},
        follow=True,
    )
    assert flashes(garbage) == ["Select assets of this project."]
    too_many = client.post(
        reverse("inventory-bulk", args=[project.pk]),
        {"assets": [str(i) for i in range(BULK_ASSETS_MAX + 1)], "action": "publish"},
        follow=True,
    )
    assert flashes(too_many) == [
        f"Give at most {BULK_ASSETS_MAX} assets at once (this has {BULK_ASSETS_MAX + 1})."
    ]
    # A viewer may read the inventory but not publish from it.
    assert bulk(client_for(viewer), project, films, "publish").status_code == 403
    assert not Listing.objects.exists()
    assert set(Asset.objects.values_list("current_revision", flat=True)) == {1}


def test_bulk_on_a_project_one_cannot_see_is_not_found(client_for, project, films, outsider):
    assert bulk(client_for(outsider), project, films, "publish").status_code == 404
    assert not Listing.objects.exists()


def test_inventory_query_count_is_pinned_with_suggestions(client_for, project, data_source, owner):
    client = client_for(owner)
    make_asset(project, data_source, "one", columns=2)
    page = reverse("inventory", args=[project.pk])
    client.get(page)
    with CaptureQueriesContext(connection) as few:
        client.get(page)
    for n in range(8):
        make_asset(project, data_source, f"more_{n}", columns=3)
    with CaptureQueriesContext(connection) as more:
        response = client.get(page)
    assert text(response).count('name="assets"') == 9
    assert len(more) == len(few)
