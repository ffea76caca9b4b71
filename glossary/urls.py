"""Page URLs of the glossary app (the API's are in glossary/api/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("glossaries/", views.glossary_list, name="glossary-list"),
    path("glossaries/new/", views.glossary_create, name="glossary-create"),
    path("glossaries/<uuid:pk>/", views.glossary_detail, name="glossary-detail"),
    path("glossaries/<uuid:pk>/edit/", views.glossary_edit, name="glossary-edit"),
    path("glossaries/<uuid:pk>/status/", views.glossary_status, name="glossary-status"),
    path("glossaries/<uuid:pk>/export/", views.glossary_export, name="glossary-export"),
    path("glossaries/<uuid:pk>/import/", views.glossary_import, name="glossary-import"),
    path("glossaries/<uuid:pk>/terms/new/", views.term_create, name="term-create"),
    path("glossary-terms/<uuid:pk>/", views.term_detail, name="term-detail"),
    path("glossary-terms/<uuid:pk>/edit/", views.term_edit, name="term-edit"),
    path("forms/", views.form_type_list, name="form-type-list"),
    path("forms/new/", views.form_type_create, name="form-type-create"),
    path("forms/<uuid:pk>/", views.form_type_detail, name="form-type-detail"),
    path("forms/<uuid:pk>/edit/", views.form_type_edit, name="form-type-edit"),
    path("publishing-rules/", views.publishing_rule_list, name="publishing-rule-list"),
    path("domains/<uuid:pk>/publishing-rule/", views.publishing_rule, name="publishing-rule"),
]
