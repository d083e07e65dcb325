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
from houses.overview import matrix
from houses.package import Summary, task_packages
from registry.lib.cache import SHARED, cached_each, house_scope, scope_label
from registry.models import ScopeCounter

ROW_TEMPLATE = "registry/includes/dashboard_matrix_row.html"


@dataclass
class HousePiece:
    row_html: str
    table_row: list
    summary: Summary
    roles: list[tuple[str, str]]

    @property
    def html(self) -> SafeString:
        return mark_safe(self.row_html)  # noqa: S308 - rendered from our own template, autoescaped


@dataclass
class SummaryOnly:
    """What ``conformance_by_unit`` reads of a task package."""

    summary: Summary


def with_revisions(queryset):
    """Houses annotated with the revisions their pieces key on, read in the same query."""
    house_revision = ScopeCounter.objects.filter(
        scope=Concat(Value(house_scope("")), OuterRef("code"))
    ).values("value")[:1]
    shared_revision = ScopeCounter.objects.filter(scope=SHARED).values("value")[:1]
    return queryset.annotate(
        cache_house_revision=Coalesce(Subquery(house_revision), Value(0)),
        cache_shared_revision=Coalesce(Subquery(shared_revision), Value(0)),
    )


def house_pieces(houses, *, today: datetime.date) -> list[HousePiece]:
    """The pieces of ``houses`` (annotated by ``with_revisions``), in the same order."""
    language = translation.get_language()
    return cached_each(
        list(houses),
        lambda house: ["house-piece", house.pk, language, today],
        lambda house: scope_label(house.cache_shared_revision, house.cache_house_revision),
        lambda missing: compute_pieces(missing, today=today),
    )


def compute_pieces(houses, *, today) -> list[HousePiece]:
    rows = matrix(houses, task_packages(houses, today=today))
    _header, table = matrix_table(rows)
    return [
        HousePiece(
            row_html=str(render_to_string(ROW_TEMPLATE, {"row": row})),
            table_row=[str(cell) if not isinstance(cell, int) else cell for cell in table_row],
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
