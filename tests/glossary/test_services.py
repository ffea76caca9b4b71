"""What the glossary services decide on their own: term relations (no self-reference, no
is-a cycle, one domain), CSV import and export (all or nothing, line-numbered errors,
idempotent), form type revisions, and the validation of filled-in form values."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from glossary import services
from glossary.choices import FieldType, GlossaryStatus
from glossary.form_values import clean_form_values, missing_required
from glossary.models import FormType, Glossary, GlossaryTerm, PublishingRule
from tests.glossary import forms
from tests.glossary.factories import (
    FormTypeFactory,
    GlossaryFactory,
    GlossaryTermFactory,
)
from tests.projects.factories import DomainFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def snapshot():
    """Every term with its relations: an import or write that fails leaves this as it was."""
    return sorted(
        (
            t.glossary_id,
            t.name,
            t.short_description,
            t.long_description,
            tuple(t.synonyms),
            tuple(sorted(p.name for p in t.is_a.all())),
            tuple(sorted(c.name for c in t.classifies.all())),
        )
        for t in GlossaryTerm.objects.prefetch_related("is_a", "classifies")
    )


def error_dict(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Glossaries ------------------------------------------------------------------------------


def test_steward_creates_a_glossary_of_a_project_of_the_domain(steward, project, domain):
    glossary = services.glossary_create(
        acting_user=steward, domain=domain, owning_project=project, name="  Media  "
    )
    assert (glossary.name, glossary.status, glossary.domain) == (
        "Media",
        GlossaryStatus.ENABLED,
        domain,
    )


def test_glossary_names_are_unique_per_domain_ignoring_case(steward, project, domain, media):
    with pytest.raises(ValidationError) as excinfo:
        services.glossary_create(
            acting_user=steward, domain=domain, owning_project=project, name="MEDIA"
        )
    assert "already has a glossary named 'MEDIA'" in error_dict(excinfo)["name"][0]
    other = ProjectFactory(domain=DomainFactory(name="marketing"))
    assert (
        services.glossary_create(
            acting_user=_steward_of(other.domain),
            domain=other.domain,
            owning_project=other,
            name="Media",
        ).name
        == "Media"
    )


def _steward_of(domain):
    from projects.choices import DomainRole
    from tests.projects.factories import DomainMembershipFactory

    return DomainMembershipFactory(domain=domain, role=DomainRole.STEWARD).user


def test_owning_project_must_be_of_the_domain(steward, domain):
    foreign = ProjectFactory(domain=DomainFactory(name="marketing"))
    with pytest.raises(ValidationError) as excinfo:
        services.glossary_create(
            acting_user=steward, domain=domain, owning_project=foreign, name="Media"
        )
    assert error_dict(excinfo) == {"owning_project": ["Choose a project of this domain."]}
    assert not Glossary.objects.exists()


@pytest.mark.parametrize("persona", ["contributor", "viewer", "outsider"])
def test_only_stewards_and_owners_manage_glossaries(persona, request, project, domain, media):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied, match="owner of project Film Catalog Project"):
        services.glossary_create(acting_user=user, domain=domain, owning_project=project, name="X")
    with pytest.raises(PermissionDenied):
        services.glossary_update(acting_user=user, glossary=media, status=GlossaryStatus.DISABLED)
    with pytest.raises(PermissionDenied):
        services.term_create(acting_user=user, glossary=media, name="Genre")
    media.refresh_from_db()
    assert media.status == GlossaryStatus.ENABLED and not media.terms.exists()


def test_owner_of_the_owning_project_manages_its_glossary(owner, media):
    services.glossary_update(acting_user=owner, glossary=media, status="disabled")
    media.refresh_from_db()
    assert media.status == GlossaryStatus.DISABLED
    with pytest.raises(ValidationError, match="Unknown fields: domain"):
        services.glossary_update(acting_user=owner, glossary=media, domain="x")


# --- Term relations ---------------------------------------------------------------------------


def test_term_is_a_and_classifies_are_set_and_read_both_ways(steward, media):
    category = services.term_create(acting_user=steward, glossary=media, name="Category")
    genre = services.term_create(
        acting_user=steward,
        glossary=media,
        name="Genre",
        synonyms="category; kind ;  ; Kind",
        is_a=[category.pk],
    )
    rating = services.term_create(
        acting_user=steward, glossary=media, name="Rating", classifies=[genre.pk]
    )
    assert genre.synonyms == ["category", "kind"]
    assert list(category.narrower_terms.all()) == [genre]
    assert list(genre.classified_by.all()) == [rating]


def test_a_term_cannot_be_a_kind_of_itself_or_classify_itself(steward, media):
    genre = GlossaryTermFactory(glossary=media, name="Genre")
    with pytest.raises(ValidationError) as excinfo:
        services.term_update(acting_user=steward, term=genre, is_a=[genre.pk])
    assert error_dict(excinfo) == {"is_a": ["A term cannot be a kind of itself."]}
    with pytest.raises(ValidationError) as excinfo:
        services.term_update(acting_user=steward, term=genre, classifies=[genre.pk])
    assert error_dict(excinfo) == {"classifies": ["A term cannot classify itself."]}
    assert not genre.is_a.exists() and not genre.classifies.exists()


def test_an_is_a_cycle_is_refused_and_nothing_changes(steward, media):
    a = GlossaryTermFactory(glossary=media, name="A")
    b = GlossaryTermFactory(glossary=media, name="B", is_a=[a])
    c = GlossaryTermFactory(glossary=media, name="C", is_a=[b])
    before = snapshot()

    # a → b → c → a: A would become a kind of C, which is already (through B) a kind of A.
    with pytest.raises(ValidationError) as excinfo:
        services.term_update(acting_user=steward, term=a, name="A (renamed)", is_a=[c.pk])

    assert error_dict(excinfo) == {
        "is_a": ["'A (renamed)' cannot be a kind of one of its own narrower terms (a cycle)."]
    }
    assert snapshot() == before  # the rename inside the same call was rolled back too
    # Across glossaries of the domain the same rule holds.
    other = GlossaryFactory(owning_project=media.owning_project, name="Other")
    d = GlossaryTermFactory(glossary=other, name="D", is_a=[c])
    with pytest.raises(ValidationError, match="a cycle"):
        services.term_update(acting_user=steward, term=a, is_a=[d.pk])


def test_replacing_a_terms_parents_is_not_a_cycle(steward, media):
    a = GlossaryTermFactory(glossary=media, name="A")
    b = GlossaryTermFactory(glossary=media, name="B", is_a=[a])
    # B stops being a kind of A; A may then become a kind of B.
    services.term_update(acting_user=steward, term=b, is_a=[])
    services.term_update(acting_user=steward, term=a, is_a=[b.pk])
    assert list(a.is_a.all()) == [b]


def test_relations_to_another_domains_terms_are_refused(steward, media):
    foreign = GlossaryTermFactory(
        glossary=GlossaryFactory(owning_project=ProjectFactory(domain=DomainFactory(name="m")))
    )
    with pytest.raises(ValidationError) as excinfo:
        services.term_create(acting_user=steward, glossary=media, name="Genre", is_a=[foreign.pk])
    assert error_dict(excinfo) == {"is_a": ["Choose terms of this domain's glossaries."]}
    with pytest.raises(ValidationError) as excinfo:
        services.term_create(
            acting_user=steward, glossary=media, name="Genre", classifies=[foreign.pk]
        )
    assert "classifies" in error_dict(excinfo)
    assert not GlossaryTerm.objects.filter(name="Genre").exists()


def test_term_names_are_unique_in_a_glossary_and_limited_in_length(steward, media):
    GlossaryTermFactory(glossary=media, name="Genre")
    with pytest.raises(ValidationError, match="already has a term named 'genre'"):
        services.term_create(acting_user=steward, glossary=media, name="genre")
    with pytest.raises(ValidationError) as excinfo:
        services.term_create(acting_user=steward, glossary=media, name="x" * 257)
    assert "at most 256 characters" in error_dict(excinfo)["name"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.term_create(acting_user=steward, glossary=media, name="   ")
    assert error_dict(excinfo) == {"name": ["This field is required."]}


# --- CSV --------------------------------------------------------------------------------------

CSV = (
    "name,short_description,long_description,synonyms,parents\n"
    "Category,A way to group films,,,\n"
    'Genre,The style of a film,"Drama, comedy and more.",category; kind,Category\n'
    "Drama,Serious films,,,Genre\n"
)


def import_csv(user, glossary, content):
    return services.glossary_import_csv(acting_user=user, glossary=glossary, content=content)


def test_import_creates_terms_with_synonyms_and_parents(steward, media):
    result = import_csv(steward, media, CSV)

    assert result == {"created": 3, "updated": 0, "unchanged": 0}
    genre = media.terms.get(name="Genre")
    assert genre.long_description == "Drama, comedy and more."
    assert genre.synonyms == ["category", "kind"]
    assert [p.name for p in genre.is_a.all()] == ["Category"]
    assert [p.name for p in media.terms.get(name="Drama").is_a.all()] == ["Genre"]


def test_reimporting_the_same_file_changes_nothing(steward, media):
    import_csv(steward, media, CSV)
    before = snapshot()

    assert import_csv(steward, media, CSV) == {"created": 0, "updated": 0, "unchanged": 3}
    assert import_csv(steward, media, CSV.encode("utf-8-sig")) == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
    }
    assert snapshot() == before


def test_import_updates_changed_terms_by_name_ignoring_case(steward, media):
    import_csv(steward, media, CSV)
    changed = CSV.replace("Serious films,,,Genre", "Serious films,,,Category").replace(
        "category; kind", "kind"
    )
    changed += "genre-less,New,,,\n"

    result = import_csv(steward, media, changed.replace("\nDrama,", "\nDRAMA,"))

    assert result == {"created": 1, "updated": 2, "unchanged": 1}
    assert media.terms.get(name="Genre").synonyms == ["kind"]
    assert [p.name for p in media.terms.get(name="Drama").is_a.all()] == ["Category"]


def test_a_bad_line_names_its_line_and_nothing_is_saved(steward, media):
    GlossaryTermFactory(glossary=media, name="Existing", short_description="Kept as it is.")
    before = snapshot()
    content = (
        "name,short_description,parents\n"
        "Category,Fine,\n"  # line 2: fine on its own
        ",No name,\n"  # line 3
        "Genre,Fine,Nope\n"  # line 4: unknown parent
        "Existing,Changed,\n"  # line 5: would update
        "category,Duplicate,\n"  # line 6: same name as line 2
        "Loop,Fine,Loop\n"  # line 7: its own parent
        "Wide,one,two,three\n"  # line 8: too many values
    )

    with pytest.raises(services.CsvImportError) as excinfo:
        import_csv(steward, media, content)

    assert excinfo.value.messages == [
        "Line 3: the term has no name.",
        "Line 4: parent 'Nope' is not a term of this glossary or this file.",
        "Line 6: term 'category' is also on line 2.",
        "Line 7: term 'Loop' cannot be its own parent.",
        "Line 8: more values than columns (quote values that contain commas).",
    ]
    assert snapshot() == before


def test_a_cycle_in_the_file_is_refused_with_its_line(steward, media):
    content = "name,parents\nA,B\nB,A\n"
    with pytest.raises(services.CsvImportError) as excinfo:
        import_csv(steward, media, content)
    assert excinfo.value.messages == ["Line 3: the parents of 'B' would make an is-a cycle."]
    assert not media.terms.exists()  # A (created before the cycle was found) is rolled back


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("title,parents\nGenre,\n", "Line 1: the header must name the columns"),
        ("name,colour\nGenre,red\n", "Line 1: unknown column(s) colour"),
        ("name\nGenr\xe9\n".encode("latin-1"), "The file is not UTF-8 text"),
        ("", "Line 1: the header must name the columns"),
    ],
)
def test_files_that_are_not_a_glossary_csv_are_refused(steward, media, content, message):
    with pytest.raises(services.CsvImportError) as excinfo:
        import_csv(steward, media, content)
    assert excinfo.value.messages[0].startswith(message), excinfo.value.messages
    assert not media.terms.exists()


def test_only_managers_import(contributor, media):
    with pytest.raises(PermissionDenied):
        import_csv(contributor, media, CSV)
    assert not media.terms.exists()


def test_export_then_import_is_a_round_trip(steward, media, project):
    import_csv(steward, media, CSV)
    genre = media.terms.get(name="Genre")
    # A broader term in another glossary of the domain stays out of this glossary's file,
    # and importing the file back keeps it.
    other = GlossaryFactory(owning_project=project, name="Shared")
    thing = GlossaryTermFactory(glossary=other, name="Thing")
    genre.is_a.add(thing)
    exported = services.glossary_export_csv(glossary=media)
    before = snapshot()

    assert exported.splitlines() == [
        "name,short_description,long_description,synonyms,parents",
        "Category,A way to group films,,,",
        "Drama,Serious films,,,Genre",
        'Genre,The style of a film,"Drama, comedy and more.",category;kind,Category',
    ]
    assert import_csv(steward, media, exported) == {"created": 0, "updated": 0, "unchanged": 3}
    assert snapshot() == before

    # Into an empty glossary the same file makes the same terms.
    copy = GlossaryFactory(owning_project=project, name="Copy")
    assert import_csv(steward, copy, exported)["created"] == 3
    assert services.glossary_export_csv(glossary=copy) == exported


# --- Form types -------------------------------------------------------------------------------

FIELDS = [
    {"label": "Owner email", "type": "EMAIL", "required": True},
    {"label": "Last audit date", "name": "last_audit", "type": "date"},
]


def test_form_type_fields_are_named_from_labels_and_ordered(steward, project, domain):
    form_type = services.form_type_create(
        acting_user=steward, domain=domain, owning_project=project, name="Data owner", fields=FIELDS
    )
    fields = list(form_type.fields.order_by("order"))
    assert [(f.name, f.label, f.type, f.required, f.order) for f in fields] == [
        ("owner_email", "Owner email", FieldType.EMAIL, True, 1),
        ("last_audit", "Last audit date", FieldType.DATE, False, 2),
    ]
    assert form_type.revision == 1


def test_revision_grows_only_when_the_fields_change(steward, project, domain):
    form_type = services.form_type_create(
        acting_user=steward, domain=domain, owning_project=project, name="Data owner", fields=FIELDS
    )

    services.form_type_update(acting_user=steward, form_type=form_type, fields=FIELDS)
    services.form_type_update(acting_user=steward, form_type=form_type, description="Who owns it")
    assert FormType.objects.get(pk=form_type.pk).revision == 1

    services.form_type_update(
        acting_user=steward, form_type=form_type, fields=[{**FIELDS[0], "required": False}]
    )
    form_type.refresh_from_db()
    assert form_type.revision == 2
    assert [f.label for f in form_type.fields.all()] == ["Owner email"]


def test_glossary_term_field_needs_a_glossary_of_the_domain(steward, project, domain, media):
    foreign = GlossaryFactory(owning_project=ProjectFactory(domain=DomainFactory(name="m")))
    bad = [
        {"label": "Genre", "type": "GLOSSARY_TERM"},
        {"label": "Kind", "type": "GLOSSARY_TERM", "glossary": foreign.pk},
        {"label": "", "type": "STRING"},
        {"label": "Colour", "type": "COLOUR"},
        {"label": "Genre", "type": "STRING"},
    ]

    with pytest.raises(ValidationError) as excinfo:
        services.form_type_create(
            acting_user=steward, domain=domain, owning_project=project, name="Tags", fields=bad
        )

    assert error_dict(excinfo)["fields"] == [
        "Field 1: choose the glossary of this domain whose terms it offers.",
        "Field 2: choose the glossary of this domain whose terms it offers.",
        "Field 3: enter a label.",
        "Field 3: enter a name (letters, digits, '_' or '-').",
        "Field 4: type must be one of STRING, TEXT, BOOLEAN, INTEGER, DECIMAL, DATE, EMAIL, "
        "URL, GLOSSARY_TERM.",
        "Field 5: another field is already named 'genre'.",
    ]
    assert not FormType.objects.exists()
    form_type = services.form_type_create(
        acting_user=steward,
        domain=domain,
        owning_project=project,
        name="Tags",
        fields=[{"label": "Genre", "type": "GLOSSARY_TERM", "glossary": media.pk}],
    )
    assert form_type.fields.get().glossary == media


def test_publishing_rules_are_for_stewards_and_of_the_domain(steward, owner, domain, project):
    form_type = FormTypeFactory(owning_project=project)
    foreign_form = FormTypeFactory(owning_project=ProjectFactory(domain=DomainFactory(name="m")))
    with pytest.raises(PermissionDenied):
        services.publishing_rule_set(
            acting_user=owner, domain=domain, required_form_types=[form_type.pk]
        )
    with pytest.raises(ValidationError) as excinfo:
        services.publishing_rule_set(
            acting_user=steward, domain=domain, required_form_types=[foreign_form.pk]
        )
    assert error_dict(excinfo) == {"required_form_types": ["Choose form types of this domain."]}
    assert not PublishingRule.objects.exists()

    rule = services.publishing_rule_set(
        acting_user=steward, domain=domain, required_form_types=[form_type.pk]
    )
    assert list(rule.required_form_types.all()) == [form_type]


# --- Form values ------------------------------------------------------------------------------


@pytest.fixture
def data_owner(project, media):
    return forms.data_owner(
        project,
        forms.field("audit", "Last audit date", FieldType.DATE, required=True),
        forms.field("rows", "Row count", FieldType.INTEGER),
        forms.field("cost", "Monthly cost", FieldType.DECIMAL),
        forms.field("email", "Contact", FieldType.EMAIL, required=True),
        forms.field("docs", "Documentation", FieldType.URL),
        forms.field("pii", "Contains PII", FieldType.BOOLEAN),
        forms.field("genre", "Genre", FieldType.GLOSSARY_TERM, glossary=media),
    )


def test_valid_values_are_parsed_to_json(data_owner, media):
    drama = GlossaryTermFactory(glossary=media, name="Drama")
    values = {
        "audit": "2025-03-01",
        "rows": "1200",
        "cost": "12.50",
        "Contact": "owner@example.com",  # by label, too
        "docs": "wiki.example.com/films",
        "pii": "no",
        "genre": str(drama.pk),
    }
    assert clean_form_values(data_owner, values) == {
        "audit": "2025-03-01",
        "rows": 1200,
        "cost": "12.50",
        "email": "owner@example.com",
        "docs": "https://wiki.example.com/films",
        "pii": False,
        "genre": str(drama.pk),
    }


def test_invalid_values_are_errors_keyed_by_label(data_owner):
    with pytest.raises(ValidationError) as excinfo:
        clean_form_values(
            data_owner,
            {
                "audit": "2025-02-30",
                "rows": "12.5",
                "cost": "twelve",
                "email": "not-an-email",
                "docs": "http://",
                "pii": "perhaps",
                "colour": "red",
            },
        )
    assert error_dict(excinfo) == {
        "Last audit date": ["Enter a valid date."],
        "Row count": ["Enter a whole number."],
        "Monthly cost": ["Enter a number."],
        "Contact": ["Enter a valid email address."],
        "Documentation": ["Enter a valid URL."],
        "Contains PII": ["Enter yes or no (true or false)."],
        "colour": ["'Data owner' has no field 'colour'."],
    }


def test_a_term_of_another_glossary_or_a_disabled_one_is_refused(data_owner, media, project):
    other = GlossaryFactory(owning_project=project, name="Finance")
    foreign = GlossaryTermFactory(glossary=other, name="Revenue")
    disabled = GlossaryTermFactory(glossary=media, name="Old", status=GlossaryStatus.DISABLED)

    with pytest.raises(ValidationError) as excinfo:
        clean_form_values(data_owner, {"genre": str(foreign.pk)})
    assert error_dict(excinfo) == {
        "Genre": ["Choose a term of glossary 'Media'; 'Revenue' is in 'Finance'."]
    }
    with pytest.raises(ValidationError) as excinfo:
        clean_form_values(data_owner, {"genre": str(disabled.pk)})
    assert error_dict(excinfo) == {"Genre": ["Term 'Old' is disabled."]}
    with pytest.raises(ValidationError) as excinfo:
        clean_form_values(data_owner, {"genre": "not-a-term"})
    assert error_dict(excinfo) == {"Genre": ["Choose an existing glossary term."]}

    # A term of a disabled glossary is refused the same way.
    fine = GlossaryTermFactory(glossary=media, name="Drama")
    Glossary.objects.filter(pk=media.pk).update(status=GlossaryStatus.DISABLED)
    with pytest.raises(ValidationError) as excinfo:
        clean_form_values(data_owner, {"genre": str(fine.pk)})
    assert error_dict(excinfo) == {"Genre": ["Term 'Drama' is disabled."]}


def test_empty_values_are_dropped_and_missing_required_ones_are_named(data_owner):
    values = clean_form_values(data_owner, {"audit": "", "rows": "  ", "email": None, "pii": True})
    assert values == {"pii": True}
    assert missing_required(data_owner, values) == ["Last audit date", "Contact"]
    assert missing_required(data_owner, {"audit": "2025-01-01", "email": "owner@example.com"}) == []
