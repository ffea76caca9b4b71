"""Enumerations of the glossary app."""

from meshportal.choices import ChoiceSet


class GlossaryStatus(ChoiceSet):
    """Whether a glossary, a term or a form type is offered (disabled ones are kept)."""

    ENABLED = "ENABLED", "Enabled"
    DISABLED = "DISABLED", "Disabled"


class FieldType(ChoiceSet):
    STRING = "STRING", "Text (one line)"
    TEXT = "TEXT", "Text (several lines)"
    BOOLEAN = "BOOLEAN", "Yes / no"
    INTEGER = "INTEGER", "Whole number"
    DECIMAL = "DECIMAL", "Decimal number"
    DATE = "DATE", "Date"
    EMAIL = "EMAIL", "Email address"
    URL = "URL", "Web address"
    GLOSSARY_TERM = "GLOSSARY_TERM", "Glossary term"


# The old name, kept while other branches still import it.
Status = GlossaryStatus
