"""Who may change what: one table of persona cases, asked of the rule set itself and of every
interface (admin, pages, API), so that they cannot drift apart."""

import pathlib

import pytest
from django.urls import reverse

from houses.models import Assignment, District, House, PoliceUnit, Variation
from registry.lib import rights
from roles.models import Role, StandardVersion, Task
from tests.api_helpers import session_client
from tests.conftest import client_for
from tests.factories import AssignmentFactory, DistrictFactory, UserFactory, VariationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(standard, house_a, house_b):
    task = Task.objects.filter(role__standard_version=standard, kind=Task.Kind.CORE).first()
    # Who may edit the standard is asked of a draft: a published version is read-only for all.
    draft = standard.make_draft("1.1")
    draft_task = Task.objects.filter(role__standard_version=draft, kind=Task.Kind.CORE).first()
    return {
        "house_a": house_a,
        "house_b": house_b,
        "assignment_a": AssignmentFactory(house=house_a, role=task.role),
        "assignment_b": AssignmentFactory(house=house_b, role=task.role),
        "variation_a": VariationFactory(house=house_a, task=task),
        "variation_b": VariationFactory(house=house_b, task=task),
        "district_a": DistrictFactory(police_unit=house_a.police_unit),
        "unit_a": house_a.police_unit,
        "standard": draft,
        "role": draft_task.role,
        "task": draft_task,
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


# --- The same table through every interface ----------------------------------------------------

PERSONAS_WITH_ACCOUNTS = [name for name in EXPECTED if name != "anonymous"]


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_the_rule_set_answers_the_table(request, records, persona):
    user = request.getfixturevalue(persona)
    allowed = {name for name, obj in records.items() if rights.may(user, "change", obj)}
    assert allowed == EXPECTED[persona]


@pytest.mark.parametrize("persona", PERSONAS_WITH_ACCOUNTS)
def test_the_admin_offers_a_save_button_exactly_where_the_table_allows(request, records, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    for name, obj in records.items():
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        response = client.get(url)
        if not user.is_staff:
            # Ketenmanagers and readers do not use the admin at all.
            assert response.status_code == 302, name
            continue
        assert response.status_code == 200, name
        editable = b'name="_save"' in response.content
        assert editable == (name in EXPECTED[persona]), name


#: Records the API lets people write (houses, eenheden and districts are read-only there).
API_WRITABLE = {
    "assignment_a": "api:toewijzing-detail",
    "assignment_b": "api:toewijzing-detail",
    "variation_a": "api:afwijking-detail",
    "variation_b": "api:afwijking-detail",
    "role": "api:rol-detail",
    "task": "api:taak-detail",
}


@pytest.mark.parametrize("persona", PERSONAS_WITH_ACCOUNTS)
def test_the_api_accepts_a_write_exactly_where_the_table_allows(request, records, persona):
    user = request.getfixturevalue(persona)
    client = session_client(user)
    for name, view_name in API_WRITABLE.items():
        obj = records[name]
        url = reverse(view_name, args=[obj.pk])
        response = client.patch(url, {}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])
        expected = 200 if name in EXPECTED[persona] else 403
        assert response.status_code == expected, (name, response.content)
    standard = records["standard"]
    url = reverse("api:standaard-detail", args=[standard.version])
    response = client.patch(url, {}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])
    assert response.status_code == (200 if "standard" in EXPECTED[persona] else 403)


@pytest.mark.parametrize("persona", PERSONAS_WITH_ACCOUNTS)
def test_the_house_page_offers_editing_exactly_where_the_table_allows(request, records, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    for name in ("house_a", "house_b"):
        house = records[name]
        response = client.get(reverse("house-detail", args=[house.code]))
        edit_link = reverse("admin:houses_house_change", args=[house.pk]).encode()
        assert (edit_link in response.content) == (name in EXPECTED[persona]), name


def test_the_model_permission_is_asked_too(records, unit_a_user):
    """A unit account whose group lost the change permission may change nothing, even in scope."""
    unit_a_user.groups.clear()
    unit_a_user = type(unit_a_user).objects.get(pk=unit_a_user.pk)  # no cached permissions
    assert records["house_a"].is_editable_by(unit_a_user)
    assert not rights.may(unit_a_user, "change", records["house_a"])
    assert not rights.may_some(unit_a_user, "change", House)
    assert not rights.editable(House.objects.all(), unit_a_user).exists()


def test_no_code_outside_the_kernel_asks_the_scope_directly():
    """Admin, pages, API and imports ask ``registry.lib.rights``; only the kernel itself uses
    the scope methods it is built on."""
    root = pathlib.Path(__file__).resolve().parents[3]
    offenders = []
    for path in root.glob("*/**/*.py"):
        relative = path.relative_to(root)
        if relative.parts[0] in {".venv", "tests", "bench"} or relative.parts[:2] == (
            "registry",
            "lib",
        ):
            continue
        text = path.read_text()
        if ".is_editable_by(" in text or ".editable_by(" in text:
            offenders.append(str(relative))
    assert offenders == []
