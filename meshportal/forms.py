"""Forms ↔ services, shared by every app's pages.

Forms only shape and check input; the rules live in services, which raise Django's
ValidationError. A page puts what a service said back onto the form, so a person sees
every problem next to what they typed. A new app's edit view::

    from meshportal.forms import attach_service_errors

    try:
        services.thing_update(acting_user=request.user, thing=thing, **form.service_kwargs())
    except ValidationError as error:
        attach_service_errors(form, error)

``ServiceFormMixin.service_kwargs()`` is the one form→service adapter: by default the
form's cleaned data; a form whose fields are not the service's keywords overrides it.
"""

from django import forms
from django.core.exceptions import ValidationError


def attach_service_errors(form: forms.Form, error: ValidationError, aliases=None) -> None:
    """Put a service's ValidationError onto the form: per field where the form has that
    field (``aliases`` maps service field names to form field names), else as a
    non-field error. Nothing a service says is dropped."""
    aliases = aliases or getattr(form, "service_field_aliases", None) or {}
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            field = aliases.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def service_error_text(error: ValidationError) -> str:
    """One sentence (or a few) for a flash message."""
    return " ".join(error.messages)


class ServiceFormMixin:
    """The form→service adapter: ``form.service_kwargs()`` are the keyword arguments the
    service takes. ``service_field_aliases`` maps a service's field names back to the
    form's, for ``attach_service_errors``."""

    service_field_aliases: dict[str, str] = {}

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


# Help text of a Markdown description (plain text: help texts are escaped).
MARKDOWN_HINT = (
    "Markdown: **bold**, _italic_, lists, [links](https://…); the preview shows it as readers will."
)


class MarkdownTextarea(forms.Textarea):
    """A Markdown description's textarea with a live preview under it.

    The preview is rendered by the server (``markdown-preview``, through the same
    sanitiser as the pages), so what a person sees while typing is exactly what readers
    will see. htmx posts only this field's text after a pause in typing (``hx-params``
    keeps the rest of the form out; ``hx-sync`` drops a stale answer), and the page needs
    no script of its own (the Content-Security-Policy forbids inline script). Without
    JavaScript the preview shows the text as it was when the page was drawn.
    """

    DELAY_MS = 300

    def __init__(self, attrs=None):
        defaults = {"rows": 6, "class": "input--textarea"}
        super().__init__({**defaults, **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        from django.urls import reverse
        from django.utils.html import format_html
        from django.utils.http import urlencode

        from .markdown import render_markdown

        attrs = dict(attrs or {})
        preview_id = f"{attrs.get('id') or 'id_' + name}_preview"
        attrs.update(
            {
                "hx-post": f"{reverse('markdown-preview')}?{urlencode({'field': name})}",
                "hx-trigger": f"input changed delay:{self.DELAY_MS}ms",
                "hx-target": f"#{preview_id}",
                "hx-swap": "innerHTML",
                "hx-params": name,
                "hx-sync": "this:replace",
                "aria-controls": preview_id,
            }
        )
        textarea = super().render(name, value, attrs, renderer)
        return format_html(
            '{}<div class="markdown-preview" data-testid="markdown-preview-box">'
            '<span class="markdown-preview__label" aria-hidden="true">Preview</span>'
            '<div class="markdown markdown-preview__body" id="{}" data-swap-refusals '
            'data-testid="markdown-preview" role="region" aria-label="Preview">{}</div></div>',
            textarea,
            preview_id,
            markdown_preview_html(render_markdown(self.format_value(value))),
        )


def markdown_preview_html(rendered):
    """The preview's content: the rendered Markdown, or a hint when there is none."""
    from django.utils.html import format_html

    if rendered:
        return rendered
    return format_html('<p class="muted">{}</p>', "Nothing to preview yet.")
