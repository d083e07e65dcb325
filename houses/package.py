"""The task package (takenpakket) of a house: what the police must deliver there.

``task_package(house)`` is the one computation of it; pages, API and exports all show its
result. It runs a fixed number of queries (one for the published standard's tasks, one for
the house's assignments, one for its variations) whatever the size of the registry.

Standard tasks and variations are matched on role code and task code, so a variation recorded
against an older version of the standard still applies to the same task in the current one;
it is then counted as needing review.

Conformance has one definition, ``conformance_of``: a standard task (core or optional) counts as
delivered as the standard says only when no agreed variation changes it and its role is filled
at the house by an active assignment. Every standard task is exactly one of delivered, varied
(adjusted or omitted by an agreed variation) or vacant (its role is not filled, so nothing of it
is delivered). The share delivered is delivered / standard tasks.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houses.models import Assignment, House, Variation
from roles.models import Role, StandardVersion, Task

#: The version of what a package's summary counts, stored with each summary
#: (``houses.summaries``): raise it with any change to ``build_package`` or ``conformance_of``
#: that changes a summary's figures, so that no stored figure outlives the rule it came from.
SUMMARY_RULES = 1

AS_STANDARD = "standaard"
ADJUSTED = "aangepast"
OMITTED = "weggelaten"
ADDED = "aanvulling"
PHASE_OUT = "afbouw"

#: What a standard task counts as in the conformance figure (``conformance_of``).
DELIVERED = "delivered"
VARIED = "varied"
VACANT = "vacant"

CONFORMANCE_LABELS = {
    DELIVERED: _("Geleverd conform standaard"),
    VARIED: _("Afwijkend (aangepast of weggelaten)"),
    VACANT: _("Niet geleverd: rol vacant"),
}


def is_filling(assignment: Assignment) -> bool:
    """Does this assignment fill its role at the house now (an active assignment)?"""
    return assignment.status == Assignment.Status.ACTIVE


def conformance_of(status: str, role_filled: bool) -> str:
    """What a standard task with package status ``status`` counts as: delivered only when it
    is as the standard says and its role is filled; an omitted or adjusted task is varied; a
    task of a vacant role is not delivered at all (vacant)."""
    if status == OMITTED:
        return VARIED
    if not role_filled:
        return VACANT
    return DELIVERED if status == AS_STANDARD else VARIED


STATUS_LABELS = {
    AS_STANDARD: _("Conform standaard"),
    ADJUSTED: _("Aangepast"),
    OMITTED: _("Weggelaten"),
    ADDED: _("Aanvulling"),
    PHASE_OUT: _("Afbouw"),
}


@dataclass
class PackageTask:
    """One line of the package: a standard task, an addition or a phase-out."""

    role: Role
    status: str
    title: str
    code: str = ""
    task: Task | None = None
    norm: str = ""
    variation: Variation | None = None
    proposed: list[Variation] = field(default_factory=list)
    #: For a standard task: delivered, varied or vacant (``conformance_of``).
    conformance: str = ""

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def conformance_label(self):
        return CONFORMANCE_LABELS.get(self.conformance, "")

    @property
    def delivered(self) -> bool:
        return self.conformance == DELIVERED

    @property
    def kind(self):
        return self.task.kind if self.task else ""

    @property
    def deadline(self) -> datetime.date | None:
        return self.variation.phase_out_by if self.variation else None

    @property
    def overdue(self) -> bool:
        return bool(self.variation and self.variation.is_overdue_on)

    @property
    def needs_review(self) -> bool:
        return bool(self.variation and self.variation.needs_review)


@dataclass
class RolePackage:
    """A role of the standard at this house: its tasks and the assignments that fill it."""

    role: Role
    tasks: list[PackageTask]
    assignments: list[Assignment]

    @property
    def filling(self) -> list[Assignment]:
        return [a for a in self.assignments if is_filling(a)]

    @property
    def vacant(self) -> bool:
        return not self.filling

    @property
    def hours_per_week(self) -> Decimal:
        return sum((a.hours_per_week or Decimal(0) for a in self.filling), Decimal(0))


@dataclass
class ExcludedTask:
    """A task the standard names as not police work, and its local phase-out if any."""

    role: Role
    task: Task
    phase_out: PackageTask | None = None
    proposed: list[Variation] = field(default_factory=list)

    @property
    def deadline(self) -> datetime.date | None:
        return self.phase_out.deadline if self.phase_out else None

    @property
    def overdue(self) -> bool:
        return bool(self.phase_out and self.phase_out.overdue)


@dataclass
class Summary:
    counts: dict[str, int]
    standard_tasks: int
    delivered_as_standard: int
    overdue_phase_outs: int
    needs_review: int
    vacant_roles: int
    proposed: int
    #: Standard tasks changed by an agreed variation (adjusted or omitted) in a filled role,
    #: or omitted.
    varied: int = 0
    #: Standard tasks not delivered because their role is vacant.
    vacant_tasks: int = 0

    @property
    def share_as_standard(self) -> float | None:
        """Share of the standard's tasks delivered as the standard says (0..1), None if none."""
        if not self.standard_tasks:
            return None
        return self.delivered_as_standard / self.standard_tasks

    @property
    def percent_as_standard(self) -> int | None:
        share = self.share_as_standard
        return None if share is None else round(share * 100)


