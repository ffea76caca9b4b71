"""Editing assets and publishing them through the API: the scenario's step 6 against moto,
publishing rules, bad input, glossary-term suggestions, listings, and pinned query counts.
Permissions per persona are in test_api_publishing_permissions.py."""

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import services
from catalog.choices import ListingStatus, RunStatus, SuggestionStatus
from catalog.models import Asset, AssetColumn, AssetForm, AssetRevision, Listing, Suggestion
from glossary.choices import FieldType, GlossaryStatus
from meshportal.demo import seed_aws
from tests.catalog.factories import (
    AssetColumnFactory,
    AssetFactory,
    AssetFormFactory,
    DataSourceFactory,
    ListingFactory,
    SuggestionFactory,
    create_glue_source,
)
from tests.glossary import forms
from tests.glossary.factories import (
    FormTypeFactory,
    GlossaryFactory,
    GlossaryTermFactory,
    PublishingRuleFactory,
)
from tests.projects.factories import (
    DomainFactory,
    ProjectFactory,
    ProjectMembershipFactory,
)

API = "/api/v1"

# Every test uses the database; the scenario's also commits (its run is enqueued on commit).
pytestmark = pytest.mark.django_db

MOVIE_DESCRIPTION = (
    "A complete listing of all films in the streaming catalog with each film's "
    "category/genre and its special features."
)
NAME_DESCRIPTION = (
    "The movie category/genre (samples: Animation, Comedy, Sports, Children, Drama, Action)"
)


@pytest.fixture
def api(owner, api_client_for):
    """The producer: film-catalog-team-admin, OWNER of Film Catalog Project."""
    return api_client_for(owner)


def state_of(asset) -> dict:
    """Everything an edit of the asset could change: a refused request leaves it equal."""
    asset = Asset.objects.get(pk=asset.pk)
    return {
        "asset": (asset.business_name, asset.description, asset.current_revision),
        "terms": sorted(str(pk) for pk in asset.glossary_terms.values_list("pk", flat=True)),
        "columns": [
            (c.name, c.business_name, c.description)
            for c in AssetColumn.objects.filter(asset=asset).order_by("position")
        ],
        "column_terms": sorted(
            (name, str(term))
            for name, term in AssetColumn.objects.filter(
                asset=asset, glossary_terms__isnull=False
            ).values_list("name", "glossary_terms")
        ),
        "forms": sorted(
            (str(f.form_type_id), f.form_revision, repr(sorted(f.values.items())))
            for f in AssetForm.objects.filter(asset=asset)
        ),
        "revisions": AssetRevision.objects.filter(asset=asset).count(),
        "listings": list(Listing.objects.values_list("status", "revision", "snapshot")),
    }


def assert_error(response, expected: dict):
    assert response.status_code == 400, (response.status_code, response.content[:500])
    assert response.json() == expected


# --- The scenario, step 6 --------------------------------------------------------------------


def import_film_catalog(owner, project, lake) -> Asset:
    """Steps 4–5 through the services: the source runs (eagerly) against moto."""
    seed_aws()
    source = create_glue_source(
        owner,
        project,
        lake,
        name="films-CuratedZoneDB",
        filter_expressions=[{"type": "INCLUDE", "expression": "*"}],
    )
    run, created = services.data_source_run_start(acting_user=owner, data_source=source)
    run.refresh_from_db()
    assert created and run.status == RunStatus.SUCCESS, run.error_message
    return Asset.objects.get(project=project, technical_name="film_category")


