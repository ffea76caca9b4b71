"""The OpenAPI document describes what the API really answers (issue 9): a run without
an error has error_type "", publish's 400 is either the rules' refusal or field errors,
created_by is null once its user is gone."""

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def document():
    return SchemaGenerator().get_schema(request=None, public=True)


def _validator(document, schema):
    """A validator for ``schema`` that resolves the document's $refs."""
    return jsonschema.Draft202012Validator({**schema, "components": document["components"]})


def _component(document, name, prop):
    return {"$ref": f"#/components/schemas/{name}/properties/{prop}"}


def test_error_type_may_be_empty(document):
    check = _validator(document, _component(document, "DataSourceRun", "error_type"))
    assert check.is_valid("")
    assert check.is_valid("THROTTLING")
    assert not check.is_valid("SOMETHING_ELSE")


@pytest.mark.parametrize("name", ["Project", "Environment", "DataSource"])
def test_created_by_may_be_null(document, name):
    # OpenAPI 3.0 says null with "nullable", which JSON Schema validators do not read.
    assert document["components"]["schemas"][name]["properties"]["created_by"]["nullable"]


def test_publish_400_has_both_shapes(document):
    responses = document["paths"]["/api/v1/assets/{id}/publish/"]["post"]["responses"]
    check = _validator(document, responses["400"]["content"]["application/json"]["schema"])
    assert check.is_valid({"detail": "Not published.", "missing": ["Form Owner"]})
    assert check.is_valid({"approval_required": ["Must be a valid boolean."]})
    assert check.is_valid({"detail": "Use at most 20,000 characters."})


def _bodies(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "requestBody" in operation:
                yield f"{method.upper()} {path}", operation["requestBody"]["content"]


def test_json_bodies_are_documented_as_json_only(document):
    """Form encodings cannot carry lists of objects, null or nested JSON: a client sending
    what the document allowed as a form got 400s."""
    bodies = dict(_bodies(document))
    assert bodies
    for label, content in bodies.items():
        if "application/json" in content:
            assert list(content) == ["application/json"], label
    assert set(bodies["POST /api/v1/glossaries/{id}/import/"]) == {
        "multipart/form-data",
        "text/csv",
    }


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/api/v1/projects/{project_pk}/members/", "designation"),
        ("/api/v1/domains/{domain_pk}/members/", "role"),
    ],
)
def test_a_member_is_exactly_one_of_a_user_and_a_group(document, path, role):
    schema = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    check = _validator(document, schema)
    assert check.is_valid({"user": "ana", role: "OWNER"})
    assert check.is_valid({"group": "data-team", "user": "", role: "OWNER"})
    assert not check.is_valid({"user": "ana", "group": "data-team", role: "OWNER"})  # both
    assert not check.is_valid({"user": " ", "group": "", role: "OWNER"})  # neither
    assert not check.is_valid({role: "OWNER"})
    assert not check.is_valid({"user": "ana", role: "KING"})


def test_a_csv_body_starts_with_its_header(document):
    content = document["paths"]["/api/v1/glossaries/{id}/import/"]["post"]["requestBody"]["content"]
    check = _validator(document, content["text/csv"]["schema"])
    assert check.is_valid("name,short_description\nRevenue,Money in\n")
    assert not check.is_valid("Revenue,Money in\n")
