"""Who may open the editing and publishing pages and do their actions, persona by persona.

Inventory assets (and so their edit pages and revisions) are visible to the project's
members and the domain's stewards, anything else is a 404; CONTRIBUTOR and OWNER edit and
publish, stewards and viewers get a 403. Every signed-in user reads ACTIVE listings and
the catalog; an INACTIVE listing only the owning project's members.
"""

import pytest
from django.urls import reverse

from catalog import services
from catalog.choices import ListingStatus
from catalog.models import AssetColumn, AssetForm, Listing
from tests.catalog.test_page_permissions import READERS, WRITER_PAGES, WRITERS
from tests.catalog.test_pages import make_asset, make_data_source, make_environment
from tests.glossary.factories import FormTypeFactory, GlossaryFactory, GlossaryTermFactory
from tests.permissions import SIGNED_IN_PAGE, check, page_table, personas

pytestmark = pytest.mark.django_db

SIGNED_IN = SIGNED_IN_PAGE
# The project's own members (an INACTIVE listing): nobody else learns it exists.
TEAM_ONLY = page_table(200, platform_admin=404, steward=404, outsider=404)


@pytest.fixture
def asset(project, profile):
    data_source = make_data_source(project, make_environment(project, profile))
    return make_asset(project, data_source, "film_category", columns=2)


@pytest.fixture
def form_type(project):
    return FormTypeFactory(owning_project=project, name="Data owner")


@pytest.fixture
def genre(project):
    return GlossaryTermFactory(
        glossary=GlossaryFactory(owning_project=project, name="Media"), name="Genre"
    )


@pytest.fixture
def listing(asset, owner):
    return services.asset_publish(acting_user=owner, asset=asset)


def page_url(url_name, asset, form_type):
    args = [asset.pk, form_type.pk] if url_name == "asset-form-edit" else [asset.pk]
    return reverse(url_name, args=args)


@personas(WRITER_PAGES)
@pytest.mark.parametrize("url_name", ["asset-edit", "asset-columns-edit", "asset-form-edit"])
def test_edit_pages_are_for_contributors(client_for, asset, form_type, persona, expected, url_name):
    check(client_for(persona).get(page_url(url_name, asset, form_type)), expected)


@personas(WRITERS)
def test_add_form_select_is_for_contributors(client_for, asset, form_type, persona, expected):
    response = client_for(persona).get(
        reverse("asset-form-add", args=[asset.pk]), {"form_type": form_type.pk}
    )
    check(response, expected)


@personas(WRITERS)
def test_asset_edit_action(client_for, asset, genre, persona, expected):
    response = client_for(persona).post(
        reverse("asset-edit", args=[asset.pk]),
        {"business_name": "Movies", "description": "All films.", "glossary_terms": genre.name},
    )
    check(response, expected)
    asset.refresh_from_db()
    assert asset.business_name == ("Movies" if expected == 302 else "")
    assert asset.glossary_terms.exists() == (expected == 302)


@personas(WRITERS)
def test_columns_edit_action(client_for, asset, persona, expected):
    data = {
        "columns-TOTAL_FORMS": "1",
        "columns-INITIAL_FORMS": "1",
        "columns-0-name": "column_001",
        "columns-0-description": "Described",
    }
    check(client_for(persona).post(reverse("asset-columns-edit", args=[asset.pk]), data), expected)
    described = AssetColumn.objects.filter(asset=asset, description="Described").exists()
    assert described == (expected == 302)


@personas(WRITERS)
def test_form_edit_action(client_for, asset, form_type, persona, expected):
    response = client_for(persona).post(
        reverse("asset-form-edit", args=[asset.pk, form_type.pk]), {"last_audit": "2024-05-01"}
    )
    check(response, expected)
    assert AssetForm.objects.filter(asset=asset).exists() == (expected == 302)


@personas(WRITERS)
def test_form_remove_action(client_for, asset, form_type, persona, expected):
    AssetForm.objects.create(asset=asset, form_type=form_type, values={})
    response = client_for(persona).post(reverse("asset-form-remove", args=[asset.pk, form_type.pk]))
    check(response, expected)
    assert AssetForm.objects.filter(asset=asset).exists() == (expected != 302)


@personas(WRITERS)
def test_publish_action(client_for, asset, persona, expected):
    response = client_for(persona).post(
        reverse("asset-publish", args=[asset.pk]), {"approval_required": "on"}
    )
    check(response, expected)
    assert Listing.objects.filter(asset=asset).exists() == (expected == 302)


