"""What an import adds for the producer: default forms, glossary-term suggestions, and
publish on import (accepted or refused by the domain's rules)."""

import pytest

from catalog.choices import ActivityStatus, ListingStatus, RunStatus, SuggestionKind
from catalog.models import Asset, AssetForm, Listing, Suggestion
from glossary.choices import FieldType
from glossary.models import PublishingRule
from meshportal.demo import GLUE_DATABASE, seed_aws
from tests.catalog.factories import create_glue_source, run_now
from tests.glossary.factories import (
    FormFieldFactory,
    FormTypeFactory,
    GlossaryFactory,
    GlossaryTermFactory,
)
from tests.projects.factories import EnvironmentFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def environment(aws, project, profile):
    seed_aws()
    return EnvironmentFactory(project=project, profile=profile)


def make_source(owner, project, environment, **fields):
    return create_glue_source(owner, project, environment, name="films-CuratedZoneDB", **fields)


def test_default_forms_are_applied_empty_to_imported_assets(owner, project, environment):
    form = FormTypeFactory(owning_project=project, name="Data owner", fields=[])
    source = make_source(owner, project, environment, default_form_types=[form.pk])

    run = run_now(owner, source)

    assert run.status == RunStatus.SUCCESS
    forms = AssetForm.objects.filter(form_type=form)
    assert forms.count() == 3
    assert all(f.values == {} and f.form_revision == form.revision for f in forms)


def test_glossary_terms_matching_names_are_suggested_on_import(owner, project, environment):
    glossary = GlossaryFactory(owning_project=project, name="Media")
    genre = GlossaryTermFactory(glossary=glossary, name="Genre", synonyms=["category"])
    film = GlossaryTermFactory(glossary=glossary, name="Film")
    source = make_source(owner, project, environment)

    run_now(owner, source)

    film_category = Asset.objects.get(technical_name="film_category")
    suggested = {
        (p.column.name if p.column_id else None, p.glossary_term_id)
        for p in Suggestion.objects.filter(asset=film_category, kind=SuggestionKind.GLOSSARY_TERM)
    }
    assert (None, genre.pk) in suggested  # "category" is a synonym of Genre
    assert (None, film.pk) in suggested
    assert ("category_id", genre.pk) in suggested
    assert ("film_id", film.pk) in suggested


def test_publish_on_import_publishes_when_the_rules_allow(owner, project, environment):
    source = make_source(owner, project, environment, publish_on_import=True)

    run = run_now(owner, source)

    assert run.status == RunStatus.SUCCESS
    assert Listing.objects.filter(status=ListingStatus.ACTIVE).count() == 3
    messages = set(run.activities.values_list("message", flat=True))
    assert messages == {"Published on import."}


def test_a_publish_the_rules_refuse_becomes_the_tables_activity_with_the_reasons(
    owner, project, environment
):
    form = FormTypeFactory(owning_project=project, name="Data owner", fields=[])
    FormFieldFactory(
        form_type=form, name="owner_email", label="Owner email", type=FieldType.EMAIL, required=True
    )
    rule = PublishingRule.objects.create(domain=project.domain)
    rule.required_form_types.add(form)
    source = make_source(
        owner, project, environment, publish_on_import=True, default_form_types=[form.pk]
    )

    run = run_now(owner, source)

    assert run.status == RunStatus.SUCCESS  # the import itself worked
    assert not Listing.objects.exists()
    activity = run.activities.get(table_name="film_category")
    assert activity.status == ActivityStatus.SUCCEEDED_CREATED
    assert (
        activity.message
        == "Not published: \u201cOwner email\u201d in form \u201cData owner\u201d is required."
    )


def test_publish_on_import_is_chosen_on_the_data_source_form(
    client_for, owner, project, environment
):
    from django.urls import reverse

    response = client_for(owner).post(
        reverse("data-source-create", args=[project.pk]),
        {
            "name": "films-CuratedZoneDB",
            "environment": environment.pk,
            "type": "GLUE",
            "database_name": GLUE_DATABASE,
            "filters": "INCLUDE *",
            "schedule_timezone": "UTC",
            "enabled": "on",
            "publish_on_import": "on",
            "generate_business_names": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    source = project.data_sources.get(name="films-CuratedZoneDB")
    assert source.publish_on_import is True
    run = run_now(owner, source)
    assert (
        Listing.objects.filter(asset__data_source=source, status=ListingStatus.ACTIVE).count()
        == run.added
        == 3
    )


def test_a_published_table_that_leaves_the_source_leaves_the_catalog(
    aws, owner, project, environment
):
    source = make_source(owner, project, environment, publish_on_import=True)
    run_now(owner, source)
    assert Listing.objects.filter(status=ListingStatus.ACTIVE).count() == 3

    aws.client("glue").delete_table(DatabaseName=GLUE_DATABASE, Name="category_streams")
    run = run_now(owner, source)

    assert run.archived == 1
    listing = Listing.objects.get(asset__technical_name="category_streams")
    assert listing.status == ListingStatus.INACTIVE
    assert listing.unpublished_at is not None
    assert Listing.objects.filter(status=ListingStatus.ACTIVE).count() == 2
