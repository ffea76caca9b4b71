"""Who keeps a domain's vocabulary.

Domain stewards and owners manage glossaries, form types and publishing rules; the
OWNERs of a glossary's (or form type's) owning project manage that one too.
"""

from django.core.exceptions import PermissionDenied

from projects.choices import Designation
from projects.permissions import is_domain_steward, project_designation


def can_manage_owned(user, domain, owning_project) -> bool:
    if not user.is_authenticated:
        return False
    if is_domain_steward(user, domain):
        return True
    return project_designation(user, owning_project) == Designation.OWNER


def require_manage_owned(user, domain, owning_project, action: str) -> None:
    if not can_manage_owned(user, domain, owning_project):
        raise PermissionDenied(
            f"Only the domain's stewards and owners, or owners of project "
            f"'{owning_project.name}', can {action}."
        )


def require_domain_steward(user, domain, action: str) -> None:
    if not is_domain_steward(user, domain):
        raise PermissionDenied(
            f"Only the stewards and owners of domain '{domain.name}' can {action}."
        )
