"""National overviews built from task packages: the houses × roles matrix and conformance.

Everything here reads the result of ``houses.package.task_packages`` and runs no queries of
its own, so the dashboard, the comparison and the exports show the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from houses.models import House, PoliceUnit
from houses.package import ADDED, AS_STANDARD, PHASE_OUT, Summary, TaskPackage
from roles.models import Presence

FILLED = "filled"
VACANT = "vacant"

PRESENCE_SHORT = {
    Presence.CASE_MEETINGS: _("Alleen casusoverleg"),
    Presence.PART_TIME: _("Deeltijd"),
    Presence.FULL_TIME: _("Fulltime"),
}


@dataclass
class MatrixCell:
    """One house and one role: is the role filled (and how), vacant, or varied?"""

    role_code: str
    role_name: str
    presences: list[str]
    hours: object
    deviations: int
    proposed: int

    @property
    def state(self) -> str:
        return FILLED if self.presences else VACANT

    @property
    def presence_labels(self) -> list[str]:
        return [str(PRESENCE_SHORT.get(p, p)) for p in self.presences]

    @property
    def text(self) -> str:
        """The cell as plain text (exports)."""
        parts = [", ".join(self.presence_labels) if self.presences else str(_("Vacant"))]
        if self.deviations:
            parts.append(
                ngettext("%(n)s afwijking", "%(n)s afwijkingen", self.deviations)
                % {"n": self.deviations}
            )
        if self.proposed:
            parts.append(
                ngettext("%(n)s voorstel", "%(n)s voorstellen", self.proposed)
                % {"n": self.proposed}
            )
        return "; ".join(parts)


@dataclass
class MatrixRow:
    house: House
    package: TaskPackage
    cells: list[MatrixCell]


def matrix(houses, packages: dict[int, TaskPackage]) -> list[MatrixRow]:
    """One row per house, one cell per role of the published standard."""
    rows = []
    for house in houses:
        package = packages[house.pk]
        deviations: dict[str, int] = {}
        for rp in package.roles:
            deviations[rp.role.code] = sum(1 for line in rp.tasks if line.status != AS_STANDARD)
        for line in package.additions + package.phase_outs:
            deviations[line.role.code] = deviations.get(line.role.code, 0) + 1
        proposed: dict[str, int] = {}
        for variation in package.proposed:
            proposed[variation.role.code] = proposed.get(variation.role.code, 0) + 1
        cells = []
        for rp in package.roles:
            presences = []
            for assignment in rp.filling:
                if assignment.presence not in presences:
                    presences.append(assignment.presence)
            cells.append(
                MatrixCell(
                    role_code=rp.role.code,
                    role_name=rp.role.name,
                    presences=presences,
                    hours=rp.hours_per_week,
                    deviations=deviations.get(rp.role.code, 0),
                    proposed=proposed.get(rp.role.code, 0),
                )
            )
        rows.append(MatrixRow(house=house, package=package, cells=cells))
    return rows


@dataclass
class UnitConformance:
    unit: PoliceUnit
    houses: int = 0
    standard_tasks: int = 0
    as_standard: int = 0
    varied: int = 0
    vacant_tasks: int = 0
    deviations: int = 0
    vacant_roles: int = 0
    overdue: int = 0
    house_list: list[House] = field(default_factory=list)

    def add(self, summary, houses: int = 1) -> None:
        """Count ``houses`` whose task-package summaries sum to ``summary``."""
        self.houses += houses
        self.standard_tasks += summary.standard_tasks
        self.as_standard += summary.delivered_as_standard
        self.varied += summary.varied
        self.vacant_tasks += summary.vacant_tasks
        self.deviations += summary.varied + summary.counts[ADDED] + summary.counts[PHASE_OUT]
        self.vacant_roles += summary.vacant_roles
        self.overdue += summary.overdue_phase_outs

    @property
    def share(self) -> float | None:
        if not self.standard_tasks:
            return None
        return self.as_standard / self.standard_tasks

    @property
    def percent(self) -> int | None:
        share = self.share
        return None if share is None else round(share * 100)


def conformance_from_totals(units, totals: dict[int, tuple[int, Summary]], houses=()):
    """Per eenheid of ``units``: how many standard tasks its houses deliver as the standard
    says (the definition of ``houses.package.conformance_of``: a task of a vacant role is not
    delivered), from per-eenheid totals of their summaries (``houses.summaries.unit_totals``);
    ``houses`` fill each eenheid's list of houses."""
    result = {unit.pk: UnitConformance(unit=unit) for unit in units}
    for unit_id, (count, summary) in totals.items():
        if unit_id in result:
            result[unit_id].add(summary, houses=count)
    for house in houses:
        if house.police_unit_id in result:
            result[house.police_unit_id].house_list.append(house)
    return list(result.values())
