"""Database errors that pass: a deadlock, a serialization failure, a connection lost while the
database restarts. The request changed nothing (its transaction was rolled back) and may simply
be sent again, so the answer is 503 with ``Retry-After`` (API and pages), never a bare 500."""

from django.conf import settings
from django.db import InterfaceError, OperationalError


def is_transient(exc) -> bool:
    """Is ``exc`` a database error that a retry of the same request can overcome?"""
    return isinstance(exc, OperationalError | InterfaceError)


def retry_after() -> str:
    """Seconds after which a client may try again (``Retry-After``)."""
    return str(settings.RETRY_AFTER_SECONDS)
