"""National views built from per-house pieces, so that a write to one house recomputes one piece.

A piece is what the dashboard and the matrix export need of one house: its matrix row as the
dashboard's HTML and as the export's cells, and its conformance summary. Each piece is cached
(``registry.lib.cache.cached_each``) under the house's own revision and the shared revision,
read together with the houses themselves (``with_revisions``: no extra query), so after a write
to one house only its piece is computed again (three queries, ``task_packages``), whatever the
number of houses. A piece holds nothing that depends on the user; its key holds the language
and the day (overdue flags).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from houses.exports import matrix_table
from houses.models import House, PoliceUnit
from houses.overview import matrix
from houses.package import ADDED, PHASE_OUT, Summary, task_packages
from registry.lib.cache import COUNTER_PK, SHARED, cached_each, house_scope, scope_label
from registry.models import ChangeCounter, ScopeCounter

ROW_TEMPLATE = "registry/includes/dashboard_matrix_row.html"


#: What a piece keeps of a house's summary (``houses.package.Summary``), in this order.
SUMMARY_FIELDS = [
    "standard_tasks",
    "delivered_as_standard",
    "varied",
    "vacant_tasks",
    "overdue_phase_outs",
    "needs_review",
    "vacant_roles",
    "proposed",
]


@dataclass
class HousePiece:
    """One house's part of the national views. Stored as a plain tuple (``stored``): a
    thousand of them are read for every national view, and plain values unpickle fastest."""

    row_html: str
    table_row: list
    summary: Summary
    roles: list[tuple[str, str]]

    @property
    def html(self) -> SafeString:
        return mark_safe(self.row_html)  # noqa: S308 - rendered from our own template, autoescaped

    def stored(self) -> tuple:
        summary = self.summary
        return (
            self.row_html,
            self.table_row,
            tuple(getattr(summary, name) for name in SUMMARY_FIELDS),
            (summary.counts.get(ADDED, 0), summary.counts.get(PHASE_OUT, 0)),
            self.roles,
        )

    @classmethod
    def from_stored(cls, stored: tuple) -> HousePiece:
        row_html, table_row, figures, (additions, phase_outs), roles = stored
        summary = Summary(
            counts={ADDED: additions, PHASE_OUT: phase_outs},
            **dict(zip(SUMMARY_FIELDS, figures, strict=True)),
        )
        return cls(row_html, table_row, summary, roles)


@dataclass
class ListedHouse:
    """A house as the national lists read it (no model instance: a thousand of them are
    listed for every national view); ``as_house()`` gives what a piece is computed from."""

    pk: int
    code: str
    name: str
    safety_region: str
    framework_status: str
    police_unit_id: int
    police_unit_code: str
    police_unit_name: str
    cache_house_revision: int
    cache_shared_revision: int
    #: The registry-wide counter, read in the same statement: orders two computations of one
    #: house even when its code (and so its own counter) changed in between.
    cache_revision: int

    def as_house(self) -> House:
        house = House(
            pk=self.pk,
            code=self.code,
            name=self.name,
            safety_region=self.safety_region,
            framework_status=self.framework_status,
            police_unit_id=self.police_unit_id,
        )
        house.police_unit = PoliceUnit(
            pk=self.police_unit_id, code=self.police_unit_code, name=self.police_unit_name
        )
        return house


LISTED_FIELDS = [
    "pk",
    "code",
    "name",
    "safety_region",
    "framework_status",
    "police_unit_id",
    "police_unit__code",
    "police_unit__name",
    "cache_house_revision",
    "cache_shared_revision",
    "cache_revision",
]


def with_revisions(queryset):
    """Houses annotated with the revisions their pieces and summaries key on, read in the same
    query."""
    house_revision = ScopeCounter.objects.filter(
        scope=Concat(Value(house_scope("")), OuterRef("code"))
    ).values("value")[:1]
    shared_revision = ScopeCounter.objects.filter(scope=SHARED).values("value")[:1]
    revision = ChangeCounter.objects.filter(pk=COUNTER_PK).values("value")[:1]
    return queryset.annotate(
        cache_house_revision=Coalesce(Subquery(house_revision), Value(0)),
        cache_shared_revision=Coalesce(Subquery(shared_revision), Value(0)),
        cache_revision=Coalesce(Subquery(revision), Value(0)),
    )


def listed_houses(queryset, *, where=None, start=None, end=None) -> list[ListedHouse]:
    """The houses of ``queryset`` (filtered, ordered) with their revisions, in one query;
    ``where`` may filter on the revisions, ``start`` and ``end`` slice the result."""
    houses = with_revisions(queryset)
    if where is not None:
        houses = houses.filter(where)
    return [ListedHouse(*values) for values in houses.values_list(*LISTED_FIELDS)[start:end]]


def house_pieces(houses: list[ListedHouse], *, today: datetime.date) -> list[HousePiece]:
    """The pieces of ``houses`` (from ``listed_houses``), in the same order."""
    language = translation.get_language()
    stored = cached_each(
        list(houses),
        lambda house: ["house-piece", house.pk, language, today],
        lambda house: scope_label(house.cache_shared_revision, house.cache_house_revision),
        lambda missing: [
            piece.stored()
            for piece in compute_pieces([house.as_house() for house in missing], today=today)
        ],
    )
    return [HousePiece.from_stored(value) for value in stored]


def compute_pieces(houses, *, today) -> list[HousePiece]:
    rows = matrix(houses, task_packages(houses, today=today))
    _header, table = matrix_table(rows)
    return [
        HousePiece(
            row_html=str(render_to_string(ROW_TEMPLATE, {"row": row})),
            table_row=[cell if isinstance(cell, int) else str(cell) for cell in table_row],
            summary=row.package.summary,
            roles=[(cell.role_code, cell.role_name) for cell in row.cells],
        )
        for row, table_row in zip(rows, table, strict=True)
    ]


def filter_query(filterset, names) -> QueryDict | None:
    """The filters of ``filterset`` that decide a page's content, as a canonical query (known
    filters only, in a fixed order), or None when a value is invalid (such a page is not
    cached). Unknown parameters are left out, so they never make another cache entry."""
    if not filterset.is_bound:
        return QueryDict()
    if not filterset.form.is_valid():
        return None
    query = QueryDict(mutable=True)
    for name in names:
        values = [value for value in filterset.data.getlist(name) if value != ""]
        if values:
            query.setlist(name, values)
    return query
