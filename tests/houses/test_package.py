import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from houses.models import Assignment, Variation
from houses.package import ADDED, ADJUSTED, AS_STANDARD, OMITTED, task_package, task_packages
from roles.models import Role, Task
from tests.factories import AssignmentFactory, HouseFactory, VariationFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def task(standard, code):
    return Task.objects.get(role__standard_version=standard, code=code)


def role(standard, code):
    return Role.objects.get(standard_version=standard, code=code)


def statuses(package):
    return {line.code: line.status for rp in package.roles for line in rp.tasks}


def test_without_variations_every_core_and_optional_task_is_as_standard(standard, house_a):
    package = task_package(house_a)
    assert statuses(package) == {
        "aanspreekpunt": AS_STANDARD,
        "schakel": AS_STANDARD,
        "extra": AS_STANDARD,
        "deelname": AS_STANDARD,
    }
    assert [rp.role.code for rp in package.roles] == ["liaison", "deelnemer"]
    # Nothing is filled yet: a vacant role delivers none of its tasks.
    assert package.summary.share_as_standard == 0.0
    assert package.summary.vacant_tasks == 4
    assert package.standard == standard
    for code in ("liaison", "deelnemer"):
        AssignmentFactory(house=house_a, role=role(standard, code))
    assert task_package(house_a).summary.share_as_standard == 1.0


def test_excluded_tasks_are_not_part_of_the_package(standard, house_a):
    titles = [line.title for rp in task_package(house_a).roles for line in rp.tasks]
    assert "Verslaglegging" not in titles


def test_agreed_adjustment_shows_the_local_norm(standard, house_a):
    VariationFactory(house=house_a, task=task(standard, "schakel"), local_norm="maandelijks")
    line = next(
        line for rp in task_package(house_a).roles for line in rp.tasks if line.code == "schakel"
    )
    assert (line.status, line.norm) == (ADJUSTED, "maandelijks")
    assert line.variation.rationale == "Lokale afspraak"


def test_agreed_omission_is_never_shown_as_delivered(standard, house_a):
    for code in ("liaison", "deelnemer"):
        AssignmentFactory(house=house_a, role=role(standard, code))
    VariationFactory(
        house=house_a, task=task(standard, "aanspreekpunt"), kind=Variation.Kind.OMISSION
    )
    package = task_package(house_a)
    assert statuses(package)["aanspreekpunt"] == OMITTED
    assert package.summary.counts[OMITTED] == 1
    assert package.summary.delivered_as_standard == 3
    assert package.summary.share_as_standard == 0.75


def test_agreed_addition_is_listed_with_its_role(standard, house_a):
    liaison = role(standard, "liaison")
    VariationFactory(
        house=house_a,
        task=None,
        role=liaison,
        kind=Variation.Kind.ADDITION,
        title="Spreekuur",
        local_norm="",
    )
    package = task_package(house_a)
    assert [(line.title, line.role.code) for line in package.additions] == [
        ("Spreekuur", "liaison")
    ]
    assert package.summary.counts[ADDED] == 1
    assert package.summary.standard_tasks == 4


def test_phase_outs_carry_their_deadline_and_overdue_ones_are_flagged(standard, house_a):
    excluded = task(standard, "verslag")
    VariationFactory(
        house=house_a,
        task=excluded,
        kind=Variation.Kind.PHASE_OUT,
        phase_out_by=TODAY - datetime.timedelta(days=1),
    )
    VariationFactory(
        house=HouseFactory(police_unit=house_a.police_unit),
        task=excluded,
        kind=Variation.Kind.PHASE_OUT,
        phase_out_by=TODAY,
    )
    package = task_package(house_a)
    [line] = package.phase_outs
    assert line.deadline == TODAY - datetime.timedelta(days=1)
    assert line.overdue
    assert package.summary.overdue_phase_outs == 1


def test_phase_out_on_its_deadline_is_not_overdue(standard, house_a):
    VariationFactory(
        house=house_a,
        task=task(standard, "verslag"),
        kind=Variation.Kind.PHASE_OUT,
        phase_out_by=TODAY,
    )
    package = task_package(house_a)
    assert not package.phase_outs[0].overdue
    assert package.summary.overdue_phase_outs == 0


@pytest.mark.parametrize(
    "status", [Variation.Status.PROPOSED, Variation.Status.REJECTED, Variation.Status.ENDED]
)
def test_only_agreed_variations_change_the_package(standard, house_a, status):
    for code in ("liaison", "deelnemer"):
        AssignmentFactory(house=house_a, role=role(standard, code))
    extra = (
        {"agreed_on": None, "agreed_with": ""}
        if status in {Variation.Status.PROPOSED, Variation.Status.REJECTED}
        else {}
    )
    if status == Variation.Status.ENDED:
        extra = {"ended_on": TODAY}
    VariationFactory(
        house=house_a,
        task=task(standard, "schakel"),
        kind=Variation.Kind.OMISSION,
        status=status,
        **extra,
    )
    package = task_package(house_a)
    assert statuses(package)["schakel"] == AS_STANDARD
    assert package.summary.delivered_as_standard == 4


