"""Property tests: no combination of standard, variations and assignments crashes the task
package or the variation rules, or breaks what they promise.

Both run on unsaved objects (no database), so hundreds of examples take a few seconds.
"""

import datetime
from collections import Counter

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from houses.exports import matrix_table
from houses.models import TRANSITIONS, Assignment, House, PoliceUnit, Variation, add_years
from houses.overview import UnitConformance, matrix
from houses.package import (
    ADDED,
    ADJUSTED,
    AS_STANDARD,
    DELIVERED,
    OMITTED,
    PHASE_OUT,
    VACANT,
    VARIED,
    build_package,
)
from houses.serializers import PackageSummarySerializer
from roles.models import Presence, Role, StandardVersion, Task

TODAY = datetime.date(2025, 6, 15)
PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

KINDS = list(Variation.Kind.values)
STATUSES = list(Variation.Status.values)
TASK_KINDS = list(Task.Kind.values)
dates = st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2030, 12, 31))
texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


# The task package ------------------------------------------------------------------------


@st.composite
def registries(draw):
    """A published standard (and an older one), a house, its assignments and variations."""
    current = StandardVersion(pk=2, version="2.0", status=StandardVersion.Status.PUBLISHED)
    older = StandardVersion(pk=1, version="1.0", status=StandardVersion.Status.SUPERSEDED)
    role_codes = draw(
        st.lists(st.sampled_from(["a", "b", "c"]), min_size=0, max_size=3, unique=True)
    )
    roles, tasks = [], []
    for index, code in enumerate(role_codes):
        role = Role(
            pk=10 + index,
            standard_version=current,
            code=code,
            name=f"Rol {code}",
            position=draw(st.integers(0, 3)),
        )
        roles.append(role)
        kinds = draw(st.lists(st.sampled_from(TASK_KINDS), max_size=5))
        for number, kind in enumerate(kinds):
            tasks.append(
                Task(
                    pk=100 * (index + 1) + number,
                    role=role,
                    code=f"t{number}",
                    title=f"Taak {code}{number}",
                    kind=kind,
                    norm="wekelijks",
                )
            )
    # Roles of the older version, with codes that may or may not still exist.
    old_roles = [
        Role(pk=50 + i, standard_version=older, code=code, name=code, position=0)
        for i, code in enumerate(["a", "b", "x"])
    ]
    old_tasks = [
        Task(pk=900 + i, role=role, code=f"t{i % 3}", title="Oud", kind=kind, norm="oud")
        for i, (role, kind) in enumerate((role, kind) for role in old_roles for kind in TASK_KINDS)
    ]
    unit = PoliceUnit(pk=1, code="eenheid", name="Eenheid")
    house = House(pk=1, code="huis", name="Huis", police_unit=unit)

    variations = []
    for number in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(KINDS))
        pool = tasks + old_tasks
        task = None if kind == Variation.Kind.ADDITION or not pool else draw(st.sampled_from(pool))
        if kind != Variation.Kind.ADDITION and task is None:
            continue  # the database refuses a non-addition without a task
        role = task.role if task else draw(st.sampled_from(roles + old_roles))
        variations.append(
            Variation(
                pk=number + 1,
                house=house,
                role=role,
                task=task,
                kind=kind,
                title="Extra taak" if kind == Variation.Kind.ADDITION else "",
                local_norm=draw(st.sampled_from(["", "maandelijks"])) or "dagelijks",
                rationale="Lokaal",
                status=draw(st.sampled_from(STATUSES)),
                phase_out_by=draw(dates) if kind == Variation.Kind.PHASE_OUT else None,
                standard_version=role.standard_version,
            )
        )
    assignments = [
        Assignment(
            pk=number + 1,
            house=house,
            role=draw(st.sampled_from(roles + old_roles)),
            police_unit=unit,
            presence=Presence.PART_TIME,
            status=draw(st.sampled_from(list(Assignment.Status.values))),
            hours_per_week=draw(st.none() | st.integers(0, 40)),
        )
        for number in range(draw(st.integers(0, 4)))
    ]
    return house, current, tasks, assignments, variations