@pytest.mark.django_db(transaction=True)
def test_scenario_step_6_describe_publish_and_read_as_a_consumer(
    owner, outsider, project, lake, aws, api, api_client_for
):
    film_category = import_film_catalog(owner, project, lake)
    asset_url = f"{API}/assets/{film_category.pk}/"
    consumer = api_client_for(outsider)

    accepted = api.post(f"{asset_url}predictions/accept-all/")
    assert accepted.json() == {"accepted": 5, "current_revision": 2}

    # The producer renames and describes the table ...
    renamed = api.patch(
        asset_url,
        {"business_name": "Movie listings with category", "description": MOVIE_DESCRIPTION},
        format="json",
    )
    assert renamed.status_code == 200, renamed.json()
    body = renamed.json()
    assert body["business_name"] == "Movie listings with category"
    assert body["description"] == MOVIE_DESCRIPTION
    assert body["description_html"] == f"<p>{MOVIE_DESCRIPTION}</p>"
    assert body["current_revision"] == 3
    assert (body["listing"], body["unpublished_changes"]) == (None, False)
    assert (body["glossary_terms"], body["forms"]) == ([], [])

    # ... and its `name` column.
    described = api.patch(
        f"{asset_url}columns/", [{"name": "name", "description": NAME_DESCRIPTION}], format="json"
    )
    assert described.status_code == 200, described.json()
    columns = {c["name"]: c for c in described.json()["columns"]}
    assert columns["name"]["description"] == NAME_DESCRIPTION
    assert columns["name"]["business_name"] == "Name"
    assert columns["category_id"]["description"] == ""
    assert described.json()["current_revision"] == 4

    revisions = api.get(f"{asset_url}revisions/").json()["results"]
    assert [(r["revision"], r["reason"], r["created_by"]) for r in revisions[:2]] == [
        (4, "EDIT", "film-catalog-team-admin"),
        (3, "EDIT", "film-catalog-team-admin"),
    ]
    assert revisions[0]["changes"] == ["Column name description added"]
    assert revisions[1]["changes"] == [
        "Business name changed from \u201cFilm Category\u201d to "
        "\u201cMovie listings with category\u201d",
        "Description added",
    ]

    # They publish it.
    published = api.post(f"{asset_url}publish/", {}, format="json")
    assert published.status_code == 201, published.json()
    listing = published.json()
    assert listing["status"] == "ACTIVE"
    assert (listing["revision"], listing["approval_required"]) == (4, True)
    assert listing["name"] == listing["business_name"] == "Movie listings with category"
    assert listing["technical_name"] == "film_category"
    assert listing["description"] == MOVIE_DESCRIPTION
    assert listing["project"] == {"id": str(project.pk), "name": "Film Catalog Project"}
    assert listing["domain"] == {"id": str(project.domain_id), "name": "streaming"}
    assert listing["published_by"] == "film-catalog-team-admin"
    assert listing["asset"] == str(film_category.pk)
    shown = api.get(asset_url).json()
    assert shown["listing"] == {
        "id": listing["id"],
        "status": "ACTIVE",
        "revision": 4,
        "approval_required": True,
        "published_at": listing["published_at"],
    }
    assert shown["unpublished_changes"] is False

    # Any signed-in user reads it, schema and descriptions included; the inventory stays
    # hidden from them.
    read = consumer.get(f"{API}/listings/{listing['id']}/")
    assert read.status_code == 200
    assert read.json() == listing
    assert [
        (c["name"], c["data_type"], c["business_name"], c["description"])
        for c in read.json()["columns"]
    ] == [
        ("category_id", "bigint", "Category ID", ""),
        ("name", "string", "Name", NAME_DESCRIPTION),
        ("film_id", "bigint", "Film ID", ""),
        ("special_features", "array<string>", "Special Features", ""),
    ]
    catalog = consumer.get(f"{API}/listings/").json()
    assert [(r["id"], r["name"], r["description"]) for r in catalog["results"]] == [
        (listing["id"], "Movie listings with category", MOVIE_DESCRIPTION)
    ]
    assert consumer.get(asset_url).status_code == 404

    # Editing after publishing: "unpublished changes", and the listing stays as it was.
    edited = api.patch(asset_url, {"description": "Films and their genres."}, format="json")
    assert edited.json()["unpublished_changes"] is True
    assert edited.json()["current_revision"] == 5
    assert edited.json()["listing"]["revision"] == 4
    assert consumer.get(f"{API}/listings/{listing['id']}/").json() == listing

    # Publishing again replaces the snapshot and the revision, in the same listing.
    again = api.post(f"{asset_url}publish/", {"approval_required": False}, format="json")
    assert again.status_code == 200, again.json()
    assert again.json()["id"] == listing["id"]
    assert (again.json()["revision"], again.json()["approval_required"]) == (5, False)
    assert consumer.get(f"{API}/listings/{listing['id']}/").json()["description"] == (
        "Films and their genres."
    )
    assert api.get(asset_url).json()["unpublished_changes"] is False
    assert Listing.objects.count() == 1

    # Unpublishing takes it out of the catalog; the owning project still reads it.
    gone = api.post(f"{asset_url}unpublish/")
    assert gone.status_code == 200, gone.json()
    assert gone.json()["status"] == "INACTIVE"
    assert gone.json()["unpublished_at"]
    assert consumer.get(f"{API}/listings/{listing['id']}/").status_code == 404
    assert consumer.get(f"{API}/listings/").json()["count"] == 0
    kept = api.get(f"{API}/listings/{listing['id']}/")
    assert (kept.status_code, kept.json()["status"], kept.json()["revision"]) == (
        200,
        "INACTIVE",
        5,
    )
    assert api.get(asset_url).json()["listing"]["status"] == "INACTIVE"
    assert api.get(asset_url).json()["unpublished_changes"] is False
    twice = api.post(f"{asset_url}unpublish/")
    assert twice.status_code == 409
    assert twice.json() == {"detail": "\u201cMovie listings with category\u201d is not published."}

    # Publishing an unpublished asset brings the same listing back.
    back = api.post(f"{asset_url}publish/", {}, format="json")
    assert (back.status_code, back.json()["id"], back.json()["status"]) == (
        200,
        listing["id"],
        "ACTIVE",
    )
    assert back.json()["unpublished_at"] is None
    assert consumer.get(f"{API}/listings/{listing['id']}/").status_code == 200


# --- Publishing rules ----------------------------------------------------------------------


@pytest.fixture
def vocabulary(domain, project):
    """Glossary G with the terms Film and Steward, another glossary H, and the form
    "Data owner" (Owner email required, Last audit date, Steward term from G)."""
    glossary = GlossaryFactory(owning_project=project, name="G")
    other = GlossaryFactory(owning_project=project, name="H")
    data_owner = forms.data_owner(
        project,
        forms.OWNER_EMAIL,
        forms.field("last_audit", "Last audit date", FieldType.DATE),
        forms.field("steward_term", "Steward term", FieldType.GLOSSARY_TERM, glossary=glossary),
    )
    return {
        "glossary": glossary,
        "film": GlossaryTermFactory(glossary=glossary, name="Film"),
        "steward": GlossaryTermFactory(glossary=glossary, name="Steward"),
        "foreign": GlossaryTermFactory(glossary=other, name="Outsider term"),
        "data_owner": data_owner,
    }


