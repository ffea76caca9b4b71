"""Editing assets and publishing them, through the pages as a browser uses them: business
name, Markdown description and terms, columns, typed metadata forms, glossary-term
suggestions, the publishing panel, revision differences, listings, the catalog and the
term page's "where it is used"."""

import html as html_lib
import re

import pytest
from django.urls import reverse

from catalog import services
from catalog.choices import ListingStatus, SuggestionKind, SuggestionStatus
from catalog.diffs import snapshot_differences
from catalog.models import Asset, AssetColumn, AssetForm, AssetRevision, DataSource, Listing
from glossary.choices import FieldType, GlossaryStatus
from tests.catalog.test_pages import (
    FORM,
    make_asset,
    make_data_source,
    make_environment,
    queries_for,
    rows,
)
from tests.glossary import forms
from tests.glossary.factories import (
    FormTypeFactory,
    GlossaryFactory,
    GlossaryTermFactory,
    PublishingRuleFactory,
)
from tests.pages import messages_of, text
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def asset(project, data_source):
    return make_asset(project, data_source, "film_category", columns=3)


@pytest.fixture
def genre(media):
    return GlossaryTermFactory(glossary=media, name="Genre", synonyms=["category"])


@pytest.fixture
def film(media):
    return GlossaryTermFactory(glossary=media, name="Film")


@pytest.fixture
def data_owner(project, media):
    """A form with one field of every type; two of them required to publish."""
    return forms.data_owner(
        project,
        forms.OWNER_EMAIL,
        forms.LAST_AUDIT,
        forms.field("row_count", "Row count", FieldType.INTEGER),
        forms.field("monthly_cost", "Monthly cost", FieldType.DECIMAL),
        forms.field("pii", "Contains PII", FieldType.BOOLEAN),
        forms.field("docs", "Documentation", FieldType.URL),
        forms.field("notes", "Notes", FieldType.TEXT, help_text="For consumers."),
        forms.field("title", "Title", FieldType.STRING),
        forms.field("subject", "Subject", FieldType.GLOSSARY_TERM, glossary=media),
    )


def url(name, *args):
    return reverse(name, args=args)


def between(html: str, start: str, end: str) -> str:
    match = re.search(re.escape(start) + "(.*?)" + re.escape(end), html, re.S)
    assert match, f"{start!r} … {end!r} not on the page"
    return match.group(1)


def plain(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def items(html: str, testid: str) -> list[str]:
    """The <li> texts of the list with this testid."""
    block = between(html, f'data-testid="{testid}">', "</ul>")
    return [plain(li) for li in re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)]


def errors_of(html: str, field_name: str) -> list[str]:
    block = re.search(
        rf'<ul class="field__errors" id="id_{field_name}_errors">(.*?)</ul>', html, re.S
    )
    return (
        [plain(li) for li in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)] if block else []
    )


def column_errors(html: str) -> dict:
    """{column name: [error lines]} of the columns page."""
    return {
        match.group(1): [plain(li) for li in re.findall(r"<li>(.*?)</li>", match.group(2), re.S)]
        for match in re.finditer(
            r'data-testid="column-errors" data-column="([^"]+)">(.*?)</ul>', html, re.S
        )
    }


PREVIEW = 'data-testid="markdown-preview" role="region" aria-label="Preview">'


def publishing_status(html: str) -> str:
    return plain(between(html, 'data-testid="publishing-status">', "</p>"))


# --- Editing the asset: business name, Markdown description, terms ------------------------


def test_edit_page_term_picker_holds_the_attached_terms_and_searches_the_domains(
    client_for, project, asset, genre, film, owner
):
    shared = GlossaryFactory(owning_project=project, name="Sales")
    GlossaryTermFactory(glossary=shared, name="Genre")  # same name, other glossary
    GlossaryTermFactory(glossary=shared, name="Retired", status=GlossaryStatus.DISABLED)
    closed = GlossaryFactory(owning_project=project, name="Closed", status=GlossaryStatus.DISABLED)
    legacy = GlossaryTermFactory(glossary=closed, name="Legacy")
    GlossaryTermFactory(glossary=closed, name="Unused")
    GlossaryTermFactory(glossary=GlossaryFactory(name="Elsewhere"), name="Foreign")
    asset.glossary_terms.add(legacy, genre)  # Legacy: attached before its glossary closed
    client = client_for(owner)

    html = text(client.get(url("asset-edit", asset.pk)))

    # One text input (the picker without JavaScript) holding the attached terms by name,
    # a shared name written with its glossary; no list of every term on the page.
    picker = between(html, "data-term-picker", "</div>")
    search_url = url("asset-term-options", asset.pk)
    assert f'data-search-url="{search_url}"' in picker
    assert (
        re.search(r'<input type="text" name="glossary_terms" value="([^"]*)"', picker).group(1)
        == "Genre (Media), Legacy"
    )
    assert "<select" not in html and "Unused" not in html

    def offered(**params):
        response = client.get(search_url, params)
        assert response.status_code == 200
        return [t["label"] for t in response.json()["terms"]]

    # Only attachable terms of the asset's domain, names starting with the text first.
    assert offered() == ["Film", "Genre (Media)", "Genre (Sales)"]
    assert offered(q="EN") == ["Genre (Media)", "Genre (Sales)"]
    assert offered(q="  f ") == ["Film"]
    assert offered(q="Legacy") == offered(q="Foreign") == offered(q="Retired") == []
    assert offered(limit="1") == ["Film"]
    assert client.get(search_url, {"limit": "21"}).status_code == 400
    assert client.get(search_url, {"q": "x" * 101}).json() == {"q": ["Use at most 100 characters."]}


