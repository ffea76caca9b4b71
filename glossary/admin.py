from django.contrib import admin

from .models import FormField, FormType, Glossary, GlossaryTerm, PublishingRule


@admin.register(Glossary)
class GlossaryAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "owning_project", "status"]
    list_filter = ["status", "domain"]
    list_select_related = ["domain", "owning_project"]
    search_fields = ["name"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["name", "glossary", "status"]
    list_filter = ["status", "glossary"]
    list_select_related = ["glossary"]
    search_fields = ["name", "short_description"]
    filter_horizontal = ["is_a", "classifies"]


class FormFieldInline(admin.TabularInline):
    model = FormField
    extra = 0


@admin.register(FormType)
class FormTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "owning_project", "revision", "status"]
    list_filter = ["status", "domain"]
    list_select_related = ["domain", "owning_project"]
    inlines = [FormFieldInline]


@admin.register(PublishingRule)
class PublishingRuleAdmin(admin.ModelAdmin):
    list_display = ["domain", "description"]
    filter_horizontal = ["required_form_types", "required_glossary_terms"]
