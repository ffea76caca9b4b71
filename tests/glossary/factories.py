"""factory_boy factories for the glossary app."""

import factory

from glossary.choices import FieldType, GlossaryStatus
from glossary.models import FormField, FormType, Glossary, GlossaryTerm, PublishingRule
from tests.glossary.forms import CONTACT, LAST_AUDIT
from tests.projects.factories import DomainFactory, ProjectFactory


def many_to_many(field: str):
    """A declaration that sets the created row's many-to-many ``field`` to what the
    factory was called with (``GlossaryTermFactory(is_a=[…])``); nothing by default."""

    def set_related(obj, create, extracted, **kwargs):
        if create and extracted:
            getattr(obj, field).set(extracted)

    return factory.PostGeneration(set_related)


class GlossaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Glossary

    owning_project = factory.SubFactory(ProjectFactory)
    domain = factory.SelfAttribute("owning_project.domain")
    name = factory.Sequence(lambda n: f"Glossary {n}")
    description = "Business terms."
    status = GlossaryStatus.ENABLED


class GlossaryTermFactory(factory.django.DjangoModelFactory):
    """A term; ``is_a=[…]`` and ``classifies=[…]`` set its relations after creation."""

    class Meta:
        model = GlossaryTerm
        skip_postgeneration_save = True

    glossary = factory.SubFactory(GlossaryFactory)
    name = factory.Sequence(lambda n: f"Term {n}")
    short_description = factory.LazyAttribute(lambda t: f"What {t.name} means.")
    synonyms = factory.LazyFunction(list)
    status = GlossaryStatus.ENABLED

    is_a = many_to_many("is_a")
    classifies = many_to_many("classifies")


class FormTypeFactory(factory.django.DjangoModelFactory):
    """A form type with two fields (a required date and an optional email) unless
    ``fields=[…]`` (dicts of FormField attributes) says otherwise."""

    class Meta:
        model = FormType
        skip_postgeneration_save = True

    owning_project = factory.SubFactory(ProjectFactory)
    domain = factory.SelfAttribute("owning_project.domain")
    name = factory.Sequence(lambda n: f"Form {n}")
    description = "Facts about an asset."
    revision = 1
    status = GlossaryStatus.ENABLED

    @factory.post_generation
    def fields(obj, create, extracted, **kwargs):
        if not create:
            return
        specs = extracted if extracted is not None else [LAST_AUDIT, CONTACT]
        for order, spec in enumerate(specs, start=1):
            FormFieldFactory(form_type=obj, order=order, **spec)


class FormFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormField

    form_type = factory.SubFactory(FormTypeFactory, fields=[])
    name = factory.Sequence(lambda n: f"field_{n}")
    label = factory.LazyAttribute(lambda f: f.name.replace("_", " ").capitalize())
    type = FieldType.STRING
    order = factory.Sequence(lambda n: n)


class PublishingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublishingRule
        skip_postgeneration_save = True

    domain = factory.SubFactory(DomainFactory)

    required_form_types = many_to_many("required_form_types")
    required_glossary_terms = many_to_many("required_glossary_terms")