def package_of(registry, variations=None):
    house, standard, tasks, assignments, all_variations = registry
    chosen = all_variations if variations is None else variations
    return build_package(house, standard, tasks, assignments, list(chosen), today=TODAY)


def lines(package):
    return [line for rp in package.roles for line in rp.tasks]


@PROPERTY_SETTINGS
@given(registries())
def test_the_counts_of_a_package_always_add_up(registry):
    package = package_of(registry)
    tasks = registry[2]
    summary = package.summary
    standard_tasks = [t for t in tasks if t.kind != Task.Kind.EXCLUDED]
    assert summary.standard_tasks == len(standard_tasks) == len(lines(package))
    assert summary.standard_tasks == (
        summary.counts[AS_STANDARD] + summary.counts[ADJUSTED] + summary.counts[OMITTED]
    )
    assert Counter(line.status for line in lines(package)) == Counter(
        {s: n for s, n in summary.counts.items() if n and s in {AS_STANDARD, ADJUSTED, OMITTED}}
    )
    assert summary.counts[ADDED] == len(package.additions)
    assert summary.counts[PHASE_OUT] == len(package.phase_outs)
    filled = {rp.role.code for rp in package.roles if not rp.vacant}
    assert summary.delivered_as_standard == sum(
        1 for line in lines(package) if line.status == AS_STANDARD and line.role.code in filled
    )
    assert summary.delivered_as_standard + summary.varied + summary.vacant_tasks == (
        summary.standard_tasks
    )
    share = summary.share_as_standard
    assert share is None if not standard_tasks else 0 <= share <= 1
    assert summary.vacant_roles == len(package.vacant_roles)
    assert summary.proposed == len(package.proposed)


@PROPERTY_SETTINGS
@given(registries())
def test_an_omitted_task_is_never_shown_as_delivered(registry):
    package = package_of(registry)
    omitted = {
        (v.role.code, v.task.code)
        for v in registry[4]
        if v.status == Variation.Status.AGREED and v.kind == Variation.Kind.OMISSION
    }
    for line in lines(package):
        if (line.role.code, line.code) in omitted:
            assert line.status == OMITTED
        if line.status == AS_STANDARD:
            assert line.variation is None
            assert line.norm == line.task.norm
        if line.status == ADJUSTED:
            assert line.variation.kind == Variation.Kind.ADJUSTMENT
            assert line.norm == line.variation.local_norm


@PROPERTY_SETTINGS
@given(registries())
def test_only_agreed_variations_change_the_package(registry):
    package = package_of(registry)
    agreed_only = package_of(
        registry, [v for v in registry[4] if v.status == Variation.Status.AGREED]
    )
    assert [(line.code, line.status, line.norm) for line in lines(package)] == [
        (line.code, line.status, line.norm) for line in lines(agreed_only)
    ]
    assert [line.title for line in package.additions] == [
        line.title for line in agreed_only.additions
    ]
    assert [line.code for line in package.phase_outs] == [
        line.code for line in agreed_only.phase_outs
    ]
    shown = package.additions + package.phase_outs + [ln for ln in lines(package) if ln.variation]
    assert all(line.variation.status == Variation.Status.AGREED for line in shown)
    proposed = [v for v in registry[4] if v.status == Variation.Status.PROPOSED]
    assert {v.pk for v in package.proposed} == {v.pk for v in proposed}
    assert package.summary.needs_review == agreed_only.summary.needs_review + sum(
        1 for v in proposed if v.standard_version_id != package.standard.pk
    )


@PROPERTY_SETTINGS
@given(registries())
def test_a_phase_out_is_overdue_only_when_agreed_and_past_its_date(registry):
    package = package_of(registry)
    for variation in registry[4]:
        if getattr(variation, "is_overdue_on", False):
            assert variation.kind == Variation.Kind.PHASE_OUT
            assert variation.status == Variation.Status.AGREED
            assert variation.phase_out_by < TODAY
    for line in package.phase_outs:
        assert line.overdue == (line.deadline < TODAY)
    assert package.summary.overdue_phase_outs == sum(1 for ln in package.phase_outs if ln.overdue)