@pytest.fixture
def film_category(project, lake):
    source = DataSourceFactory(project=project, environment=lake, name="films")
    asset = AssetFactory(data_source=source, technical_name="film_category")
    for position, name in enumerate(("category_id", "name", "film_id"), start=1):
        AssetColumnFactory(asset=asset, name=name, position=position)
    return asset


def test_publish_is_refused_with_exactly_what_is_missing_until_it_is_filled(
    domain, vocabulary, film_category, api
):
    PublishingRuleFactory(
        domain=domain,
        required_form_types=[vocabulary["data_owner"]],
        required_glossary_terms=[vocabulary["film"]],
    )
    url = f"{API}/assets/{film_category.pk}/"

    refused = api.post(f"{url}publish/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": "\u201cfilm_category\u201d cannot be published yet: 2 items are missing.",
        "missing": [
            "Form \u201cData owner\u201d is required by the domain's publishing rule.",
            "Glossary term \u201cFilm\u201d is required by the domain's publishing rule.",
        ],
    }
    assert Listing.objects.count() == 0

    # The form half-filled and the term on the asset: the required field is what remains.
    filled = api.patch(
        f"{url}forms/", {"Data owner": {"Last audit date": "2025-01-31"}}, format="json"
    )
    assert filled.status_code == 200, filled.json()
    assert (
        api.patch(url, {"glossary_terms": [str(vocabulary["film"].pk)]}, format="json").status_code
        == 200
    )
    refused = api.post(f"{url}publish/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": "\u201cfilm_category\u201d cannot be published yet: 1 item is missing.",
        "missing": ["\u201cOwner email\u201d in form \u201cData owner\u201d is required."],
    }
    assert Listing.objects.count() == 0

    # Everything filled: published, with the form as consumers read it.
    complete = {
        "owner_email": "film-team@streaming.example",
        "Last audit date": "2025-01-31",
        "Steward term": str(vocabulary["steward"].pk),
    }
    assert api.patch(f"{url}forms/", {"Data owner": complete}, format="json").status_code == 200
    published = api.post(f"{url}publish/", {}, format="json")
    assert published.status_code == 201, published.json()
    (form,) = published.json()["forms"]
    assert form["form_type"] == {"id": str(vocabulary["data_owner"].pk), "name": "Data owner"}
    assert [(f["label"], f["value"], f["display"]) for f in form["fields"]] == [
        ("Owner email", "film-team@streaming.example", "film-team@streaming.example"),
        ("Last audit date", "2025-01-31", "2025-01-31"),
        ("Steward term", str(vocabulary["steward"].pk), "Steward"),
    ]
    assert published.json()["glossary_terms"] == [
        {"id": str(vocabulary["film"].pk), "name": "Film", "glossary": "G"}
    ]


def test_a_required_term_on_a_column_satisfies_the_rule(domain, vocabulary, film_category, api):
    PublishingRuleFactory(domain=domain, required_glossary_terms=[vocabulary["film"]])
    url = f"{API}/assets/{film_category.pk}/"

    tagged = api.patch(
        f"{url}columns/",
        {"columns": [{"name": "film_id", "glossary_terms": [str(vocabulary["film"].pk)]}]},
        format="json",
    )
    assert tagged.status_code == 200, tagged.json()
    published = api.post(f"{url}publish/", {}, format="json")

    assert published.status_code == 201, published.json()
    film_id = next(c for c in published.json()["columns"] if c["name"] == "film_id")
    assert film_id["glossary_terms"] == [
        {"id": str(vocabulary["film"].pk), "name": "Film", "glossary": "G"}
    ]


def test_forms_endpoint_lists_fields_with_values_and_revisions(vocabulary, film_category, api):
    url = f"{API}/assets/{film_category.pk}/forms/"
    assert api.get(url).json() == []

    api.patch(
        url, {str(vocabulary["data_owner"].pk): {"owner_email": "a@b.example"}}, format="json"
    )
    (form,) = api.get(url).json()

    assert form["form_type"] == {
        "id": str(vocabulary["data_owner"].pk),
        "name": "Data owner",
        "revision": 1,
    }
    assert (form["form_revision"], form["is_current"]) == (1, True)
    assert [
        (f["name"], f["label"], f["type"], f["required"], f["value"], f["glossary"])
        for f in form["fields"]
    ] == [
        ("owner_email", "Owner email", "EMAIL", True, "a@b.example", None),
        ("last_audit", "Last audit date", "DATE", False, None, None),
        (
            "steward_term",
            "Steward term",
            "GLOSSARY_TERM",
            False,
            None,
            str(vocabulary["glossary"].pk),
        ),
    ]

    # Removing the form (null) takes it off the asset.
    removed = api.patch(url, {"Data owner": None}, format="json")
    assert removed.status_code == 200
    assert removed.json() == []
    assert not AssetForm.objects.filter(asset=film_category).exists()


# --- Bad input ----------------------------------------------------------------------------


