"""Template helpers of the portal's pages: badges, navigation state, accessible fields."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# Colour family of each enum value; the stylesheet defines .badge--<tone>.
TONES = {
    # environment status
    "CREATING": "info",
    "ACTIVE": "success",
    "CREATE_FAILED": "danger",
    "DELETING": "warning",
    "DELETE_FAILED": "danger",
    "DELETED": "muted",
    # designations and domain roles
    "OWNER": "owner",
    "STEWARD": "owner",
    "CONTRIBUTOR": "primary",
    "VIEWER": "muted",
    # notification kinds
    "TASK": "warning",
    "EVENT": "muted",
    # blueprints
    "DATA_LAKE": "lake",
    "DATA_WAREHOUSE": "warehouse",
}

BLUEPRINT_SHORT = {"DATA_LAKE": "Data lake", "DATA_WAREHOUSE": "Data warehouse"}

# Which top-navigation entry a page belongs to, by URL name prefix.
SECTIONS = [
    ("project", "projects"),
    ("environment", "projects"),
    ("data-source", "projects"),
    ("inventory", "projects"),
    ("asset", "projects"),
    ("prediction", "projects"),
    ("domain", "domains"),
    ("notification", "notifications"),
    ("home", "home"),
]


@register.filter
def tone(value) -> str:
    return TONES.get(str(value), "muted")


@register.simple_tag
def badge(value, label=None, testid=None):
    """A coloured pill for an enum value: ``{% badge env.status testid="environment-status" %}``.

    The text is the value itself (ACTIVE, CREATE_FAILED …): what the API says and what
    people quote in tickets.
    """
    value = str(value or "")
    text = label or value
    attrs = format_html(' data-testid="{}"', testid) if testid else ""
    return format_html(
        '<span class="badge badge--{}"{}>{}</span>', TONES.get(value, "muted"), attrs, text
    )


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
