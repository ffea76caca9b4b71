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