@pytest.fixture
def quality_form(project):
    return FormTypeFactory(
        owning_project=project,
        name="Quality",
        fields=[
            {"name": "audited_on", "label": "Audited on", "type": FieldType.DATE},
            {"name": "row_count", "label": "Row count", "type": FieldType.INTEGER},
            {"name": "error_rate", "label": "Error rate", "type": FieldType.DECIMAL},
            {"name": "contact", "label": "Contact", "type": FieldType.EMAIL},
            {"name": "runbook", "label": "Runbook", "type": FieldType.URL},
            {"name": "certified", "label": "Certified", "type": FieldType.BOOLEAN},
        ],
    )


@pytest.mark.parametrize(
    ("label", "value", "message"),
    [
        ("Audited on", "31/01/2025", "Enter a valid date."),
        ("Audited on", "2025-02-30", "Enter a valid date."),
        ("Row count", "twelve", "Enter a whole number."),
        ("Row count", "1.5", "Enter a whole number."),
        ("Error rate", "1,5", "Enter a number."),
        ("Error rate", True, "Enter a number."),
        ("Contact", "not-an-email", "Enter a valid email address."),
        ("Runbook", "not a url", "Enter a valid URL."),
        ("Runbook", "javascript:alert(1)", "Enter a valid URL."),
        ("Certified", "perhaps", "Enter yes or no (true or false)."),
    ],
)
def test_a_badly_typed_form_value_is_an_error_by_label_and_saves_nothing(
    label, value, message, quality_form, vocabulary, film_category, api
):
    AssetFormFactory(
        asset=film_category, form_type=quality_form, values={"row_count": 10, "certified": True}
    )
    before = state_of(film_category)

    response = api.patch(
        f"{API}/assets/{film_category.pk}/forms/",
        {
            # A valid change of another form in the same request is not saved either.
            "Data owner": {"Owner email": "a@b.example"},
            "Quality": {"Row count": 12, label: value},
        },
        format="json",
    )

    assert_error(response, {"forms": {"Quality": {label: [message]}}})
    assert state_of(film_category) == before


def test_every_bad_value_of_a_form_is_named_at_once(quality_form, film_category, api):
    before = state_of(film_category)

    response = api.patch(
        f"{API}/assets/{film_category.pk}/forms/",
        {
            "Quality": {
                "audited_on": "yesterday",
                "row_count": "many",
                "error_rate": "low",
                "contact": "nobody",
                "runbook": "http://",
                "colour": "red",
            }
        },
        format="json",
    )

    assert_error(
        response,
        {
            "forms": {
                "Quality": {
                    "Audited on": ["Enter a valid date."],
                    "Row count": ["Enter a whole number."],
                    "Error rate": ["Enter a number."],
                    "Contact": ["Enter a valid email address."],
                    "Runbook": ["Enter a valid URL."],
                    "colour": ["'Quality' has no field 'colour'."],
                }
            }
        },
    )
    assert state_of(film_category) == before


