"""A domain's vocabulary: glossaries and terms, metadata form types, publishing rules."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower

from meshportal.models import BaseModel
from projects.models import Domain, Project

from .choices import FieldType, GlossaryStatus


class Glossary(BaseModel):
    """A named set of business terms of a domain, kept by its stewards."""

    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="glossaries")
    owning_project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="owned_glossaries"
    )
    name = models.CharField(max_length=256)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=8, choices=GlossaryStatus.choices, default=GlossaryStatus.ENABLED
    )

    class Meta:
        ordering = ["domain__name", "name"]
        verbose_name_plural = "glossaries"
        constraints = [
            models.UniqueConstraint("domain", Lower("name"), name="glossary_unique_name_in_domain")
        ]

    def __str__(self):
        return self.name


# The one definition of "a term that can be attached" in a query (``is_attachable`` is
# the same rule on a loaded term): an enabled term in an enabled glossary.
ATTACHABLE_TERMS = models.Q(status=GlossaryStatus.ENABLED, glossary__status=GlossaryStatus.ENABLED)


class GlossaryTerm(BaseModel):
    """A business term with its meaning, synonyms and relations to other terms.

    ``is_a`` points to broader terms (a "Genre" is a "Category"); ``classifies`` points to
    terms this one classifies. Both stay within one domain, a term is never related to
    itself and ``is_a`` never forms a cycle (checked by the services).
    """

    glossary = models.ForeignKey(Glossary, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(max_length=256)
    short_description = models.CharField(max_length=1024, blank=True)
    long_description = models.TextField(blank=True, help_text="Markdown.")
    synonyms = ArrayField(models.CharField(max_length=256), default=list, blank=True)
    is_a = models.ManyToManyField(
        "self", symmetrical=False, related_name="narrower_terms", blank=True
    )
    classifies = models.ManyToManyField(
        "self", symmetrical=False, related_name="classified_by", blank=True
    )
    status = models.CharField(
        max_length=8, choices=GlossaryStatus.choices, default=GlossaryStatus.ENABLED
    )

    class Meta:
        ordering = ["glossary__name", "name"]
        constraints = [
            models.UniqueConstraint(
                "glossary", Lower("name"), name="glossaryterm_unique_name_in_glossary"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_attachable(self) -> bool:
        """New attachments need an enabled term in an enabled glossary."""
        return (
            self.status == GlossaryStatus.ENABLED and self.glossary.status == GlossaryStatus.ENABLED
        )


class FormType(BaseModel):
    """A metadata form (e.g. "Data owner") producers fill on their assets.

    ``revision`` grows whenever the fields change; values filled under an older revision
    keep the revision they were filled under, so they stay readable.
    """

    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="form_types")
    owning_project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="owned_form_types"
    )
    name = models.CharField(max_length=128)
    description = models.TextField(blank=True)
    revision = models.PositiveIntegerField(default=1)
    status = models.CharField(
        max_length=8, choices=GlossaryStatus.choices, default=GlossaryStatus.ENABLED
    )

    class Meta:
        ordering = ["domain__name", "name"]
        constraints = [
            models.UniqueConstraint("domain", Lower("name"), name="formtype_unique_name_in_domain")
        ]

    def __str__(self):
        return self.name


class FormField(models.Model):
    """One typed field of a form type."""

    form_type = models.ForeignKey(FormType, on_delete=models.CASCADE, related_name="fields")
    name = models.SlugField(max_length=64, help_text="Key under which values are stored.")
    label = models.CharField(max_length=128)
    type = models.CharField(max_length=16, choices=FieldType.choices)
    glossary = models.ForeignKey(
        Glossary,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For GLOSSARY_TERM fields: the glossary whose terms may be chosen.",
    )
    required = models.BooleanField(default=False)
    searchable = models.BooleanField(default=False)
    help_text = models.CharField(max_length=512, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["form_type", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form_type", "name"], name="formfield_unique_name"),
            models.CheckConstraint(
                condition=models.Q(type="GLOSSARY_TERM", glossary__isnull=False)
                | (~models.Q(type="GLOSSARY_TERM") & models.Q(glossary__isnull=True)),
                name="formfield_glossary_only_for_terms",
            ),
        ]

    def __str__(self):
        return f"{self.form_type}: {self.label}"


class PublishingRule(BaseModel):
    """What every asset of a domain must carry before it may be published."""

    domain = models.OneToOneField(Domain, on_delete=models.CASCADE, related_name="publishing_rule")
    required_form_types = models.ManyToManyField(FormType, blank=True, related_name="+")
    required_glossary_terms = models.ManyToManyField(GlossaryTerm, blank=True, related_name="+")
    description = models.TextField(blank=True)

    def __str__(self):
        return f"Publishing rule of {self.domain}"
