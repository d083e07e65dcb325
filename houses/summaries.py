"""Per-house conformance figures kept in the database, so national totals cost the same at any size.

The dashboard's conformance per eenheid covers every house its filters select, while its matrix
shows one page of them. The figures are the houses' task-package summaries
(``houses.package.Summary``), one row per house (``houses.models.HouseSummary``), summed per
eenheid by one aggregate query (``unit_totals``).

A row is stamped with the revisions it was computed at: the shared counter and its house's own
(``registry.lib.cache``), the same revisions the per-house pieces key on, and the version of the
rules it was computed by (``houses.package.SUMMARY_RULES``). ``refresh`` first finds, in one
query, the rows a write has made stale (or the date: an agreed phase-out becomes overdue the
day after its deadline; or a release: other rules) and recomputes only those, in batches. So
after a write to one house one row is computed again; after a shared write (the standard, an
eenheid, a user) every row is, by the first read that needs them.

Two readers may refresh the same house at once, each from what it read. The upsert never
replaces a row by one computed at an older registry-wide revision (read in the same statement
as the house's own counters, and unlike those comparable even when the house's code, and so
its counter, changed in between), so a slow reader cannot put figures from before a write
back after a faster one stored those from after it. A row stamped beyond the registry-wide
counter comes from another database (copied in by hand: backups leave the rows out) and is
always replaced.
"""

from __future__ import annotations

import datetime
import functools

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, F, Q, Sum

from houses.models import HouseSummary
from houses.package import ADDED, PHASE_OUT, SUMMARY_RULES, Summary, TaskPackage, task_packages
from houses.pieces import SUMMARY_FIELDS, ListedHouse, listed_houses
from registry.lib.cache import COUNTER_PK
from registry.models import ChangeCounter

#: Houses whose packages are computed together (three queries each batch).
BATCH = 250

#: The figures of a row besides its key and stamps, as ``houses.package.Summary`` names them
#: (``additions`` and ``phase_outs`` are its ``counts``).
FIGURES = [*SUMMARY_FIELDS, "additions", "phase_outs"]
COLUMNS = [
    "house",
    "rules",
    "shared_revision",
    "house_revision",
    "revision",
    "computed_on",
    "valid_until",
    *FIGURES,
]
#: What orders two computations of one house by the same rules: the registry-wide counter,
#: then the day.
ORDER = ["revision", "computed_on"]


def stale_houses(queryset, *, today: datetime.date) -> list[ListedHouse]:
    """The houses of ``queryset`` without a current summary for ``today`` (one query)."""
    return listed_houses(
        queryset.order_by("pk"),
        where=Q(summary__isnull=True)
        | ~Q(summary__rules=SUMMARY_RULES)
        | Q(summary__computed_on__gt=today)
        | Q(summary__valid_until__lte=today)
        | ~Q(summary__shared_revision=F("cache_shared_revision"))
        | ~Q(summary__house_revision=F("cache_house_revision"))
        | Q(summary__revision__gt=F("cache_revision")),
    )


def refresh(queryset, *, today: datetime.date) -> int:
    """Make the summaries of the houses of ``queryset`` current for ``today``; returns how many
    were computed."""
    stale = stale_houses(queryset, today=today)
    for start in range(0, len(stale), BATCH):
        batch = stale[start : start + BATCH]
        packages = task_packages([house.as_house() for house in batch], today=today)
        store([row_of(house, packages[house.pk], today) for house in batch])
    return len(stale)


def row_of(house: ListedHouse, package: TaskPackage, today: datetime.date) -> list:
    """The values of ``COLUMNS`` for ``house``, from its package computed for ``today``."""
    summary = package.summary
    # The overdue count holds until the first phase-out not yet overdue becomes overdue.
    upcoming = [
        line.variation.overdue_from
        for line in package.phase_outs
        if line.variation.phase_out_by is not None and not line.overdue
    ]
    valid_until = min(upcoming) if upcoming else None
    return [
        house.pk,
        SUMMARY_RULES,
        house.cache_shared_revision,
        house.cache_house_revision,
        house.cache_revision,
        today,
        valid_until,
        *(getattr(summary, name) for name in SUMMARY_FIELDS),
        summary.counts.get(ADDED, 0),
        summary.counts.get(PHASE_OUT, 0),
    ]


def store(rows: list[list], using: str = DEFAULT_DB_ALIAS) -> None:
    """Insert or update ``rows`` (values of ``COLUMNS``), ordered by house so that concurrent
    refreshes lock rows in one order, in as few statements as the database takes parameters;
    a stored row is replaced only by one computed at a newer registry-wide revision or at the
    same one on a later day, by one computed by other rules (a release or its rollback: each
    version finds the other's rows stale), or when it is stamped beyond the registry-wide
    counter (copied from another database)."""
    connection = connections[using]
    ops = connection.ops
    dates = {COLUMNS.index("computed_on"), COLUMNS.index("valid_until")}
    per_statement = max(1, (connection.features.max_query_params or 10_000) // len(COLUMNS))
    ordered = sorted(rows, key=lambda row: row[0])
    for start in range(0, len(ordered), per_statement):
        chunk = ordered[start : start + per_statement]
        params = [
            ops.adapt_datefield_value(value) if index in dates else value
            for row in chunk
            for index, value in enumerate(row)
        ]
        with connection.cursor() as cursor:
            cursor.execute(_store_sql(using, len(chunk)), [*params, COUNTER_PK])


@functools.cache
def _store_sql(using: str, rows: int) -> str:
    qn = connections[using].ops.quote_name
    meta = HouseSummary._meta
    table = qn(meta.db_table)
    columns = [qn(meta.get_field(name).column) for name in COLUMNS]
    key, updated = columns[0], columns[1:]
    stamps = [qn(meta.get_field(name).column) for name in ORDER]
    revision = qn(meta.get_field("revision").column)
    rules = qn(meta.get_field("rules").column)
    counter = ChangeCounter._meta
    current = (
        f"COALESCE((SELECT {qn(counter.get_field('value').column)} "  # noqa: S608
        f"FROM {qn(counter.db_table)} WHERE {qn(counter.pk.column)} = %s), 0)"
    )
    one_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    # Built from the models' own table and column names; the values are parameters.
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608
        + ", ".join([one_row] * rows)
        + f" ON CONFLICT ({key}) DO UPDATE SET "
        + ", ".join(f"{column} = EXCLUDED.{column}" for column in updated)
        + f" WHERE ({', '.join(f'{table}.{column}' for column in stamps)})"
        + f" < ({', '.join(f'EXCLUDED.{column}' for column in stamps)})"
        + f" OR {table}.{rules} <> EXCLUDED.{rules}"
        + f" OR {table}.{revision} > {current}"
    )


def unit_totals(queryset) -> dict[int, tuple[int, Summary]]:
    """Per eenheid id: how many houses of ``queryset`` it has and their summaries summed, in one
    query. Call ``refresh`` first."""
    rows = (
        HouseSummary.objects.filter(house__in=queryset.order_by().values("pk"))
        .values("house__police_unit_id")
        .annotate(houses=Count("pk"), **{name: Sum(name) for name in FIGURES})
        .order_by()
    )
    totals = {}
    for row in rows:
        figures = {name: row[name] or 0 for name in SUMMARY_FIELDS}
        counts = {ADDED: row["additions"] or 0, PHASE_OUT: row["phase_outs"] or 0}
        totals[row["house__police_unit_id"]] = (row["houses"], Summary(counts=counts, **figures))
    return totals
