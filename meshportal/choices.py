"""Colours on the choices, as NetBox's ChoiceSet carries one per value.

Every status-like enum names the colour family of each of its values where it is
defined, as a third item after the label; ``{% badge value %}``
(meshportal/templatetags/portal.py) renders any of them, and the stylesheet defines
``.badge--<colour>``. A new app's enum::

    from meshportal.choices import ChoiceSet

    class RequestStatus(ChoiceSet):
        PENDING = "PENDING", "Pending", "info"
        APPROVED = "APPROVED", "Approved", "success"
        WITHDRAWN = "WITHDRAWN", "Withdrawn"  # no colour: muted

Colours are looked up by value alone (a template holds the plain string the model
stores), so one value has one colour across the portal: registering a value twice with
two colours is an error at import time.
"""

from types import MappingProxyType

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.enums import ChoicesType

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


class ChoiceSetType(ChoicesType):
    """Takes each member's colour (a third item after the label) off before Django's
    ``ChoicesType`` reads value and label, then registers the colours as ``with_colors``."""

    def __new__(metacls, classname, bases, classdict, **kwds):
        colors = {}
        for key in classdict._member_names:
            member = classdict[key]
            if isinstance(member, tuple) and len(member) == 3:
                value, label, colors[value] = member
                # As Django does: plain dict assignment, enum's own refuses a second one.
                dict.__setitem__(classdict, key, (value, label))
        return with_colors(colors)(super().__new__(metacls, classname, bases, classdict, **kwds))


class ChoiceSet(models.TextChoices, metaclass=ChoiceSetType):
    """``TextChoices`` whose members may carry their colour: ``NAME = value, label, colour``.

    A member without one is ``muted`` (DEFAULT_COLOR) and is not registered, so the same
    value may have a colour in another enum.
    """
