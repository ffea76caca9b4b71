"""What a search answers: the page of hits, the capped count, the facets."""

import html
from dataclasses import dataclass
from functools import cached_property

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from ...choices import AssetType
from ..documents import MARK_START, MARK_STOP, ZERO_WIDTH_SPACE
from ..query import ParsedQuery
from .request import SearchRequest


@dataclass
class Hit:
    id: str
    kind: str  # "listing" or "asset" (inventory search)
    name: str
    technical_name: str
    asset_type: str
    project: dict
    domain: dict
    glossary_terms: list
    published_at: object
    snippet: SafeString
    database_name: str = ""
    schema_name: str = ""
    approval_required: bool | None = None
    score: float | None = None
    snippet_raw: str = ""  # ts_headline's output, for the API's plain snippet

    @property
    def pk(self) -> str:
        return self.id

    @property
    def url(self) -> str:
        return reverse(
            "listing-detail" if self.kind == "listing" else "asset-detail", args=[self.id]
        )

    @property
    def asset_type_label(self) -> str:
        try:
            return AssetType(self.asset_type).label
        except ValueError:
            return self.asset_type

    @cached_property
    def _plain_snippet(self) -> tuple[str, list[dict]]:
        return plain_snippet(self.snippet_raw)

    @property
    def snippet_text(self) -> str:
        """The snippet as plain text, for API clients (see ``plain_snippet``)."""
        return self._plain_snippet[0]

    @property
    def snippet_matches(self) -> list[dict]:
        """Character offsets of each match in ``snippet_text``."""
        return self._plain_snippet[1]

    @property
    def snippet_html(self) -> str:
        """The page's snippet without the zero-width spaces that only help ts_headline."""
        return str(self.snippet).replace(ZERO_WIDTH_SPACE, "")

    @property
    def snapshot(self) -> dict:
        """The parts of a listing's snapshot the listing card reads."""
        return {
            "type": self.asset_type,
            "technical_name": self.technical_name,
            "database_name": self.database_name,
            "schema_name": self.schema_name,
            "glossary_terms": self.glossary_terms,
        }


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResults:
    request: SearchRequest
    parsed: ParsedQuery
    hits: list
    count: int
    count_is_estimate: bool
    facets: dict  # {"domain": [FacetValue], …, "form.<key>": [FacetValue]}
    sort: str
    has_next: bool
    notes: list
    ranked_window: int | None = None  # relevance: how many candidates were ranked
    facets_are_estimates: bool = False  # counted in a sample, scaled to the count

    @property
    def has_previous(self) -> bool:
        return self.request.page > 1

    @property
    def count_display(self) -> str:
        return f"{self.count:,}+" if self.count_is_estimate else f"{self.count:,}"


def escape_snippet(raw: str | None) -> SafeString:
    """ts_headline's output → HTML: everything escaped, matches in <mark>.

    The stored text is HTML-escaped already (entities survive ts_headline); unescaping
    first and escaping once here means nothing in it can ever be markup."""
    parts = []
    for piece in (raw or "").split(MARK_START):
        if MARK_STOP in piece:
            marked, rest = piece.split(MARK_STOP, 1)
            parts.append(f"<mark>{html.escape(html.unescape(marked))}</mark>")
            parts.append(html.escape(html.unescape(rest.replace(MARK_STOP, ""))))
        else:
            parts.append(html.escape(html.unescape(piece)))
    return mark_safe("".join(parts))  # noqa: S308 (escaped piece by piece above)


def plain_snippet(raw: str | None) -> tuple[str, list[dict]]:
    """ts_headline's output → (plain text, match offsets) for API clients.

    No HTML entities, no zero-width spaces (they only help ts_headline split words),
    no markup: ``[{"start", "end"}]`` are character offsets of each match in the text,
    so a client highlights in whatever way it renders.
    """
    text, matches = [], []
    length = 0

    def add(piece: str) -> None:
        nonlocal length
        piece = html.unescape(piece).replace(ZERO_WIDTH_SPACE, "")
        text.append(piece)
        length += len(piece)

    for number, piece in enumerate((raw or "").split(MARK_START)):
        if number and MARK_STOP in piece:
            marked, rest = piece.split(MARK_STOP, 1)
            start = length
            add(marked)
            if length > start:
                matches.append({"start": start, "end": length})
            add(rest.replace(MARK_STOP, ""))
        else:
            add(piece.replace(MARK_STOP, ""))
    return "".join(text), matches
