"""Who manages webhooks: a project's OWNERs its endpoints, a domain's OWNERs the domain's.

Nobody else sees them (an endpoint URL may carry a token of the receiving system), so
for everyone else an endpoint is a 404; a project or domain they can see but do not own
is a 403 when they try to register one for it.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q

from projects.choices import Designation, DomainRole
from projects.models import DomainMembership, ProjectMembership
from projects.permissions import domain_roles, member_q, project_designation, users_named_by


def managed_endpoints_q(user) -> Q:
    """Q over WebhookEndpoint: the endpoints the user manages (and so sees)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    owns_project = Exists(
        ProjectMembership.objects.filter(
            member_q(user), project_id=OuterRef("project_id"), designation=Designation.OWNER
        )
    )
    owns_domain = Exists(
        DomainMembership.objects.filter(
            member_q(user), domain_id=OuterRef("domain_id"), role=DomainRole.OWNER
        )
    )
    return (Q(project__isnull=False) & Q(owns_project)) | (Q(domain__isnull=False) & Q(owns_domain))


def can_manage_project_webhooks(user, project) -> bool:
    return user.is_authenticated and project_designation(user, project) == Designation.OWNER


def can_manage_domain_webhooks(user, domain) -> bool:
    return user.is_authenticated and DomainRole.OWNER in domain_roles(user, domain)


def require_webhook_manager(user, *, project=None, domain=None) -> None:
    if project is not None and not can_manage_project_webhooks(user, project):
        raise PermissionDenied(f"Only an owner of project {project.name} can manage its webhooks.")
    if domain is not None and not can_manage_domain_webhooks(user, domain):
        raise PermissionDenied(f"Only an owner of domain {domain.name} can manage its webhooks.")


def owners_of_endpoint(endpoint):
    """The people told when the endpoint is disabled: OWNERs of its project or domain,
    named directly or through an SSO group."""
    if endpoint.project_id:
        memberships = ProjectMembership.objects.filter(
            project_id=endpoint.project_id, designation=Designation.OWNER
        )
    else:
        memberships = DomainMembership.objects.filter(
            domain_id=endpoint.domain_id, role=DomainRole.OWNER
        )
    return users_named_by(memberships)
