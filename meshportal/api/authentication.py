"""How API clients authenticate: the token endpoint.

Why its own view: DRF's ObtainAuthToken pins its own parsers, so it skipped the portal's
JSON parser with its nesting limit (5,000 nested brackets were a 500 there).
"""

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.settings import api_settings


class TokenObtainView(ObtainAuthToken):
    """``POST /api/v1/auth/token/`` with a local username and password → ``{"token": …}``."""

    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