@personas(WRITERS)
def test_unpublish_action(client_for, listing, persona, expected):
    check(client_for(persona).post(reverse("asset-unpublish", args=[listing.asset_id])), expected)
    listing.refresh_from_db()
    assert listing.status == (ListingStatus.INACTIVE if expected == 302 else ListingStatus.ACTIVE)


@personas(READERS)
def test_revision_page_follows_the_asset(client_for, asset, persona, expected):
    check(client_for(persona).get(reverse("asset-revision", args=[asset.pk, 1])), expected)


@personas(SIGNED_IN)
def test_active_listings_and_the_catalog_are_for_everyone_signed_in(
    client_for, listing, persona, expected
):
    client = client_for(persona)
    check(client.get(reverse("listing-detail", args=[listing.pk])), expected)
    response = client.get(reverse("catalog"))
    check(response, expected)
    if expected == 200:
        assert reverse("listing-detail", args=[listing.pk]) in response.content.decode()


@personas(TEAM_ONLY)
def test_inactive_listings_are_for_the_owning_project_only(
    client_for, listing, owner, persona, expected
):
    services.asset_unpublish(acting_user=owner, asset=listing.asset)
    check(client_for(persona).get(reverse("listing-detail", args=[listing.pk])), expected)


@personas(SIGNED_IN)
def test_term_usage_is_narrowed_to_what_the_persona_sees(
    client_for, asset, listing, genre, owner, persona, expected
):
    asset.glossary_terms.add(genre)
    services.asset_publish(acting_user=owner, asset=asset)  # the listing now carries it
    response = client_for(persona).get(reverse("term-assets", args=[genre.pk]))
    check(response, expected)
    if expected == 200:
        html = response.content.decode()
        sees_inventory = persona.username in {
            "domain-steward",
            "film-catalog-team-admin",
            "film-contributor",
            "film-viewer",
        }
        assert (reverse("asset-detail", args=[asset.pk]) in html) == sees_inventory
        assert reverse("listing-detail", args=[listing.pk]) in html


@pytest.mark.parametrize(
    "persona, edits",
    [("steward", False), ("owner", True), ("contributor", True), ("viewer", False)],
    indirect=["persona"],
)
def test_only_the_allowed_controls_are_shown(client_for, asset, form_type, listing, persona, edits):
    quality = FormTypeFactory(owning_project=asset.project, name="Quality")
    AssetForm.objects.create(asset=asset, form_type=quality, values={})
    html = client_for(persona).get(reverse("asset-detail", args=[asset.pk])).content.decode()
    assert 'data-testid="publishing-status"' in html  # everyone who sees the asset
    assert 'data-testid="asset-forms"' in html
    assert (reverse("asset-edit", args=[asset.pk]) in html) == edits
    assert (reverse("asset-columns-edit", args=[asset.pk]) in html) == edits
    assert (reverse("asset-publish", args=[asset.pk]) in html) == edits
    assert (reverse("asset-unpublish", args=[asset.pk]) in html) == edits
    assert (reverse("asset-form-add", args=[asset.pk]) in html) == edits
    assert ('data-testid="publish-todo"' in html) == edits  # the Quality date is required
    assert reverse("listing-detail", args=[listing.pk]) in html
    assert reverse("asset-revision", args=[asset.pk, 1]) in html


def test_another_projects_asset_is_404_to_an_owner(client_for, project, profile, owner, outsider):
    from tests.projects.factories import ProjectFactory, ProjectMembershipFactory

    other = ProjectFactory(domain=project.domain, name="marketing-team-analysis")
    ProjectMembershipFactory(project=other, user=outsider, designation="OWNER")
    foreign = make_asset(
        other, make_data_source(other, make_environment(other, profile, name="mkt")), "campaigns"
    )
    client = client_for(owner)
    for name in ("asset-edit", "asset-columns-edit", "asset-publish", "asset-unpublish"):
        method = client.get if name.endswith("edit") else client.post
        assert method(reverse(name, args=[foreign.pk])).status_code == 404
    assert not Listing.objects.exists()


@pytest.mark.parametrize("url_name", ["asset-publish", "asset-unpublish", "asset-form-remove"])
def test_actions_refuse_get(client_for, owner, asset, form_type, listing, url_name):
    args = [asset.pk, form_type.pk] if url_name == "asset-form-remove" else [asset.pk]
    assert client_for(owner).get(reverse(url_name, args=args)).status_code == 405
    listing.refresh_from_db()
    assert listing.status == ListingStatus.ACTIVE


def test_a_viewer_gets_the_reason_on_the_403_page(client_for, asset, viewer):
    response = client_for(viewer).post(
        reverse("asset-publish", args=[asset.pk]), {"approval_required": "on"}
    )
    assert response.status_code == 403
    assert "Only a project contributor or owner can publish assets." in response.content.decode()
