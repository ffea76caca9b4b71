"""Colours on the choices, as NetBox's ChoiceSet carries one per value.

Every status-like enum names the colour family of each of its values where it is
defined; ``{% badge value %}`` (meshportal/templatetags/portal.py) renders any of them,
and the stylesheet defines ``.badge--<colour>``. A new app's enum::

    from meshportal.choices import with_colors

    @with_colors({"PENDING": "info", "APPROVED": "success", "REJECTED": "muted"})
    class RequestStatus(models.TextChoices):
        PENDING = "PENDING", "Pending"
        ...

Colours are looked up by value alone (a template holds the plain string the model
stores), so one value has one colour across the portal: registering a value twice with
two colours is an error at import time.
"""

from types import MappingProxyType

from django.core.exceptions import ImproperlyConfigured

DEFAULT_COLOR = "muted"

# Every registered value → its colour family.
_COLORS: dict[str, str] = {}


def with_colors(colors: dict[str, str]):
    """Class decorator: ``Choices.colors`` (value → colour) and ``member.color``."""

    def decorate(choices):
        unknown = set(colors) - set(choices.values)
        if unknown:
            raise ImproperlyConfigured(f"{choices.__name__} has no values {sorted(unknown)}")
        for value, color in colors.items():
            if _COLORS.setdefault(value, color) != color:
                raise ImproperlyConfigured(
                    f"{value} is {_COLORS[value]} elsewhere, not {color} ({choices.__name__})"
                )
        choices.colors = MappingProxyType(dict(colors))
        choices.color = property(lambda member: choices.colors.get(member.value, DEFAULT_COLOR))
        return choices

    return decorate


def color_of(value) -> str:
    """The colour family of any registered enum value (``muted`` for anything else)."""
    return _COLORS.get(str(value), DEFAULT_COLOR)
