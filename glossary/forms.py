"""Forms of the glossary pages: glossaries, terms, CSV import, the form builder, rules.

Forms only shape and check input; the rules (who may change what, unique names, no is-a
cycle, glossaries of the right domain) live in glossary/services.py, whose
ValidationErrors are put back onto these forms next to what the person typed.
"""

from collections import OrderedDict

from django import forms

from meshportal.forms import ServiceFormMixin, markdown_field

from .choices import FieldType, GlossaryStatus
from .models import FormField, FormType, Glossary, GlossaryTerm
from .services import LIST_SEPARATOR


def _project_label(project) -> str:
    return f"{project.name} — {project.domain.name}"


class OwningProjectField(forms.ModelChoiceField):
    """The project that owns a glossary or form; its domain is the thing's domain."""

    def label_from_instance(self, obj):
        return _project_label(obj)


class OwnedCreateForm(ServiceFormMixin, forms.Form):
    """The create form of something a project owns (a glossary, a metadata form):
    ``projects`` are those the user may choose as its owner."""

    thing = ""  # what is created, for the help text
    owning_project = OwningProjectField(queryset=None, empty_label="Choose a project…")

    def service_kwargs(self) -> dict:
        """The create service's keywords: the thing lives in its owning project's domain."""
        project = self.cleaned_data["owning_project"]
        return {
            "domain": project.domain,
            "owning_project": project,
            "name": self.cleaned_data["name"],
            "description": self.cleaned_data["description"],
        }

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["owning_project"]
        field.queryset = projects
        field.help_text = (
            f"The {self.thing} belongs to this project's domain; the project's owners manage "
            "it with the domain's stewards."
        )


class GlossaryCreateForm(OwnedCreateForm):
    thing = "glossary"
    name = forms.CharField(
        max_length=Glossary._meta.get_field("name").max_length,
        help_text="Unique within the domain, e.g. “Media”.",
    )
    description = markdown_field(
        rows=3,
        about="What the glossary's terms describe and who uses them.",
    )


class GlossaryEditForm(forms.Form):
    name = forms.CharField(max_length=Glossary._meta.get_field("name").max_length)
    description = markdown_field(rows=3)
    status = forms.ChoiceField(
        choices=GlossaryStatus.choices,
        help_text="A disabled glossary stays readable, but its terms can no longer be newly "
        "attached to assets.",
    )


def grouped_term_choices(terms) -> list:
    """``<optgroup>`` per glossary: the same term name may exist in two glossaries."""
    groups: OrderedDict = OrderedDict()
    for term in terms:
        label = term.name if term.status == GlossaryStatus.ENABLED else f"{term.name} (disabled)"
        groups.setdefault(term.glossary.name, []).append((str(term.pk), label))
    return list(groups.items())


class TermRelationsField(forms.ModelMultipleChoiceField):
    widget = forms.SelectMultiple(attrs={"size": 8})


class TermForm(forms.Form):
    """A term and its relations; relations are chosen among the domain's terms."""

    name = forms.CharField(
        max_length=GlossaryTerm._meta.get_field("name").max_length,
        help_text="Unique within the glossary, e.g. “Genre”.",
    )
    short_description = forms.CharField(
        required=False,
        max_length=GlossaryTerm._meta.get_field("short_description").max_length,
        help_text="One sentence, shown in lists and next to assets.",
    )
    long_description = markdown_field(
        rows=7, help_text="Markdown: **bold**, _italic_, lists, [links](https://…), tables."
    )
    synonyms = forms.CharField(
        required=False,
        max_length=4000,
        help_text=f"Other words for it, separated by “{LIST_SEPARATOR}” (e.g. category; kind). "
        "Search and suggestions match them.",
    )
    is_a = TermRelationsField(
        queryset=GlossaryTerm.objects.none(),
        required=False,
        label="Is a kind of (broader terms)",
        help_text="Terms of this domain that are broader than this one. Hold Ctrl (⌘ on a Mac) "
        "to choose several.",
    )
    classifies = TermRelationsField(
        queryset=GlossaryTerm.objects.none(),
        required=False,
        label="Classifies",
        help_text="Terms of this domain that this term classifies.",
    )
    status = forms.ChoiceField(choices=GlossaryStatus.choices, initial=GlossaryStatus.ENABLED)

    def __init__(self, *args, domain_terms, **kwargs):
        super().__init__(*args, **kwargs)
        terms = list(domain_terms)
        for name in ("is_a", "classifies"):
            field = self.fields[name]
            field.queryset = domain_terms
            field.choices = grouped_term_choices(terms)

    def clean_synonyms(self):
        return [s.strip() for s in self.cleaned_data["synonyms"].split(LIST_SEPARATOR) if s.strip()]


class CsvImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, with the header name, short_description, long_description, synonyms, "
        "parents. Lists are separated by “;”. Parents name terms of this glossary.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


# --- Form builder -----------------------------------------------------------------------


class FormTypeCreateForm(OwnedCreateForm):
    thing = "form"
    name = forms.CharField(
        max_length=FormType._meta.get_field("name").max_length,
        help_text="Unique within the domain, e.g. “Data owner”.",
    )
    description = markdown_field(rows=3)


class FormTypeEditForm(forms.Form):
    name = forms.CharField(max_length=FormType._meta.get_field("name").max_length)
    description = markdown_field(rows=3)
    status = forms.ChoiceField(choices=GlossaryStatus.choices)


class GlossaryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.domain.name})" if self.show_domain else obj.name

    show_domain = False


class FormFieldRowForm(ServiceFormMixin, forms.Form):
    """One row of the form builder: one field of the form, in the order of the rows."""

    label = forms.CharField(max_length=FormField._meta.get_field("label").max_length)
    name = forms.CharField(
        required=False,
        max_length=FormField._meta.get_field("name").max_length,
        help_text="Key of the stored value; from the label when empty.",
    )
    type = forms.ChoiceField(choices=[("", "Choose a type…"), *FieldType.choices])
    glossary = GlossaryChoiceField(
        queryset=Glossary.objects.none(),
        required=False,
        empty_label="—",
        help_text="For “Glossary term” fields: the glossary whose terms may be chosen.",
    )
    required = forms.BooleanField(required=False)
    searchable = forms.BooleanField(required=False)
    help_text = forms.CharField(
        required=False, max_length=FormField._meta.get_field("help_text").max_length
    )

    def __init__(self, *args, glossaries, show_domain=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["glossary"].queryset = glossaries
        self.fields["glossary"].show_domain = show_domain
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "input input--select input--cell"
            elif not isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "input input--cell"

    def clean(self):
        cleaned = super().clean()
        kind, glossary = cleaned.get("type"), cleaned.get("glossary")
        if kind == FieldType.GLOSSARY_TERM and glossary is None:
            self.add_error("glossary", "Choose the glossary whose terms this field offers.")
        elif kind and kind != FieldType.GLOSSARY_TERM and glossary is not None:
            self.add_error("glossary", "Only “Glossary term” fields draw from a glossary.")
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        glossary = data.get("glossary")
        return {
            "label": data["label"],
            "name": data.get("name", ""),
            "type": data["type"],
            "glossary": glossary.pk if glossary else None,
            "required": data.get("required", False),
            "searchable": data.get("searchable", False),
            "help_text": data.get("help_text", ""),
        }


class BaseFieldRowFormSet(forms.BaseFormSet):
    def kept_forms(self) -> list:
        """The rows that make the form, in order: existing rows unless removed, and new
        rows someone filled in (blank extra rows are ignored)."""
        deleted = set(map(id, self.deleted_forms)) if self.can_delete else set()
        return [
            form
            for index, form in enumerate(self.forms)
            if id(form) not in deleted and (index < self.initial_form_count() or form.has_changed())
        ]


def field_row_formset(*, extra: int):
    return forms.formset_factory(
        FormFieldRowForm, formset=BaseFieldRowFormSet, extra=extra, can_delete=True, max_num=100
    )


def initial_rows(form_type) -> list[dict]:
    return [
        {
            "label": f.label,
            "name": f.name,
            "type": f.type,
            "glossary": f.glossary_id,
            "required": f.required,
            "searchable": f.searchable,
            "help_text": f.help_text,
        }
        for f in form_type.fields.all()
    ]


# --- Publishing rule --------------------------------------------------------------------


class FormTypeChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.name if obj.status == GlossaryStatus.ENABLED else f"{obj.name} (disabled)"


class PublishingRuleForm(forms.Form):
    required_form_types = FormTypeChoiceField(
        queryset=FormType.objects.none(),
        required=False,
        label="Required metadata forms",
        help_text="An asset of the domain is published only once it carries these forms with "
        "every required field filled.",
    )
    required_glossary_terms = TermRelationsField(
        queryset=GlossaryTerm.objects.none(),
        required=False,
        label="Required glossary terms",
        help_text="Terms every published asset must carry. Hold Ctrl (⌘ on a Mac) to choose "
        "several.",
    )
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why these are required; producers read it when publishing is refused.",
    )

    def __init__(self, *args, form_types, terms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_form_types"].queryset = form_types
        field = self.fields["required_glossary_terms"]
        field.queryset = terms
        field.choices = grouped_term_choices(list(terms))
