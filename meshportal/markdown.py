"""Markdown that people write (term and asset descriptions), rendered safe to show.

Descriptions come from anyone who may edit a glossary or an asset, and every signed-in
user reads them, so the HTML is sanitised after rendering: a conservative set of tags, no
scripts or styles, links only to http(s) and mailto (never ``javascript:``), and every
link gets ``rel="noopener noreferrer"``. Images are left out on purpose: they would let a
description load (and track readers from) any server.
"""

import markdown as _markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "b",
    "em",
    "i",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "dl",
    "dt",
    "dd",
    "sup",
    "sub",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["fenced_code", "tables", "sane_lists", "def_list"]


def _external_if_protocol_relative(tag, attribute, value):
    """A protocol-relative link (``//evil.example``, or ``/\\evil.example``, which
    browsers read the same way) leaves the portal like an http(s) one but looks like a
    path of ours: write it out as the https link it is, so it is seen for what it is."""
    if tag == "a" and attribute == "href":
        stripped = value.strip()
        if stripped[:2] in ("//", "\\\\", "/\\", "\\/"):
            return "https://" + stripped[2:].lstrip("/\\")
    return value


def render_markdown(text: str | None) -> SafeString:
    """Markdown → sanitised HTML, safe to put in a template as it is."""
    if not text or not text.strip():
        return mark_safe("")  # noqa: S308 (empty)
    html = _markdown.markdown(text, extensions=EXTENSIONS, output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_external_if_protocol_relative,
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 (sanitised by nh3 just above)
