"""Form types as the tests write them: ``field(…)`` specs for ``FormTypeFactory(fields=[…])``,
the fields the tests share, and the "Data owner" form most publishing tests fill in."""

from glossary.choices import FieldType


def field(name: str, label: str, type=FieldType.STRING, **options) -> dict:
    """One field of ``FormTypeFactory(fields=[…])``."""
    return {"name": name, "label": label, "type": type, **options}


OWNER_EMAIL = field("owner_email", "Owner email", FieldType.EMAIL, required=True)
LAST_AUDIT = field("last_audit", "Last audit date", FieldType.DATE, required=True)
CONTACT = field("contact", "Contact", FieldType.EMAIL)


def data_owner(project, *fields, **kwargs):
    """The "Data owner" form type of ``project`` with ``fields`` (``field`` specs)."""
    from tests.glossary.factories import FormTypeFactory

    return FormTypeFactory(owning_project=project, name="Data owner", fields=list(fields), **kwargs)
