"""API views of the projects app.

Thin on purpose: each action validates the request with an input serializer, calls a
service (writes) or a selector (reads, already narrowed to the user), and serializes the
result. Services raise Django's ValidationError / PermissionDenied and our Conflict; the
API's exception handler turns them into 400 / 403 / 409 JSON.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from meshportal.api.permissions import IsPlatformAdminOrReadOnly
from meshportal.api.schema import user_or_group_request
from meshportal.api.viewsets import (
    DECISION_ERRORS,
    WRITE_ERRORS,
    PortalReadViewSet,
    resource_schema,
    validated,
)
from projects import selectors, services
from projects.access_check import aws_account_check_access
from projects.choices import Designation, EnvironmentStatus
from projects.filters import (
    AwsAccountFilterSet,
    EnvironmentFilterSet,
    EnvironmentProfileFilterSet,
    NotificationFilterSet,
    ProjectFilterSet,
)
from projects.models import (
    AwsAccount,
    Domain,
    Environment,
    EnvironmentProfile,
    Notification,
    Project,
    ProjectMembership,
)

from . import serializers as s

# --- Domains, AWS accounts, environment profiles ----------------------------------------


class PlatformAdminViewSet(PortalReadViewSet):
    """Read for everyone signed in; create, change and delete for platform admins.

    Subclasses name their selector-backed queryset, their output and input serializers,
    and the services (``staticmethod``s) that do the writes.
    """

    permission_classes = [IsPlatformAdminOrReadOnly]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    input_serializer_class: type
    create_service = update_service = delete_service = None
    service_object_kwarg: str  # the keyword the update/delete services take the row by

    def create(self, request, *args, **kwargs):
        data = validated(self.input_serializer_class, request)
        obj = self.create_service(acting_user=request.user, **data)
        return self.respond(obj, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        obj = self.get_object()
        data = validated(self.input_serializer_class, request, partial=True)
        obj = self.update_service(
            acting_user=request.user, **{self.service_object_kwarg: obj}, **data
        )
        return self.respond(obj)

    def destroy(self, request, *args, **kwargs):
        obj = self.get_object()
        self.delete_service(acting_user=request.user, **{self.service_object_kwarg: obj})
        return Response(status=status.HTTP_204_NO_CONTENT)


def _admin_schema(output, input_):
    return resource_schema(
        output,
        create=input_,
        update=input_,
        # These viewsets' schema never listed retrieve's 404; the document stays as it was.
        retrieve=extend_schema(responses={200: output}),
        destroy=extend_schema(
            responses={204: None, **DECISION_ERRORS},
            description="Answers 409 while anything still depends on the object.",
        ),
    )


@_admin_schema(s.DomainSerializer, s.DomainInputSerializer)
class DomainViewSet(PlatformAdminViewSet):
    serializer_class = s.DomainSerializer
    input_serializer_class = s.DomainInputSerializer
    create_service = staticmethod(services.domain_create)
    update_service = staticmethod(services.domain_update)
    delete_service = staticmethod(services.domain_delete)
    service_object_kwarg = "domain"
    schema_model = Domain
    list_selector = staticmethod(selectors.domain_list)


@_admin_schema(s.AwsAccountSerializer, s.AwsAccountInputSerializer)
class AwsAccountViewSet(PlatformAdminViewSet):
    serializer_class = s.AwsAccountSerializer
    input_serializer_class = s.AwsAccountInputSerializer
    filterset_class = AwsAccountFilterSet
    create_service = staticmethod(services.aws_account_create)
    update_service = staticmethod(services.aws_account_update)
    delete_service = staticmethod(services.aws_account_delete)
    service_object_kwarg = "account"
    schema_model = AwsAccount
    list_selector = staticmethod(selectors.aws_account_list)

    @extend_schema(
        request=None,
        responses={200: s.AccessReportSerializer, 403: s.DetailSerializer, 404: s.DetailSerializer},
        description="Platform admins: make the calls the portal depends on in the account "
        "(assume its role, Glue GetDatabases, Lake Formation GetDataLakeSettings and "
        "ListResources, HeadBucket on its profiles' buckets, GetRole on their grant roles) "
        "and report each as OK, WARNING, FAILED (with the reason) or SKIPPED. Read-only.",
    )
    @action(detail=True, methods=["post"], url_path="check-access")
    def check_access(self, request, *args, **kwargs):
        report = aws_account_check_access(acting_user=request.user, account=self.get_object())
        return Response(s.AccessReportSerializer(report).data)


@_admin_schema(s.EnvironmentProfileSerializer, s.EnvironmentProfileInputSerializer)
class EnvironmentProfileViewSet(PlatformAdminViewSet):
    serializer_class = s.EnvironmentProfileSerializer
    input_serializer_class = s.EnvironmentProfileInputSerializer
    filterset_class = EnvironmentProfileFilterSet
    create_service = staticmethod(services.environment_profile_create)
    update_service = staticmethod(services.environment_profile_update)
    delete_service = staticmethod(services.environment_profile_delete)
    service_object_kwarg = "profile"
    schema_model = EnvironmentProfile
    list_selector = staticmethod(selectors.environment_profile_list)


# --- Projects and members ---------------------------------------------------------------


class ProjectViewSet(PortalReadViewSet):
    """Projects the user is a member of (directly or by SSO group) or oversees as a
    steward of the domain; platform admins read every project. Anyone signed in may
    create one and becomes its OWNER; only OWNERs change it. Projects are not deleted
    through the API."""

    serializer_class = s.ProjectSerializer
    filterset_class = ProjectFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    schema_model = Project

    def visible_queryset(self):
        return selectors.project_list(user=self.request.user, platform_wide=True).select_related(
            "created_by"
        )

    @extend_schema(
        request=s.ProjectCreateSerializer, responses={201: s.ProjectSerializer, **WRITE_ERRORS}
    )
    def create(self, request, *args, **kwargs):
        data = validated(s.ProjectCreateSerializer, request)
        project = services.project_create(acting_user=request.user, **data)
        return self.respond(project, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ProjectUpdateSerializer, responses={200: s.ProjectSerializer, **WRITE_ERRORS}
    )
    def partial_update(self, request, *args, **kwargs):
        project = self.get_object()
        data = validated(s.ProjectUpdateSerializer, request, partial=True)
        project = services.project_update(acting_user=request.user, project=project, **data)
        return self.respond(project)


_PROJECT_PK = OpenApiParameter(
    "project_pk", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The project's id."
)


@extend_schema_view(
    list=extend_schema(parameters=[_PROJECT_PK]),
    retrieve=extend_schema(parameters=[_PROJECT_PK]),
    create=extend_schema(
        parameters=[_PROJECT_PK],
        request={"application/json": user_or_group_request("designation", Designation.values)},
        responses={201: s.MembershipSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        parameters=[_PROJECT_PK],
        request=s.MembershipUpdateSerializer,
        responses={200: s.MembershipSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(parameters=[_PROJECT_PK], responses={204: None, **WRITE_ERRORS}),
)
class ProjectMemberViewSet(PortalReadViewSet):
    """``/projects/{project_pk}/members/``: everyone who sees the project reads its
    members; OWNERs add, re-designate and remove them. A project keeps at least one OWNER.
    """

    serializer_class = s.MembershipSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_project(self) -> Project:
        if not hasattr(self, "_project"):
            self._project = selectors.project_get(
                user=self.request.user, pk=self.kwargs["project_pk"], platform_wide=True
            )
        return self._project

    schema_model = ProjectMembership

    def visible_queryset(self):
        return selectors.membership_list(project=self.get_project())

    def get_object(self):
        return selectors.membership_get(project=self.get_project(), pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        project = self.get_project()
        data = validated(s.MembershipCreateSerializer, request)
        membership = services.project_member_add(
            acting_user=request.user,
            project=project,
            designation=data["designation"],
            username=data["user"],
            group=data["group"],
        )
        return Response(self.get_serializer(membership).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        data = validated(s.MembershipUpdateSerializer, request)
        membership = services.project_member_update(
            acting_user=request.user, membership=membership, designation=data["designation"]
        )
        return Response(self.get_serializer(membership).data)

    def destroy(self, request, *args, **kwargs):
        membership = self.get_object()
        services.project_member_remove(acting_user=request.user, membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Environments -----------------------------------------------------------------------


class EnvironmentViewSet(PortalReadViewSet):
    """Environments of the projects the user sees (platform admins: all). Creating one (CONTRIBUTOR or OWNER)
    answers at once with status CREATING; provisioning runs in the background and the
    environment ends ACTIVE or CREATE_FAILED with ``last_error`` saying what to do."""

    serializer_class = s.EnvironmentSerializer
    filterset_class = EnvironmentFilterSet
    http_method_names = ["get", "post", "delete", "head", "options"]
    schema_model = Environment

    def visible_queryset(self):
        # Lists leave DELETED environments out; fetching one by id still answers, so a
        # client that deleted it can see that it is gone.
        return selectors.environment_list(
            user=self.request.user, include_deleted=self.action != "list", platform_wide=True
        ).select_related("created_by")

    @extend_schema(
        request=s.EnvironmentCreateSerializer,
        responses={201: s.EnvironmentSerializer, **WRITE_ERRORS},
    )
    def create(self, request, *args, **kwargs):
        data = validated(
            s.EnvironmentCreateSerializer, request, context=self.get_serializer_context()
        )
        environment = services.environment_create(acting_user=request.user, **data)
        return self.respond(environment, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={202: s.EnvironmentSerializer, **WRITE_ERRORS, 409: s.DetailSerializer},
        description="Delete the environment (project OWNERs): its subscription grants are "
        "revoked first, then what provisioning created is removed. Answers 202 with status "
        "DELETING; asking again while DELETING or DELETED changes nothing; a DELETE_FAILED "
        "environment is retried; 409 while it is CREATING.",
    )
    def destroy(self, request, *args, **kwargs):
        environment = services.environment_delete(
            acting_user=request.user, environment=self.get_object()
        )
        return self.respond(environment, status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=None,
        responses={202: s.EnvironmentSerializer, **WRITE_ERRORS, 409: s.DetailSerializer},
        description="Retry what failed: provisioning of a CREATE_FAILED environment "
        "(CONTRIBUTOR or OWNER) or deletion of a DELETE_FAILED one (OWNER); 409 otherwise.",
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, *args, **kwargs):
        environment = self.get_object()
        if environment.status == EnvironmentStatus.DELETE_FAILED:
            environment = services.environment_delete(
                acting_user=request.user, environment=environment
            )
        else:
            environment = services.environment_retry(
                acting_user=request.user, environment=environment
            )
        return self.respond(environment, status.HTTP_202_ACCEPTED)


# --- Notifications ----------------------------------------------------------------------


class NotificationViewSet(PortalReadViewSet):
    """The signed-in user's own notifications (anyone else's is a 404)."""

    serializer_class = s.NotificationSerializer
    filterset_class = NotificationFilterSet
    schema_model = Notification
    list_selector = staticmethod(selectors.notification_list)

    @extend_schema(request=None, responses={200: s.NotificationSerializer, 404: s.DetailSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, *args, **kwargs):
        notification = services.notification_mark_read(
            acting_user=request.user, notification=self.get_object()
        )
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses={200: s.MarkedReadSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request, *args, **kwargs):
        count = services.notification_mark_all_read(acting_user=request.user)
        return Response(s.MarkedReadSerializer({"marked_read": count}).data)
