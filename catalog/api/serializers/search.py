"""``GET /api/v1/search/``'s answer: the serializers shape a ``SearchResults`` (and its
``Hit``s, ``FacetValue``s) and document it in the OpenAPI schema.

Nothing is read from the database here: the search already fetched every column
(catalog/search/engine/). The request in the context makes the links absolute.
"""

from rest_framework import serializers
from rest_framework.utils.urls import remove_query_param, replace_query_param

from catalog.search import SORTS
from glossary.api.serializers import NamedRefSerializer

from .assets import ASSET_TYPE_HELP, AttachedTermSerializer


class SnippetMatchSerializer(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField(help_text="Exclusive.")


class IsoDateTimeField(serializers.DateTimeField):
    """A timestamp as Python's ``isoformat()`` gives it (``+00:00``, not DRF's ``Z``):
    what this endpoint has always answered."""

    def to_representation(self, value):
        return value.isoformat()


class AbsoluteUrlField(serializers.URLField):
    """The attribute's path (a page's URL) made absolute with the request's host."""

    def to_representation(self, value):
        return self.context["request"].build_absolute_uri(value)


class PageLinkField(serializers.CharField):
    """The absolute URL of the next (``step=1``) or previous (``step=-1``) page of the
    same search, or null at either end."""

    def __init__(self, *, step: int, **kwargs):
        self.step = step
        super().__init__(source="*", allow_null=True, **kwargs)

    def to_representation(self, results):
        url = self.context["request"].build_absolute_uri()
        page = results.request.page + self.step
        if not (results.has_next if self.step > 0 else results.has_previous):
            return None
        if page == 1:
            return remove_query_param(url, "page")
        return replace_query_param(url, "page", page)


class SearchHitSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The listing's id (the asset's, for inventory search).")
    kind = serializers.ChoiceField(
        choices=["listing", "asset"], help_text="``asset`` only in inventory search."
    )
    name = serializers.CharField(help_text="Business name, else technical name.")
    technical_name = serializers.CharField()
    project = NamedRefSerializer()
    domain = NamedRefSerializer()
    asset_type = serializers.CharField(help_text=ASSET_TYPE_HELP)
    snippet = serializers.CharField(
        source="snippet_text",
        help_text="Plain text around what matched (no markup, no entities); the matches "
        "are at ``snippet_matches``.",
    )
    snippet_matches = SnippetMatchSerializer(
        many=True, help_text="Character offsets of each match in ``snippet``."
    )
    snippet_html = serializers.CharField(
        help_text="The same snippet as HTML: escaped, matches in <mark>."
    )
    glossary_terms = AttachedTermSerializer(many=True)
    published_at = IsoDateTimeField(help_text="When it was published (for assets: last changed).")
    url = AbsoluteUrlField(help_text="The listing's (or asset's) page, absolute.")
    score = serializers.FloatField(
        allow_null=True,
        help_text="Relevance (higher ranks first) when sorted by relevance, else null.",
    )


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="What to pass back as the filter's value.")
    label = serializers.CharField()
    count = serializers.IntegerField(
        help_text="Matching results with this value (within the first 10,001 when "
        "``count_is_estimate``)."
    )
    selected = serializers.BooleanField()


class SearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Matching results, at most 10,000.")
    count_is_estimate = serializers.BooleanField(
        help_text="True when more than 10,000 match: ``count`` is then a floor."
    )
    results = SearchHitSerializer(many=True, source="hits")
    facets = serializers.DictField(
        child=FacetValueSerializer(many=True),
        help_text="``domain``, ``project``, ``asset_type``, ``glossary_term`` and one "
        "``form.<Form / Field label>`` per searchable form field with values; each a list "
        "of the 20 most frequent values.",
    )
    facets_are_estimates = serializers.BooleanField(
        help_text="True when more match than the facets were counted over (the newest "
        "1,000): each count is then scaled to the total."
    )
    next = PageLinkField(step=1)
    previous = PageLinkField(step=-1)
    sort = serializers.ChoiceField(choices=list(SORTS))
    notes = serializers.ListField(
        child=serializers.CharField(),
        help_text="What was changed or left out of the query (cut, common words, …).",
    )
