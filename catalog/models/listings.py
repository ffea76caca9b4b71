"""Listings: what consumers see of a published asset."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from meshportal.models import BaseModel, user_reference
from projects.models import Domain, Project

from ..choices import ListingStatus

# Written by catalog/search.py only; large, so list pages never read them (see the manager).
SEARCH_DOCUMENT_FIELDS = ("search_vector", "name_vector", "search_text")


class ListingManager(models.Manager):
    """Leaves the search document out of every listing read: a listing's tsvectors and
    snippet text are as big as its snapshot and only the search queries (raw SQL) need
    them."""

    def get_queryset(self):
        return super().get_queryset().defer(*SEARCH_DOCUMENT_FIELDS)


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
    status = models.CharField(
        max_length=8, choices=ListingStatus.choices, default=ListingStatus.ACTIVE
    )
    approval_required = models.BooleanField(
        default=True, help_text="Off: subscription requests are accepted automatically."
    )
    name = models.CharField(max_length=255, help_text="Business name, else technical name.")
    snapshot = models.JSONField()
    published_at = models.DateTimeField()
    published_by = user_reference()
    unpublished_at = models.DateTimeField(null=True, blank=True)

    # --- The search document (catalog/search.py), rebuilt with every publish -------------
    technical_name = models.CharField(max_length=255, blank=True, default="", editable=False)
    asset_type = models.CharField(max_length=16, blank=True, default="", editable=False)
    search_vector = SearchVectorField(
        null=True,
        editable=False,
        help_text="Weighted: A names, B terms (synonyms, broader terms) and column names, "
        "C description and searchable form values, D column descriptions.",
    )
    name_vector = SearchVectorField(
        null=True, editable=False, help_text="Compact: names, the asset's terms and synonyms."
    )
    search_text = models.TextField(
        blank=True, default="", editable=False, help_text="HTML-escaped text for snippets."
    )
    glossary_term_ids = ArrayField(models.UUIDField(), default=list, blank=True, editable=False)
    form_facets = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text='{"Form / Field label": value} of the searchable form fields.',
    )

    objects = ListingManager()

    class Meta:
        ordering = ["-published_at"]
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            # Newest first within a domain or project (a search filtered by them walks
            # only their listings).
            models.Index(
                fields=["domain", "status", "-published_at"], name="listing_domain_newest"
            ),
            models.Index(
                fields=["project", "status", "-published_at"], name="listing_project_newest"
            ),
            models.Index("status", Lower("name"), name="listing_status_lower_name"),
            models.Index("status", Lower("technical_name"), name="listing_status_lower_technical"),
            GinIndex(
                fields=["search_vector"],
                name="listing_search_vector",
                condition=Q(status="ACTIVE"),
            ),
            GinIndex(
                fields=["name_vector"], name="listing_name_vector", condition=Q(status="ACTIVE")
            ),
            GinIndex(fields=["glossary_term_ids"], name="listing_glossary_term_ids"),
            GinIndex(OpClass("form_facets", name="jsonb_path_ops"), name="listing_form_facets"),
        ]

    def is_behind(self, asset) -> bool:
        """The asset was edited since this listing's revision was published. The asset is
        passed in (already loaded by the caller), so this costs no query."""
        return asset.current_revision > self.revision

    def has_unpublished_changes(self, asset) -> bool:
        """The one rule for "unpublished changes": ACTIVE, and the asset moved on since."""
        return self.status == ListingStatus.ACTIVE and self.is_behind(asset)

    def __str__(self):
        return self.name


class ListingNameWord(models.Model):
    """One word of an ACTIVE listing's name (business and technical name, lower-cased),
    with the names it came from, for the navigation search box's suggestions.

    Why a table: suggestions are prefix matches on a few letters ("cu"), which a GIN index
    answers only after collecting every listing with such a word (a quarter of a big
    catalog for a common word). A B-tree over the words walks the prefix's range in order
    and stops after a few hundred entries, however common the word, and it carries the
    names, so the walk is index-only: no listing row is read. Written with the listing's
    search document (catalog/search/documents.py) and removed when the listing leaves
    the catalog, in the same transactions.
    """

    id = models.BigAutoField(primary_key=True)
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Collation "C": byte order, so LIKE 'cu%' is an index range and ORDER BY word follows
    # the index (a language collation would allow neither).
    word = models.CharField(max_length=64, db_collation="C")
    name_length = models.PositiveIntegerField(help_text="Shorter names are suggested first.")
    name = models.CharField(max_length=255)
    technical_name = models.CharField(max_length=255)

    class Meta:
        indexes = [
            # The prefix walk, index-only: shortest names first within a word.
            models.Index(
                fields=["word", "name_length"],
                name="listing_name_word_prefix",
                include=["listing", "name", "technical_name"],
            ),
            # Rewriting or removing a listing's words.
            models.Index(fields=["listing"], name="listing_name_word_listing"),
        ]

    def __str__(self):
        return self.word
