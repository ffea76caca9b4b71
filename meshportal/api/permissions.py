"""Permission classes shared by the apps' API views.

Visibility is the selectors' job (an object you may not see is a 404); these classes
only gate whole kinds of writes before any input is read.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsPlatformAdminOrReadOnly(BasePermission):
    """Every signed-in user reads; platform admins (staff) write.

    Domains, AWS accounts and environment profiles are the platform's frame: people need
    to see them to create projects and environments, but only platform admins change them.
    """

    message = "Only a platform admin can change this."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or request.user.is_staff
