"""Template helpers of the catalog pages: run durations, the project page's data
sources section, sanitised Markdown and listing labels.

Badges are the portal's (``{% badge %}`` in meshportal/templatetags/portal.py); the
catalog's colours sit on its choices (catalog/choices.py).
"""

from django import template

from meshportal.templatetags import portal as portal_tags

from .. import selectors
from ..choices import AssetType

register = template.Library()


@register.filter
def duration(run) -> str:
    """How long a run took: "< 0.1 s", "0.4 s", "12 s", "3 min 5 s", "1 h 2 min"."""
    started, finished = getattr(run, "started_at", None), getattr(run, "finished_at", None)
    if not started or not finished:
        return ""
    seconds = max(0.0, (finished - started).total_seconds())
    if seconds < 0.1:
        return "< 0.1 s"
    if seconds < 10:
        return f"{seconds:.1f} s"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


@register.filter
def where(data_source_or_asset) -> str:
    """``database`` or ``database.schema`` of a data source or an asset (both name them
    ``database_name`` and ``schema_name``)."""
    database, schema = data_source_or_asset.database_name, data_source_or_asset.schema_name
    return f"{database}.{schema}" if schema else database


@register.simple_tag(takes_context=True)
def project_catalog(context, project) -> dict:
    """What the project page shows of the catalog: ``{% project_catalog project as catalog %}``
    then ``{% include "catalog/_project_data_sources.html" %}``.

    The projects app knows nothing of the catalog (apps depend leftwards only), so the
    catalog reads its part of that page itself. Three queries however many data sources:
    the sources with their asset counts, their latest runs, the size of the inventory.
    """
    user = context["request"].user
    data_sources = list(selectors.data_source_list(user=user).filter(project=project))
    runs = selectors.latest_runs(data_sources)
    for data_source in data_sources:
        data_source.last_run = runs.get(data_source.pk)
    return {
        "data_sources": data_sources,
        "inventory_count": project.assets.filter(archived_at__isnull=True).count(),
    }


# The portal's Markdown filters, also under this library (catalog templates load it).
register.filter("markdown", portal_tags.markdown)
register.filter("markdown_text", portal_tags.markdown_text)


@register.filter
def is_web_url(value) -> bool:
    """Only http(s) addresses become links; anything else is shown as text."""
    return str(value or "").lower().startswith(("http://", "https://"))


@register.filter
def asset_type_label(value) -> str:
    """``GLUE_TABLE`` → "Glue table" (listings keep the enum value in their snapshot)."""
    try:
        return AssetType(str(value)).label
    except ValueError:
        return str(value or "")


@register.inclusion_tag("catalog/_typed_field.html")
def typed_field(field):
    """A metadata form value's input (date picker, number, yes/no, term picker …) with its
    label, "required to publish" mark, help and the service's errors next to it."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        described.append(f"{field.auto_id}_errors")
    attrs = {"class": f"input input--{field.field.widget.__class__.__name__.lower()}"}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return {
        "field": field,
        "widget": field.as_widget(attrs=attrs),
        "publish_required": getattr(field.field, "publish_required", False),
        "field_type": getattr(field.field, "field_type", ""),
    }