@PROPERTY_SETTINGS
@given(registries())
def test_a_vacant_role_never_contributes_delivered_tasks(registry):
    package = package_of(registry)
    for rp in package.roles:
        filled = any(a.status == Assignment.Status.ACTIVE for a in rp.assignments)
        assert rp.vacant == (not filled)
        for line in rp.tasks:
            assert line.conformance in {DELIVERED, VARIED, VACANT}
            if rp.vacant:
                assert not line.delivered
                assert line.conformance == (VARIED if line.status == OMITTED else VACANT)
            elif line.status == AS_STANDARD:
                assert line.delivered
    delivered = [line for line in lines(package) if line.delivered]
    assert len(delivered) == package.summary.delivered_as_standard
    assert all(line.variation is None for line in delivered)


@PROPERTY_SETTINGS
@given(registries())
def test_the_same_package_gives_the_same_figure_on_every_page_and_in_the_api(registry):
    package = package_of(registry)
    house = registry[0]
    summary = package.summary
    share = summary.share_as_standard
    assert share is None or 0 <= share <= 1
    # Eenheid pages and the dashboard: one house, one eenheid.
    unit = UnitConformance(unit=house.police_unit)
    unit.add(summary)
    assert (unit.as_standard, unit.standard_tasks) == (
        summary.delivered_as_standard,
        summary.standard_tasks,
    )
    assert unit.share == share
    assert unit.vacant_tasks == summary.vacant_tasks
    # The house list, dashboard matrix and comparison read the row's package.
    (row,) = matrix([house], {house.pk: package})
    assert row.package.summary is summary
    # The matrix export.
    header, table = matrix_table([row])
    exported = dict(zip([str(h) for h in header], table[0], strict=True))
    assert exported["Standaardtaken conform"] == summary.delivered_as_standard
    assert exported["Standaardtaken"] == summary.standard_tasks
    # The API's takenpakket summary.
    data = PackageSummarySerializer(summary).data
    assert data["conformStandaard"] == summary.delivered_as_standard
    assert data["aandeelConform"] == share
    assert data["nietGeleverdVacant"] == summary.vacant_tasks
    assert data["afwijkend"] == summary.varied


# The variation rules -----------------------------------------------------------------------

STANDARD = StandardVersion(pk=1, version="1.0", status=StandardVersion.Status.PUBLISHED)
OTHER_STANDARD = StandardVersion(pk=2, version="0.9", status=StandardVersion.Status.SUPERSEDED)
ROLE = Role(pk=1, standard_version=STANDARD, code="liaison", name="Liaison")
OTHER_ROLE = Role(pk=2, standard_version=OTHER_STANDARD, code="liaison", name="Liaison")
TASKS = {
    kind: Task(pk=index + 1, role=ROLE, code=kind, title=kind, kind=kind)
    for index, kind in enumerate(TASK_KINDS)
}
FOREIGN_TASK = Task(pk=9, role=OTHER_ROLE, code="vreemd", title="vreemd", kind=Task.Kind.CORE)


FIELDS = ["task", "role", "title", "local_norm", "rationale", "agreed", "dates", "previous"]


