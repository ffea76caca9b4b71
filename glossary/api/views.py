"""API views of the glossary app: glossaries and terms (with CSV), form types, rules.

Thin, like the projects API: validate with an input serializer, call a service (writes)
or a selector (reads), serialize. A domain's vocabulary is readable by every signed-in
user; the services decide who may change it (the domain's stewards and owners, and the
OWNERs of the owning project) and raise PermissionDenied (403) or ValidationError (400).
Glossaries, terms and form types are disabled (``status``), never deleted through the API.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import parsers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from glossary import selectors, services
from glossary.filters import FormTypeFilterSet, GlossaryFilterSet, GlossaryTermFilterSet
from glossary.models import FormType, Glossary, GlossaryTerm
from glossary.permissions import require_manage_owned
from meshportal.api.serializers import DetailSerializer
from meshportal.api.viewsets import (
    READ_ERRORS,
    WRITE_ERRORS,
    PortalReadViewSet,
    resource_schema,
    validated,
)
from projects.models import Domain

from . import serializers as s

MAX_CSV_BYTES = 10 * 1024 * 1024


# What a text/csv body must start with: a header line naming the columns, 'name' among
# them (the pattern shows the canonical order; the import takes them in any order and
# case). Without it every line is refused, so the document says so.
CSV_BODY_SCHEMA = {
    "type": "string",
    "pattern": r"^\ufeff?name(,(short_description|long_description|synonyms|parents))*\r?\n",
    "description": "UTF-8 CSV whose first line is the header, e.g. "
    "`name,short_description,long_description,synonyms,parents`.",
}


class CsvParser(parsers.BaseParser):
    """A raw ``text/csv`` body: handed to the import as bytes, decoded there (UTF-8)."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read() if stream is not None else b""


