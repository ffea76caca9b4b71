"""Serializers of the glossary API.

Output serializers turn rows (as the selectors return them, annotations and prefetches
included) into JSON; input serializers only check the shape of a request. Neither writes:
the views pass validated data to glossary/services.py, which checks permissions, relations
(no self-reference, no is-a cycle, same domain) and uniqueness, and saves.
"""

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from glossary.choices import FieldType, GlossaryStatus
from glossary.models import FormField, FormType, Glossary, GlossaryTerm
from meshportal.api.serializers import ReadOnlyModelSerializer
from projects.api.serializers import VisibleProjectField
from projects.models import Domain, Project


@extend_schema_field(
    {"type": "string", "enum": GlossaryStatus.values}, component_name="GlossaryStatusEnum"
)
class StatusField(serializers.ChoiceField):
    """ENABLED or DISABLED, one named enum in the schema for every glossary resource
    (a plain ChoiceField per serializer would give the same choices many names)."""

    def __init__(self, **kwargs):
        super().__init__(choices=GlossaryStatus.choices, **kwargs)


@extend_schema_field(
    {"type": "string", "enum": FieldType.values}, component_name="FormFieldTypeEnum"
)
class FieldTypeField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=FieldType.choices, **kwargs)


class TermRefSerializer(serializers.Serializer):
    """A related term as people read it: id and name (and its glossary)."""

    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)
    glossary = serializers.UUIDField(source="glossary_id", read_only=True)


class NamedRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)


# --- Glossaries -------------------------------------------------------------------------


# What a glossary and a form type both are: named, described and enabled or disabled in
# a domain, owned by one of its projects. (A comment: a docstring would become the
# schema's description of both.)
class OwnedVocabularySerializer(ReadOnlyModelSerializer):
    domain_name = serializers.CharField(source="domain.name", read_only=True)
    owning_project_name = serializers.CharField(source="owning_project.name", read_only=True)
    status = StatusField(read_only=True)

    OWNED_FIELDS = [
        "id",
        "domain",
        "domain_name",
        "owning_project",
        "owning_project_name",
        "name",
        "description",
    ]


class GlossarySerializer(OwnedVocabularySerializer):
    term_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Glossary
        fields = [
            *OwnedVocabularySerializer.OWNED_FIELDS,
            "status",
            "term_count",
            "created_at",
            "updated_at",
        ]


class GlossaryCreateSerializer(serializers.Serializer):
    owning_project = VisibleProjectField(
        queryset=Project.objects.none(),
        help_text="The project that owns the glossary; its OWNERs manage it with the "
        "domain's stewards.",
    )
    domain = serializers.PrimaryKeyRelatedField(
        queryset=Domain.objects.all(),
        required=False,
        help_text="Defaults to the owning project's domain; must be that domain.",
    )
    name = serializers.CharField(max_length=256)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    status = StatusField(required=False, default=GlossaryStatus.ENABLED)


class GlossaryUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=256, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    status = StatusField(
        required=False,
        help_text="DISABLED keeps the glossary and its terms readable, but its terms can no "
        "longer be newly attached to assets (glossaries are disabled, not deleted).",
    )


class CsvImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class CsvImportErrorSerializer(serializers.Serializer):
    errors = serializers.ListField(
        child=serializers.CharField(), help_text="Each problem with its line number."
    )


class CsvUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV (UTF-8) with the columns name, short_description, long_description, "
        "synonyms and parents (lists separated by ';')."
    )


# --- Terms ------------------------------------------------------------------------------


class GlossaryTermSerializer(ReadOnlyModelSerializer):
    glossary_name = serializers.CharField(source="glossary.name", read_only=True)
    domain = serializers.UUIDField(source="glossary.domain_id", read_only=True)
    status = StatusField(read_only=True)
    is_a = TermRefSerializer(many=True, read_only=True, help_text="Broader terms.")
    narrower_terms = TermRefSerializer(
        many=True, read_only=True, help_text="Terms that are a kind of this one."
    )
    classifies = TermRefSerializer(many=True, read_only=True)
    classified_by = TermRefSerializer(many=True, read_only=True)

    class Meta:
        model = GlossaryTerm
        fields = [
            "id",
            "glossary",
            "glossary_name",
            "domain",
            "name",
            "short_description",
            "long_description",
            "synonyms",
            "status",
            "is_a",
            "narrower_terms",
            "classifies",
            "classified_by",
            "created_at",
            "updated_at",
        ]


_SYNONYMS_HELP = "Other words people use for the term (matched by search and suggestions)."
_IS_A_HELP = "Ids of broader terms of the same domain (no cycles, never the term itself)."
_CLASSIFIES_HELP = "Ids of terms of the same domain that this term classifies."