def test_edit_saves_name_markdown_and_terms_in_one_revision(
    client_for, project, asset, genre, film, owner
):
    client = client_for(owner)
    response = client.post(
        url("asset-edit", asset.pk),
        {
            "business_name": "  Movie listings with category ",
            "description": "A **complete** listing of all films.\n\n- Animation\n- Comedy",
            "glossary_terms": "genre,  Film ,",
        },
        follow=True,
    )

    assert response.redirect_chain == [(url("asset-detail", asset.pk), 302)]
    assert messages_of(response) == [
        "“Movie listings with category” saved; revision 2 records the change."
    ]
    asset.refresh_from_db()
    assert asset.business_name == "Movie listings with category"
    assert sorted(asset.glossary_terms.values_list("name", flat=True)) == ["Film", "Genre"]
    revision = AssetRevision.objects.get(asset=asset, revision=2)
    assert revision.created_by == owner
    assert revision.changes == [
        "Business name changed from “film_category” to “Movie listings with category”",
        "Description added",
        "glossary terms added: Film, Genre",
    ]
    html = text(response)
    assert (
        '<h1 class="page-header__title" data-testid="asset-name">Movie listings with category</h1>'
        in html
    )
    description = between(html, 'data-testid="asset-description">', "</div>")
    assert "<strong>complete</strong>" in description and "<li>Animation</li>" in description
    assert re.findall(
        r'chip chip--link" href="[^"]+" title="Glossary Media">([^<]+)<',
        between(html, 'data-testid="asset-terms"', "</ul>"),
    ) == ["Film", "Genre"]

    # The edit page shows the saved description rendered under its Markdown source.
    edit = text(client.get(url("asset-edit", asset.pk)))
    assert "<strong>complete</strong>" in between(edit, PREVIEW, "</div></div>")
    assert "A **complete** listing of all films." in edit
    assert 'name="glossary_terms" value="Film, Genre"' in edit

    # Saving again unchanged writes nothing.
    same = client.post(
        url("asset-edit", asset.pk),
        {
            "business_name": "Movie listings with category",
            "description": "A **complete** listing of all films.\n\n- Animation\n- Comedy",
            "glossary_terms": "Film, Genre",
        },
        follow=True,
    )
    assert messages_of(same) == ["Nothing changed."]
    assert AssetRevision.objects.filter(asset=asset).count() == 2


def test_edit_errors_are_shown_with_the_input_kept_and_nothing_saved(
    client_for, asset, genre, owner
):
    foreign = GlossaryTermFactory(glossary=GlossaryFactory(name="Elsewhere"), name="Foreign")
    response = client_for(owner).post(
        url("asset-edit", asset.pk),
        {
            "business_name": "x" * 256,
            "description": "Kept *as typed*",
            "glossary_terms": "Genre, Foreign",
        },
    )

    assert response.status_code == 400
    html = text(response)
    assert errors_of(html, "business_name") == [
        "Ensure this value has at most 255 characters (it has 256)."
    ]
    assert errors_of(html, "glossary_terms") == [
        f"“{foreign.name}” is not a term of this domain's glossaries."
    ]
    assert "Kept *as typed*</textarea>" in html
    assert 'name="glossary_terms" value="Genre, Foreign"' in html
    # The preview shows what was typed, not what was saved.
    assert "<em>as typed</em>" in between(html, PREVIEW, "</div></div>")
    asset.refresh_from_db()
    assert (asset.business_name, asset.description, asset.current_revision) == ("", "", 1)
    assert not asset.glossary_terms.exists()


def test_a_flood_of_term_names_is_refused_not_looked_up(client_for, asset, genre, owner):
    client = client_for(owner)
    flood = ", ".join(f"t{n}" for n in range(10_001))
    response = client.post(url("asset-edit", asset.pk), {"glossary_terms": flood})
    assert response.status_code == 400
    assert "Give at most 10,000 different glossary-term names." in text(response)
    columns = client.post(
        url("asset-columns-edit", asset.pk), column_post(asset, {"column_001": {"terms": flood}})
    )
    assert columns.status_code == 400
    assert not asset.glossary_terms.exists()


MALICIOUS = (
    "Safe **bold** text.\n\n"
    '<script>alert("owned")</script>\n\n'
    "[click me](javascript:alert(1)) and [docs](https://example.com/docs)\n\n"
    '<img src="x" onerror="alert(2)">\n\n'
    '<a href="javascript:alert(3)" onclick="alert(4)">raw link</a>'
)


def assert_harmless(fragment: str) -> None:
    lowered = fragment.lower()
    for dangerous in ("<script", "javascript:", "onerror", "onclick", "<img"):
        assert dangerous not in lowered, dangerous
    assert "<strong>bold</strong>" in fragment
    assert '<a href="https://example.com/docs" rel="noopener noreferrer">docs</a>' in fragment
    assert "click me" in fragment and "raw link" in fragment


def test_markdown_with_scripts_and_javascript_links_is_rendered_harmless(
    client_for, asset, owner, outsider
):
    client = client_for(owner)
    client.post(url("asset-edit", asset.pk), {"business_name": "Films", "description": MALICIOUS})
    AssetColumn.objects.filter(asset=asset, position=1).update(
        description='<script>alert("column")</script>'
    )
    asset.refresh_from_db()
    assert asset.description == MALICIOUS  # stored as written, sanitised when shown

    page = text(client.get(url("asset-detail", asset.pk)))
    assert_harmless(between(page, 'data-testid="asset-description">', "</div>\n"))
    assert_harmless(between(text(client.get(url("asset-edit", asset.pk))), PREVIEW, "</div></div>"))
    preview = client.post(
        reverse("markdown-preview") + "?field=description", {"description": MALICIOUS}
    )
    assert preview.status_code == 200
    assert_harmless(text(preview))
    assert "&lt;script&gt;alert(&quot;column&quot;)&lt;/script&gt;" in page
    assert '<script>alert("column")' not in page

    services.asset_publish(acting_user=owner, asset=asset)
    listing = Listing.objects.get(asset=asset)
    listing_page = text(client_for(outsider).get(url("listing-detail", listing.pk)))
    assert_harmless(between(listing_page, 'data-testid="listing-description">', "</div>\n"))
    assert "&lt;script&gt;alert(&quot;column&quot;)&lt;/script&gt;" in listing_page
    card = between(
        text(client_for(outsider).get(url("catalog"))), 'data-testid="listing-card"', "</article>"
    )
    assert "<script" not in card and "javascript:" not in card
    assert "Safe bold text." in card


