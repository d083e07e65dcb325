"""The English pages keep the registry's date style: "31 October 2026" in text, "31-10-2026"
in tables and forms, so a date typed in one language is read the same in the other."""

from registry.formats.nl.formats import (  # noqa: F401
    DATE_INPUT_FORMATS,
    DATETIME_INPUT_FORMATS,
    FIRST_DAY_OF_WEEK,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
)

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y H:i"
