"""Checks a server process runs before it accepts work."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key() -> None:
    """Refuse to serve (web) or work (Celery) without a SECRET_KEY."""
    try:
        key = settings.SECRET_KEY  # Django raises when it is empty
    except ImproperlyConfigured:
        key = ""
    if not key:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production settings (DEBUG=false) need a long random "
            "SECRET_KEY in the environment; for development set DEBUG=true."
        )