# --- Columns ---------------------------------------------------------------------------------


def column_post(asset, changes: dict) -> dict:
    """The columns page's form as the browser posts it, with ``changes`` by column name."""
    columns = list(asset.columns.order_by("position").prefetch_related("glossary_terms"))
    data = {
        "columns-TOTAL_FORMS": str(len(columns)),
        "columns-INITIAL_FORMS": str(len(columns)),
        "columns-MIN_NUM_FORMS": "0",
        "columns-MAX_NUM_FORMS": "5000",
    }
    for index, column in enumerate(columns):
        values = {
            "name": column.name,
            "business_name": column.business_name,
            "description": column.description,
            "terms": ", ".join(sorted(t.name for t in column.glossary_terms.all())),
            **changes.get(column.name, {}),
        }
        for field, value in values.items():
            data[f"columns-{index}-{field}"] = value
    return data


def test_columns_page_sets_descriptions_names_and_terms_by_name(
    client_for, asset, genre, film, owner
):
    client = client_for(owner)
    page = client.get(url("asset-columns-edit", asset.pk))
    html = text(page)
    assert len(re.findall(r'<tr id="column-columns-\d+"', html)) == 3
    # Each row's terms are the same picker as the asset's (a text input without JS).
    assert html.count("data-term-picker") == 3
    assert f'data-search-url="{url("asset-term-options", asset.pk)}"' in html
    assert "<datalist" not in html

    response = client.post(
        url("asset-columns-edit", asset.pk),
        column_post(
            asset,
            {
                "column_002": {
                    "business_name": "Name",
                    "description": "The movie category/genre",
                    "terms": "genre, Film,  ",
                }
            },
        ),
        follow=True,
    )

    assert response.redirect_chain == [(url("asset-detail", asset.pk) + "#columns", 302)]
    assert messages_of(response) == [
        "Columns of “film_category” saved; revision 2 records the change."
    ]
    column = AssetColumn.objects.get(asset=asset, name="column_002")
    assert (column.business_name, column.description) == ("Name", "The movie category/genre")
    assert sorted(column.glossary_terms.values_list("name", flat=True)) == ["Film", "Genre"]
    assert AssetRevision.objects.get(asset=asset, revision=2).changes == [
        "Column column_002 business name set to “Name”",
        "Column column_002 description added",
        "Column column_002: glossary terms added: Film, Genre",
    ]
    row = [r for r in rows(text(response), "column-table") if " column_002 " in f" {r} "][0]
    assert row == "2 column_002 string Name The movie category/genre Film Genre"

    # The page shows what is saved; saving it unchanged writes nothing.
    again = client.post(url("asset-columns-edit", asset.pk), column_post(asset, {}), follow=True)
    assert messages_of(again) == ["Nothing changed."]
    assert 'value="Film, Genre"' in text(client.get(url("asset-columns-edit", asset.pk)))


def test_columns_page_errors_name_the_column_and_keep_the_input(
    client_for, project, asset, genre, owner
):
    GlossaryTermFactory(
        glossary=GlossaryFactory(owning_project=project, name="Sales"), name="Genre"
    )
    response = client_for(owner).post(
        url("asset-columns-edit", asset.pk),
        column_post(
            asset,
            {
                "column_001": {"description": "Kept while column 2 is wrong"},
                "column_002": {"terms": "Genre, Nonsense"},
                "column_003": {"business_name": "y" * 300},
            },
        ),
    )

    assert response.status_code == 400
    html = text(response)
    assert column_errors(html) == {
        "column_002": [
            "Glossary terms: “Genre” is a term of several glossaries: write “Genre (Media)” or “Genre (Sales)”.",
            "Glossary terms: “Nonsense” is not a term of this domain's glossaries.",
        ],
        "column_003": ["Business name: Ensure this value has at most 255 characters (it has 300)."],
    }
    assert "Nothing was saved: please correct the 2 highlighted columns." in html
    assert 'value="Genre, Nonsense"' in html
    assert "Kept while column 2 is wrong</textarea>" in html
    assert AssetRevision.objects.filter(asset=asset).count() == 1
    assert not AssetColumn.objects.filter(asset=asset).exclude(description="").exists()


def test_a_disabled_term_is_refused_by_the_service_per_column(
    client_for, project, asset, genre, owner
):
    retired = GlossaryTermFactory(
        glossary=genre.glossary, name="Retired", status=GlossaryStatus.DISABLED
    )
    response = client_for(owner).post(
        url("asset-columns-edit", asset.pk),
        column_post(asset, {"column_001": {"terms": "Retired", "business_name": "Kept"}}),
    )
    assert response.status_code == 400
    html = text(response)
    assert column_errors(html) == {
        "column_001": [
            f"Glossary terms: Term '{retired.name}' is disabled (or its glossary is) and cannot "
            "be attached."
        ]
    }
    assert 'value="Kept"' in html
    assert not AssetColumn.objects.filter(asset=asset, business_name="Kept").exists()


def test_columns_page_handles_200_columns_in_constant_queries(
    client_for, project, data_source, genre, owner, django_assert_num_queries
):
    client = client_for(owner)

    def with_genre(asset):
        AssetColumn.glossary_terms.through.objects.bulk_create(
            AssetColumn.glossary_terms.through(assetcolumn_id=c.pk, glossaryterm_id=genre.pk)
            for c in asset.columns.all()
        )
        return asset

    small = with_genre(make_asset(project, data_source, "small", columns=5))
    count = queries_for(client, url("asset-columns-edit", small.pk))
    big = with_genre(make_asset(project, data_source, "big", columns=200))
    client.get(url("asset-columns-edit", big.pk))
    with django_assert_num_queries(count):
        response = client.get(url("asset-columns-edit", big.pk))
    filled = re.findall(r'<input[^>]*name="columns-\d+-terms"[^>]*value="Genre"', text(response))
    assert len(filled) == 200

    # One change among 200 rows: one revision naming that column only.
    post = column_post(big, {"column_150": {"description": "The 150th"}})
    client.post(url("asset-columns-edit", big.pk), post)
    assert big.revisions.get(revision=2).changes == ["Column column_150 description added"]


