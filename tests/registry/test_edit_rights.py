"""Who may change what, asked of querysets and of single objects."""

import pytest

from houses.models import Assignment, District, House, PoliceUnit, Variation
from roles.models import Role, StandardVersion, Task
from tests.factories import AssignmentFactory, DistrictFactory, UserFactory, VariationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(standard, house_a, house_b):
    task = Task.objects.filter(role__standard_version=standard, kind="core").first()
    return {
        "house_a": house_a,
        "house_b": house_b,
        "assignment_a": AssignmentFactory(house=house_a, role=task.role),
        "assignment_b": AssignmentFactory(house=house_b, role=task.role),
        "variation_a": VariationFactory(house=house_a, task=task),
        "variation_b": VariationFactory(house=house_b, task=task),
        "district_a": DistrictFactory(police_unit=house_a.police_unit),
        "unit_a": house_a.police_unit,
        "standard": standard,
        "role": task.role,
        "task": task,
    }


EXPECTED = {
    # persona: records it may change
    "national_user": {
        "house_a",
        "house_b",
        "assignment_a",
        "assignment_b",
        "variation_a",
        "variation_b",
        "district_a",
        "unit_a",
        "standard",
        "role",
        "task",
    },
    "superuser": {
        "house_a",
        "house_b",
        "assignment_a",
        "assignment_b",
        "variation_a",
        "variation_b",
        "district_a",
        "unit_a",
        "standard",
        "role",
        "task",
    },
    "unit_a_user": {"house_a", "assignment_a", "variation_a", "district_a"},
    "unit_b_user": {"house_b", "assignment_b", "variation_b"},
    "ketenmanager": set(),
    "reader": set(),
    "anonymous": set(),
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_each_persona_may_change_exactly_its_records(request, records, persona):
    user = request.getfixturevalue(persona)
    allowed = {name for name, obj in records.items() if obj.is_editable_by(user)}
    assert allowed == EXPECTED[persona]
    for name, obj in records.items():
        in_queryset = type(obj).objects.editable_by(user).filter(pk=obj.pk).exists()
        assert in_queryset == (name in EXPECTED[persona]), name


def test_inactive_national_user_may_change_nothing(records):
    user = UserFactory(kind="national", is_active=False)
    assert not any(obj.is_editable_by(user) for obj in records.values())
    assert not House.objects.editable_by(user).exists()


def test_unit_staff_cannot_edit_the_standard_or_eenheden(unit_a_user, records):
    for model in (StandardVersion, Role, Task, PoliceUnit):
        assert not model.objects.editable_by(unit_a_user).exists()


def test_unit_staff_may_edit_only_their_own_units_records(unit_a_user, records):
    assert set(House.objects.editable_by(unit_a_user)) == {records["house_a"]}
    assert set(Assignment.objects.editable_by(unit_a_user)) == {records["assignment_a"]}
    assert set(Variation.objects.editable_by(unit_a_user)) == {records["variation_a"]}
    assert set(District.objects.editable_by(unit_a_user)) == {records["district_a"]}


def test_moving_a_house_to_another_unit_makes_it_not_editable_for_unit_staff(
    unit_a_user, records, unit_b
):
    house = records["house_a"]
    house.police_unit = unit_b
    assert not house.is_editable_by(unit_a_user)
