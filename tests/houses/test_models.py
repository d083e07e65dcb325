import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from houses.models import Assignment, Variation
from roles.models import Task
from tests.factories import (
    AssignmentFactory,
    DistrictFactory,
    HouseFactory,
    RoleFactory,
    TaskFactory,
    VariationFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def errors_of(obj):
    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    return excinfo.value.message_dict


# --- assignments -----------------------------------------------------------------------------


def test_second_active_assignment_for_a_single_holder_role_is_invalid():
    first = AssignmentFactory()
    second = AssignmentFactory.build(
        house=first.house, role=first.role, police_unit=first.police_unit
    )
    assert "status" in errors_of(second)


def test_database_refuses_a_second_active_assignment_for_a_single_holder_role():
    first = AssignmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(house=first.house, role=first.role)


def test_role_that_allows_more_may_have_several_active_assignments():
    role = RoleFactory(allows_multiple=True)
    first = AssignmentFactory(role=role)
    second = AssignmentFactory(house=first.house, role=role)
    second.full_clean()
    assert first.house.assignments.filling().count() == 2


def test_ended_and_planned_assignments_do_not_count_as_filling():
    first = AssignmentFactory(status=Assignment.Status.ENDED, end_date=datetime.date(2024, 6, 1))
    planned = AssignmentFactory(
        house=first.house, role=first.role, status=Assignment.Status.PLANNED
    )
    AssignmentFactory(house=first.house, role=first.role).full_clean()
    assert planned.house.assignments.filling().count() == 1


def test_assignment_cannot_end_before_it_starts():
    assignment = AssignmentFactory.build(
        house=HouseFactory(), role=RoleFactory(), end_date=datetime.date(2023, 1, 1)
    )
    assignment.police_unit = assignment.house.police_unit
    assert "end_date" in errors_of(assignment)
    with pytest.raises(IntegrityError), transaction.atomic():
        assignment.save()


def test_ended_assignment_needs_an_end_date():
    assignment = AssignmentFactory(status=Assignment.Status.PLANNED)
    assignment.status = Assignment.Status.ENDED
    assert "end_date" in errors_of(assignment)


def test_district_must_belong_to_the_providing_unit():
    assignment = AssignmentFactory()
    assignment.district = DistrictFactory()
    assert "district" in errors_of(assignment)


def test_hours_per_week_are_bounded():
    assignment = AssignmentFactory()
    assignment.hours_per_week = 60
    assert "hours_per_week" in errors_of(assignment)


# --- variations ------------------------------------------------------------------------------


def test_omission_of_an_excluded_task_is_impossible():
    task = TaskFactory(kind=Task.Kind.EXCLUDED)
    variation = VariationFactory.build(
        house=HouseFactory(), task=task, kind=Variation.Kind.OMISSION, local_norm=""
    )
    assert "task" in errors_of(variation)


def test_phase_out_of_a_core_task_is_impossible():
    variation = VariationFactory.build(
        house=HouseFactory(),
        task=TaskFactory(kind=Task.Kind.CORE),
        kind=Variation.Kind.PHASE_OUT,
        phase_out_by=TODAY,
    )
    assert "task" in errors_of(variation)


def test_phase_out_needs_a_deadline_in_form_and_database():
    variation = VariationFactory.build(
        house=HouseFactory(),
        task=TaskFactory(kind=Task.Kind.EXCLUDED),
        kind=Variation.Kind.PHASE_OUT,
    )
    assert "phase_out_by" in errors_of(variation)
    with pytest.raises(IntegrityError), transaction.atomic():
        variation.save()


def test_phase_out_may_run_at_most_three_years_after_agreement():
    variation = VariationFactory.build(
        house=HouseFactory(),
        task=TaskFactory(kind=Task.Kind.EXCLUDED),
        kind=Variation.Kind.PHASE_OUT,
        agreed_on=datetime.date(2024, 1, 1),
        phase_out_by=datetime.date(2027, 1, 2),
    )
    assert "phase_out_by" in errors_of(variation)
    variation.phase_out_by = datetime.date(2027, 1, 1)
    variation.full_clean()


def test_adjustment_needs_a_local_norm_in_form_and_database():
    variation = VariationFactory.build(house=HouseFactory(), task=TaskFactory(), local_norm="")
    assert "local_norm" in errors_of(variation)
    with pytest.raises(IntegrityError), transaction.atomic():
        variation.save()


def test_addition_has_no_standard_task_but_a_title():
    role = RoleFactory()
    variation = VariationFactory.build(
        house=HouseFactory(),
        task=TaskFactory(role=role),
        role=role,
        kind=Variation.Kind.ADDITION,
        title="",
    )
    errors = errors_of(variation)
    assert {"task", "title"} <= set(errors)
    with pytest.raises(IntegrityError), transaction.atomic():
        variation.save()


def test_agreed_variation_without_agreement_is_impossible():
    variation = VariationFactory.build(house=HouseFactory(), task=TaskFactory(), agreed_with="")
    variation.agreed_on = None
    variation.decided_at = None
    assert {"agreed_on", "status"} <= set(errors_of(variation))
    with pytest.raises(IntegrityError), transaction.atomic():
        variation.save()


def test_variation_cannot_end_before_it_was_agreed():
    variation = VariationFactory(status=Variation.Status.AGREED)
    variation.status = Variation.Status.ENDED
    variation.ended_on = variation.agreed_on - datetime.timedelta(days=1)
    assert "ended_on" in errors_of(variation)
    with pytest.raises(IntegrityError), transaction.atomic():
        variation.save()


def test_ended_variation_needs_an_end_date():
    variation = VariationFactory()
    variation.status = Variation.Status.ENDED
    assert "ended_on" in errors_of(variation)


def test_variation_needs_a_rationale():
    variation = VariationFactory.build(house=HouseFactory(), task=TaskFactory(), rationale=" ")
    assert "rationale" in errors_of(variation)


def test_task_must_belong_to_the_chosen_role():
    variation = VariationFactory.build(house=HouseFactory(), task=TaskFactory())
    variation.role = RoleFactory(standard_version=variation.standard_version)
    assert "task" in errors_of(variation)


def test_valid_variations_of_every_kind_pass_validation():
    excluded = TaskFactory(kind=Task.Kind.EXCLUDED)
    for variation in [
        VariationFactory.build(house=HouseFactory(), task=TaskFactory()),
        VariationFactory.build(
            house=HouseFactory(), task=TaskFactory(), kind=Variation.Kind.OMISSION, local_norm=""
        ),
        VariationFactory.build(
            house=HouseFactory(), task=excluded, kind=Variation.Kind.PHASE_OUT, phase_out_by=TODAY
        ),
    ]:
        variation.full_clean()
    role = RoleFactory()
    VariationFactory.build(
        house=HouseFactory(),
        task=None,
        role=role,
        standard_version=role.standard_version,
        kind=Variation.Kind.ADDITION,
        title="Extra",
    ).full_clean()


def test_overdue_only_counts_agreed_phase_outs_past_their_deadline():
    excluded = TaskFactory(kind=Task.Kind.EXCLUDED)
    overdue = VariationFactory(
        task=excluded,
        kind=Variation.Kind.PHASE_OUT,
        phase_out_by=TODAY - datetime.timedelta(days=1),
    )
    VariationFactory(task=excluded, kind=Variation.Kind.PHASE_OUT, phase_out_by=TODAY)
    VariationFactory(
        task=excluded,
        kind=Variation.Kind.PHASE_OUT,
        phase_out_by=TODAY - datetime.timedelta(days=1),
        status=Variation.Status.PROPOSED,
        agreed_on=None,
        agreed_with="",
    )
    assert list(Variation.objects.overdue()) == [overdue]
    assert overdue.is_overdue


# --- variation workflow ----------------------------------------------------------------------


def agree(variation):
    variation.status = Variation.Status.AGREED
    variation.agreed_on = TODAY
    variation.agreed_with = "Stuurgroep"
    variation.decided_at = timezone.now()


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        (Variation.Status.PROPOSED, Variation.Status.AGREED, True),
        (Variation.Status.PROPOSED, Variation.Status.REJECTED, True),
        (Variation.Status.AGREED, Variation.Status.ENDED, True),
        (Variation.Status.AGREED, Variation.Status.PROPOSED, False),
        (Variation.Status.AGREED, Variation.Status.REJECTED, False),
        (Variation.Status.REJECTED, Variation.Status.AGREED, False),
        (Variation.Status.REJECTED, Variation.Status.PROPOSED, False),
        (Variation.Status.ENDED, Variation.Status.AGREED, False),
    ],
)
def test_variation_workflow_allows_only_its_transitions(start, target, allowed):
    extra = (
        {"agreed_on": None, "agreed_with": ""}
        if start in {Variation.Status.PROPOSED, Variation.Status.REJECTED}
        else {}
    )
    if start == Variation.Status.ENDED:
        extra = {"ended_on": TODAY}
    variation = Variation.objects.get(pk=VariationFactory(status=start, **extra).pk)
    if target == Variation.Status.AGREED:
        agree(variation)
    variation.status = target
    if target == Variation.Status.ENDED:
        variation.ended_on = TODAY
    if target == Variation.Status.REJECTED:
        variation.decision_reason = "Past niet bij het huis"
    if allowed:
        variation.full_clean()
    else:
        assert "status" in errors_of(variation)


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("houses_house", ["name"]),
        ("houses_house", ["police_unit_id", "name"]),
        ("houses_assignment", ["house_id", "status"]),
        ("houses_variation", ["house_id", "status"]),
        ("houses_variation", ["status", "kind", "phase_out_by"]),
    ],
)
def test_the_filters_and_orderings_in_use_are_backed_by_an_index(db, table, columns):
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    assert any(c["index"] and c["columns"] == columns for c in constraints.values())


