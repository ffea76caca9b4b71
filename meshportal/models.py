"""Model base shared by every app."""

import uuid

from django.db import models


class BaseModel(models.Model):
    """UUID primary key and timestamps.

    UUIDs keep URLs and API ids unguessable and stable across databases, which matters
    for a catalog whose links are pasted into tickets and chats.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
