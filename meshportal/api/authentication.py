"""How API clients authenticate: the token endpoint and its lockout.

Why its own view: DRF's ObtainAuthToken pins its own parsers (so it skipped the portal's
JSON parser with its nesting limit) and checks passwords without any limit, so a client
could guess passwords as fast as it liked while the HTML sign-in locks out. Here the
password is checked through allauth's account adapter, the very code the sign-in page
uses: the same "login_failed" budget per address and per user (ACCOUNT_RATE_LIMITS,
shared with the page, so switching between the two gains nothing), the same rollback on
success. A locked-out client gets 429 with Retry-After.
"""

from allauth.account.adapter import get_adapter
from allauth.core.internal.ratelimit import get_rates
from django import forms
from rest_framework import exceptions
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.settings import api_settings


def login_lockout_seconds() -> int:
    """How long a locked-out client waits: the longest window of the login_failed rates."""
    rates = get_rates(app="allauth.account", action="login_failed")
    return int(max((rate.duration for rate in rates), default=60))


class LockoutAuthTokenSerializer(AuthTokenSerializer):
    """DRF's serializer (same fields, same messages), checking the password through
    allauth so that failed attempts count against the sign-in lockout."""

    def validate(self, attrs):
        request = self.context["request"]
        django_request = getattr(request, "_request", request)
        try:
            user = get_adapter(django_request).authenticate(
                django_request, username=attrs.get("username"), password=attrs.get("password")
            )
        except forms.ValidationError:
            raise exceptions.Throttled(
                wait=login_lockout_seconds(),
                detail="Too many failed sign-ins for this user or address; try again later.",
            ) from None
        if not user:
            raise exceptions.ValidationError(
                "Unable to log in with provided credentials.", code="authorization"
            )
        attrs["user"] = user
        return attrs


class TokenObtainView(ObtainAuthToken):
    """``POST /api/v1/auth/token/`` with a local username and password → ``{"token": …}``."""

    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
    serializer_class = LockoutAuthTokenSerializer
