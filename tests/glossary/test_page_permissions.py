"""Who may open which glossary page and do which action, persona by persona.

Reading a domain's vocabulary is open to every signed-in user. The domain's stewards
and the owners of a glossary's (or form's) owning project change it; only stewards
change the publishing rule. Others get the 403 page; anonymous visitors are sent to
the sign-in page; unknown ids are 404.
"""

import pytest
from django.urls import reverse

from glossary.choices import GlossaryStatus
from glossary.models import Glossary, GlossaryTerm, PublishingRule
from tests.glossary.factories import FormTypeFactory, GlossaryTermFactory
from tests.permissions import LOGIN, MISSING, PERSONAS, check, personas

pytestmark = pytest.mark.django_db


def everyone(status) -> list:
    return [(p, status) for p in PERSONAS if p != "anonymous"] + [("anonymous", LOGIN)]


def managers(success) -> list:
    allowed = {"steward", "owner"}
    return [(p, success if p in allowed else 403) for p in PERSONAS if p != "anonymous"] + [
        ("anonymous", LOGIN)
    ]


def stewards(success) -> list:
    return [(p, success if p == "steward" else 403) for p in PERSONAS if p != "anonymous"] + [
        ("anonymous", LOGIN)
    ]


@pytest.fixture
def genre(media):
    return GlossaryTermFactory(glossary=media, name="Genre")


@pytest.fixture
def form_type(project):
    return FormTypeFactory(owning_project=project, name="Data owner")


def url_of(name, media, genre, form_type, domain):
    args = {
        "glossary-detail": [media.pk],
        "glossary-edit": [media.pk],
        "glossary-export": [media.pk],
        "glossary-import": [media.pk],
        "term-create": [media.pk],
        "term-detail": [genre.pk],
        "term-edit": [genre.pk],
        "form-type-detail": [form_type.pk],
        "form-type-edit": [form_type.pk],
        "publishing-rule": [domain.pk],
    }.get(name, [])
    return reverse(name, args=args)


READ_PAGES = [
    "glossary-list",
    "glossary-detail",
    "glossary-export",
    "term-detail",
    "form-type-list",
    "form-type-detail",
    "publishing-rule-list",
    "publishing-rule",
]
MANAGER_PAGES = [
    "glossary-create",
    "glossary-edit",
    "glossary-import",
    "term-create",
    "term-edit",
    "form-type-create",
    "form-type-edit",
]


@personas(everyone(200))
@pytest.mark.parametrize("url_name", READ_PAGES)
def test_reading_pages(client_for, persona, expected, url_name, media, genre, form_type, domain):
    check(client_for(persona).get(url_of(url_name, media, genre, form_type, domain)), expected)


@personas(managers(200))
@pytest.mark.parametrize("url_name", MANAGER_PAGES)
def test_manager_pages(client_for, persona, expected, url_name, media, genre, form_type, domain):
    check(client_for(persona).get(url_of(url_name, media, genre, form_type, domain)), expected)


@pytest.mark.parametrize(
    "url_name",
    [
        "glossary-detail",
        "glossary-edit",
        "glossary-export",
        "term-create",
        "term-detail",
        "term-edit",
        "form-type-detail",
        "form-type-edit",
        "publishing-rule",
    ],
)
def test_unknown_ids_are_404(client_for, steward, url_name):
    assert client_for(steward).get(reverse(url_name, args=[MISSING])).status_code == 404


@personas(managers(302))
def test_disabling_a_glossary(client_for, persona, expected, media):
    response = client_for(persona).post(
        reverse("glossary-status", args=[media.pk]), {"status": "DISABLED"}
    )
    check(response, expected)
    media.refresh_from_db()
    assert (media.status == GlossaryStatus.DISABLED) == (expected == 302)


@personas(managers(302))
def test_adding_a_term(client_for, persona, expected, media):
    response = client_for(persona).post(
        reverse("term-create", args=[media.pk]), {"name": "Rating", "status": "ENABLED"}
    )
    check(response, expected)
    created = GlossaryTerm.objects.filter(glossary=media, name="Rating")
    assert created.exists() == (expected == 302)
    if expected == 302:
        assert response["Location"] == reverse("term-detail", args=[created.get().pk])


@personas(managers(302))
def test_creating_a_glossary(client_for, persona, expected, project):
    response = client_for(persona).post(
        reverse("glossary-create"), {"owning_project": project.pk, "name": "Finance"}
    )
    check(response, expected)
    assert Glossary.objects.filter(name="Finance").exists() == (expected == 302)


@personas(stewards(302))
def test_setting_the_publishing_rule(client_for, persona, expected, domain, form_type):
    response = client_for(persona).post(
        reverse("publishing-rule", args=[domain.pk]),
        {"required_form_types": [form_type.pk], "description": "Name an owner."},
    )
    check(response, expected)
    assert PublishingRule.objects.filter(domain=domain).exists() == (expected == 302)


@personas(everyone(200))
def test_only_stewards_see_the_rule_form(client_for, persona, expected, domain):
    response = client_for(persona).get(reverse("publishing-rule", args=[domain.pk]))
    check(response, expected)
    if expected == 200:
        has_form = 'data-testid="rule-form"' in response.content.decode()
        assert has_form == (response.context["user"].username == "domain-steward")