def test_a_task_has_at_most_one_agreed_variation_per_house():
    first = VariationFactory()
    second = VariationFactory.build(
        house=first.house, task=first.task, kind=Variation.Kind.OMISSION, local_norm=""
    )
    assert "__all__" in errors_of(second)
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    # A proposal beside the agreement is fine: that is how a change is put forward.
    VariationFactory(
        house=first.house,
        task=first.task,
        status=Variation.Status.PROPOSED,
        agreed_on=None,
        agreed_with="",
    ).full_clean()


def test_marking_reviewed_repoints_to_the_published_standard_and_notes_it_in_dutch(
    standard, house_a, national_user
):
    from django.utils import translation

    old_task = Task.objects.get(role__standard_version=standard, code="schakel")
    variation = VariationFactory(house=house_a, task=old_task, kind=Variation.Kind.OMISSION)
    newer = standard.make_draft("1.1")
    newer.publish(changes="Nieuwe versie.")
    variation = Variation.objects.get(pk=variation.pk)
    with translation.override("en"):  # the editor works in English
        variation.mark_reviewed(national_user)
    variation.refresh_from_db()
    assert variation.standard_version == newer
    assert variation.task.role.standard_version == newer
    assert variation.task.code == "schakel"
    latest = variation.history.first()
    assert latest.history_change_reason == "Herbeoordeeld tegen standaard 1.1"
    assert latest.history_user == national_user
