"""Listings: what consumers see of a published asset."""

from django.conf import settings
from django.db import models

from meshportal.models import BaseModel
from projects.models import Domain, Project

from ..choices import ListingStatus


class Listing(BaseModel):
    """The published, point-in-time copy of an asset revision.

    ``snapshot`` holds everything a consumer reads (names, description, schema with
    column business metadata, terms, forms), so editing the asset never changes what the
    catalog shows until the producer publishes again. One listing per asset: publishing
    again replaces the snapshot; unpublishing sets it INACTIVE.
    """

    asset = models.OneToOneField("catalog.Asset", on_delete=models.CASCADE, related_name="listing")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="listings")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="listings")
    revision = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=ListingStatus.choices, default=ListingStatus.ACTIVE)
    approval_required = models.BooleanField(
        default=True, help_text="Off: subscription requests are accepted automatically."
    )
    name = models.CharField(max_length=255, help_text="Business name, else technical name.")
    snapshot = models.JSONField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unpublished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at"]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self):
        return self.name