@st.composite
def variations(draw):
    """Variations of every kind and status: half of them consistent except for at most one
    field, the other half with every field drawn freely."""
    kind = draw(st.sampled_from(KINDS))
    status = draw(st.sampled_from(STATUSES))
    consistent = draw(st.booleans())
    broken = draw(st.sampled_from([None] * len(FIELDS) + FIELDS)) if consistent else None

    def pick(field, good, anything):
        return good if consistent and broken != field else draw(anything)

    if kind == Variation.Kind.ADDITION:
        fitting_task = None
    elif kind == Variation.Kind.PHASE_OUT:
        fitting_task = TASKS[Task.Kind.EXCLUDED]
    else:
        fitting_task = draw(st.sampled_from([TASKS[Task.Kind.CORE], TASKS[Task.Kind.OPTIONAL]]))
    agreed_on = draw(dates)
    agreement_needed = status in {Variation.Status.AGREED, Variation.Status.ENDED}
    variation = Variation(
        pk=1,
        house=House(pk=1, code="huis", name="Huis", police_unit_id=1),
        role=pick("role", ROLE, st.sampled_from([ROLE, OTHER_ROLE])),
        task=pick(
            "task", fitting_task, st.none() | st.sampled_from([*TASKS.values(), FOREIGN_TASK])
        ),
        kind=kind,
        title=pick("title", "Extra taak", st.sampled_from(["", "   ", "Extra taak"]) | texts),
        local_norm=pick("local_norm", "maandelijks", st.sampled_from(["", " ", "maandelijks"])),
        rationale=pick(
            "rationale", "Lokale afspraak", st.sampled_from(["", "  ", "Lokaal"]) | texts
        ),
        status=status,
        agreed_on=pick("agreed", agreed_on if agreement_needed else None, st.none() | dates),
        agreed_with=pick(
            "agreed",
            "Stuurgroep" if agreement_needed else "",
            st.sampled_from(["", " ", "Stuurgroep"]),
        ),
        phase_out_by=pick(
            "dates",
            agreed_on + datetime.timedelta(days=draw(st.integers(1, 1000))),
            st.none() | dates,
        ),
        ended_on=pick(
            "dates",
            agreed_on + datetime.timedelta(days=draw(st.integers(0, 1000)))
            if status == Variation.Status.ENDED
            else None,
            st.none() | dates,
        ),
        standard_version=STANDARD,
    )
    allowed_before = [p for p, targets in TRANSITIONS.items() if status in targets | {p}]
    previous = pick(
        "previous",
        draw(st.none() | st.sampled_from(allowed_before)),
        st.none() | st.sampled_from(STATUSES),
    )
    if previous is not None:
        variation._loaded_status = previous
    return variation


@PROPERTY_SETTINGS
@given(variations())
def test_the_variation_rules_never_crash_and_accept_only_consistent_variations(variation):
    try:
        variation.clean()
    except ValidationError as error:
        assert error.message_dict  # every refusal names the fields it is about
        event("refused")
        return
    event(f"accepted: {variation.kind}, {variation.status}")
    # What clean() accepts, the database constraints accept too.
    is_addition = variation.kind == Variation.Kind.ADDITION
    assert (variation.task is None) == is_addition
    if is_addition:
        assert variation.title.strip()
    else:
        assert variation.task.role_id == variation.role.pk
    if variation.kind == Variation.Kind.ADJUSTMENT:
        assert variation.local_norm.strip()
        assert not variation.task.is_excluded
    if variation.kind == Variation.Kind.OMISSION:
        assert not variation.task.is_excluded
    if variation.kind == Variation.Kind.PHASE_OUT:
        assert variation.task.is_excluded
        assert variation.phase_out_by
        if variation.agreed_on:
            # The end lies after the agreement, within the maximum term counted from it.
            assert variation.agreed_on < variation.phase_out_by
            assert variation.phase_out_by <= add_years(
                variation.agreed_on, django_settings.PHASE_OUT_MAX_YEARS
            )
    assert variation.rationale.strip()
    if variation.status in {Variation.Status.AGREED, Variation.Status.ENDED}:
        assert variation.agreed_on and variation.agreed_with.strip()
    if variation.status == Variation.Status.ENDED:
        assert variation.ended_on
    if variation.ended_on and variation.agreed_on:
        assert variation.ended_on >= variation.agreed_on
    assert variation.role.standard_version_id == variation.standard_version_id
    # A new variation names a role of the published standard only.
    assert variation.role.standard_version.status == StandardVersion.Status.PUBLISHED
    previous = variation.previous_status
    if previous and previous != variation.status:
        assert variation.status in TRANSITIONS[previous]


def test_the_workflow_starts_at_proposed_reaches_every_status_and_never_goes_back():
    reachable, todo = {Variation.Status.PROPOSED}, [Variation.Status.PROPOSED]
    while todo:
        for target in TRANSITIONS[todo.pop()]:
            if target not in reachable:
                reachable.add(target)
                todo.append(target)
    assert reachable == set(Variation.Status)
    assert all(Variation.Status.PROPOSED not in targets for targets in TRANSITIONS.values())
    assert TRANSITIONS[Variation.Status.REJECTED] == TRANSITIONS[Variation.Status.ENDED] == set()
