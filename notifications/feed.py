"""Reading the change feed in order, without skipping or repeating an event.

Events are ordered by (writing transaction, id). An id alone is not enough on PostgreSQL: a
transaction that took a lower id can commit after one with a higher id, and a client that had
already moved its cursor past the higher one would never see it. So the feed serves an event
only when its transaction id lies below the oldest transaction still running (taken from the
statement's own snapshot, ``pg_current_snapshot()``): every event served is committed, and every
event that becomes visible later belongs to a transaction that is newer, so it sorts after the
cursor. A long transaction delays the feed by as long as it runs; it never loses an event.

On SQLite writes are serialized, the transaction id is 0 for every event and the id alone orders
the feed.
"""

from __future__ import annotations

import re

from django.db import connections
from django.db.models import Q
from django.db.models.expressions import RawSQL

from notifications.models import Event

CURSOR = re.compile(r"^(\d{1,19})-(\d{1,19})$")
MAX_BIGINT = 2**63 - 1

# The oldest transaction, other than the reader's own, that may still be running at the
# statement's snapshot: the lowest listed as running, or the snapshot's xmax (every transaction
# from there on may still be running). The reader's own events are visible to it; they are
# served only when no other transaction below its own may still be running.
VISIBLE_BELOW = """(
    SELECT CASE WHEN bound = own THEN bound + 1 ELSE bound END
    FROM (
        SELECT
            LEAST(
                pg_snapshot_xmax(s)::text::bigint,
                (SELECT MIN(x::text::bigint) FROM pg_snapshot_xip(s) AS x
                 WHERE x IS DISTINCT FROM pg_current_xact_id_if_assigned())
            ) AS bound,
            pg_current_xact_id_if_assigned()::text::bigint AS own
        FROM pg_current_snapshot() AS s
    ) AS snapshot
)"""


def parse_cursor(value: str) -> tuple[int, int] | None:
    match = CURSOR.match(value or "")
    if not match:
        return None
    txid, pk = int(match.group(1)), int(match.group(2))
    if txid > MAX_BIGINT or pk > MAX_BIGINT:
        return None
    return txid, pk


def visible_events(queryset=None, using: str = "default"):
    """Events whose transaction has ended (all of them where writes are serialized)."""
    queryset = Event.objects.using(using).all() if queryset is None else queryset
    if connections[queryset.db].vendor == "postgresql":
        queryset = queryset.filter(transaction_id__lt=RawSQL(VISIBLE_BELOW, []))  # noqa: S611 - constant SQL
    return queryset.order_by("transaction_id", "id")


def after(queryset, cursor: tuple[int, int] | None):
    if cursor is None:
        return queryset
    txid, pk = cursor
    return queryset.filter(Q(transaction_id__gt=txid) | Q(transaction_id=txid, id__gt=pk))


def page(queryset, cursor: tuple[int, int] | None, size: int) -> list[Event]:
    """The next ``size`` events after ``cursor``, in feed order (one query)."""
    return list(after(visible_events(queryset), cursor)[:size])