# --- Metadata forms ----------------------------------------------------------------------------


def test_form_page_has_typed_inputs_and_required_marks(
    client_for, project, asset, data_owner, media, genre, film, owner
):
    GlossaryTermFactory(glossary=media, name="Old", status=GlossaryStatus.DISABLED)
    GlossaryTermFactory(
        glossary=GlossaryFactory(owning_project=project, name="Other"), name="Elsewhere"
    )
    client = client_for(owner)
    asset_page = text(client.get(url("asset-detail", asset.pk)))
    add = between(asset_page, 'data-testid="add-form"', "</form>")
    assert re.findall(r'<option value="[^"]+">([^<]+)</option>', add) == ["Data owner"]

    added = client.get(url("asset-form-add", asset.pk), {"form_type": data_owner.pk})
    assert added["Location"] == url("asset-form-edit", asset.pk, data_owner.pk)
    html = text(client.get(added["Location"]))

    def tag(name):
        return re.search(rf'<(input|textarea|select)[^>]*name="{name}"[^>]*>', html).group(0)

    assert 'type="email"' in tag("owner_email")
    assert 'type="date"' in tag("last_audit")
    assert 'type="number"' in tag("row_count") and 'step="1"' in tag("row_count")
    assert 'type="number"' in tag("monthly_cost") and 'step="any"' in tag("monthly_cost")
    assert 'type="url"' in tag("docs")
    assert tag("notes").startswith("<textarea") and tag("title").startswith('<input type="text"')
    assert tag("pii").startswith("<select")
    assert re.findall(r">([^<]+)</option>", between(html, 'name="pii"', "</select>")) == [
        "—",
        "Yes",
        "No",
    ]
    assert re.findall(r">([^<]+)</option>", between(html, 'name="subject"', "</select>")) == [
        "Choose a term…",
        "Film",
        "Genre",
    ]
    marked = re.findall(
        r'<label class="field__label" for="id_(\w+)">[^<]+<span class="required-mark"', html
    )
    assert marked == ["owner_email", "last_audit"]
    assert "For consumers." in html
    assert "Add form</button>" in html and "Remove form</button>" not in html


@pytest.mark.parametrize(
    "field, label, value, message",
    [
        ("last_audit", "Last audit date", "2024-13-45", "Enter a valid date."),
        ("row_count", "Row count", "12.5", "Enter a whole number."),
        ("monthly_cost", "Monthly cost", "twelve", "Enter a number."),
        ("owner_email", "Owner email", "films-at-example", "Enter a valid email address."),
        ("docs", "Documentation", "not a url", "Enter a valid URL."),
    ],
)
def test_form_page_refuses_bad_values_by_label_and_saves_nothing(
    client_for, asset, data_owner, owner, field, label, value, message
):
    values = {
        "owner_email": "films@example.com",
        "last_audit": "2024-05-01",
        "row_count": "12",
        "title": "Kept",
        field: value,
    }
    response = client_for(owner).post(url("asset-form-edit", asset.pk, data_owner.pk), values)

    assert response.status_code == 400
    html = text(response)
    assert errors_of(html, field) == [message]
    assert re.search(rf'<label class="field__label" for="id_{field}">{label}', html)
    assert re.search(rf'name="{field}" value="{re.escape(value)}"', html)  # as typed
    assert 'name="title" value="Kept"' in html
    assert "Nothing was saved: please correct the highlighted field." in html
    assert not AssetForm.objects.filter(asset=asset).exists()
    asset.refresh_from_db()
    assert asset.current_revision == 1


def test_form_page_refuses_a_term_of_another_glossary(
    client_for, project, asset, data_owner, owner
):
    foreign = GlossaryTermFactory(
        glossary=GlossaryFactory(owning_project=project, name="Sales"), name="Region"
    )
    response = client_for(owner).post(
        url("asset-form-edit", asset.pk, data_owner.pk), {"subject": str(foreign.pk)}
    )
    assert response.status_code == 400
    assert errors_of(text(response), "subject") == [
        "Choose a term of glossary 'Media'; 'Region' is in 'Sales'."
    ]
    assert not AssetForm.objects.filter(asset=asset).exists()


def test_fill_change_and_remove_a_form(client_for, asset, data_owner, genre, owner):
    client = client_for(owner)
    edit_url = url("asset-form-edit", asset.pk, data_owner.pk)
    response = client.post(
        edit_url,
        {
            "owner_email": "films@example.com",
            "last_audit": "2024-05-01",
            "row_count": "1200",
            "monthly_cost": "12.50",
            "pii": "false",
            "docs": "https://wiki.example.com/films",
            "notes": "Line one\nLine two",
            "subject": str(genre.pk),
        },
        follow=True,
    )

    assert response.redirect_chain == [(url("asset-detail", asset.pk) + "#forms", 302)]
    assert messages_of(response) == ["Form “Data owner” added; revision 2 records the change."]
    asset_form = AssetForm.objects.get(asset=asset, form_type=data_owner)
    assert asset_form.values == {
        "owner_email": "films@example.com",
        "last_audit": "2024-05-01",
        "row_count": 1200,
        "monthly_cost": "12.50",
        "pii": False,
        "docs": "https://wiki.example.com/films",
        "notes": "Line one\nLine two",
        "subject": str(genre.pk),
    }
    html = text(response)
    shown = dict(
        (label, plain(value))
        for label, value in re.findall(
            r'<dd data-label="([^"]+)">(.*?)</dd>',
            between(html, 'data-testid="asset-forms"', "</section>"),
            re.S,
        )
    )
    assert shown == {
        "Owner email": "films@example.com",
        "Last audit date": "2024-05-01",
        "Row count": "1200",
        "Monthly cost": "12.50",
        "Contains PII": "No",
        "Documentation": "https://wiki.example.com/films",
        "Notes": "Line one Line two",
        "Title": "—",
        "Subject": "Genre",
    }
    assert '<a href="https://wiki.example.com/films" rel="noopener noreferrer nofollow">' in html
    assert 'data-testid="add-form"' not in html  # the only enabled form is attached

    # The edit page shows the stored values in their inputs; a change is one revision.
    page = text(client.get(edit_url))
    assert 'name="last_audit" value="2024-05-01"' in page
    assert re.search(r'<option value="false" selected>No</option>', page)
    assert re.search(rf'<option value="{genre.pk}" selected>Genre</option>', page)
    changed = client.post(
        edit_url,
        {"owner_email": "films@example.com", "last_audit": "2024-06-01", "pii": "true"},
        follow=True,
    )
    assert messages_of(changed) == ["Form “Data owner” saved; revision 3 records the change."]
    assert AssetRevision.objects.get(asset=asset, revision=3).changes == [
        "Form Data owner: Contains PII, Documentation, Last audit date, Monthly cost, Notes, "
        "Row count, Subject changed"
    ]

    removed = client.post(url("asset-form-remove", asset.pk, data_owner.pk), follow=True)
    assert messages_of(removed) == ["Form “Data owner” removed; revision 4 records it."]
    assert not AssetForm.objects.filter(asset=asset).exists()
    assert "No metadata form on this asset." in text(removed)


