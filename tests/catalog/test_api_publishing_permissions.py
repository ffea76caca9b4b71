"""Who may edit, publish and read listings through the API: the persona × action matrix.

Editing an asset (its business metadata, columns and forms) and publishing or
unpublishing it takes a CONTRIBUTOR or OWNER of the owning project. The inventory is
visible to the project's members and the domain's stewards only, so a VIEWER or a steward
who is not a member gets 403, and anyone else 404 (platform admins included). Every
signed-in user reads ACTIVE listings; an INACTIVE one is a 404 for all but the owning
project's members. Anonymous requests are 401 (with a WWW-Authenticate challenge). A
refused request, and every read, leaves the database as it was.
"""

from types import SimpleNamespace

import pytest

from catalog.choices import ListingStatus
from catalog.models import Asset, AssetColumn, AssetForm, AssetRevision, Listing
from tests.catalog.factories import (
    AssetFactory,
    AssetFormFactory,
    AssetRevisionFactory,
    DataSourceFactory,
    ListingFactory,
)
from tests.glossary.factories import FormTypeFactory, GlossaryFactory, GlossaryTermFactory
from tests.permissions import (
    API,
    MEMBERS_READ,
    TEAM_READ,
    Action,
    assert_response,
    contributor_writes,
    everyone,
    matrix_test,
    reads,
)

READ_INVENTORY = MEMBERS_READ
READ_INACTIVE_LISTING = TEAM_READ


# --- What a successful write changed ------------------------------------------------------


def asset_described(w):
    asset = Asset.objects.get(pk=w.asset.pk)
    assert (asset.business_name, asset.description) == ("Movie listings", "All films.")
    assert list(asset.glossary_terms.all()) == [w.term]


def column_described(w):
    column = AssetColumn.objects.get(asset=w.asset, position=1)
    assert (column.business_name, column.description) == ("Category", "The genre.")
    assert list(column.glossary_terms.all()) == [w.term]


def form_filled(w):
    assert AssetForm.objects.get(asset=w.asset, form_type=w.form_type).values == {
        "last_audit": "2025-01-31",
        "contact": "film-team@streaming.example",
    }


def draft_published(w):
    listing = Listing.objects.get(asset=w.draft)
    assert (listing.status, listing.approval_required) == (ListingStatus.ACTIVE, False)


def listing_unpublished(w):
    w.active.refresh_from_db()
    assert w.active.status == ListingStatus.INACTIVE


ACTIONS = [
    # --- editing ---------------------------------------------------------------------------
    Action(
        "asset-update",
        "patch",
        lambda w: f"{API}/assets/{w.asset.pk}/",
        contributor_writes(200),
        lambda w: {
            "business_name": "Movie listings",
            "description": "All films.",
            "glossary_terms": [str(w.term.pk)],
        },
        asset_described,
    ),
    Action(
        "columns-update",
        "patch",
        lambda w: f"{API}/assets/{w.asset.pk}/columns/",
        contributor_writes(200),
        lambda w: [
            {
                "name": "column_1",
                "business_name": "Category",
                "description": "The genre.",
                "glossary_terms": [str(w.term.pk)],
            }
        ],
        column_described,
    ),
    Action("forms-read", "get", lambda w: f"{API}/assets/{w.asset.pk}/forms/", READ_INVENTORY),
    Action(
        "forms-update",
        "patch",
        lambda w: f"{API}/assets/{w.asset.pk}/forms/",
        contributor_writes(200),
        lambda w: {
            w.form_type.name: {
                "Last audit date": "2025-01-31",
                "Contact": "film-team@streaming.example",
            }
        },
        form_filled,
    ),
    Action("columns-read", "get", lambda w: f"{API}/assets/{w.asset.pk}/columns/", everyone(405)),
    Action("asset-replace", "put", lambda w: f"{API}/assets/{w.asset.pk}/", everyone(405)),
    # --- publishing --------------------------------------------------------------------------
    Action(
        "publish",
        "post",
        lambda w: f"{API}/assets/{w.draft.pk}/publish/",
        contributor_writes(201),
        lambda w: {"approval_required": False},
        draft_published,
    ),
    Action(
        "unpublish",
        "post",
        lambda w: f"{API}/assets/{w.asset.pk}/unpublish/",
        contributor_writes(200),
        effect=listing_unpublished,
    ),
    Action("publish-read", "get", lambda w: f"{API}/assets/{w.asset.pk}/publish/", everyone(405)),
    # --- listings ----------------------------------------------------------------------------
    *reads("listing", "listings", lambda w: w.active, everyone(200), detail_name="active"),
    Action(
        "listing-inactive",
        "get",
        lambda w: f"{API}/listings/{w.inactive.pk}/",
        READ_INACTIVE_LISTING,
    ),
    Action(
        "listing-create",
        "post",
        lambda w: f"{API}/listings/",
        everyone(405),
        lambda w: {"asset": str(w.draft.pk)},
    ),
    Action(
        "listing-update",
        "patch",
        lambda w: f"{API}/listings/{w.active.pk}/",
        everyone(405),
        lambda w: {"status": "INACTIVE"},
    ),
    Action("listing-delete", "delete", lambda w: f"{API}/listings/{w.active.pk}/", everyone(405)),
]


