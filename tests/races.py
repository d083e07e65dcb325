"""What the race tests share: they need PostgreSQL, and they start real threads together."""

import threading

import pytest
from django.db import connection


def needs_postgresql(why: str):
    """Skip on any other database: SQLite serialises whole-database writes."""
    return pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=f"needs PostgreSQL: {why} (run with DATABASE_URL=postgres://...)",
    )


ROW_LOCKS = "real concurrent transactions with row locks"


def start_and_join(threads: list[threading.Thread], timeout: float = 60) -> None:
    """Start ``threads``, wait for all of them, and fail if one is still running."""
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads)