def test_a_disabled_form_cannot_be_added_but_one_attached_stays_editable(
    client_for, asset, data_owner, owner
):
    data_owner.status = GlossaryStatus.DISABLED
    data_owner.save()
    client = client_for(owner)
    assert client.get(url("asset-form-edit", asset.pk, data_owner.pk)).status_code == 404
    AssetForm.objects.create(asset=asset, form_type=data_owner, values={"title": "Old"})
    page = client.get(url("asset-form-edit", asset.pk, data_owner.pk))
    assert page.status_code == 200 and 'name="title" value="Old"' in text(page)
    other_domain_form = FormTypeFactory(name="Elsewhere")
    assert client.get(url("asset-form-edit", asset.pk, other_domain_form.pk)).status_code == 404


# --- Glossary-term suggestions --------------------------------------------------------------


def test_term_suggestions_are_accepted_and_rejected_like_names(client_for, asset, genre, owner):
    AssetColumn.objects.filter(asset=asset, position=2).update(name="category_id")
    services.suggest_glossary_terms([asset])
    client = client_for(owner)
    html = text(client.get(url("asset-detail", asset.pk)))

    table = rows(html, "suggestion-table")
    assert "Table film_category Term: Genre Media No term Reject Accept" in table
    assert "Column category_id Term: Genre Media No term Reject Accept" in table
    # A term suggestion never poses as a column's business name.
    assert "Column 2 suggested" in rows(html, "column-table")[1]

    table_term = asset.suggestions.get(kind=SuggestionKind.GLOSSARY_TERM, column__isnull=True)
    accepted = client.post(url("suggestion-accept", table_term.pk), follow=True)
    assert messages_of(accepted) == ["Glossary term “Genre” accepted for the table."]
    assert list(asset.glossary_terms.values_list("name", flat=True)) == ["Genre"]
    column_term = asset.suggestions.get(kind=SuggestionKind.GLOSSARY_TERM, column__isnull=False)
    rejected = client.post(url("suggestion-reject", column_term.pk), follow=True)
    assert messages_of(rejected) == ["Glossary term “Genre” rejected for column category_id."]

    all_accepted = client.post(url("asset-suggestions-accept-all", asset.pk), follow=True)
    assert messages_of(all_accepted) == ["Accepted 4 business names; revision 3 records them."]


def test_accept_all_counts_names_and_terms(client_for, asset, genre, owner):
    services.suggest_glossary_terms([asset])
    response = client_for(owner).post(url("asset-suggestions-accept-all", asset.pk), follow=True)
    assert messages_of(response) == [
        "Accepted 4 business names and 1 glossary term; revision 2 records them."
    ]
    assert set(asset.suggestions.values_list("status", flat=True)) == {SuggestionStatus.ACCEPTED}


def test_accept_all_with_a_term_disabled_since_accepts_nothing(client_for, asset, genre, owner):
    services.suggest_glossary_terms([asset])
    genre.status = GlossaryStatus.DISABLED
    genre.save()
    response = client_for(owner).post(url("asset-suggestions-accept-all", asset.pk), follow=True)
    assert messages_of(response) == [
        "Nothing was accepted: Term 'Genre' is disabled (or its glossary is); it cannot be attached."
    ]
    assert set(asset.suggestions.values_list("status", flat=True)) == {SuggestionStatus.PROPOSED}


# --- Publishing -------------------------------------------------------------------------------


def test_publish_refused_lists_exactly_what_is_missing_and_publishes_nothing(
    client_for, project, asset, data_owner, genre, owner
):
    quality = FormTypeFactory(owning_project=project, name="Quality")  # a required date field
    PublishingRuleFactory(
        domain=project.domain, required_form_types=[data_owner], required_glossary_terms=[genre]
    )
    AssetForm.objects.create(asset=asset, form_type=quality, values={"contact": "q@example.com"})
    client = client_for(owner)
    todo = text(client.get(url("asset-detail", asset.pk)))
    expected = [
        "Form “Data owner” is required by the domain's publishing rule.",
        "Glossary term “Genre” is required by the domain's publishing rule.",
        "“Last audit date” in form “Quality” is required.",
    ]
    assert items(todo, "publish-todo") == expected

    response = client.post(url("asset-publish", asset.pk), {"approval_required": "on"})

    assert response.status_code == 400
    html = text(response)
    assert plain(between(html, 'data-testid="publish-refused">', "</strong>")) == (
        "“film_category” cannot be published yet: 3 items are missing."
    )
    assert items(html, "publish-missing") == expected
    assert "Nothing was published." in html
    assert publishing_status(html) == "Not published"
    assert not Listing.objects.exists()

    # Once filled, it publishes.
    client.post(
        url("asset-form-edit", asset.pk, data_owner.pk),
        {"owner_email": "films@example.com", "last_audit": "2024-05-01"},
    )
    client.post(url("asset-form-edit", asset.pk, quality.pk), {"last_audit": "2024-05-02"})
    client.post(url("asset-edit", asset.pk), {"glossary_terms": "Genre"})
    published = client.post(
        url("asset-publish", asset.pk), {"approval_required": "on"}, follow=True
    )
    assert messages_of(published)[-1:] == [
        "“film_category” published as revision 4 (approval required). Everyone signed in can "
        "find it in the catalog."
    ]
    assert Listing.objects.get().revision == 4