def test_valid_typed_values_are_stored_normalised(quality_form, film_category, api):
    response = api.patch(
        f"{API}/assets/{film_category.pk}/forms/",
        {
            "Quality": {
                "Audited on": "2025-01-31",
                "Row count": "1200",
                "Error rate": "0.25",
                "Contact": "data@streaming.example",
                "Runbook": "wiki.streaming.example/films",
                "Certified": "yes",
            }
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert AssetForm.objects.get(asset=film_category).values == {
        "audited_on": "2025-01-31",
        "row_count": 1200,
        "error_rate": "0.25",
        "contact": "data@streaming.example",
        "runbook": "https://wiki.streaming.example/films",
        "certified": True,
    }
    (form,) = response.json()
    assert {f["label"]: f["display"] for f in form["fields"]}["Certified"] == "Yes"


def test_unknown_and_disabled_forms_are_refused(project, film_category, api):
    FormTypeFactory(owning_project=project, name="Retired", status=GlossaryStatus.DISABLED)
    foreign = FormTypeFactory(name="Elsewhere")  # a form of another domain
    before = state_of(film_category)
    url = f"{API}/assets/{film_category.pk}/forms/"

    assert_error(
        api.patch(url, {"No such form": {"x": 1}}, format="json"),
        {
            "forms": {
                "No such form": {
                    "form": ["Domain 'streaming' has no metadata form 'No such form'."]
                }
            }
        },
    )
    assert_error(
        api.patch(url, {str(foreign.pk): {"contact": "a@b.example"}}, format="json"),
        {
            "forms": {
                str(foreign.pk): {
                    "form": [f"Domain 'streaming' has no metadata form '{foreign.pk}'."]
                }
            }
        },
    )
    assert_error(
        api.patch(url, {"Retired": {"contact": "a@b.example"}}, format="json"),
        {"forms": {"Retired": {"form": ["Form 'Retired' is disabled and cannot be added."]}}},
    )
    assert_error(
        api.patch(url, ["Data owner"], format="json"),
        {"forms": ["Give an object of form type id (or name): values."]},
    )
    assert state_of(film_category) == before


def test_a_term_field_takes_enabled_terms_of_its_glossary_only(vocabulary, film_category, api):
    retired = GlossaryTermFactory(
        glossary=vocabulary["glossary"], name="Retired", status=GlossaryStatus.DISABLED
    )
    before = state_of(film_category)
    url = f"{API}/assets/{film_category.pk}/forms/"

    for value, message in (
        (
            str(vocabulary["foreign"].pk),
            "Choose a term of glossary 'G'; 'Outsider term' is in 'H'.",
        ),
        (str(retired.pk), "Term 'Retired' is disabled."),
        ("00000000-0000-0000-0000-000000000000", "Choose an existing glossary term."),
        ("Steward", "Choose an existing glossary term."),
    ):
        response = api.patch(url, {"Data owner": {"Steward term": value}}, format="json")
        assert_error(response, {"forms": {"Data owner": {"Steward term": [message]}}})
    assert state_of(film_category) == before


def test_asset_terms_must_be_attachable_terms_of_the_domain(
    project, vocabulary, film_category, api
):
    other_domain = ProjectFactory(domain=DomainFactory(name="finance"))
    elsewhere = GlossaryTermFactory(glossary=GlossaryFactory(owning_project=other_domain))
    retired = GlossaryTermFactory(
        glossary=vocabulary["glossary"], name="Retired", status=GlossaryStatus.DISABLED
    )
    closed = GlossaryFactory(owning_project=project, name="Closed", status=GlossaryStatus.DISABLED)
    in_closed = GlossaryTermFactory(glossary=closed, name="Archived term")
    url = f"{API}/assets/{film_category.pk}/"
    before = state_of(film_category)

    for terms, expected in (
        ([str(elsewhere.pk)], {"glossary_terms": ["Choose terms of this domain's glossaries."]}),
        (
            ["00000000-0000-0000-0000-000000000000"],
            {"glossary_terms": ["Choose terms of this domain's glossaries."]},
        ),
        (["Film"], {"glossary_terms": {"0": ["Must be a valid UUID."]}}),
        (
            [str(vocabulary["film"].pk), str(retired.pk)],
            {
                "glossary_terms": [
                    "Term 'Retired' is disabled (or its glossary is) and cannot be attached."
                ]
            },
        ),
        (
            [str(in_closed.pk)],
            {
                "glossary_terms": [
                    "Term 'Archived term' is disabled (or its glossary is) and cannot be attached."
                ]
            },
        ),
    ):
        assert_error(api.patch(url, {"glossary_terms": terms}, format="json"), expected)
    assert state_of(film_category) == before

    # A term attached before it was disabled may stay while others change.
    film_category.glossary_terms.add(retired)
    kept = api.patch(
        url, {"glossary_terms": [str(retired.pk), str(vocabulary["film"].pk)]}, format="json"
    )
    assert kept.status_code == 200, kept.json()
    assert [t["name"] for t in kept.json()["glossary_terms"]] == ["Film", "Retired"]


def test_column_errors_are_keyed_by_column_and_save_nothing(vocabulary, film_category, api):
    elsewhere = GlossaryTermFactory(glossary=GlossaryFactory(name="Finance glossary"))
    url = f"{API}/assets/{film_category.pk}/columns/"
    before = state_of(film_category)

    response = api.patch(
        url,
        [
            {"name": "category_id", "business_name": "Category"},  # fine on its own
            {"name": "name", "business_name": "x" * 256},
            {"name": "film_id", "glossary_terms": [str(elsewhere.pk)]},
            {"name": "no_such_column", "description": "?"},
        ],
        format="json",
    )

    assert_error(
        response,
        {
            "columns": {
                "name": {"business_name": ["Use at most 255 characters (this has 256)."]},
                "film_id": {"glossary_terms": ["Choose terms of this domain's glossaries."]},
                "no_such_column": {"name": ["The asset has no column 'no_such_column'."]},
            }
        },
    )
    assert state_of(film_category) == before

    # Shape errors are named the same way, before anything is tried.
    for body, expected in (
        (
            {"name": "name"},
            {"columns": ["Give a list of {name, business_name, description, glossary_terms}."]},
        ),
        ([{"business_name": "Name"}], {"columns": {"#1": {"name": ["This field is required."]}}}),
        (
            [{"name": "name", "glossary_terms": ["Film"]}],
            {"columns": {"name": {"glossary_terms": {"0": ["Must be a valid UUID."]}}}},
        ),
        (
            ["name"],
            {
                "columns": {
                    "#1": {
                        "non_field_errors": ["Invalid data. Expected a dictionary, but got str."]
                    }
                }
            },
        ),
    ):
        assert_error(api.patch(url, body, format="json"), expected)
    assert state_of(film_category) == before


def test_business_name_longer_than_255_characters_is_refused(film_category, api):
    before = state_of(film_category)

    response = api.patch(
        f"{API}/assets/{film_category.pk}/",
        {"business_name": "M" * 256, "description": "Saved with the name or not at all."},
        format="json",
    )

    assert_error(response, {"business_name": ["Use at most 255 characters (this has 256)."]})
    assert state_of(film_category) == before
    exactly = api.patch(f"{API}/assets/{film_category.pk}/", {"business_name": "M" * 255})
    assert exactly.status_code == 200
    assert exactly.json()["business_name"] == "M" * 255


def test_markdown_is_stored_as_given_and_shown_without_scripts_or_javascript_links(
    film_category, api
):
    markdown = (
        "# Movies\n\n<script>alert(1)</script>\n\n"
        "Click [x](javascript:alert(1)) or read [the guide](https://wiki.example/films).\n\n"
        '<a href="javascript:alert(2)" onclick="alert(3)">raw</a> **bold**'
    )
    url = f"{API}/assets/{film_category.pk}/"

    body = api.patch(url, {"description": markdown}, format="json").json()

    assert body["description"] == markdown
    assert Asset.objects.get(pk=film_category.pk).description == markdown
    html = body["description_html"]
    for dangerous in ("<script", "alert(1)", "javascript:", "onclick", "alert(2)"):
        assert dangerous not in html, html
    assert "<h1>Movies</h1>" in html
    assert '<a href="https://wiki.example/films" rel="noopener noreferrer">the guide</a>' in html
    assert "<strong>bold</strong>" in html

    # The listing shows the same sanitised HTML to consumers.
    listing = api.post(f"{url}publish/", {}, format="json").json()
    assert listing["description"] == markdown
    assert listing["description_html"] == html


def test_an_empty_or_unchanged_patch_writes_no_revision(film_category, api):
    url = f"{API}/assets/{film_category.pk}/"
    api.patch(url, {"business_name": "Film categories", "description": "Films."}, format="json")
    before = state_of(film_category)

    for body in ({}, {"business_name": "Film categories"}, {"description": "Films."}):
        response = api.patch(url, body, format="json")
        assert response.status_code == 200
        assert response.json()["current_revision"] == before["asset"][2]
    assert api.patch(f"{url}columns/", [], format="json").status_code == 200
    assert api.patch(f"{url}forms/", {}, format="json").status_code == 200
    assert state_of(film_category) == before


# --- Glossary-term suggestions ------------------------------------------------------------


def test_glossary_term_suggestions_are_listed_and_accepting_one_attaches_the_term(
    project, film_category, api
):
    glossary = GlossaryFactory(owning_project=project, name="Film vocabulary")
    category = GlossaryTermFactory(glossary=glossary, name="Category", synonyms=["genre"])
    GlossaryTermFactory(glossary=glossary, name="Revenue")  # matches nothing here
    url = f"{API}/assets/{film_category.pk}/"

    services.suggest_glossary_terms([film_category])
    suggestions = api.get(f"{url}predictions/").json()["results"]
    assert [(p["column"], p["kind"], p["value"], p["glossary_term"]) for p in suggestions] == [
        (None, "GLOSSARY_TERM", "Category", str(category.pk)),
        ("category_id", "GLOSSARY_TERM", "Category", str(category.pk)),
    ]
    revision = film_category.current_revision

    accepted = api.post(f"{url}predictions/{suggestions[1]['id']}/accept/")

    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "ACCEPTED"
    detail = api.get(url).json()
    assert detail["current_revision"] == revision + 1
    columns = {c["name"]: c["glossary_terms"] for c in detail["columns"]}
    assert columns["category_id"] == [
        {"id": str(category.pk), "name": "Category", "glossary": "Film vocabulary"}
    ]
    assert detail["glossary_terms"] == []
    newest = api.get(f"{url}revisions/").json()["results"][0]
    assert (newest["reason"], newest["changes"], newest["created_by"]) == (
        "PREDICTION",
        ["Column category_id: glossary term \u201cCategory\u201d added"],
        "film-catalog-team-admin",
    )

    # A synonym matches too: naming the `name` column "Genre" suggests Category for it.
    api.patch(f"{url}columns/", [{"name": "name", "business_name": "Genre"}], format="json")
    proposed = api.get(f"{url}predictions/").json()["results"]
    assert [(p["column"], p["value"]) for p in proposed] == [
        (None, "Category"),
        ("name", "Category"),
    ]

    # Rejected suggestions are not made again; accept-all attaches the rest.
    api.post(f"{url}predictions/{proposed[0]['id']}/reject/")
    services.suggest_glossary_terms([Asset.objects.get(pk=film_category.pk)])
    assert api.get(f"{url}predictions/").json()["count"] == 1
    assert api.get(f"{url}predictions/", {"status": "REJECTED"}).json()["count"] == 1
    assert api.post(f"{url}predictions/accept-all/").json()["accepted"] == 1
    detail = api.get(url).json()
    assert detail["glossary_terms"] == []
    assert [
        t["name"] for t in {c["name"]: c for c in detail["columns"]}["name"]["glossary_terms"]
    ] == ["Category"]


def test_a_suggested_term_disabled_since_cannot_be_accepted(project, film_category, api):
    glossary = GlossaryFactory(owning_project=project, name="Film vocabulary")
    category = GlossaryTermFactory(glossary=glossary, name="Category")
    services.suggest_glossary_terms([film_category])
    suggestion = Suggestion.objects.get(asset=film_category, column__isnull=True)
    category.status = GlossaryStatus.DISABLED
    category.save()
    before = state_of(film_category)

    response = api.post(f"{API}/assets/{film_category.pk}/predictions/{suggestion.pk}/accept/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Term 'Category' is disabled (or its glossary is); it cannot be attached."
    }
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.PROPOSED
    assert state_of(film_category) == before


# --- Data sources name default forms ------------------------------------------------------


def test_data_sources_name_the_forms_applied_to_their_assets(project, lake, api):
    data_owner = FormTypeFactory(owning_project=project, name="Data owner")
    quality = FormTypeFactory(owning_project=project, name="Quality")
    retired = FormTypeFactory(
        owning_project=project, name="Retired", status=GlossaryStatus.DISABLED
    )
    foreign = FormTypeFactory(name="Elsewhere")
    body = {
        "project": str(project.pk),
        "environment": str(lake.pk),
        "name": "films",
        "type": "GLUE",
        "database": "curatedzonedb",
    }

    created = api.post(
        f"{API}/data-sources/", {**body, "default_form_types": [str(data_owner.pk)]}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["default_form_types"] == [str(data_owner.pk)]
    url = f"{API}/data-sources/{created.json()['id']}/"

    changed = api.patch(
        url, {"default_form_types": [str(quality.pk), str(data_owner.pk)]}, format="json"
    )
    assert sorted(changed.json()["default_form_types"]) == sorted(
        [str(quality.pk), str(data_owner.pk)]
    )
    assert (
        api.patch(url, {"description": "Films."}, format="json").json()["default_form_types"] != []
    )  # left alone when not given
    for form_types, expected in (
        (
            [str(foreign.pk)],
            {"default_form_types": ["Choose metadata forms of domain 'streaming'."]},
        ),
        ([str(retired.pk)], {"default_form_types": ["Form 'Retired' is disabled."]}),
        (["Quality"], {"default_form_types": {"0": ["Must be a valid UUID."]}}),
    ):
        assert_error(api.patch(url, {"default_form_types": form_types}, format="json"), expected)
        assert_error(
            api.post(
                f"{API}/data-sources/",
                {**body, "name": "other", "default_form_types": form_types},
                format="json",
            ),
            expected,
        )
    assert sorted(str(pk) for pk in api.get(url).json()["default_form_types"]) == sorted(
        [str(quality.pk), str(data_owner.pk)]
    )
    assert (
        api.patch(url, {"default_form_types": []}, format="json").json()["default_form_types"] == []
    )
    assert api.get(f"{API}/data-sources/", {"page_size": 1}).json()["count"] == 1


# --- Listings -------------------------------------------------------------------------------


def test_listing_filters(project, lake, owner, outsider, api_client_for):
    source = DataSourceFactory(project=project, environment=lake)
    table = ListingFactory(asset=AssetFactory(data_source=source, technical_name="films"))
    view = ListingFactory(
        asset=AssetFactory(data_source=source, technical_name="film_view", type="GLUE_VIEW")
    )
    hidden = ListingFactory(
        asset=AssetFactory(data_source=source, technical_name="old"),
        status=ListingStatus.INACTIVE,
    )
    elsewhere_project = ProjectFactory(domain=DomainFactory(name="finance"), name="ledger")
    ProjectMembershipFactory(project=elsewhere_project, user=owner)
    elsewhere = ListingFactory(
        asset=AssetFactory(data_source=DataSourceFactory(project=elsewhere_project))
    )

    def ids(client, **params):
        return {r["id"] for r in client.get(f"{API}/listings/", params).json()["results"]}

    member, consumer = api_client_for(owner), api_client_for(outsider)
    every = {str(x.pk) for x in (table, view, hidden, elsewhere)}
    assert ids(member) == every
    assert ids(consumer) == every - {str(hidden.pk)}
    assert ids(member, domain=str(project.domain_id)) == {
        str(table.pk),
        str(view.pk),
        str(hidden.pk),
    }
    assert ids(member, project=str(elsewhere_project.pk)) == {str(elsewhere.pk)}
    assert ids(member, status="INACTIVE") == {str(hidden.pk)}
    assert ids(consumer, status="INACTIVE") == set()
    assert ids(member, asset_type="GLUE_VIEW") == {str(view.pk)}
    assert ids(member, asset_type="GLUE_VIEW", status="INACTIVE") == set()
    bad = member.get(f"{API}/listings/", {"status": "GONE"})
    assert bad.status_code == 400
    assert "status" in bad.json()


def test_a_listing_stays_as_published_when_the_asset_changes(
    vocabulary, film_category, api, outsider, api_client_for
):
    url = f"{API}/assets/{film_category.pk}/"
    api.patch(url, {"business_name": "Film categories"}, format="json")
    listing = api.post(f"{url}publish/", {}, format="json").json()

    api.patch(
        url,
        {"business_name": "Renamed", "glossary_terms": [str(vocabulary["film"].pk)]},
        format="json",
    )
    api.patch(f"{url}columns/", [{"name": "name", "business_name": "Genre"}], format="json")
    api.patch(f"{url}forms/", {"Data owner": {"Owner email": "a@b.example"}}, format="json")

    read = api_client_for(outsider).get(f"{API}/listings/{listing['id']}/").json()
    assert read == listing
    assert (read["name"], read["glossary_terms"], read["forms"]) == ("Film categories", [], [])
    assert api.get(url).json()["unpublished_changes"] is True


def test_an_archived_asset_cannot_be_published(film_category, api):
    Asset.objects.filter(pk=film_category.pk).update(archived_at="2025-01-01T00:00:00Z")

    response = api.post(f"{API}/assets/{film_category.pk}/publish/", {}, format="json")

    assert response.status_code == 400
    assert response.json()["missing"] == [
        "The asset is archived (its table is no longer in the source)."
    ]
    assert Listing.objects.count() == 0


# --- Pinned query counts --------------------------------------------------------------------


def count_queries(client, url) -> int:
    client.get(url)  # warm up: the user's SSO group names are read once per user object
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def described_asset(source, project, columns: int) -> Asset:
    """An asset whose every column carries a term, with a term and a filled form of its
    own, and a listing."""
    glossary = GlossaryFactory(owning_project=project)
    term = GlossaryTermFactory(glossary=glossary)
    asset = AssetFactory(data_source=source, columns=columns)
    asset.glossary_terms.add(term)
    through = AssetColumn.glossary_terms.through
    through.objects.bulk_create(
        through(assetcolumn=column, glossaryterm=term) for column in asset.columns.all()
    )
    form_type = FormTypeFactory(
        owning_project=project,
        fields=[
            {"name": "owner", "label": "Owner", "type": FieldType.EMAIL, "required": True},
            {
                "name": "term",
                "label": "Term",
                "type": FieldType.GLOSSARY_TERM,
                "glossary": glossary,
            },
        ],
    )
    AssetFormFactory(
        asset=asset, form_type=form_type, values={"owner": "a@b.example", "term": str(term.pk)}
    )
    SuggestionFactory(asset=asset)
    ListingFactory(asset=asset)
    return asset


def test_asset_detail_costs_the_same_for_5_and_200_columns(
    project, lake, api, django_assert_num_queries
):
    source = DataSourceFactory(project=project, environment=lake)
    narrow = described_asset(source, project, 5)
    wide = described_asset(source, project, 200)

    assert count_queries(api, f"{API}/assets/{narrow.pk}/") == count_queries(
        api, f"{API}/assets/{wide.pk}/"
    )
    # The asset, its columns, open suggestions, its terms, its columns' terms, its forms,
    # their fields, the terms chosen in them, its listing.
    with django_assert_num_queries(9):
        body = api.get(f"{API}/assets/{wide.pk}/").json()
    assert len(body["columns"]) == 200
    assert all(len(c["glossary_terms"]) == 1 for c in body["columns"])
    assert body["forms"][0]["fields"][1]["display"] == body["glossary_terms"][0]["name"]
    assert body["listing"]["status"] == "ACTIVE"


def test_listing_detail_costs_the_same_for_5_and_200_columns(
    project, lake, outsider, api_client_for, django_assert_num_queries
):
    source = DataSourceFactory(project=project, environment=lake)
    narrow = described_asset(source, project, 5).listing
    wide = described_asset(source, project, 200).listing
    consumer = api_client_for(outsider)

    assert count_queries(consumer, f"{API}/listings/{narrow.pk}/") == count_queries(
        consumer, f"{API}/listings/{wide.pk}/"
    )
    with django_assert_num_queries(1):  # the listing with its project, domain and publisher
        body = consumer.get(f"{API}/listings/{wide.pk}/").json()
    assert len(body["columns"]) == 200
    assert all(len(c["glossary_terms"]) == 1 for c in body["columns"])
    assert body["forms"][0]["fields"][0]["value"] == "a@b.example"


def test_listing_list_costs_the_same_for_3_and_30_listings(
    project, lake, outsider, api_client_for, django_assert_num_queries
):
    source = DataSourceFactory(project=project, environment=lake)
    consumer = api_client_for(outsider)

    def grow(n):
        for _ in range(n):
            ListingFactory(asset=AssetFactory(data_source=source, columns=3))

    grow(3)
    few = count_queries(consumer, f"{API}/listings/")
    grow(27)
    assert count_queries(consumer, f"{API}/listings/") == few
    with django_assert_num_queries(2):  # count, page
        body = consumer.get(f"{API}/listings/").json()
    assert body["count"] == 30


def test_data_source_list_with_default_forms_costs_the_same(
    project, lake, api, django_assert_num_queries
):
    forms = [FormTypeFactory(owning_project=project) for _ in range(3)]

    def grow(n):
        for _ in range(n):
            DataSourceFactory(project=project, environment=lake).default_form_types.set(forms)

    grow(2)
    few = count_queries(api, f"{API}/data-sources/")
    grow(18)
    assert count_queries(api, f"{API}/data-sources/") == few
    with django_assert_num_queries(3):  # count, page, newest runs
        body = api.get(f"{API}/data-sources/").json()
    assert all(len(r["default_form_types"]) == 3 for r in body["results"])


# --- Schema ---------------------------------------------------------------------------------

PUBLISHING_PATHS = {
    "/api/v1/assets/{id}/": {"get", "patch"},
    "/api/v1/assets/{id}/columns/": {"patch"},
    "/api/v1/assets/{id}/forms/": {"get", "patch"},
    "/api/v1/assets/{id}/publish/": {"post"},
    "/api/v1/assets/{id}/unpublish/": {"post"},
    "/api/v1/listings/": {"get"},
    "/api/v1/listings/{id}/": {"get"},
}


def test_schema_documents_editing_publishing_and_listings(outsider, api_client_for):
    schema = yaml.safe_load(api_client_for(outsider).get("/api/schema/").content)

    for path, methods in PUBLISHING_PATHS.items():
        assert set(schema["paths"][path]) == methods, path
    publish = schema["paths"]["/api/v1/assets/{id}/publish/"]["post"]["responses"]
    assert set(publish) == {"200", "201", "400", "403", "404"}
    refused = publish["400"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][refused]["properties"]) == {"detail", "missing"}
    components = schema["components"]["schemas"]
    assert {"listing", "unpublished_changes", "forms", "description_html"} <= set(
        components["AssetDetail"]["properties"]
    )
    assert set(components["PatchedAssetUpdateRequest"]["properties"]) == {
        "business_name",
        "description",
        "glossary_terms",
    }
    assert components["ListingStatusEnum"]["enum"] == ["ACTIVE", "INACTIVE"]
    assert "default_form_types" in components["DataSourceRequest"]["properties"]
