"""Personal API tokens."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from meshportal.models import BaseModel

from .choices import TokenScope

TOKEN_PREFIX = "mp_"


def hash_key(key: str) -> str:
    """SHA-256 of a token. Keys are 256 random bits, so a plain fast hash is as safe as a
    slow one here (as GitHub and NetBox do) and lets a request find its token by index."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(BaseModel):
    """A named token a person made for a script or tool, with an expiry and a scope.

    Only the hash of the key is stored: a copy of the database gives no working tokens,
    and the key is shown once, when it is made. ``key_start`` (its first characters) lets
    a person tell their tokens apart. A revoked token is kept (revoked_at) so the list
    shows what existed; it never authenticates again.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=64)
    key_hash = models.CharField(max_length=64, unique=True)
    key_start = models.CharField(max_length=12)
    scope = models.CharField(max_length=8, choices=TokenScope.choices, default=TokenScope.READ)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.key_start}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
