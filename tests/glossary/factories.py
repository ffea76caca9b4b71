"""factory_boy factories for the glossary app."""

import factory

from glossary.choices import FieldType, GlossaryStatus
from glossary.models import FormField, FormType, Glossary, GlossaryTerm, PublishingRule
from tests.projects.factories import DomainFactory, ProjectFactory


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

    @factory.post_generation
    def is_a(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.is_a.set(extracted)

    @factory.post_generation
    def classifies(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.classifies.set(extracted)


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
        specs = (
            extracted
            if extracted is not None
            else [
                {
                    "name": "last_audit",
                    "label": "Last audit date",
                    "type": FieldType.DATE,
                    "required": True,
                },
                {"name": "contact", "label": "Contact", "type": FieldType.EMAIL},
            ]
        )
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

    @factory.post_generation
    def required_form_types(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.required_form_types.set(extracted)

    @factory.post_generation
    def required_glossary_terms(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.required_glossary_terms.set(extracted)
