"""What a search asks for (``SearchRequest``, parsed from query parameters) and its limits."""

import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from ...choices import AssetType
from ..documents import MARK_START, MARK_STOP

SORTS = {"relevance": "Relevance", "name": "Name", "published": "Newest"}


PAGE_SIZE, MAX_PAGE_SIZE = 20, 100


MAX_RESULTS = 10_000  # how deep pagination goes (sorted by name or date)


COUNT_CAP = 10_000


EXACT_CANDIDATES, NAME_CANDIDATES, EVERY_CANDIDATES, ANY_CANDIDATES = 20, 100, 400, 400


# Facets are counted over the newest this many matches; beyond, they are estimates scaled
# to the count.
FACET_SAMPLE = 1000


FACET_VALUES = 20


FACETS = ("domain", "project", "asset_type", "glossary_term")


# D, C, B, A: ts_rank_cd's default weights, spelt out.
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"


HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_STOP}, MaxFragments=2, MaxWords=30, MinWords=15, "
    'ShortWord=2, FragmentDelimiter=" … "'
)


SNIPPET_CHARS = 240


@dataclass
class SearchRequest:
    """What to search for: text, filters (OR within one, AND across), order, page."""

    q: str = ""
    domain: list = field(default_factory=list)
    project: list = field(default_factory=list)
    asset_type: list = field(default_factory=list)
    glossary_term: list = field(default_factory=list)
    forms: dict = field(default_factory=dict)  # {"Form / Field label": [values]}
    sort: str = ""
    page: int = 1
    page_size: int = PAGE_SIZE

    @classmethod
    def from_query(cls, params, *, default_page_size: int = PAGE_SIZE) -> "SearchRequest":
        """From a QueryDict (page or API); ValidationError names each bad parameter."""
        errors, request = {}, cls(q=params.get("q") or "", page_size=default_page_size)
        for name in ("domain", "project", "glossary_term"):
            values = [v for v in params.getlist(name) if v]
            try:
                setattr(request, name, sorted({str(uuid.UUID(v)) for v in values}))
            except ValueError:
                errors[name] = [f"Give {name.replace('_', ' ')} ids (UUIDs)."]
        types = [v for v in params.getlist("asset_type") if v]
        if set(types) - set(AssetType.values):
            errors["asset_type"] = [f"Choose among {', '.join(AssetType.values)}."]
        request.asset_type = sorted(set(types))
        for key in params:
            if key.startswith("form.") and len(key) > 5:
                values = sorted({v[:200] for v in params.getlist(key) if v})
                if values:
                    request.forms[key[5:][:300]] = values
        sort = params.get("sort") or ""
        if sort and sort not in SORTS:
            errors["sort"] = [f"Sort by {', '.join(SORTS)}."]
        request.sort = sort
        for name, low, high in (("page", 1, None), ("page_size", 1, MAX_PAGE_SIZE)):
            raw = params.get(name)
            if raw in (None, ""):
                continue
            try:
                value = int(raw)
            except ValueError:
                errors[name] = ["Give a whole number."]
                continue
            if value < low or (high is not None and value > high):
                errors[name] = [
                    f"Give a number from {low} to {high}." if high else f"Give {low} or more."
                ]
            setattr(request, name, value)
        if not errors and (request.page - 1) * request.page_size >= MAX_RESULTS:
            errors["page"] = [
                f"Only the first {MAX_RESULTS:,} results can be paged through; narrow the search."
            ]
        if errors:
            raise ValidationError(errors)
        return request

    def filter_params(self) -> list[tuple[str, str]]:
        """The filters as query parameters (for links that add or remove one)."""
        pairs = [(name, value) for name in FACETS for value in getattr(self, name)]
        pairs += [(f"form.{key}", v) for key, values in sorted(self.forms.items()) for v in values]
        return pairs

    @property
    def has_filters(self) -> bool:
        return bool(self.filter_params())
