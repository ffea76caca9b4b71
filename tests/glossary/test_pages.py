"""The glossary pages, driven through Django's test client as a browser would use them:
glossaries and their term trees, terms with sanitised Markdown, CSV import and export,
the form builder, publishing rules, and pinned query counts."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from glossary.choices import FieldType, GlossaryStatus
from glossary.models import FormType, Glossary, GlossaryTerm, PublishingRule
from projects.choices import DomainRole
from tests.glossary.factories import (
    FormTypeFactory,
    GlossaryFactory,
    GlossaryTermFactory,
    PublishingRuleFactory,
)
from tests.pages import messages_of, text
from tests.projects.factories import DomainFactory, DomainMembershipFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def steward_client(client_for, steward):
    return client_for(steward)


# --- Glossaries ---------------------------------------------------------------------------


def test_glossary_list_shows_every_domains_glossaries_with_term_counts(
    client_for, outsider, steward, media
):
    GlossaryTermFactory(glossary=media)
    GlossaryTermFactory(glossary=media)
    GlossaryFactory(
        owning_project=ProjectFactory(domain=DomainFactory(name="marketing")),
        name="Campaigns",
        status=GlossaryStatus.DISABLED,
    )

    html = text(client_for(outsider).get(reverse("glossary-list")))
    rows = re.findall(r'<a class="table__primary" href="[^"]+">([^<]+)</a>', html)
    assert rows == ["Campaigns", "Media"]
    assert re.findall(r'data-testid="term-count">(\d+)<', html) == ["0", "2"]
    assert "DISABLED" in html
    assert "Create glossary" not in html  # an outsider manages no domain or project
    assert 'aria-current="page">Glossaries</a>' in html  # the vocabulary tab
    assert re.search(r'href="/glossaries/" aria-current="page">Glossaries</a></li>', html)

    steward_html = text(client_for(steward).get(reverse("glossary-list")))
    assert "Create glossary" in steward_html
    filtered = client_for(outsider).get(reverse("glossary-list"), {"status": "DISABLED"})
    assert [g.name for g in filtered.context["page"].object_list] == ["Campaigns"]


def test_create_a_glossary_through_the_form(steward_client, project):
    form = steward_client.get(reverse("glossary-create"))
    assert f'<option value="{project.pk}">Film Catalog Project — streaming</option>' in text(form)

    response = steward_client.post(
        reverse("glossary-create"),
        {"owning_project": project.pk, "name": "Media", "description": "Film words."},
        follow=True,
    )

    glossary = Glossary.objects.get()
    assert response.redirect_chain == [(reverse("glossary-detail", args=[glossary.pk]), 302)]
    assert (glossary.domain, glossary.owning_project) == (project.domain, project)
    assert messages_of(response) == ["Glossary “Media” created. Add its terms next."]


def test_duplicate_glossary_name_is_shown_with_the_input_kept(steward_client, project, media):
    response = steward_client.post(
        reverse("glossary-create"),
        {"owning_project": project.pk, "name": "MEDIA", "description": "Mine too"},
    )

    assert response.status_code == 400
    html = text(response)
    assert "already has a glossary named &#x27;MEDIA&#x27;" in html
    assert 'id="id_name_errors"' in html
    assert 'value="MEDIA"' in html and "Mine too</textarea>" in html
    assert f'<option value="{project.pk}" selected>' in html
    assert Glossary.objects.count() == 1


def test_owner_edits_and_disables_the_glossary(client_for, owner, media):
    client = client_for(owner)
    edit = client.post(
        reverse("glossary-edit", args=[media.pk]),
        {"name": "Films", "description": "All about films.", "status": "ENABLED"},
        follow=True,
    )
    assert messages_of(edit) == ["Glossary saved."]

    response = client.post(
        reverse("glossary-status", args=[media.pk]), {"status": "DISABLED"}, follow=True
    )

    media.refresh_from_db()
    assert (media.name, media.status) == ("Films", GlossaryStatus.DISABLED)
    assert messages_of(response) == [
        "Glossary “Films” disabled: its terms can no longer be newly attached."
    ]
    html = text(response)
    assert "This glossary is disabled" in html
    assert 'data-testid="glossary-status">DISABLED<' in html
    assert ">Enable</button>" in html


def tree_of(html) -> list[str]:
    """The tree as indented names, read from the nested lists the page renders."""
    tree = html.split('data-testid="term-tree"', 1)[1].split("</section>", 1)[0]
    lines, depth = [], 0  # the outermost list opens just before the split
    for token in re.finditer(r'(<ul class="term-tree[^"]*")|(</ul>)|data-term="([^"]+)"', tree):
        if token.group(1):
            depth += 1
        elif token.group(2):
            depth -= 1
        else:
            lines.append("  " * depth + token.group(3))
    return lines


def test_glossary_detail_shows_the_terms_as_a_tree_by_is_a(client_for, outsider, media, project):
    category = GlossaryTermFactory(glossary=media, name="Category")
    genre = GlossaryTermFactory(glossary=media, name="Genre", is_a=[category])
    rating = GlossaryTermFactory(glossary=media, name="Rating")
    GlossaryTermFactory(glossary=media, name="Drama", is_a=[genre])
    GlossaryTermFactory(glossary=media, name="Family", is_a=[genre, rating])  # two parents
    # A broader term in another glossary does not make a term less of a root here.
    shared = GlossaryTermFactory(glossary=GlossaryFactory(owning_project=project), name="Thing")
    GlossaryTermFactory(glossary=media, name="Awards", is_a=[shared])

    html = text(client_for(outsider).get(reverse("glossary-detail", args=[media.pk])))

    assert tree_of(html) == [
        "Awards",
        "Category",
        "  Genre",
        "    Drama",
        "    Family",
        "Rating",
        "  Family",
    ]
    assert "Add term" not in html and "Import CSV" not in html  # not a manager
    assert "Export CSV" in html


def test_flat_term_list_searches_with_the_filterset_and_htmx_gets_the_table(
    client_for, outsider, media
):
    GlossaryTermFactory(glossary=media, name="Genre", synonyms=["kind", "category"])
    GlossaryTermFactory(glossary=media, name="Rating", short_description="Age rating")
    client = client_for(outsider)
    url = reverse("glossary-detail", args=[media.pk])

    full = client.get(url, {"q": "KIND"})
    assert [t.name for t in full.context["page"].object_list] == ["Genre"]
    assert tree_of(text(full)) == ["Genre", "Rating"]  # the tree always shows all terms

    partial = client.get(url, {"q": "age"}, HTTP_HX_REQUEST="true")
    html = text(partial)
    assert html.lstrip().startswith('<div id="term-table"')
    assert "<html" not in html and "term-tree" not in html
    assert re.findall(r'class="table__primary" href="[^"]+">([^<]+)<', html) == ["Rating"]
    nothing = text(client.get(url, {"q": "zzz"}, HTTP_HX_REQUEST="true"))
    assert "No term of Media matches “zzz”" in nothing


# --- CSV ----------------------------------------------------------------------------------


def test_export_downloads_the_csv(client_for, viewer, media):
    GlossaryTermFactory(glossary=media, name="Genre", synonyms=["kind"], short_description="")

    response = client_for(viewer).get(reverse("glossary-export", args=[media.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="Media.csv"'
    assert response.content.decode().splitlines() == [
        "name,short_description,long_description,synonyms,parents",
        "Genre,,,kind,",
    ]


def upload(content, name="terms.csv"):
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_import_csv_creates_terms_and_says_how_many(steward_client, media):
    csv = "name,synonyms,parents\nCategory,,\nGenre,category; kind,Category\n"
    url = reverse("glossary-import", args=[media.pk])

    response = steward_client.post(url, {"file": upload(csv)}, follow=True)

    assert response.redirect_chain == [(reverse("glossary-detail", args=[media.pk]), 302)]
    assert messages_of(response) == ["Imported “terms.csv”: 2 created, 0 updated, 0 unchanged."]
    assert tree_of(text(response)) == ["Category", "  Genre"]
    again = steward_client.post(url, {"file": upload(csv)}, follow=True)
    assert messages_of(again) == ["Imported “terms.csv”: 0 created, 0 updated, 2 unchanged."]


def test_import_errors_are_listed_with_line_numbers_and_nothing_is_saved(steward_client, media):
    GlossaryTermFactory(glossary=media, name="Kept", short_description="As it was")
    csv = "name,short_description,parents\nKept,Changed,\n,,\nGenre,,Nope\n"

    response = steward_client.post(
        reverse("glossary-import", args=[media.pk]), {"file": upload(csv)}
    )

    assert response.status_code == 400
    html = text(response)
    assert "Nothing was imported: the file has 2 problems." in html
    errors = re.findall(r"<li>(Line \d+: [^<]+)</li>", html)
    assert errors == [
        "Line 3: the term has no name.",
        "Line 4: parent &#x27;Nope&#x27; is not a term of this glossary or this file.",
    ]
    assert list(media.terms.values_list("name", "short_description")) == [("Kept", "As it was")]

    latin1 = steward_client.post(
        reverse("glossary-import", args=[media.pk]),
        {"file": upload("name\nGenr\xe9\n".encode("latin-1"))},
    )
    assert "The file is not UTF-8 text" in text(latin1)
    missing = steward_client.post(reverse("glossary-import", args=[media.pk]), {})
    assert missing.status_code == 400 and "This field is required." in text(missing)
    assert media.terms.count() == 1


# --- Terms --------------------------------------------------------------------------------


def test_add_a_term_with_synonyms_and_a_broader_term(steward_client, media):
    category = GlossaryTermFactory(glossary=media, name="Category")
    form = steward_client.get(reverse("term-create", args=[media.pk]), {"is_a": category.pk})
    assert f'<option value="{category.pk}" selected>Category</option>' in text(form)
    assert '<optgroup label="Media">' in text(form)

    response = steward_client.post(
        reverse("term-create", args=[media.pk]),
        {
            "name": "Genre",
            "short_description": "The style of a film.",
            "long_description": "",
            "synonyms": "category; kind",
            "is_a": [category.pk],
            "status": "ENABLED",
        },
        follow=True,
    )

    genre = GlossaryTerm.objects.get(name="Genre")
    assert response.redirect_chain == [(reverse("term-detail", args=[genre.pk]), 302)]
    assert genre.synonyms == ["category", "kind"]
    assert list(genre.is_a.all()) == [category]
    assert messages_of(response) == ["Term “Genre” added to Media."]


def test_cycle_and_invalid_choices_are_shown_on_the_field_with_input_kept(
    steward_client, media, project
):
    a = GlossaryTermFactory(glossary=media, name="A")
    b = GlossaryTermFactory(glossary=media, name="B", is_a=[a])
    foreign = GlossaryTermFactory(
        glossary=GlossaryFactory(owning_project=ProjectFactory(domain=DomainFactory(name="m")))
    )
    url = reverse("term-edit", args=[a.pk])
    form = text(steward_client.get(url))
    assert f'value="{a.pk}"' not in form  # a term is never offered as its own relation
    assert f'value="{foreign.pk}"' not in form  # nor another domain's terms

    cycle = steward_client.post(
        url, {"name": "A", "short_description": "Kept words", "is_a": [b.pk], "status": "ENABLED"}
    )
    assert cycle.status_code == 400
    html = text(cycle)
    assert re.search(
        r'id="id_is_a_errors">\s*<li>&#x27;A&#x27; cannot be a kind of one of its own narrower '
        r"terms \(a cycle\).</li>",
        html,
    )
    assert 'value="Kept words"' in html
    assert f'<option value="{b.pk}" selected>B</option>' in html

    forged = steward_client.post(url, {"name": "A", "is_a": [a.pk], "status": "ENABLED"})
    assert forged.status_code == 400
    assert "is not one of the available choices" in text(forged)
    a.refresh_from_db()
    assert a.short_description != "Kept words" and not a.is_a.exists()


def test_term_page_renders_markdown_without_scripts_or_javascript_links(
    client_for, outsider, media, project
):
    category = GlossaryTermFactory(glossary=media, name="Category")
    elsewhere = GlossaryFactory(owning_project=project, name="Shared")
    thing = GlossaryTermFactory(glossary=elsewhere, name="Thing")
    genre = GlossaryTermFactory(
        glossary=media,
        name="Genre",
        short_description="The style of a film.",
        synonyms=["category", "kind"],
        long_description=(
            "A **genre** groups films.\n\n"
            "<script>alert(1)</script>\n\n"
            "[x](javascript:alert(1)) and [docs](https://wiki.example.com/genre)\n\n"
            '<a href="JaVaScRiPt:alert(2)" onclick="alert(3)">y</a> <img src=x onerror=alert(4)>'
        ),
        is_a=[category, thing],
    )
    GlossaryTermFactory(glossary=media, name="Drama", is_a=[genre])
    GlossaryTermFactory(glossary=media, name="Rating", classifies=[genre])

    html = text(client_for(outsider).get(reverse("term-detail", args=[genre.pk])))

    description = html.split('data-testid="term-description">', 1)[1].split("</div>", 1)[0]
    assert "<strong>genre</strong>" in description
    assert "<script" not in html.lower().replace('<script src="/static/', "")
    assert "alert(" not in description and "javascript:" not in description.lower()
    assert (
        "onclick" not in description and "onerror" not in description and "<img" not in description
    )
    assert (
        '<a href="https://wiki.example.com/genre" rel="noopener noreferrer">docs</a>' in description
    )

    def related(testid):
        block = html.split(f'data-testid="{testid}"', 1)[1].split("</ul>", 1)[0]
        return re.findall(r'class="chip chip--link" href="[^"]+">([^<]+)', block)

    assert related("broader-terms") == ["Category", "Thing "]
    assert '<span class="chip__meta">Shared</span>' in html  # from another glossary
    assert related("narrower-terms") == ["Drama"]
    assert related("classified-by") == ["Rating"]
    assert re.findall(r'<li class="chip">([^<]+)</li>', html) == ["category", "kind"]
    assert f'<div id="term-assets" data-term="{genre.pk}"></div>' in html
    assert "Edit term" not in html


# --- Metadata forms -----------------------------------------------------------------------


def builder_data(rows, **form):
    data = {
        "fields-TOTAL_FORMS": str(len(rows)),
        "fields-INITIAL_FORMS": str(form.pop("initial", 0)),
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "100",
        **form,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"fields-{index}-{key}"] = value
    return data


def test_build_a_form_with_the_form_builder(steward_client, project, media):
    page = text(steward_client.get(reverse("form-type-create")))
    assert page.count('data-testid="field-row"') == 4  # three blank rows and the template
    assert 'id="field-row-template"' in page

    response = steward_client.post(
        reverse("form-type-create"),
        builder_data(
            [
                {"label": "Owner email", "type": "EMAIL", "required": "on"},
                {"label": "Main genre", "type": "GLOSSARY_TERM", "glossary": media.pk},
                {"label": "", "name": "", "type": "", "help_text": ""},  # blank: ignored
                {"label": "Audit", "name": "last_audit", "type": "DATE", "searchable": "on"},
            ],
            owning_project=project.pk,
            name="Data owner",
            description="",
        ),
        follow=True,
    )

    form_type = FormType.objects.get()
    assert response.redirect_chain == [(reverse("form-type-detail", args=[form_type.pk]), 302)]
    fields = list(form_type.fields.order_by("order"))
    assert [(f.name, f.type, f.glossary_id, f.required, f.searchable) for f in fields] == [
        ("owner_email", FieldType.EMAIL, None, True, False),
        ("main_genre", FieldType.GLOSSARY_TERM, media.pk, False, False),
        ("last_audit", FieldType.DATE, None, False, True),
    ]
    html = text(response)
    assert 'data-testid="form-revision">Revision 1<' in html
    assert re.findall(r'<span class="table__primary">([^<]+)</span>', html) == [
        "Owner email",
        "Main genre",
        "Audit",
    ]


def test_form_builder_errors_are_shown_on_their_rows_with_input_kept(
    steward_client, steward, project, media
):
    # The steward also stewards "marketing", so its glossaries are offered too.
    marketing = DomainFactory(name="marketing")
    DomainMembershipFactory(domain=marketing, user=steward, role=DomainRole.STEWARD)
    foreign = GlossaryFactory(owning_project=ProjectFactory(domain=marketing), name="Ads")
    data = builder_data(
        [
            {"label": "Genre", "type": "GLOSSARY_TERM"},  # no glossary
            {"label": "", "type": "DATE", "help_text": "When"},  # no label
            {"label": "Owner", "type": "EMAIL"},
        ],
        owning_project=project.pk,
        name="Data owner",
    )
    response = steward_client.post(reverse("form-type-create"), data)

    assert response.status_code == 400
    html = text(response)
    assert "Glossary: Choose the glossary whose terms this field offers." in html
    assert "Label: This field is required." in html
    assert 'value="When"' in html and 'value="Owner"' in html
    assert not FormType.objects.exists()

    # What only the service knows (a glossary of another domain, a name used twice) lands
    # on the row it is about.
    data = builder_data(
        [
            {"label": "Genre", "type": "GLOSSARY_TERM", "glossary": foreign.pk},
            {"label": "Owner", "type": "EMAIL"},
            {"label": "owner", "type": "STRING"},
        ],
        owning_project=project.pk,
        name="Data owner",
    )
    response = steward_client.post(reverse("form-type-create"), data)
    assert response.status_code == 400
    assert f'<option value="{foreign.pk}" selected>Ads (marketing)</option>' in text(response)
    rows = response.context["rows"].forms
    assert rows[0].non_field_errors() == [
        "choose the glossary of this domain whose terms it offers."
    ]
    assert rows[2].non_field_errors() == ["another field is already named 'owner'."]
    assert not FormType.objects.exists()


def test_editing_the_fields_bumps_the_revision_and_removing_a_row_drops_a_field(
    client_for, owner, project
):
    form_type = FormTypeFactory(owning_project=project, name="Data owner")
    client = client_for(owner)
    url = reverse("form-type-edit", args=[form_type.pk])
    rows = [
        {"label": "Last audit date", "name": "last_audit", "type": "DATE", "required": "on"},
        {"label": "Contact", "name": "contact", "type": "EMAIL"},
    ]
    base = {"name": "Data owner", "description": "", "status": "ENABLED", "initial": 2}

    unchanged = client.post(url, builder_data(rows, **base), follow=True)
    assert messages_of(unchanged) == ["Form “Data owner” saved."]
    form_type.refresh_from_db()
    assert form_type.revision == 1

    rows[1]["DELETE"] = "on"
    changed = client.post(url, builder_data(rows, **base), follow=True)
    form_type.refresh_from_db()
    assert form_type.revision == 2
    assert [f.name for f in form_type.fields.all()] == ["last_audit"]
    assert messages_of(changed) == [
        "Form “Data owner” saved as revision 2. Values filled under revision 1 stay readable."
    ]


# --- Publishing rules ---------------------------------------------------------------------


def test_steward_sets_the_publishing_rule_and_others_read_it(
    client_for, steward, viewer, domain, project, media
):
    form_type = FormTypeFactory(owning_project=project, name="Data owner")
    genre = GlossaryTermFactory(glossary=media, name="Genre")
    url = reverse("publishing-rule", args=[domain.pk])

    response = client_for(steward).post(
        url,
        {
            "required_form_types": [form_type.pk],
            "required_glossary_terms": [genre.pk],
            "description": "Every product names its owner.",
        },
        follow=True,
    )
    assert messages_of(response) == ["Publishing rule of streaming saved."]
    rule = PublishingRule.objects.get(domain=domain)
    assert list(rule.required_form_types.all()) == [form_type]
    assert list(rule.required_glossary_terms.all()) == [genre]
    assert re.search(rf'value="{form_type.pk}"[^>]*checked', text(response))

    read = text(client_for(viewer).get(url))
    assert 'data-testid="rule-form"' not in read
    required = read.split('data-testid="required-forms">', 1)[1].split("</dd>", 1)[0]
    assert ">Data owner</a>" in required
    assert "Every product names its owner." in read

    listing = text(client_for(viewer).get(reverse("publishing-rule-list")))
    assert ">Data owner</a>" in listing and ">Genre</a>" in listing


def test_a_forged_form_type_of_another_domain_is_refused(client_for, steward, domain):
    other = FormTypeFactory(owning_project=ProjectFactory(domain=DomainFactory(name="m")))
    response = client_for(steward).post(
        reverse("publishing-rule", args=[domain.pk]), {"required_form_types": [other.pk]}
    )
    assert response.status_code == 400
    assert "is not one of the available choices" in text(response)
    assert not PublishingRule.objects.exists()


# --- Query counts -------------------------------------------------------------------------


def queries_for(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_glossary_detail_query_count_is_pinned_for_5_and_100_terms(
    client_for, steward, media, django_assert_num_queries
):
    client = client_for(steward)
    url = reverse("glossary-detail", args=[media.pk])

    def add_terms(n, start):
        parents = list(media.terms.all()[:3])
        for i in range(start, start + n):
            GlossaryTermFactory(
                glossary=media, name=f"Term {i:03d}", synonyms=["x"], is_a=parents[: i % 3]
            )

    add_terms(5, 0)
    few = queries_for(client, url)
    add_terms(95, 5)
    with django_assert_num_queries(few):
        response = client.get(url)
    assert response.context["term_total"] == 100
    assert len(response.context["page"].object_list) == 50


@pytest.mark.parametrize("url_name", ["glossary-list", "form-type-list", "publishing-rule-list"])
def test_list_page_query_counts_are_pinned(
    url_name, client_for, steward, project, django_assert_num_queries
):
    client = client_for(steward)
    url = reverse(url_name)

    def grow(n):
        for _ in range(n):
            glossary = GlossaryFactory(owning_project=project)
            GlossaryTermFactory(glossary=glossary)
            FormTypeFactory(owning_project=project)
            elsewhere = ProjectFactory()
            PublishingRuleFactory(
                domain=elsewhere.domain,
                required_form_types=[FormTypeFactory(owning_project=elsewhere)],
            )

    grow(2)
    few = queries_for(client, url)
    grow(20)
    with django_assert_num_queries(few):
        client.get(url)


def test_term_detail_query_count_does_not_grow_with_relations(
    client_for, outsider, media, project, django_assert_num_queries
):
    client = client_for(outsider)
    genre = GlossaryTermFactory(glossary=media, name="Genre")
    url = reverse("term-detail", args=[genre.pk])
    few = queries_for(client, url)
    others = [GlossaryFactory(owning_project=project) for _ in range(5)]
    genre.is_a.set([GlossaryTermFactory(glossary=g) for g in others])
    for _ in range(10):
        GlossaryTermFactory(glossary=others[0], is_a=[genre], classifies=[genre])
    with django_assert_num_queries(few):
        client.get(url)


def test_disabled_glossaries_and_terms_say_so(client_for, outsider, media):
    term = GlossaryTermFactory(glossary=media, name="Old", status=GlossaryStatus.DISABLED)
    html = text(client_for(outsider).get(reverse("term-detail", args=[term.pk])))
    assert "This term is disabled" in html
    assert 'data-testid="term-status">DISABLED<' in html
    Glossary.objects.filter(pk=media.pk).update(status=GlossaryStatus.DISABLED)
    fine = GlossaryTermFactory(glossary=media, name="Fine")
    assert "Its glossary is disabled" in text(
        client_for(outsider).get(reverse("term-detail", args=[fine.pk]))
    )