def test_publish_read_by_an_outsider_then_republish_and_unpublish(
    client_for, project, asset, genre, owner, outsider
):
    client = client_for(owner)
    client.post(
        url("asset-edit", asset.pk),
        {
            "business_name": "Movie listings with category",
            "description": "All films.",
            "glossary_terms": "Genre",
        },
    )
    AssetColumn.objects.filter(asset=asset, name="column_002").update(description="The genre")
    page = text(client.get(url("asset-detail", asset.pk)))
    assert publishing_status(page) == "Not published"
    assert re.search(r'<input type="checkbox" name="approval_required"[^>]*checked', page)

    published = client.post(url("asset-publish", asset.pk), {}, follow=True)  # unchecked

    listing = Listing.objects.get(asset=asset)
    assert (listing.status, listing.revision, listing.approval_required) == (
        ListingStatus.ACTIVE,
        2,
        False,
    )
    assert messages_of(published) == [
        "“Movie listings with category” published as revision 2 (open to all). Everyone "
        "signed in can find it in the catalog."
    ]
    html = text(published)
    assert re.fullmatch(
        r"Published \(revision 2, \w{3} \d{1,2}, \d{4} \d\d:\d\d\)", publishing_status(html)
    )
    assert "Open to all: subscription requests are accepted automatically." in html
    assert f'href="{url("listing-detail", listing.pk)}" data-testid="view-listing"' in html
    assert not re.search(r'<input type="checkbox" name="approval_required"[^>]*checked', html)

    reader = client_for(outsider)
    catalog = text(reader.get(url("catalog")))
    card = between(catalog, 'data-testid="listing-card"', "</article>")
    assert "Movie listings with category" in card and "curatedzonedb.film_category" in card
    assert "Film Catalog Project" in card and "streaming" in card and "Genre" in card
    assert "Open to all" in card
    listing_page = text(reader.get(url("listing-detail", listing.pk)))
    assert (
        between(listing_page, 'data-testid="listing-name">', "</h1>")
        == "Movie listings with category"
    )
    assert "<p>All films.</p>" in listing_page
    schema = rows(listing_page, "schema-table")
    assert schema[1] == "column_002 string The genre"
    assert schema[2] == "column_003 Partition key string"
    assert between(listing_page, 'data-testid="listing-revision">', "</dd>") == "2"
    assert re.search(
        r'Owning project</dt><dd><a href="/publishers/[0-9a-f-]+/"[^>]*>Film Catalog Project</a>',
        listing_page,
    )
    assert "Domain</dt><dd>streaming</dd>" in listing_page
    assert 'data-testid="unpublished-changes"' not in listing_page
    assert f'href="{url("term-detail", genre.pk)}"' in listing_page

    # Editing after publishing: the asset says so, the listing does not change.
    client.post(
        url("asset-edit", asset.pk),
        {
            "business_name": "Movies by genre",
            "description": "All films.",
            "glossary_terms": "Genre",
        },
    )
    page = text(client.get(url("asset-detail", asset.pk)))
    assert (
        publishing_status(page) == "Unpublished changes: revision 3 is newer than the published 2"
    )
    assert "Publish revision 3</button>" in page
    owner_view = text(client.get(url("listing-detail", listing.pk)))
    assert "Your team has unpublished changes" in owner_view
    assert "Revision 3 of the asset is newer than the published revision 2" in owner_view
    outsider_view = text(reader.get(url("listing-detail", listing.pk)))
    assert 'data-testid="unpublished-changes"' not in outsider_view
    assert (
        "Movie listings with category" in outsider_view and "Movies by genre" not in outsider_view
    )

    # Publishing again replaces the snapshot with the new revision.
    again = client.post(url("asset-publish", asset.pk), {"approval_required": "on"}, follow=True)
    assert messages_of(again)[0].startswith(
        "“Movies by genre” published again as revision 3 (approval required)."
    )
    listing.refresh_from_db()
    assert (listing.revision, listing.name, listing.approval_required) == (
        3,
        "Movies by genre",
        True,
    )
    assert "Movies by genre" in text(reader.get(url("listing-detail", listing.pk)))
    assert "Publish again</button>" in text(again)

    # Unpublish: gone for outsiders, still readable (marked) by the team.
    unpublished = client.post(url("asset-unpublish", asset.pk), follow=True)
    assert messages_of(unpublished) == [
        "“Movies by genre” unpublished: it no longer appears in the catalog. Existing "
        "subscriptions are not affected."
    ]
    assert publishing_status(text(unpublished)) == "Unpublished (inactive)"
    assert 'data-testid="unpublish-button"' not in text(unpublished)
    assert reader.get(url("listing-detail", listing.pk)).status_code == 404
    assert 'data-testid="listing-card"' not in text(reader.get(url("catalog")))
    team_view = client.get(url("listing-detail", listing.pk))
    assert team_view.status_code == 200 and 'data-testid="listing-inactive"' in text(team_view)
    twice = client.post(url("asset-unpublish", asset.pk), follow=True)
    assert messages_of(twice) == ["“Movies by genre” is not published."]


def test_archived_assets_cannot_be_published(client_for, asset, owner):
    from django.utils import timezone

    Asset.objects.filter(pk=asset.pk).update(archived_at=timezone.now())
    response = client_for(owner).post(url("asset-publish", asset.pk), {"approval_required": "on"})
    assert response.status_code == 400
    assert items(text(response), "publish-missing") == [
        "The asset is archived (its table is no longer in the source)."
    ]
    assert not Listing.objects.exists()


# --- Revisions with differences --------------------------------------------------------------