@pytest.fixture
def world(project, lake):
    """The producing project's inventory: a published asset with a form, an unpublished
    draft, and an asset whose listing was taken down."""
    source = DataSourceFactory(project=project, environment=lake, name="films")
    asset = AssetFactory(data_source=source, technical_name="film_category", columns=3)
    AssetRevisionFactory(asset=asset)
    form_type = FormTypeFactory(owning_project=project, name="Data owner")
    AssetFormFactory(asset=asset, form_type=form_type, values={"last_audit": "2024-12-01"})
    draft = AssetFactory(data_source=source, technical_name="streaming_films", columns=2)
    withdrawn = AssetFactory(data_source=source, technical_name="category_streams")
    return SimpleNamespace(
        asset=asset,
        draft=draft,
        form_type=form_type,
        term=GlossaryTermFactory(glossary=GlossaryFactory(owning_project=project), name="Film"),
        active=ListingFactory(asset=asset),
        inactive=ListingFactory(asset=withdrawn, status=ListingStatus.INACTIVE),
    )


def database_state() -> dict:
    """Everything editing and publishing could change."""
    return {
        "assets": sorted(
            Asset.objects.values_list(
                "technical_name", "business_name", "description", "current_revision"
            )
        ),
        "asset_terms": Asset.glossary_terms.through.objects.count(),
        "columns": sorted(
            AssetColumn.objects.values_list("asset_id", "name", "business_name", "description")
        ),
        "column_terms": AssetColumn.glossary_terms.through.objects.count(),
        "forms": sorted(
            (str(f.asset_id), str(f.form_type_id), repr(sorted(f.values.items())))
            for f in AssetForm.objects.all()
        ),
        "revisions": AssetRevision.objects.count(),
        "listings": sorted(
            (str(asset), status, revision, approval, repr(snapshot), published, unpublished)
            for asset, status, revision, approval, snapshot, published, unpublished in (
                Listing.objects.values_list(
                    "asset_id",
                    "status",
                    "revision",
                    "approval_required",
                    "snapshot",
                    "published_at",
                    "unpublished_at",
                )
            )
        ),
    }


def check_response(response, expected):
    if expected < 400 and isinstance(response.json(), list):
        assert response.status_code == expected, (response.status_code, response.content[:500])
        assert all("form_type" in form for form in response.json()), response.json()
    else:
        assert_response(response, expected, strict_detail=True)


test_matrix = matrix_test(ACTIONS, database_state, check_response=check_response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("owner", {"film_category", "category_streams"}),
        ("contributor", {"film_category", "category_streams"}),
        ("viewer", {"film_category", "category_streams"}),
        ("steward", {"film_category"}),
        ("outsider", {"film_category"}),
        ("platform_admin", {"film_category"}),
    ],
    indirect=["persona"],
)
def test_listing_list_shows_active_listings_to_all_and_inactive_ones_to_members(
    persona, expected, world, api_client_for
):
    body = api_client_for(persona).get(f"{API}/listings/").json()

    assert {row["technical_name"] for row in body["results"]} == expected
    assert body["count"] == len(expected)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["viewer", "steward"], indirect=True)
def test_refusals_explain_who_may_edit(persona, world, api_client_for):
    response = api_client_for(persona).patch(
        f"{API}/assets/{world.asset.pk}/", {"business_name": "Nope"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only a project contributor or owner can edit assets."}
