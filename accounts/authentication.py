"""``Authorization: Token <key>`` for personal tokens and the legacy per-user key.

Personal keys start with ``mp_`` and are looked up by their hash; anything else is a
key from ``POST /api/v1/auth/token/`` or ``manage.py issue_token`` (DRF's Token), kept
so existing clients go on working. A READ token on a write (any method but GET, HEAD,
OPTIONS) is refused with 403, an expired or revoked one with 401.
"""

from datetime import timedelta

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import SAFE_METHODS

from .choices import TokenScope
from .models import TOKEN_PREFIX, ApiToken, hash_key

# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class PortalTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        if isinstance(token, ApiToken) and token.scope == TokenScope.READ:
            if request.method not in SAFE_METHODS:
                raise exceptions.PermissionDenied("This token is read-only.")
        return result

    def authenticate_credentials(self, key):
        if not key.startswith(TOKEN_PREFIX):
            return super().authenticate_credentials(key)
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed("Token expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
