"""Routes of the projects API; meshportal/api/urls.py absorbs ``router`` into /api/v1/.

Route names start with ``api-`` (``api-project-detail``): the pages use the plain names
(``project-detail``), and a shared name would make ``reverse`` pick one of the two.
"""

from rest_framework.routers import SimpleRouter

from meshportal.api.viewsets import UUID_REGEX

from . import domain_members, views

router = SimpleRouter()
router.register("domains", views.DomainViewSet, basename="api-domain")
router.register(
    rf"domains/(?P<domain_pk>{UUID_REGEX})/members",
    domain_members.DomainMemberViewSet,
    basename="api-domain-member",
)
router.register("aws-accounts", views.AwsAccountViewSet, basename="api-aws-account")
router.register(
    "environment-profiles", views.EnvironmentProfileViewSet, basename="api-environment-profile"
)
router.register("projects", views.ProjectViewSet, basename="api-project")
router.register(
    rf"projects/(?P<project_pk>{UUID_REGEX})/members",
    views.ProjectMemberViewSet,
    basename="api-project-member",
)
router.register("environments", views.EnvironmentViewSet, basename="api-environment")
router.register("notifications", views.NotificationViewSet, basename="api-notification")

urlpatterns: list = []
