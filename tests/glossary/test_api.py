"""The glossary API: glossaries and terms (with CSV import and export), form types and
publishing rules — what each endpoint answers, how bad input is refused (nothing
half-saved), and that lists cost a constant number of queries. Who may do what is in
test_api_permissions.py."""

import pytest
import yaml
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from glossary.choices import FieldType, GlossaryStatus
from glossary.models import FormType, Glossary, GlossaryTerm, PublishingRule
from tests.glossary.factories import (
    FormTypeFactory,
    GlossaryFactory,
    GlossaryTermFactory,
    PublishingRuleFactory,
)
from tests.projects.factories import DomainFactory, ProjectFactory

API = "/api/v1"
pytestmark = pytest.mark.django_db


@pytest.fixture
def media(project):
    return GlossaryFactory(owning_project=project, name="Media", description="Film words.")


@pytest.fixture
def api(steward, api_client_for):
    return api_client_for(steward)


def counts():
    return {
        m.__name__: m.objects.count() for m in (Glossary, GlossaryTerm, FormType, PublishingRule)
    }


def field_error(response, field) -> str:
    assert response.status_code == 400, (response.status_code, response.content[:500])
    body = response.json()
    assert field in body, body
    return " ".join(str(m) for m in body[field])


# --- Glossaries ---------------------------------------------------------------------------