def test_proposed_variations_are_shown_beside_their_task(standard, house_a):
    proposal = VariationFactory(
        house=house_a,
        task=task(standard, "schakel"),
        status=Variation.Status.PROPOSED,
        agreed_on=None,
        agreed_with="",
    )
    package = task_package(house_a)
    line = next(line for rp in package.roles for line in rp.tasks if line.code == "schakel")
    assert line.status == AS_STANDARD
    assert line.proposed == [proposal]
    assert package.proposed == [proposal]
    assert package.summary.proposed == 1


def test_roles_without_an_active_assignment_are_vacant(standard, house_a):
    AssignmentFactory(house=house_a, role=role(standard, "liaison"))
    AssignmentFactory(
        house=house_a, role=role(standard, "deelnemer"), status=Assignment.Status.VACANT
    )
    package = task_package(house_a)
    liaison, participant = package.roles
    assert not liaison.vacant and liaison.filling[0].house == house_a
    assert participant.vacant
    assert participant.assignments[0].status == Assignment.Status.VACANT
    assert package.vacant_roles == [participant.role]
    assert package.summary.vacant_roles == 1


def test_ended_assignments_are_left_out(standard, house_a):
    AssignmentFactory(
        house=house_a,
        role=role(standard, "liaison"),
        status=Assignment.Status.ENDED,
        end_date=TODAY,
    )
    package = task_package(house_a)
    assert package.roles[0].assignments == []
    assert package.roles[0].vacant


def test_variations_against_an_older_version_still_apply_and_need_review(standard, house_a):
    VariationFactory(house=house_a, task=task(standard, "schakel"), kind=Variation.Kind.OMISSION)
    newer = standard.make_draft("1.1")
    newer.publish(changes="Nieuwe versie.")
    package = task_package(house_a)
    assert package.standard == newer
    assert statuses(package)["schakel"] == OMITTED
    assert package.summary.needs_review == 1
    line = next(line for rp in package.roles for line in rp.tasks if line.code == "schakel")
    assert line.needs_review
    assert line.task.role.standard_version == newer


def test_variation_of_a_task_dropped_from_the_standard_is_kept_as_unmatched(standard, house_a):
    variation = VariationFactory(
        house=house_a, task=task(standard, "schakel"), kind=Variation.Kind.OMISSION
    )
    newer = standard.make_draft("2.0")
    Task.objects.filter(role__standard_version=newer, code="schakel").delete()
    newer.publish(changes="Nieuwe versie.")
    package = task_package(house_a)
    assert "schakel" not in statuses(package)
    assert package.unmatched == [variation]
    assert package.summary.needs_review == 1


def test_variations_of_other_houses_do_not_leak(standard, house_a, house_b):
    VariationFactory(house=house_b, task=task(standard, "schakel"), kind=Variation.Kind.OMISSION)
    assert statuses(task_package(house_a))["schakel"] == AS_STANDARD


def test_counts_add_up(standard, house_a):
    VariationFactory(house=house_a, task=task(standard, "schakel"), kind=Variation.Kind.OMISSION)
    VariationFactory(house=house_a, task=task(standard, "aanspreekpunt"))
    summary = task_package(house_a).summary
    assert (
        sum(summary.counts[s] for s in (AS_STANDARD, ADJUSTED, OMITTED)) == summary.standard_tasks
    )


def test_without_a_published_standard_the_package_is_empty(house_a):
    package = task_package(house_a)
    assert package.standard is None
    assert package.roles == []
    assert package.summary.share_as_standard is None


def populate(standard, houses, active=True):
    for house in houses:
        AssignmentFactory(
            house=house,
            role=role(standard, "liaison"),
            status=Assignment.Status.ACTIVE if active else Assignment.Status.PLANNED,
        )
        AssignmentFactory(
            house=house, role=role(standard, "deelnemer"), status=Assignment.Status.VACANT
        )
        # One agreed variation per task and house; repeated rows for a house are proposals.
        agreed = (
            {}
            if active
            else {"status": Variation.Status.PROPOSED, "agreed_on": None, "agreed_with": ""}
        )
        VariationFactory(
            house=house, task=task(standard, "schakel"), kind=Variation.Kind.OMISSION, **agreed
        )
        VariationFactory(house=house, task=task(standard, "aanspreekpunt"), **agreed)
        VariationFactory(
            house=house,
            task=task(standard, "verslag"),
            kind=Variation.Kind.PHASE_OUT,
            phase_out_by=TODAY,
            **agreed,
        )
        VariationFactory(
            house=house,
            task=task(standard, "deelname"),
            status=Variation.Status.PROPOSED,
            agreed_on=None,
            agreed_with="",
        )


def count_queries(func):
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_task_package_runs_three_queries_whatever_the_data_size(standard, house_a):
    populate(standard, [house_a])
    small = count_queries(lambda: task_package(house_a))
    populate(standard, [house_a] * 5, active=False)  # six times as many rows for one house
    large = count_queries(lambda: task_package(house_a))
    assert small == large == 3


def test_packages_of_many_houses_take_the_same_three_queries(standard, unit_a):
    houses = HouseFactory.create_batch(2, police_unit=unit_a)
    populate(standard, houses)
    small = count_queries(lambda: task_packages(houses))
    more = HouseFactory.create_batch(10, police_unit=unit_a)
    populate(standard, more)
    large = count_queries(lambda: task_packages(houses + more))
    assert small == large == 3
    packages = task_packages(houses + more)
    assert {p.summary.counts[OMITTED] for p in packages.values()} == {1}