def test_revision_page_compares_with_the_revision_before(
    client_for, asset, genre, data_owner, owner
):
    client = client_for(owner)
    client.post(url("asset-edit", asset.pk), {"business_name": "Films", "description": "Old text"})
    client.post(
        url("asset-edit", asset.pk),
        {
            "business_name": "Movie listings",
            "description": "New text",
            "glossary_terms": "Genre",
        },
    )
    client.post(
        url("asset-columns-edit", asset.pk),
        column_post(asset, {"column_001": {"description": "Category id", "terms": "Genre"}}),
    )
    client.post(url("asset-form-edit", asset.pk, data_owner.pk), {"last_audit": "2024-05-01"})

    page = text(client.get(url("asset-detail", asset.pk)))
    assert f'href="{url("asset-revision", asset.pk, 3)}">Differences</a>' in page

    third = client.get(url("asset-revision", asset.pk, 3))
    html = text(third)
    assert rows(html, "difference-table") == [
        "Business name Films Movie listings",
        "Description Old text New text",
        "Glossary terms (empty) Genre",
    ]
    assert "compared with revision 2" in html
    assert items(html, "revision-changes") == [
        "Business name changed from “Films” to “Movie listings”",
        "Description changed",
        "Glossary terms added: Genre",
    ]
    assert rows(text(client.get(url("asset-revision", asset.pk, 4))), "difference-table") == [
        "Column column_001: description (empty) Category id",
        "Column column_001: glossary terms (empty) Genre",
    ]
    assert rows(text(client.get(url("asset-revision", asset.pk, 5))), "difference-table") == [
        "Form Data owner (empty) added",
        "Form Data owner: Last audit date (empty) 2024-05-01",
    ]
    first = text(client.get(url("asset-revision", asset.pk, 1)))
    assert "the first revision" in first
    assert client.get(url("asset-revision", asset.pk, 99)).status_code == 404


def test_snapshot_differences_field_by_field():
    old = {
        "business_name": "Films",
        "description": "Old",
        "type": "GLUE_TABLE",
        "technical_name": "film_category",
        "glossary_terms": [{"id": "1", "name": "Genre", "glossary": "Media"}],
        "technical_metadata": {"location": "s3://a/", "format": "parquet"},
        "columns": [
            {
                "name": "id",
                "data_type": "bigint",
                "position": 1,
                "business_name": "ID",
                "description": "",
                "glossary_terms": [],
            },
            {"name": "gone", "data_type": "string", "position": 2},
        ],
        "forms": [
            {
                "form_type": {"id": "f", "name": "Data owner"},
                "fields": [
                    {"label": "Owner", "display": "a@x.com"},
                    {"label": "PII", "display": "No"},
                ],
            },
            {"form_type": {"id": "g", "name": "Old form"}, "fields": []},
        ],
    }
    new = {
        "business_name": "Movies",
        "description": "Old",
        "type": "GLUE_TABLE",
        "technical_name": "film_category",
        "glossary_terms": [{"id": "2", "name": "Film"}, {"id": "1", "name": "Genre"}],
        "technical_metadata": {
            "location": "s3://b/",
            "format": "parquet",
            "table_type": "EXTERNAL_TABLE",
        },
        "columns": [
            {
                "name": "id",
                "data_type": "int",
                "position": 1,
                "business_name": "Identifier",
                "description": "Key",
                "is_partition_key": True,
                "glossary_terms": [{"name": "Film"}],
            },
            {"name": "added", "data_type": "date", "position": 2, "business_name": "When"},
        ],
        "forms": [
            {
                "form_type": {"id": "f", "name": "Data owner"},
                "fields": [
                    {"label": "Owner", "display": "b@x.com"},
                    {"label": "PII", "display": "No"},
                ],
            },
        ],
    }
    assert snapshot_differences(old, new) == [
        {"field": "Business name", "before": "Films", "after": "Movies"},
        {"field": "Glossary terms", "before": "Genre", "after": "Film, Genre"},
        {"field": "Column id: data type", "before": "bigint", "after": "int"},
        {"field": "Column id: partition key", "before": "No", "after": "Yes"},
        {"field": "Column id: business name", "before": "ID", "after": "Identifier"},
        {"field": "Column id: description", "before": "", "after": "Key"},
        {"field": "Column id: glossary terms", "before": "", "after": "Film"},
        {"field": "Column added", "before": "", "after": "added (date)"},
        {"field": "Column added: business name", "before": "", "after": "When"},
        {"field": "Column gone", "before": "string", "after": "removed"},
        {"field": "Form Data owner: Owner", "before": "a@x.com", "after": "b@x.com"},
        {"field": "Form Old form", "before": "attached", "after": "removed"},
        {"field": "Technical metadata: location", "before": "s3://a/", "after": "s3://b/"},
        {"field": "Technical metadata: table type", "before": "", "after": "EXTERNAL_TABLE"},
    ]
    assert snapshot_differences(new, new) == []
    # Old snapshots without terms or forms, and a missing one, read as empty.
    assert snapshot_differences(None, {"business_name": "X"}) == [
        {"field": "Business name", "before": "", "after": "X"}
    ]
    assert snapshot_differences({"columns": []}, {}) == []


# --- The catalog, listings, the term page -------------------------------------------------


def publish_assets(project, data_source, owner, count, start=0):
    for n in range(start, start + count):
        services.asset_publish(
            acting_user=owner, asset=make_asset(project, data_source, f"table_{n:03d}", columns=2)
        )


def test_catalog_lists_active_listings_newest_first_25_a_page(
    client_for, project, data_source, owner, outsider
):
    publish_assets(project, data_source, owner, 27)
    withdrawn = make_asset(project, data_source, "withdrawn_table", columns=1)
    services.asset_publish(acting_user=owner, asset=withdrawn)
    services.asset_unpublish(acting_user=owner, asset=withdrawn)
    client = client_for(outsider)

    first = client.get(url("catalog"))
    html = text(first)
    assert [listing.name for listing in first.context["page"].object_list][:2] == [
        "table_026",
        "table_025",
    ]
    assert html.count('data-testid="listing-card"') == 25
    assert "27 listings, newest first" in html
    assert re.search(r'href="/catalog/" aria-current="page">Catalog</a>', html)
    second = client.get(url("catalog"), {"page": 2})
    assert [listing.name for listing in second.context["page"].object_list] == [
        "table_001",
        "table_000",
    ]
    assert "withdrawn_table" not in html and "withdrawn_table" not in text(second)