def test_steward_creates_updates_and_disables_a_glossary(api, project, domain):
    created = api.post(
        f"{API}/glossaries/",
        {"owning_project": str(project.pk), "name": "Media", "description": "Film words."},
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["domain"] == str(domain.pk)  # the owning project's domain by default
    assert body["domain_name"] == "streaming"
    assert body["owning_project_name"] == "Film Catalog Project"
    assert (body["status"], body["term_count"]) == ("ENABLED", 0)

    updated = api.patch(f"{API}/glossaries/{body['id']}/", {"status": "DISABLED", "name": "Films"})
    assert updated.status_code == 200, updated.json()
    assert (updated.json()["status"], updated.json()["name"]) == ("DISABLED", "Films")
    assert Glossary.objects.get().status == GlossaryStatus.DISABLED

    # No delete: glossaries are disabled instead.
    assert api.delete(f"{API}/glossaries/{body['id']}/").status_code == 405
    assert Glossary.objects.exists()


def test_glossary_input_errors_name_the_field(api, project, media):
    before = counts()
    other_domain = DomainFactory(name="marketing")

    duplicate = api.post(f"{API}/glossaries/", {"owning_project": str(project.pk), "name": "MEDIA"})
    assert "already has a glossary named 'MEDIA'" in field_error(duplicate, "name")
    mismatch = api.post(
        f"{API}/glossaries/",
        {"owning_project": str(project.pk), "domain": str(other_domain.pk), "name": "X"},
    )
    assert field_error(mismatch, "owning_project") == "Choose a project of this domain."
    missing = api.post(f"{API}/glossaries/", {"name": "X"})
    assert "required" in field_error(missing, "owning_project")
    bad_status = api.patch(f"{API}/glossaries/{media.pk}/", {"status": "GONE"})
    assert "not a valid choice" in field_error(bad_status, "status")
    assert counts() == before


def test_glossary_list_counts_terms_and_filters(outsider, api_client_for, media, project):
    GlossaryTermFactory(glossary=media)
    GlossaryTermFactory(glossary=media)
    marketing = GlossaryFactory(
        owning_project=ProjectFactory(domain=DomainFactory(name="marketing")),
        name="Campaigns",
        status=GlossaryStatus.DISABLED,
    )
    client = api_client_for(outsider)

    everything = client.get(f"{API}/glossaries/").json()
    assert [(g["name"], g["term_count"]) for g in everything["results"]] == [
        ("Campaigns", 0),
        ("Media", 2),
    ]
    by_domain = client.get(f"{API}/glossaries/", {"domain": str(project.domain_id)}).json()
    assert [g["name"] for g in by_domain["results"]] == ["Media"]
    disabled = client.get(f"{API}/glossaries/", {"status": "DISABLED"}).json()
    assert [g["id"] for g in disabled["results"]] == [str(marketing.pk)]


def test_unknown_glossary_is_404(api):
    response = api.get(f"{API}/glossaries/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No Glossary matches the given query."}


# --- Terms --------------------------------------------------------------------------------


def test_term_with_relations_reads_both_directions(api, media):
    category = api.post(
        f"{API}/glossary-terms/", {"glossary": str(media.pk), "name": "Category"}
    ).json()
    genre = api.post(
        f"{API}/glossary-terms/",
        {
            "glossary": str(media.pk),
            "name": "Genre",
            "short_description": "The style of a film.",
            "long_description": "**Drama**, comedy…",
            "synonyms": ["category", "kind", "Kind", " "],
            "is_a": [category["id"]],
        },
    )
    assert genre.status_code == 201, genre.json()
    genre = genre.json()
    rating = api.post(
        f"{API}/glossary-terms/",
        {"glossary": str(media.pk), "name": "Rating", "classifies": [genre["id"]]},
    ).json()

    assert genre["synonyms"] == ["category", "kind"]
    assert genre["is_a"] == [{"id": category["id"], "name": "Category", "glossary": str(media.pk)}]
    assert genre["glossary_name"] == "Media" and genre["domain"] == str(media.domain_id)
    read = api.get(f"{API}/glossary-terms/{genre['id']}/").json()
    assert [t["name"] for t in read["is_a"]] == ["Category"]
    assert [t["name"] for t in read["classified_by"]] == ["Rating"]
    assert read["classifies"] == [] and read["narrower_terms"] == []
    broader = api.get(f"{API}/glossary-terms/{category['id']}/").json()
    assert [t["name"] for t in broader["narrower_terms"]] == ["Genre"]
    assert [t["name"] for t in rating["classifies"]] == ["Genre"]


def test_term_list_filters_with_the_filterset(outsider, api_client_for, media, project):
    GlossaryTermFactory(glossary=media, name="Genre", synonyms=["kind"])
    GlossaryTermFactory(glossary=media, name="Rating", status=GlossaryStatus.DISABLED)
    other = GlossaryFactory(owning_project=project, name="Finance")
    GlossaryTermFactory(glossary=other, name="Revenue", short_description="Money in.")
    client = api_client_for(outsider)

    def names(**params):
        return [t["name"] for t in client.get(f"{API}/glossary-terms/", params).json()["results"]]

    assert names(glossary=str(media.pk)) == ["Genre", "Rating"]
    assert names(q="KIND") == ["Genre"]
    assert names(q="money") == ["Revenue"]
    assert names(status="DISABLED") == ["Rating"]
    assert names(domain=str(project.domain_id)) == ["Revenue", "Genre", "Rating"]
    assert client.get(f"{API}/glossary-terms/", {"glossary": "nope"}).status_code == 400


def test_cycle_self_and_foreign_relations_are_field_errors(api, media):
    a = GlossaryTermFactory(glossary=media, name="A")
    b = GlossaryTermFactory(glossary=media, name="B", is_a=[a])
    c = GlossaryTermFactory(glossary=media, name="C", is_a=[b])
    foreign = GlossaryTermFactory(
        glossary=GlossaryFactory(owning_project=ProjectFactory(domain=DomainFactory(name="m")))
    )
    url = f"{API}/glossary-terms/{a.pk}/"

    cycle = api.patch(url, {"is_a": [str(c.pk)], "short_description": "Changed"})
    assert field_error(cycle, "is_a") == (
        "'A' cannot be a kind of one of its own narrower terms (a cycle)."
    )
    assert field_error(api.patch(url, {"is_a": [str(a.pk)]}), "is_a") == (
        "A term cannot be a kind of itself."
    )
    assert field_error(api.patch(url, {"classifies": [str(foreign.pk)]}), "classifies") == (
        "Choose terms of this domain's glossaries."
    )
    not_uuid = api.patch(url, {"is_a": ["nope"]})
    assert not_uuid.json() == {"is_a": {"0": ["Must be a valid UUID."]}}
    a.refresh_from_db()
    assert a.short_description != "Changed" and not a.is_a.exists()

    unknown = api.post(
        f"{API}/glossary-terms/",
        {"glossary": "00000000-0000-0000-0000-000000000000", "name": "X"},
    )
    assert "does not exist" in field_error(unknown, "glossary")


# --- CSV ----------------------------------------------------------------------------------

CSV = (
    "name,short_description,long_description,synonyms,parents\n"
    "Category,A way to group films,,,\n"
    "Genre,The style of a film,,category; kind,Category\n"
)


def test_export_downloads_csv_named_after_the_glossary(outsider, api_client_for, project):
    glossary = GlossaryFactory(owning_project=project, name="Médias 2025")
    category = GlossaryTermFactory(glossary=glossary, name="Category", short_description="Groups")
    GlossaryTermFactory(glossary=glossary, name="Genre", short_description="", is_a=[category])

    response = api_client_for(outsider).get(f"{API}/glossaries/{glossary.pk}/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''M%C3%A9dias%202025.csv"
    )
    assert response.content.decode().splitlines() == [
        "name,short_description,long_description,synonyms,parents",
        "Category,Groups,,,",
        "Genre,,,,Category",
    ]
    plain = GlossaryFactory(owning_project=project, name="Media")
    assert (
        api_client_for(outsider).get(f"{API}/glossaries/{plain.pk}/export/")["Content-Disposition"]
        == 'attachment; filename="Media.csv"'
    )


def test_import_a_multipart_file_then_the_same_text_body_again(api, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("terms.csv", CSV.encode(), content_type="text/csv")
    first = api.post(f"{API}/glossaries/{media.pk}/import/", {"file": upload}, format="multipart")
    assert first.status_code == 200, first.json()
    assert first.json() == {"created": 2, "updated": 0, "unchanged": 0}

    again = api.generic(
        "POST", f"{API}/glossaries/{media.pk}/import/", CSV.encode(), content_type="text/csv"
    )
    assert again.status_code == 200, again.json()
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 2}
    assert [p.name for p in media.terms.get(name="Genre").is_a.all()] == ["Category"]


def test_import_errors_list_every_line_and_save_nothing(api, media):
    GlossaryTermFactory(glossary=media, name="Kept")
    before = counts()
    bad = "name,parents\nCategory,\n,\nGenre,Nope\n"

    response = api.generic(
        "POST", f"{API}/glossaries/{media.pk}/import/", bad.encode(), content_type="text/csv"
    )

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            "Line 3: the term has no name.",
            "Line 4: parent 'Nope' is not a term of this glossary or this file.",
        ]
    }
    assert counts() == before
    latin1 = api.generic(
        "POST",
        f"{API}/glossaries/{media.pk}/import/",
        "name\nGenr\xe9\n".encode("latin-1"),
        content_type="text/csv",
    )
    assert latin1.status_code == 400
    assert latin1.json() == {"errors": ["The file is not UTF-8 text; save it as CSV UTF-8."]}
    nothing = api.post(f"{API}/glossaries/{media.pk}/import/", {}, format="multipart")
    assert nothing.status_code == 400
    assert "Attach the CSV" in nothing.json()["errors"][0]
    assert counts() == before