class GlossaryWriteMixin:
    """Glossaries and form types are written alike: created in the owning project's
    domain (unless the body names it), changed by their service, and answered with the
    row re-read through the list's selector (annotations too). A viewset names its input
    serializers and services; ``service_kwargs`` adapts what else its input carries."""

    http_method_names = ["get", "post", "patch", "head", "options"]  # disabled, not deleted
    create_serializer: type
    update_serializer: type
    create_service = update_service = None  # staticmethod(services.…)
    object_keyword = ""  # the update service's keyword for the object

    def service_kwargs(self, data: dict) -> dict:
        return data

    def create(self, request, *args, **kwargs):
        data = validated(self.create_serializer, request, context=self.get_serializer_context())
        project = data["owning_project"]
        created = self.create_service(
            acting_user=request.user,
            domain=data.get("domain") or project.domain,
            owning_project=project,
            **self.service_kwargs(
                {
                    key: data[key]
                    for key in ("name", "description", "status", "fields")
                    if key in data
                }
            ),
        )
        return self.respond(created, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        obj = self.get_object()
        data = validated(
            self.update_serializer, request, partial=True, context=self.get_serializer_context()
        )
        updated = self.update_service(
            acting_user=request.user, **{self.object_keyword: obj}, **self.service_kwargs(data)
        )
        return self.respond(updated)


# --- Glossaries -------------------------------------------------------------------------


@resource_schema(
    s.GlossarySerializer, create=s.GlossaryCreateSerializer, update=s.GlossaryUpdateSerializer
)
class GlossaryViewSet(GlossaryWriteMixin, PortalReadViewSet):
    """Every domain's glossaries, readable by everyone signed in. The domain's stewards
    and owners, and the OWNERs of the owning project, create and change them; a glossary
    is disabled (``status``: DISABLED), not deleted."""

    serializer_class = s.GlossarySerializer
    filterset_class = GlossaryFilterSet
    schema_model = Glossary
    create_serializer = s.GlossaryCreateSerializer
    update_serializer = s.GlossaryUpdateSerializer
    create_service = staticmethod(services.glossary_create)
    update_service = staticmethod(services.glossary_update)
    object_keyword = "glossary"
    list_selector = staticmethod(selectors.glossary_list)

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            404: DetailSerializer,
        },
        description="The glossary's terms as CSV (name, short_description, long_description, "
        "synonyms, parents; lists separated by ';'), downloaded as '<glossary name>.csv'.",
    )
    @action(detail=True, methods=["get"])
    def export(self, request, *args, **kwargs):
        glossary = self.get_object()
        content = services.glossary_export_csv(glossary=glossary)
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{glossary.name}.csv"
        )
        return response

    @extend_schema(
        request={
            "multipart/form-data": s.CsvUploadSerializer,
            "text/csv": CSV_BODY_SCHEMA,
        },
        responses={
            200: s.CsvImportResultSerializer,
            400: s.CsvImportErrorSerializer,
            403: DetailSerializer,
            404: DetailSerializer,
        },
        description="Create or update terms by name from CSV (a multipart `file`, or the raw "
        "body as text/csv). All or nothing: any bad line answers 400 with every problem and "
        "its line number, and nothing is saved. Importing the same file again changes nothing.",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[parsers.MultiPartParser, parsers.FormParser, CsvParser],
    )
    def import_csv(self, request, *args, **kwargs):
        glossary = self.get_object()
        # Who may import is known before the file is read: a refusal never depends on it.
        require_manage_owned(
            request.user, glossary.domain, glossary.owning_project, "import terms into it"
        )
        content, problem = _uploaded_csv(request)
        if problem:
            return Response({"errors": [problem]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            result = services.glossary_import_csv(
                acting_user=request.user, glossary=glossary, content=content
            )
        except services.CsvImportError as error:
            return Response({"errors": error.messages}, status=status.HTTP_400_BAD_REQUEST)
        return Response(s.CsvImportResultSerializer(result).data)


def _uploaded_csv(request) -> tuple[bytes, str]:
    """The CSV bytes of an import request and, when there are none, what is wrong."""
    if isinstance(request.data, bytes):
        content = request.data
    else:
        upload = request.FILES.get("file")
        if upload is None:
            return b"", "Attach the CSV as a multipart 'file', or send it as a text/csv body."
        if upload.size > MAX_CSV_BYTES:
            return b"", f"The file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB."
        content = upload.read()
    if not content.strip():
        return b"", "The file is empty."
    return content, ""


# --- Terms ------------------------------------------------------------------------------


@resource_schema(
    s.GlossaryTermSerializer,
    create=s.GlossaryTermCreateSerializer,
    update=s.GlossaryTermUpdateSerializer,
)
class GlossaryTermViewSet(GlossaryWriteMixin, PortalReadViewSet):
    """Terms of every glossary (``?glossary=``, ``?domain=``, ``?status=``, ``?q=`` over
    names, short descriptions and synonyms), with their relations as id and name.
    ``is_a`` and ``classifies`` are written as lists of term ids of the same domain."""

    serializer_class = s.GlossaryTermSerializer
    filterset_class = GlossaryTermFilterSet
    schema_model = GlossaryTerm

    def visible_queryset(self):
        return selectors.term_list(user=self.request.user).prefetch_related(
            "narrower_terms", "classified_by"
        )

    def create(self, request, *args, **kwargs):
        data = validated(
            s.GlossaryTermCreateSerializer, request, context=self.get_serializer_context()
        )
        term = services.term_create(acting_user=request.user, **data)
        return self.respond(term, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        term = self.get_object()
        data = validated(
            s.GlossaryTermUpdateSerializer,
            request,
            partial=True,
            context=self.get_serializer_context(),
        )
        term = services.term_update(acting_user=request.user, term=term, **data)
        return self.respond(term)


# --- Form types -------------------------------------------------------------------------


@resource_schema(
    s.FormTypeSerializer, create=s.FormTypeCreateSerializer, update=s.FormTypeUpdateSerializer
)
class FormTypeViewSet(GlossaryWriteMixin, PortalReadViewSet):
    """Metadata form types with their ordered fields. Managed like glossaries; changing
    the ``fields`` bumps ``revision`` (sending the same fields again does not)."""

    serializer_class = s.FormTypeSerializer
    filterset_class = FormTypeFilterSet
    schema_model = FormType
    create_serializer = s.FormTypeCreateSerializer
    update_serializer = s.FormTypeUpdateSerializer
    create_service = staticmethod(services.form_type_create)
    update_service = staticmethod(services.form_type_update)
    object_keyword = "form_type"
    list_selector = staticmethod(selectors.form_type_list)

    def service_kwargs(self, data: dict) -> dict:
        if "fields" in data:
            data = {**data, "fields": [dict(f) for f in data["fields"]]}
        return data


# --- Publishing rules -------------------------------------------------------------------

_DOMAIN_ID = OpenApiParameter(
    "domain", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The domain's id."
)


@extend_schema_view(
    list=extend_schema(responses={200: s.PublishingRuleSerializer(many=True)}),
    retrieve=extend_schema(
        parameters=[_DOMAIN_ID], responses={200: s.PublishingRuleSerializer, **READ_ERRORS}
    ),
    update=extend_schema(
        parameters=[_DOMAIN_ID],
        request=s.PublishingRuleInputSerializer,
        responses={200: s.PublishingRuleSerializer, **WRITE_ERRORS},
        description="Replace the domain's rule (stewards and owners of the domain).",
    ),
)
class PublishingRuleViewSet(PortalReadViewSet):
    """One publishing rule per domain, addressed by the domain's id: the form types (and
    optionally glossary terms) every asset of the domain must carry before it may be
    published. A domain that never set a rule requires nothing (empty lists)."""

    serializer_class = s.PublishingRuleSerializer
    lookup_field = "pk"
    lookup_url_kwarg = "domain"
    http_method_names = ["get", "put", "head", "options"]
    schema_model = Domain
    list_selector = staticmethod(selectors.publishing_rule_by_domain_list)

    def update(self, request, *args, **kwargs):
        domain = self.get_object()
        data = validated(
            s.PublishingRuleInputSerializer, request, context=self.get_serializer_context()
        )
        services.publishing_rule_set(acting_user=request.user, domain=domain, **data)
        fresh = get_object_or_404(self.get_queryset(), pk=domain.pk)
        return Response(self.get_serializer(fresh).data)