class GlossaryTermCreateSerializer(serializers.Serializer):
    glossary = serializers.PrimaryKeyRelatedField(queryset=Glossary.objects.all())
    name = serializers.CharField(max_length=256)
    short_description = serializers.CharField(
        max_length=1024, allow_blank=True, required=False, default=""
    )
    long_description = serializers.CharField(
        allow_blank=True, required=False, default="", help_text="Markdown."
    )
    synonyms = serializers.ListField(
        child=serializers.CharField(max_length=256, allow_blank=True),
        required=False,
        default=list,
        help_text=_SYNONYMS_HELP,
    )
    is_a = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, help_text=_IS_A_HELP
    )
    classifies = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, help_text=_CLASSIFIES_HELP
    )
    status = StatusField(required=False, default=GlossaryStatus.ENABLED)


class GlossaryTermUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=256, required=False)
    short_description = serializers.CharField(max_length=1024, allow_blank=True, required=False)
    long_description = serializers.CharField(
        allow_blank=True, required=False, help_text="Markdown."
    )
    synonyms = serializers.ListField(
        child=serializers.CharField(max_length=256, allow_blank=True),
        required=False,
        help_text=_SYNONYMS_HELP,
    )
    is_a = serializers.ListField(
        child=serializers.UUIDField(), required=False, help_text=_IS_A_HELP
    )
    classifies = serializers.ListField(
        child=serializers.UUIDField(), required=False, help_text=_CLASSIFIES_HELP
    )
    status = StatusField(required=False)


# --- Form types -------------------------------------------------------------------------


class FormFieldSerializer(ReadOnlyModelSerializer):
    type = FieldTypeField(read_only=True)
    glossary_name = serializers.SerializerMethodField()

    class Meta:
        model = FormField
        fields = [
            "name",
            "label",
            "type",
            "glossary",
            "glossary_name",
            "required",
            "searchable",
            "help_text",
            "order",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_glossary_name(self, field):
        return field.glossary.name if field.glossary_id else None


class FormTypeSerializer(OwnedVocabularySerializer):
    fields = FormFieldSerializer(many=True, read_only=True)

    class Meta:
        model = FormType
        fields = [
            *OwnedVocabularySerializer.OWNED_FIELDS,
            "revision",
            "status",
            "fields",
            "created_at",
            "updated_at",
        ]


class FormFieldInputSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=128)
    name = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="Key the values are stored under; derived from the label when empty.",
    )
    type = FieldTypeField()
    glossary = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="For GLOSSARY_TERM fields: a glossary of the form's domain.",
    )
    required = serializers.BooleanField(required=False, default=False)
    searchable = serializers.BooleanField(required=False, default=False)
    help_text = serializers.CharField(max_length=512, allow_blank=True, required=False, default="")


_FIELDS_HELP = (
    "The form's fields in order. Sending a different list replaces the fields and bumps "
    "the revision; values filled under an older revision stay readable."
)


class FormTypeCreateSerializer(serializers.Serializer):
    owning_project = VisibleProjectField(queryset=Project.objects.none())
    domain = serializers.PrimaryKeyRelatedField(
        queryset=Domain.objects.all(),
        required=False,
        help_text="Defaults to the owning project's domain; must be that domain.",
    )
    name = serializers.CharField(max_length=128)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    status = StatusField(required=False, default=GlossaryStatus.ENABLED)
    fields = FormFieldInputSerializer(many=True, required=False, help_text=_FIELDS_HELP)


class FormTypeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=128, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    status = StatusField(required=False)
    fields = FormFieldInputSerializer(many=True, required=False, help_text=_FIELDS_HELP)


# --- Publishing rules -------------------------------------------------------------------


class PublishingRuleSerializer(serializers.Serializer):
    """A domain's publishing rule; a domain that never set one requires nothing."""

    domain = serializers.UUIDField(source="pk", read_only=True)
    domain_name = serializers.CharField(source="name", read_only=True)
    description = serializers.SerializerMethodField()
    required_form_types = serializers.SerializerMethodField()
    required_glossary_terms = serializers.SerializerMethodField()
    updated_at = serializers.SerializerMethodField()

    @staticmethod
    def _rule(domain):
        try:
            return domain.publishing_rule
        except ObjectDoesNotExist:
            return None

    def get_description(self, domain) -> str:
        rule = self._rule(domain)
        return rule.description if rule else ""

    @extend_schema_field(NamedRefSerializer(many=True))
    def get_required_form_types(self, domain):
        rule = self._rule(domain)
        forms = rule.required_form_types.all() if rule else []
        return NamedRefSerializer(sorted(forms, key=lambda f: f.name.lower()), many=True).data

    @extend_schema_field(TermRefSerializer(many=True))
    def get_required_glossary_terms(self, domain):
        rule = self._rule(domain)
        terms = rule.required_glossary_terms.all() if rule else []
        return TermRefSerializer(sorted(terms, key=lambda t: t.name.lower()), many=True).data

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_updated_at(self, domain):
        rule = self._rule(domain)
        return serializers.DateTimeField().to_representation(rule.updated_at) if rule else None


class PublishingRuleInputSerializer(serializers.Serializer):
    required_form_types = serializers.ListField(
        child=serializers.UUIDField(),
        help_text="Ids of the domain's form types every asset must carry to be published.",
    )
    required_glossary_terms = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        default=list,
        help_text="Ids of the domain's glossary terms every asset must carry (optional).",
    )
    description = serializers.CharField(allow_blank=True, required=False, default="")