def test_catalog_is_empty_until_something_is_published(client_for, outsider):
    assert "Nothing is published yet" in text(client_for(outsider).get(url("catalog")))


def test_term_page_loads_where_the_term_is_used(
    client_for, project, profile, data_source, asset, genre, owner, outsider
):
    asset.glossary_terms.add(genre)
    column = asset.columns.get(position=2)
    column.glossary_terms.add(genre)
    services.asset_publish(acting_user=owner, asset=asset)
    other = ProjectFactory(domain=project.domain, name="Series")
    other_source = make_data_source(other, make_environment(other, profile, name="Series S3"))
    other_asset = make_asset(other, other_source, "series_genres", columns=2)
    other_asset.columns.get(position=1).glossary_terms.add(genre)  # column only, unpublished

    term_page = text(client_for(owner).get(url("term-detail", genre.pk)))
    fragment_url = url("term-assets", genre.pk)
    assert f'hx-get="{fragment_url}" hx-trigger="load" hx-target="#term-assets"' in term_page
    assert (
        f'<a href="{fragment_url}" id="term-usage-link" data-testid="term-assets-link">Show assets carrying this term</a>'
        in term_page
    )

    partial = text(client_for(owner).get(fragment_url, headers={"HX-Request": "true"}))
    assert "<html" not in partial
    assert items(partial, "term-listings") == ["film_category film_category · Film Catalog Project"]
    assert items(partial, "term-assets-list") == [
        "film_category film_category · Film Catalog Project"
    ]
    assert items(partial, "term-columns") == ["column_002 in film_category · Film Catalog Project"]

    # Without JavaScript the link opens the same list as a page; outsiders see listings only.
    page = client_for(outsider).get(fragment_url)
    html = text(page)
    assert "<html" in html and "Where Genre is used" in html
    assert items(html, "term-listings") == ["film_category film_category · Film Catalog Project"]
    assert (
        "No asset you can see carries it." in html and "No column you can see carries it." in html
    )
    assert "series_genres" not in html


def test_data_source_form_names_the_forms_applied_on_import(
    client_for, project, environment, data_owner, owner
):
    FormTypeFactory(owning_project=project, name="Retired", status=GlossaryStatus.DISABLED)
    client = client_for(owner)
    create_url = url("data-source-create", project.pk)
    html = text(client.get(create_url))
    block = between(html, 'data-testid="default-form-types">', "</fieldset>")
    assert "Forms applied to imported assets" in block
    assert re.findall(r"<span>([^<]+)</span>", block) == ["Data owner"]

    client.post(
        create_url, {**FORM, "environment": environment.pk, "default_form_types": [data_owner.pk]}
    )

    data_source = DataSource.objects.get(project=project)
    assert list(data_source.default_form_types.all()) == [data_owner]
    detail = text(client.get(url("data-source-detail", data_source.pk)))
    assert plain(between(detail, 'data-testid="default-form-types">', "</dd>")) == "Data owner"
    edit = text(client.get(url("data-source-edit", data_source.pk)))
    assert re.search(rf'value="{data_owner.pk}"[^>]*checked', edit)


# --- Query counts do not grow with columns or listings --------------------------------------


def described_asset(project, data_source, name, columns, term, form_type, owner):
    """An asset whose every column carries a term, with a filled form, published."""
    asset = make_asset(project, data_source, name, columns=columns)
    asset.glossary_terms.add(term)
    AssetColumn.glossary_terms.through.objects.bulk_create(
        AssetColumn.glossary_terms.through(assetcolumn_id=c.pk, glossaryterm_id=term.pk)
        for c in asset.columns.all()
    )
    AssetColumn.objects.filter(asset=asset).update(description="Described")
    AssetForm.objects.create(
        asset=asset,
        form_type=form_type,
        values={
            "owner_email": "a@example.com",
            "last_audit": "2024-05-01",
            "subject": str(term.pk),
        },
    )
    services.asset_publish(acting_user=owner, asset=asset)
    return asset


def test_asset_and_listing_pages_query_counts_do_not_grow_with_columns(
    client_for, project, data_source, genre, data_owner, owner, outsider, django_assert_num_queries
):
    small = described_asset(project, data_source, "small", 5, genre, data_owner, owner)
    big = described_asset(project, data_source, "big", 200, genre, data_owner, owner)
    client, reader = client_for(owner), client_for(outsider)

    asset_queries = queries_for(client, url("asset-detail", small.pk))
    client.get(url("asset-detail", big.pk))
    with django_assert_num_queries(asset_queries):
        response = client.get(url("asset-detail", big.pk))
    html = text(response)
    assert len(rows(html, "column-table")) == 200
    assert html.count('data-testid="column-terms"><ul class="chips">') == 200
    assert "Subject" in html and "Genre" in html

    small_listing, big_listing = Listing.objects.get(asset=small), Listing.objects.get(asset=big)
    listing_queries = queries_for(reader, url("listing-detail", small_listing.pk))
    reader.get(url("listing-detail", big_listing.pk))
    with django_assert_num_queries(listing_queries):
        response = reader.get(url("listing-detail", big_listing.pk))
    assert len(rows(text(response), "schema-table")) == 200


def test_catalog_query_count_does_not_grow_with_listings(
    client_for, project, data_source, owner, outsider, django_assert_num_queries
):
    client = client_for(outsider)
    publish_assets(project, data_source, owner, 3)
    small = queries_for(client, url("catalog"))
    publish_assets(project, data_source, owner, 27, start=3)
    with django_assert_num_queries(small):
        response = client.get(url("catalog"))
    assert text(response).count('data-testid="listing-card"') == 25
