"""Editing and publishing services on their own: what publish_missing says and in which
order, who may publish, the revisions each edit writes (and does not write), forms filled
under an older revision of their form type, publish on import, default forms of a data
source. The API tests walk the same paths end to end."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalog import services
from catalog.choices import ListingStatus, RevisionReason
from catalog.models import AssetForm, AssetRevision, Listing
from catalog.snapshots import forms_snapshot
from glossary.choices import FieldType, GlossaryStatus
from glossary.services import form_type_update
from meshportal.exceptions import Conflict, Incomplete, NestedValidationError
from tests.catalog.factories import (
    AssetColumnFactory,
    AssetFactory,
    AssetFormFactory,
    DataSourceFactory,
)
from tests.glossary import forms
from tests.glossary.factories import (
    FormTypeFactory,
    GlossaryFactory,
    GlossaryTermFactory,
    PublishingRuleFactory,
)
from tests.projects.factories import DomainFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def asset(project, lake):
    source = DataSourceFactory(project=project, environment=lake, name="films")
    asset = AssetFactory(data_source=source, technical_name="film_category")
    for position, name in enumerate(("category_id", "name"), start=1):
        AssetColumnFactory(asset=asset, name=name, position=position)
    return asset


@pytest.fixture
def glossary(project):
    return GlossaryFactory(owning_project=project, name="Film vocabulary")


def publishing_form(project, glossary=None, **kwargs):
    """ "Data owner": Owner email (required), Last audit date, Contact, and with a
    ``glossary`` a required Steward term from it."""
    fields = [
        forms.OWNER_EMAIL,
        forms.field("last_audit", "Last audit date", FieldType.DATE),
        forms.CONTACT,
    ]
    if glossary is not None:
        fields.append(
            forms.field(
                "steward_term",
                "Steward term",
                FieldType.GLOSSARY_TERM,
                glossary=glossary,
                required=True,
            )
        )
    return forms.data_owner(project, *fields, **kwargs)


def newest_revision(asset) -> AssetRevision:
    return AssetRevision.objects.filter(asset=asset).order_by("-revision").first()


# --- What publishing still needs ------------------------------------------------------------


def test_publish_missing_lists_archival_rule_forms_rule_terms_then_required_fields(
    domain, project, glossary, asset
):
    zeta = FormTypeFactory(owning_project=project, name="Zeta form")
    alpha = FormTypeFactory(owning_project=project, name="Alpha form")
    data_owner = publishing_form(project, glossary)
    PublishingRuleFactory(
        domain=domain,
        required_form_types=[zeta, alpha, data_owner],
        required_glossary_terms=[
            GlossaryTermFactory(glossary=glossary, name="Zebra"),
            GlossaryTermFactory(glossary=glossary, name="Apple"),
        ],
    )
    AssetFormFactory(asset=asset, form_type=data_owner, values={"last_audit": "2025-01-31"})
    AssetFormFactory(asset=asset, form_type=alpha)  # its "Last audit date" is required
    asset.archived_at = timezone.now()
    asset.save()

    assert services.publish_missing(asset) == [
        "The asset is archived (its table is no longer in the source).",
        "Form \u201cZeta form\u201d is required by the domain's publishing rule.",
        "Glossary term \u201cApple\u201d is required by the domain's publishing rule.",
        "Glossary term \u201cZebra\u201d is required by the domain's publishing rule.",
        "\u201cLast audit date\u201d in form \u201cAlpha form\u201d is required.",
        "\u201cOwner email\u201d in form \u201cData owner\u201d is required.",
        "\u201cSteward term\u201d in form \u201cData owner\u201d is required.",
    ]


def test_a_domain_without_a_rule_requires_only_the_attached_forms_fields(project, asset):
    assert services.publish_missing(asset) == []
    AssetFormFactory(asset=asset, form_type=publishing_form(project))

    assert services.publish_missing(asset) == [
        "\u201cOwner email\u201d in form \u201cData owner\u201d is required."
    ]


def test_another_domains_rule_does_not_apply(project, asset):
    PublishingRuleFactory(
        domain=DomainFactory(name="finance"),
        required_form_types=[FormTypeFactory(name="Ledger")],
    )

    assert services.publish_missing(asset) == []


def test_an_archived_asset_is_refused_and_nothing_is_published(owner, asset):
    asset.archived_at = timezone.now()
    asset.save()

    with pytest.raises(Incomplete) as refused:
        services.asset_publish(acting_user=owner, asset=asset)

    assert refused.value.missing == [
        "The asset is archived (its table is no longer in the source)."
    ]
    assert refused.value.message == (
        "\u201cfilm_category\u201d cannot be published yet: 1 item is missing."
    )
    assert not Listing.objects.exists()


@pytest.mark.parametrize("persona", ["viewer", "steward", "outsider"], indirect=True)
def test_only_contributors_and_owners_publish_and_unpublish(persona, owner, asset):
    with pytest.raises(PermissionDenied):
        services.asset_publish(acting_user=persona, asset=asset)
    assert not Listing.objects.exists()

    services.asset_publish(acting_user=owner, asset=asset)
    with pytest.raises(PermissionDenied):
        services.asset_unpublish(acting_user=persona, asset=asset)
    assert Listing.objects.get().status == ListingStatus.ACTIVE


def test_publishing_again_replaces_the_snapshot_and_unpublishing_twice_conflicts(
    owner, contributor, asset
):
    with pytest.raises(Conflict):
        services.asset_unpublish(acting_user=owner, asset=asset)

    first = services.asset_publish(acting_user=owner, asset=asset)
    assert (first.revision, first.snapshot["business_name"], first.published_by) == (1, "", owner)
    services.asset_update(acting_user=contributor, asset=asset, business_name="Film categories")
    first.refresh_from_db()
    assert (first.revision, first.name, first.snapshot["business_name"]) == (1, "film_category", "")

    second = services.asset_publish(acting_user=contributor, asset=asset, approval_required=False)
    assert second.pk == first.pk
    assert (second.revision, second.name, second.snapshot["business_name"]) == (
        2,
        "Film categories",
        "Film categories",
    )
    assert (second.approval_required, second.published_by) == (False, contributor)
    assert second.snapshot["project"] == {
        "id": str(asset.project_id),
        "name": "Film Catalog Project",
    }
    assert second.snapshot["domain"] == {"id": str(asset.domain_id), "name": "streaming"}

    down = services.asset_unpublish(acting_user=owner, asset=asset)
    assert (down.status, down.unpublished_at is not None) == (ListingStatus.INACTIVE, True)
    with pytest.raises(Conflict, match="is not published"):
        services.asset_unpublish(acting_user=owner, asset=asset)
    up = services.asset_publish(acting_user=owner, asset=asset)
    assert (up.pk, up.status, up.unpublished_at) == (first.pk, ListingStatus.ACTIVE, None)


def test_publish_on_import_returns_what_is_missing_instead_of_raising(
    domain, project, glossary, asset
):
    rule_term = GlossaryTermFactory(glossary=glossary, name="Film")
    PublishingRuleFactory(domain=domain, required_glossary_terms=[rule_term])

    assert services.publish_imported(asset) == [
        "Glossary term \u201cFilm\u201d is required by the domain's publishing rule."
    ]
    assert not Listing.objects.exists()

    asset.glossary_terms.add(rule_term)
    assert services.publish_imported(asset) == []
    listing = Listing.objects.get()
    assert (listing.status, listing.approval_required, listing.published_by) == (
        ListingStatus.ACTIVE,
        True,
        None,
    )


# --- Revisions --------------------------------------------------------------------------------


def test_each_edit_writes_one_revision_saying_who_changed_what(
    owner, contributor, project, glossary, asset
):
    film = GlossaryTermFactory(glossary=glossary, name="Film")
    genre = GlossaryTermFactory(glossary=glossary, name="Genre")
    data_owner = publishing_form(project)

    services.asset_update(
        acting_user=contributor,
        asset=asset,
        business_name="Movie listings with category",
        description="All films.",
        glossary_terms=[film.pk, genre.pk],
    )
    revision = newest_revision(asset)
    assert (revision.revision, revision.reason, revision.created_by) == (
        2,
        RevisionReason.EDIT,
        contributor,
    )
    assert revision.changes == [
        "Business name changed from \u201cfilm_category\u201d to "
        "\u201cMovie listings with category\u201d",
        "Description added",
        "glossary terms added: Film, Genre",
    ]
    assert revision.snapshot["business_name"] == "Movie listings with category"
    assert [t["name"] for t in revision.snapshot["glossary_terms"]] == ["Film", "Genre"]

    services.asset_update(
        acting_user=owner, asset=asset, description="Every film.", glossary_terms=[genre.pk]
    )
    assert newest_revision(asset).changes == [
        "Description changed",
        "glossary terms removed: Film",
    ]
    assert newest_revision(asset).created_by == owner

    services.asset_columns_update(
        acting_user=owner,
        asset=asset,
        columns=[
            {"name": "name", "business_name": "Genre", "description": "The genre."},
            {"name": "category_id", "glossary_terms": [str(genre.pk)]},
        ],
    )
    revision = newest_revision(asset)
    assert revision.revision == 4
    assert revision.changes == [
        "Column name business name set to \u201cGenre\u201d",
        "Column name description added",
        "Column category_id: glossary terms added: Genre",
    ]
    columns = {c["name"]: c for c in revision.snapshot["columns"]}
    assert columns["name"]["description"] == "The genre."
    assert [t["name"] for t in columns["category_id"]["glossary_terms"]] == ["Genre"]

    services.asset_columns_update(
        acting_user=owner,
        asset=asset,
        columns=[{"name": "name", "business_name": "", "description": "Its genre."}],
    )
    assert newest_revision(asset).changes == [
        "Column name business name cleared",
        "Column name description changed",
    ]

    services.asset_forms_update(
        acting_user=owner, asset=asset, forms={"Data owner": {"Last audit date": "2025-01-31"}}
    )
    assert newest_revision(asset).changes == ["Form Data owner added"]
    services.asset_forms_update(
        acting_user=owner,
        asset=asset,
        forms={str(data_owner.pk): {"last_audit": "2025-02-28", "owner_email": "a@b.example"}},
    )
    revision = newest_revision(asset)
    assert revision.changes == ["Form Data owner: Last audit date, Owner email changed"]
    (form,) = revision.snapshot["forms"]
    assert {f["label"]: f["value"] for f in form["fields"]} == {
        "Owner email": "a@b.example",
        "Last audit date": "2025-02-28",
        "Contact": None,
    }
    services.asset_forms_update(acting_user=owner, asset=asset, forms={"Data owner": None})
    assert newest_revision(asset).changes == ["Form Data owner removed"]
    assert newest_revision(asset).snapshot["forms"] == []

    asset.refresh_from_db()
    assert asset.current_revision == 8
    assert AssetRevision.objects.filter(asset=asset).count() == 7  # the factory wrote none for r1


def test_no_revision_when_nothing_changed(owner, project, glossary, asset):
    film = GlossaryTermFactory(glossary=glossary, name="Film")
    publishing_form(project)
    FormTypeFactory(owning_project=project, name="Quality")  # never filled
    services.asset_update(
        acting_user=owner,
        asset=asset,
        business_name="Films",
        description="All films.",
        glossary_terms=[film.pk],
    )
    services.asset_columns_update(
        acting_user=owner, asset=asset, columns=[{"name": "name", "business_name": "Genre"}]
    )
    services.asset_forms_update(
        acting_user=owner, asset=asset, forms={"Data owner": {"Contact": "a@b.example"}}
    )
    asset.refresh_from_db()
    revision = asset.current_revision
    count = AssetRevision.objects.count()

    services.asset_update(acting_user=owner, asset=asset)
    services.asset_update(
        acting_user=owner,
        asset=asset,
        business_name="  Films ",  # trimmed: the same name
        description="All films.",
        glossary_terms=[str(film.pk)],
    )
    services.asset_columns_update(
        acting_user=owner,
        asset=asset,
        columns=[{"name": "name", "business_name": "Genre", "description": ""}],
    )
    services.asset_columns_update(acting_user=owner, asset=asset, columns=[])
    services.asset_forms_update(
        acting_user=owner, asset=asset, forms={"Data owner": {"contact": "a@b.example"}}
    )
    services.asset_forms_update(acting_user=owner, asset=asset, forms={"Quality": None})
    services.asset_forms_update(acting_user=owner, asset=asset, forms={})

    asset.refresh_from_db()
    assert asset.current_revision == revision
    assert AssetRevision.objects.count() == count


def test_nested_errors_keep_their_structure_and_read_as_lines(owner, project, asset):
    publishing_form(project)

    with pytest.raises(ValidationError) as error:
        services.asset_forms_update(
            acting_user=owner,
            asset=asset,
            forms={"Data owner": {"Last audit date": "31/01/2025", "Contact": "nobody"}},
        )

    assert isinstance(error.value, NestedValidationError)
    assert error.value.nested == {
        "forms": {
            "Data owner": {
                "Last audit date": ["Enter a valid date."],
                "Contact": ["Enter a valid email address."],
            }
        }
    }
    assert error.value.message_dict == {
        "forms": [
            "Data owner: Last audit date: Enter a valid date.",
            "Data owner: Contact: Enter a valid email address.",
        ]
    }
    assert not AssetForm.objects.exists()


# --- Forms filled under an older revision -----------------------------------------------------


def test_a_changed_form_keeps_values_filled_under_its_older_revision_readable(
    owner, project, asset
):
    data_owner = publishing_form(project)
    services.asset_forms_update(
        acting_user=owner,
        asset=asset,
        forms={"Data owner": {"Owner email": "a@b.example", "Contact": "c@b.example"}},
    )
    listing = services.asset_publish(acting_user=owner, asset=asset)

    # The stewards drop "Contact" and add "Phone": the form type moves to revision 2.
    form_type_update(
        acting_user=owner,
        form_type=data_owner,
        fields=[
            {"name": "owner_email", "label": "Owner email", "type": "EMAIL", "required": True},
            {"name": "last_audit", "label": "Last audit date", "type": "DATE"},
            {"name": "phone", "label": "Phone", "type": "STRING"},
        ],
    )
    data_owner.refresh_from_db()
    assert data_owner.revision == 2

    asset_form = AssetForm.objects.select_related("form_type").get(asset=asset)
    assert asset_form.form_revision == 1
    (form,) = forms_snapshot([asset_form])
    assert form["form_revision"] == 1
    assert [(f["label"], f["value"], f["display"]) for f in form["fields"]] == [
        ("Owner email", "a@b.example", "a@b.example"),
        ("Last audit date", None, ""),
        ("Phone", None, ""),
        ("contact (from form revision 1)", "c@b.example", "c@b.example"),
    ]
    # Publishing checks the form's current fields only; the listing kept what it showed.
    assert services.publish_missing(asset) == []
    listing.refresh_from_db()
    assert [f["label"] for f in listing.snapshot["forms"][0]["fields"]] == [
        "Owner email",
        "Last audit date",
        "Contact",
    ]

    # Saving the form again fills it under revision 2.
    services.asset_forms_update(
        acting_user=owner, asset=asset, forms={"Data owner": {"Owner email": "a@b.example"}}
    )
    asset_form.refresh_from_db()
    assert (asset_form.form_revision, asset_form.values) == (2, {"owner_email": "a@b.example"})
    assert newest_revision(asset).changes == ["Form Data owner: values changed"]


# --- Default forms of a data source -----------------------------------------------------------


def test_data_source_default_forms_must_be_enabled_forms_of_the_domain(owner, project, lake):
    data_owner = FormTypeFactory(owning_project=project, name="Data owner")
    retired = FormTypeFactory(owning_project=project, name="Retired")
    foreign = FormTypeFactory(owning_project=ProjectFactory(domain=DomainFactory(name="finance")))
    fields = {"name": "films", "type": "GLUE", "database_name": "curatedzonedb"}

    source = services.data_source_create(
        acting_user=owner,
        project=project,
        environment=lake,
        default_form_types=[data_owner.pk, str(retired.pk)],
        **fields,
    )
    assert set(source.default_form_types.all()) == {data_owner, retired}

    with pytest.raises(ValidationError) as error:
        services.data_source_create(
            acting_user=owner,
            project=project,
            environment=lake,
            default_form_types=[foreign.pk],
            **{**fields, "name": "other"},
        )
    assert error.value.message_dict == {
        "default_form_types": ["Choose metadata forms of domain 'streaming'."]
    }
    with pytest.raises(ValidationError):
        services.data_source_create(
            acting_user=owner,
            project=project,
            environment=lake,
            default_form_types=["not-an-id"],
            **{**fields, "name": "other"},
        )
    assert project.data_sources.count() == 1

    # A form disabled since it was chosen may stay; it cannot be newly chosen.
    retired.status = GlossaryStatus.DISABLED
    retired.save()
    services.data_source_update(
        acting_user=owner, data_source=source, default_form_types=[retired.pk]
    )
    assert list(source.default_form_types.all()) == [retired]
    services.data_source_update(acting_user=owner, data_source=source, default_form_types=[])
    with pytest.raises(ValidationError) as error:
        services.data_source_update(
            acting_user=owner,
            data_source=source,
            description="Saved with the forms or not at all.",
            default_form_types=[retired.pk],
        )
    assert error.value.message_dict == {"default_form_types": ["Form 'Retired' is disabled."]}
    source.refresh_from_db()
    assert source.description == ""
    assert not source.default_form_types.exists()