@dataclass
class TaskPackage:
    house: House
    standard: StandardVersion | None
    roles: list[RolePackage]
    additions: list[PackageTask]
    phase_outs: list[PackageTask]
    proposed: list[Variation]
    unmatched: list[Variation]
    summary: Summary
    computed_on: datetime.date
    excluded: list[ExcludedTask] = field(default_factory=list)

    @property
    def vacant_roles(self) -> list[Role]:
        return [rp.role for rp in self.roles if rp.vacant]


def task_package(house: House, *, today: datetime.date | None = None) -> TaskPackage:
    """The task package of ``house`` against the published standard."""
    return task_packages([house], today=today)[house.pk]


def task_packages(houses, *, today: datetime.date | None = None) -> dict[int, TaskPackage]:
    """The task packages of several houses, by house id, in the same fixed number of queries."""
    today = today or timezone.localdate()
    houses = list(houses)
    tasks = list(
        Task.objects.filter(
            role__standard_version__status=StandardVersion.Status.PUBLISHED
        ).select_related("role", "role__standard_version")
    )
    standard = tasks[0].role.standard_version if tasks else StandardVersion.objects.current()
    house_ids = [house.pk for house in houses]
    assignments: dict[int, list[Assignment]] = {pk: [] for pk in house_ids}
    for assignment in (
        Assignment.objects.filter(house_id__in=house_ids)
        .exclude(status=Assignment.Status.ENDED)
        .select_related("role", "police_unit", "district")
    ):
        assignments[assignment.house_id].append(assignment)
    variations: dict[int, list[Variation]] = {pk: [] for pk in house_ids}
    for variation in Variation.objects.filter(
        house_id__in=house_ids, status__in=Variation.OPEN_STATUSES
    ).select_related("role", "task", "standard_version", "agreed_by", "recorded_by", "proposed_by"):
        variations[variation.house_id].append(variation)
    return {
        house.pk: build_package(
            house, standard, tasks, assignments[house.pk], variations[house.pk], today=today
        )
        for house in houses
    }


