"""Who keeps a domain's vocabulary.

Domain stewards and owners manage glossaries, form types and publishing rules; the
OWNERs of a glossary's (or form type's) owning project manage that one too. The rules
and their wording are projects.permissions' (the same rule decides subscription
requests); these names say what they guard here.
"""

from projects.permissions import (
    is_project_owner_or_steward,
    require_domain_steward,
    require_project_owner_or_steward,
    require_some_owned_project,
)

__all__ = [
    "can_manage_owned",
    "require_domain_steward",
    "require_manage_owned",
    "require_some_owned_project",
]


def can_manage_owned(user, domain, owning_project) -> bool:
    """May change a glossary or form type that ``owning_project`` owns in ``domain``."""
    return is_project_owner_or_steward(user, owning_project, domain)


def require_manage_owned(user, domain, owning_project, action: str) -> None:
    require_project_owner_or_steward(user, owning_project, domain, action)
