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