def build_package(house, standard, tasks, assignments, variations, *, today) -> TaskPackage:
    """Assemble a package from already loaded rows (no queries)."""
    roles: dict[int, Role] = {}
    role_tasks: dict[int, list[Task]] = {}
    for task in tasks:
        roles.setdefault(task.role_id, task.role)
        role_tasks.setdefault(task.role_id, []).append(task)
    ordered_roles = sorted(roles.values(), key=lambda r: (r.position, r.code))
    role_by_code = {role.code: role for role in ordered_roles}

    agreed: dict[tuple[str, str], Variation] = {}
    proposed_by_task: dict[tuple[str, str], list[Variation]] = {}
    additions: list[PackageTask] = []
    phase_outs: list[PackageTask] = []
    proposed: list[Variation] = []
    unmatched: list[Variation] = []
    for variation in sorted(variations, key=lambda v: (v.kind, v.pk or 0)):
        variation.is_overdue_on = variation.overdue_on(today)
        if variation.status not in Variation.OPEN_STATUSES:
            continue  # rejected and ended variations never change the package
        if variation.status == Variation.Status.PROPOSED:
            proposed.append(variation)
            if variation.task_id:
                key = (variation.role.code, variation.task.code)
                proposed_by_task.setdefault(key, []).append(variation)
            continue
        current_role = role_by_code.get(variation.role.code)
        if current_role is None:
            unmatched.append(variation)
            continue
        if variation.kind == Variation.Kind.ADDITION:
            additions.append(
                PackageTask(
                    role=current_role,
                    status=ADDED,
                    title=variation.title,
                    norm=variation.local_norm,
                    variation=variation,
                )
            )
        elif variation.kind == Variation.Kind.PHASE_OUT:
            phase_outs.append(
                PackageTask(
                    role=current_role,
                    status=PHASE_OUT,
                    title=variation.task.title,
                    code=variation.task.code,
                    task=variation.task,
                    norm=variation.task.norm,
                    variation=variation,
                )
            )
        else:
            agreed[(variation.role.code, variation.task.code)] = variation

    assignments_by_role: dict[str, list[Assignment]] = {}
    for assignment in assignments:
        assignments_by_role.setdefault(assignment.role.code, []).append(assignment)

    phase_out_by_task = {(line.role.code, line.code): line for line in phase_outs}
    counts = dict.fromkeys(STATUS_LABELS, 0)
    conformance = dict.fromkeys(CONFORMANCE_LABELS, 0)
    role_packages = []
    excluded: list[ExcludedTask] = []
    standard_tasks = 0
    matched_keys = set()
    for role in ordered_roles:
        lines = []
        role_assignments = assignments_by_role.get(role.code, [])
        filled = any(is_filling(a) for a in role_assignments)
        for task in role_tasks[role.pk]:
            if task.kind == Task.Kind.EXCLUDED:
                excluded.append(
                    ExcludedTask(
                        role=role,
                        task=task,
                        phase_out=phase_out_by_task.get((role.code, task.code)),
                        proposed=proposed_by_task.get((role.code, task.code), []),
                    )
                )
                continue
            key = (role.code, task.code)
            variation = agreed.get(key)
            matched_keys.add(key)
            if variation is None:
                status, norm = AS_STANDARD, task.norm
            elif variation.kind == Variation.Kind.OMISSION:
                status, norm = OMITTED, task.norm
            else:
                status, norm = ADJUSTED, variation.local_norm
            standard_tasks += 1
            counts[status] += 1
            counted_as = conformance_of(status, filled)
            conformance[counted_as] += 1
            lines.append(
                PackageTask(
                    role=role,
                    status=status,
                    title=task.title,
                    code=task.code,
                    task=task,
                    norm=norm,
                    variation=variation,
                    proposed=proposed_by_task.get(key, []),
                    conformance=counted_as,
                )
            )
        role_packages.append(
            RolePackage(
                role=role,
                tasks=lines,
                assignments=sorted(
                    role_assignments,
                    key=lambda a: (a.status != Assignment.Status.ACTIVE, a.pk or 0),
                ),
            )
        )
    unmatched.extend(v for key, v in agreed.items() if key not in matched_keys)
    counts[ADDED] = len(additions)
    counts[PHASE_OUT] = len(phase_outs)

    open_variations = [
        v for v in variations if v.status in Variation.OPEN_STATUSES and v not in unmatched
    ]
    summary = Summary(
        counts=counts,
        standard_tasks=standard_tasks,
        delivered_as_standard=conformance[DELIVERED],
        varied=conformance[VARIED],
        vacant_tasks=conformance[VACANT],
        overdue_phase_outs=sum(1 for line in phase_outs if line.variation.is_overdue_on),
        needs_review=sum(
            1
            for v in open_variations + unmatched
            if standard is None or v.standard_version_id != standard.pk
        ),
        vacant_roles=sum(1 for rp in role_packages if rp.vacant),
        proposed=len(proposed),
    )
    return TaskPackage(
        house=house,
        standard=standard,
        roles=role_packages,
        additions=additions,
        phase_outs=phase_outs,
        proposed=proposed,
        unmatched=unmatched,
        summary=summary,
        computed_on=today,
        excluded=excluded,
    )