# --- Form types ---------------------------------------------------------------------------

FIELDS = [
    {"label": "Owner email", "type": "EMAIL", "required": True, "help_text": "Who answers."},
    {"label": "Last audit date", "name": "last_audit", "type": "DATE"},
]


def test_form_type_fields_and_revision(api, project, media):
    created = api.post(
        f"{API}/form-types/",
        {"owning_project": str(project.pk), "name": "Data owner", "fields": FIELDS},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["revision"] == 1
    assert [
        (f["name"], f["label"], f["type"], f["required"], f["order"]) for f in body["fields"]
    ] == [
        ("owner_email", "Owner email", "EMAIL", True, 1),
        ("last_audit", "Last audit date", "DATE", False, 2),
    ]
    url = f"{API}/form-types/{body['id']}/"

    same = api.patch(url, {"fields": FIELDS, "description": "Who owns the data"})
    assert (same.json()["revision"], same.json()["description"]) == (1, "Who owns the data")

    genre = {"label": "Genre", "type": "GLOSSARY_TERM", "glossary": str(media.pk)}
    changed = api.patch(url, {"fields": [*FIELDS, genre]})
    assert changed.status_code == 200, changed.json()
    assert changed.json()["revision"] == 2
    assert changed.json()["fields"][2] == {
        "name": "genre",
        "label": "Genre",
        "type": "GLOSSARY_TERM",
        "glossary": str(media.pk),
        "glossary_name": "Media",
        "required": False,
        "searchable": False,
        "help_text": "",
        "order": 3,
    }
    assert api.get(url).json()["revision"] == 2
    assert api.delete(url).status_code == 405


def test_form_type_field_errors_save_nothing(api, project):
    foreign = GlossaryFactory(owning_project=ProjectFactory(domain=DomainFactory(name="m")))
    before = counts()

    service_errors = api.post(
        f"{API}/form-types/",
        {
            "owning_project": str(project.pk),
            "name": "Tags",
            "fields": [
                {"label": "Genre", "type": "GLOSSARY_TERM", "glossary": str(foreign.pk)},
                {"label": "Genre", "type": "STRING"},
            ],
        },
    )
    assert service_errors.status_code == 400
    assert service_errors.json() == {
        "fields": [
            "Field 1: choose the glossary of this domain whose terms it offers.",
            "Field 2: another field is already named 'genre'.",
        ]
    }
    shape_errors = api.post(
        f"{API}/form-types/",
        {
            "owning_project": str(project.pk),
            "name": "Tags",
            "fields": [{"label": "Ok", "type": "STRING"}, {"label": "Colour", "type": "COLOUR"}],
        },
    )
    assert shape_errors.status_code == 400
    assert shape_errors.json() == {"fields": {"1": {"type": ['"COLOUR" is not a valid choice.']}}}
    assert counts() == before


# --- Publishing rules ---------------------------------------------------------------------


def test_publishing_rule_per_domain(api, outsider, api_client_for, domain, project, media):
    marketing = DomainFactory(name="marketing")
    form_type = FormTypeFactory(owning_project=project, name="Data owner")
    genre = GlossaryTermFactory(glossary=media, name="Genre")
    url = f"{API}/publishing-rules/{domain.pk}/"

    empty = api_client_for(outsider).get(url).json()
    assert empty == {
        "domain": str(domain.pk),
        "domain_name": "streaming",
        "description": "",
        "required_form_types": [],
        "required_glossary_terms": [],
        "updated_at": None,
    }

    saved = api.put(
        url,
        {
            "required_form_types": [str(form_type.pk)],
            "required_glossary_terms": [str(genre.pk)],
            "description": "Every product names its owner.",
        },
    )
    assert saved.status_code == 200, saved.json()
    assert saved.json()["required_form_types"] == [{"id": str(form_type.pk), "name": "Data owner"}]
    assert saved.json()["required_glossary_terms"] == [
        {"id": str(genre.pk), "name": "Genre", "glossary": str(media.pk)}
    ]
    listed = api_client_for(outsider).get(f"{API}/publishing-rules/").json()
    assert [(r["domain_name"], len(r["required_form_types"])) for r in listed["results"]] == [
        ("marketing", 0),
        ("streaming", 1),
    ]

    foreign_form = FormTypeFactory(owning_project=ProjectFactory(domain=marketing))
    refused = api.put(url, {"required_form_types": [str(foreign_form.pk)]})
    assert field_error(refused, "required_form_types") == "Choose form types of this domain."
    assert list(PublishingRule.objects.get().required_form_types.all()) == [form_type]
    assert "required" in field_error(api.put(url, {}), "required_form_types")
    assert api.patch(url, {"description": "x"}).status_code == 405
    missing = api.get(f"{API}/publishing-rules/00000000-0000-0000-0000-000000000000/")
    assert missing.status_code == 404


# --- The API as a whole -------------------------------------------------------------------


def test_schema_documents_the_glossary_endpoints(outsider):
    browser = Client()
    browser.force_login(outsider)
    schema = yaml.safe_load(browser.get("/api/schema/").content)

    assert {
        "/api/v1/glossaries/",
        "/api/v1/glossaries/{id}/",
        "/api/v1/glossaries/{id}/export/",
        "/api/v1/glossaries/{id}/import/",
        "/api/v1/glossary-terms/",
        "/api/v1/glossary-terms/{id}/",
        "/api/v1/form-types/",
        "/api/v1/form-types/{id}/",
        "/api/v1/publishing-rules/",
        "/api/v1/publishing-rules/{domain}/",
    } <= set(schema["paths"])
    export = schema["paths"]["/api/v1/glossaries/{id}/export/"]["get"]["responses"]["200"]
    assert set(export["content"]) == {"text/csv"}
    upload = schema["paths"]["/api/v1/glossaries/{id}/import/"]["post"]["requestBody"]["content"]
    assert {"multipart/form-data", "text/csv"} <= set(upload)
    assert "delete" not in schema["paths"]["/api/v1/glossaries/{id}/"]
    assert set(schema["paths"]["/api/v1/publishing-rules/{domain}/"]) >= {"get", "put"}


def test_api_root_lists_the_glossary_resources(outsider):
    client = APIClient()
    client.force_authenticate(outsider)
    root = client.get(f"{API}/").json()
    for name in ("glossaries", "glossary-terms", "form-types", "publishing-rules"):
        assert root[name] == f"http://testserver/api/v1/{name}/"


# --- Query counts: lists cost the same for 3 rows and for 30 ------------------------------


def count_queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.json()["count"] > 0
    return len(queries)


def grow(project, n):
    """n glossaries with related terms, n form types with fields, n domains with rules."""
    for _ in range(n):
        glossary = GlossaryFactory(owning_project=project)
        parent = GlossaryTermFactory(glossary=glossary)
        child = GlossaryTermFactory(glossary=glossary, is_a=[parent], synonyms=["x"])
        GlossaryTermFactory(glossary=glossary, classifies=[child])
        FormTypeFactory(
            owning_project=project,
            fields=[
                {"name": "term", "type": FieldType.GLOSSARY_TERM, "glossary": glossary},
                {"name": "when", "type": FieldType.DATE, "required": True},
            ],
        )
        elsewhere = ProjectFactory()  # in a domain of its own
        PublishingRuleFactory(
            domain=elsewhere.domain,
            required_form_types=[FormTypeFactory(owning_project=elsewhere)],
            required_glossary_terms=[
                GlossaryTermFactory(glossary=GlossaryFactory(owning_project=elsewhere))
            ],
        )


@pytest.mark.parametrize(
    ("name", "expected_queries"),
    [("glossaries", 2), ("glossary-terms", 6), ("form-types", 3), ("publishing-rules", 4)],
)
def test_list_endpoints_cost_a_constant_number_of_queries(
    name, expected_queries, outsider, project, api_client_for, django_assert_num_queries
):
    client = api_client_for(outsider)
    url = f"{API}/{name}/"
    grow(project, 3)
    few = count_queries(client, url)
    grow(project, 27)
    assert count_queries(client, url) == few
    with django_assert_num_queries(expected_queries):
        response = client.get(url)
    assert response.json()["count"] >= 30
