"""Forms ↔ services, shared by every app's pages.

Forms only shape and check input; the rules live in services, which raise Django's
ValidationError (bad input) or ``Conflict`` (the state moved on). A page puts what a
service said back onto the form, so a person sees every problem next to what they typed.
Every edit page runs the same loop — GET shows the form; POST validates it, calls the
service, and redirects on success or shows the form again with the errors (400, or 409
for a conflict) — and ``handle_form`` is that loop. A new app's edit view::

    from meshportal.forms import form_status, handle_form

    def save(form):
        return services.thing_update(acting_user=request.user, thing=thing, **form.service_kwargs())

    def saved(thing):
        messages.success(request, f"“{thing.name}” saved.")
        return redirect("thing-detail", pk=thing.pk)

    form = ThingForm(request.POST or None, initial=...)
    return form_page(request, form, save, saved, "myapp/thing_form.html", {"thing": thing})

(``form_page`` is ``handle_form`` or the form rendered again at ``form_status``; a page
that draws more than the form calls the two itself.)

A button with no fields (accept, revoke, retry) is ``handle_action``: the service's
refusal or its success becomes a message on the page the person goes back to. When the
service takes just the acting user and the object, ``service_action`` says so in one
line::

    return service_action(request, services.thing_archive, "Archived.", back, thing=thing)

``ServiceFormMixin.service_kwargs()`` is the one form→service adapter: by default the
form's cleaned data; a form whose fields are not the service's keywords overrides it.
"""

from collections.abc import Callable, Iterable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from .exceptions import Conflict


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


def markdown_field(*, rows: int, about: str = "", help_text: str | None = None) -> forms.CharField:
    """An optional Markdown text (a description) with its live preview. Its help says
    what to write (``about``) and then how (``MARKDOWN_HINT``), unless ``help_text``
    replaces both."""
    if help_text is None:
        help_text = f"{about} {MARKDOWN_HINT}" if about else MARKDOWN_HINT
    return forms.CharField(
        required=False, widget=MarkdownTextarea(attrs={"rows": rows}), help_text=help_text
    )


def markdown_preview_html(rendered):
    """The preview's content: the rendered Markdown, or a hint when there is none."""
    from django.utils.html import format_html

    if rendered:
        return rendered
    return format_html('<p class="muted">{}</p>', "Nothing to preview yet.")


def handle_form(
    request,
    form,
    save: Callable,
    done: Callable,
    *,
    attach: Callable | None = None,
    also: Iterable = (),
):
    """The edit page's POST: when ``form`` (and every form or formset in ``also``) is
    valid, ``save(form)`` calls the service and ``done(result)`` answers (a redirect with
    a message). Returns None when the page should show the form again: a GET, invalid
    input, or a service that refused — its ValidationError is put on the form by
    ``attach(form, error)`` (default ``attach_service_errors``), a Conflict becomes a
    non-field error and the page answers 409 (``form_status``)."""
    if request.method != "POST":
        return None
    valid = [f.is_valid() for f in (form, *also)]  # each one, so every error shows
    if not all(valid):
        return None
    try:
        result = save(form)
    except ValidationError as error:
        (attach or attach_service_errors)(form, error)
        return None
    except Conflict as error:
        _add_non_field_error(form, error.message)
        form.conflict = error
        return None
    return done(result)


def form_status(*forms_) -> int:
    """The status of a page that shows a form again: 409 when the service answered a
    Conflict, 400 when a submitted form or formset has errors, else 200 — the one rule
    every page uses."""
    if any(getattr(f, "conflict", None) for f in forms_):
        return 409
    if any(f is not None and f.is_bound and not f.is_valid() for f in forms_):
        return 400
    return 200


def form_page(
    request, form, save: Callable, done: Callable, template: str, context=None, **options
):
    """A whole edit page: ``handle_form(request, form, save, done, **options)``, or else
    ``template`` with the form (as ``form``) and ``context``, answered at
    ``form_status`` of the form and of any formsets in ``options["also"]``."""
    return handle_form(request, form, save, done, **options) or render(
        request,
        template,
        {"form": form, **(context or {})},
        status=form_status(form, *options.get("also", ())),
    )


def success_redirect(request, message, to):
    """The usual ``done`` of an edit page: a success ``message`` (text, or a function of
    the service's result), then a redirect to ``to`` — a view name taking the result's
    ``pk``, or a function of the result that returns a URL."""

    def done(result):
        messages.success(request, message(result) if callable(message) else message)
        return redirect(to(result) if callable(to) else reverse(to, args=[result.pk]))

    return done


def _add_non_field_error(form, message: str) -> None:
    if hasattr(form, "add_error"):
        form.add_error(None, message)
    else:  # a formset
        form._non_form_errors = form.error_class([*form.non_form_errors(), message])


def handle_action(request, act: Callable, done: Callable, back: str):
    """A page's POST action without a form: ``act()`` calls the service and
    ``done(result)`` says what happened (a success message); a Conflict (the state moved
    on) becomes a warning and a ValidationError an error instead. Then back to ``back``
    (a URL), where the message shows."""
    try:
        result = act()
    except Conflict as error:
        messages.warning(request, error.message)
    except ValidationError as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(request, done(result))
    return redirect(back)


def service_action(request, service: Callable, done, back: str, **objects):
    """``handle_action`` for the usual button: ``service(acting_user=request.user,
    **objects)``. ``done`` is the success message, or a function of the service's result
    that returns it."""
    return handle_action(
        request,
        lambda: service(acting_user=request.user, **objects),
        done if callable(done) else (lambda _: done),
        back,
    )
