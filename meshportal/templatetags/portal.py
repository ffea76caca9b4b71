"""Template helpers of every app's pages: badges, navigation state, accessible fields.

``{% load portal %}`` in any template. A new app's status needs no tag of its own: put
its colours on its choices (``meshportal.choices.with_colors``) and write
``{% badge thing.status %}`` (or ``{% badge thing.status thing.get_status_display %}``).
"""

import html

from django import template
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe

from meshportal.choices import color_of
from meshportal.markdown import render_markdown

register = template.Library()

BLUEPRINT_SHORT = {"DATA_LAKE": "Data lake", "DATA_WAREHOUSE": "Data warehouse"}

# Which top-navigation entry a page belongs to, by URL name prefix: the one mechanism
# that marks the current entry (a new app adds its URL names' prefixes here).
SECTIONS = [
    ("platform", "platform"),
    ("catalog", "catalog"),
    ("subscription", "subscriptions"),
    ("listing", "catalog"),
    ("glossary", "glossaries"),
    ("term", "glossaries"),
    ("form-type", "glossaries"),
    ("publishing-rule", "glossaries"),
    ("project", "projects"),
    ("environment", "projects"),
    ("data-source", "projects"),
    ("inventory", "projects"),
    ("asset", "projects"),
    ("suggestion", "projects"),
    ("domain", "domains"),
    ("notification", "notifications"),
    ("home", "home"),
]


@register.filter
def tone(value) -> str:
    """The colour family of an enum value (its choices' ``with_colors``)."""
    return color_of(value)


@register.simple_tag
def badge(value, label=None, testid=None):
    """A coloured pill for any enum value: ``{% badge env.status testid="environment-status" %}``.

    The text is the value itself (ACTIVE, CREATE_FAILED …): what the API says and what
    people quote in tickets.
    """
    value = str(value or "")
    text = label or value
    attrs = format_html(' data-testid="{}"', testid) if testid else ""
    return format_html('<span class="badge badge--{}"{}>{}</span>', color_of(value), attrs, text)


@register.filter
def blueprint_short(value) -> str:
    return BLUEPRINT_SHORT.get(str(value), str(value))


@register.simple_tag(takes_context=True)
def nav_current(context, section: str) -> str:
    """``aria-current="page"`` on the navigation entry of the current page."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    name = (match.url_name or "") if match else ""
    current = next((s for prefix, s in SECTIONS if name.startswith(prefix)), "")
    return mark_safe(' aria-current="page"') if current == section else ""  # noqa: S308 (constant)


@register.inclusion_tag("includes/field.html")
def form_field(field, autofocus=False, hide_label=False):
    """A labelled form field with its help text and inline errors, wired for screen
    readers (aria-describedby, aria-invalid)."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        described.append(f"{field.auto_id}_errors")
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    if autofocus:
        attrs["autofocus"] = True
    widget_type = field.field.widget.__class__.__name__.lower()
    attrs["class"] = " ".join(
        filter(None, [field.field.widget.attrs.get("class", ""), f"input input--{widget_type}"])
    )
    return {
        "field": field,
        "widget": field.as_widget(attrs=attrs),
        "hide_label": hide_label,
    }


@register.filter
def markdown(text) -> str:
    """Markdown rendered and sanitised (meshportal/markdown.py): safe to show as it is."""
    return render_markdown(text)


@register.filter
def markdown_text(text) -> str:
    """The words of a Markdown text without its markup, for one-line snippets in lists
    (escaped by the template like any other text)."""
    return " ".join(html.unescape(strip_tags(render_markdown(text))).split())


@register.filter
def table_columns(spec: str) -> list[dict]:
    """The header cells of ``includes/list_table.html``: ``"Glossary,Domain,Terms:num"``
    → one dict per column; ``:num`` right-aligns a column of numbers."""
    columns = []
    for cell in spec.split(","):
        label, _, kind = cell.partition(":")
        columns.append({"label": label.strip(), "num": kind.strip() == "num"})
    return columns
