"""Template helpers of every app's pages: badges, navigation state, accessible fields.

``{% load portal %}`` in any template. A new app's status needs no tag of its own: put
its colours on its choices (``meshportal.choices.with_colors``) and write
``{% badge thing.status %}`` (or ``{% badge thing.status thing.get_status_display %}``).
"""

import html

from django import template
from django.template.base import token_kwargs
from django.template.loader_tags import BlockNode
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
    """The header cells of a ``{% table %}``: ``"Glossary,Domain,Terms:num,Actions:sr"``
    → one dict per column; ``:num`` right-aligns a column of numbers, ``:sr`` names a
    column for screen readers only (a column of buttons)."""
    columns = []
    for cell in spec.split(","):
        label, _, kind = cell.partition(":")
        kind = kind.strip()
        columns.append({"label": label.strip(), "num": kind == "num", "sr": kind == "sr"})
    return columns


class TableNode(template.Node):
    """A data table: its wrapper, header row and body around the rows it encloses."""

    def __init__(self, nodelist, options):
        self.nodelist = nodelist
        self.options = options

    def render(self, context):
        options = {name: value.resolve(context) for name, value in self.options.items()}
        options["columns"] = table_columns(options.get("columns") or "")
        if options.pop("actions", False):
            options["columns"].append({"label": "Actions", "num": False, "sr": True})
        options["rows"] = mark_safe(self.nodelist.render(context))  # noqa: S308 (rendered by the template)
        return context.template.engine.get_template("includes/table.html").render(
            template.Context(options, autoescape=context.autoescape)
        )


@register.tag(name="table")
def table_tag(parser, token):
    """``{% table columns="Name,Domain,Terms:num" testid="glossary-table" %}<tr>…</tr>{% endtable %}``:
    every table of the portal has the same wrapper, header row and body markup
    (includes/table.html); a page writes only its columns and rows. ``class`` adds
    classes to the <table> (``table--dense``), ``labelledby`` names its caption's id, and
    ``actions=can_manage`` adds a last column for row buttons when true."""
    bits = token.split_contents()[1:]
    options = token_kwargs(bits, parser)
    if bits:
        raise template.TemplateSyntaxError(f"table takes name=value options only, not {bits}")
    nodelist = parser.parse(("endtable",))
    parser.delete_first_token()
    return TableNode(nodelist, options)


class OptionalNode(template.Node):
    """Renders its content only when a block inside it has something to show."""

    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        blocks = self.nodelist.get_nodes_by_type(BlockNode)
        if blocks and not any(block.render(context).strip() for block in blocks):
            return ""
        return self.nodelist.render(context)


@register.tag
def optional(parser, token):
    """``{% optional %}<nav …>{% block crumbs %}{% endblock %}</nav>{% endoptional %}``:
    the wrapper of a layout's block, shown only when the page fills the block, so a
    layout keeps each wrapper's markup once and a page without crumbs, subtitle or
    actions renders none of their empty elements."""
    nodelist = parser.parse(("endoptional",))
    parser.delete_first_token()
    return OptionalNode(nodelist)


class CardNode(template.Node):
    """A titled card: its section, header and heading around what it encloses."""

    def __init__(self, nodelist, args, options):
        self.nodelist = nodelist
        self.args = args
        self.options = options

    def render(self, context):
        labelledby, title = (arg.resolve(context) for arg in self.args)
        options = {name: value.resolve(context) for name, value in self.options.items()}
        options.update(labelledby=labelledby, title=title)
        options["body"] = mark_safe(self.nodelist.render(context))  # noqa: S308 (rendered by the template)
        return context.template.engine.get_template("includes/card.html").render(
            template.Context(options, autoescape=context.autoescape)
        )


@register.tag
def card(parser, token):
    """``{% card "about-title" "About" %}<dl class="props">…</dl>{% endcard %}``: a section
    of a detail page, a card whose heading names it for screen readers
    (aria-labelledby), drawn by includes/card.html. ``id``, ``testid`` and ``class``
    (``card--danger``) go on the section."""
    bits = token.split_contents()[1:]
    args = [parser.compile_filter(bit) for bit in bits[:2]]
    rest = bits[2:]
    options = token_kwargs(rest, parser)
    if len(args) != 2 or rest:
        raise template.TemplateSyntaxError(
            "card takes its title's id, its title, then name=value options"
        )
    nodelist = parser.parse(("endcard",))
    parser.delete_first_token()
    return CardNode(nodelist, args, options)
