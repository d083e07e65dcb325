"""Every admin edit is in the history with the user; diffs, revert, and no lost updates."""

import pytest

from houses.models import Assignment, District, House, HouseCaseMeeting, PoliceUnit, Variation
from roles.models import CaseMeetingType, Presence, Role, StandardVersion, Task
from tests.admin_forms import admin_url, page_data
from tests.conftest import client_for
from tests.factories import (
    AssignmentFactory,
    CaseMeetingTypeFactory,
    DistrictFactory,
    HouseCaseMeetingFactory,
    VariationFactory,
)

pytestmark = pytest.mark.django_db

#: model -> (a field people edit, a new value for it)
EDITS = {
    House: ("seat", "Zwolle"),
    Assignment: ("contact_phone", "088-1234567"),
    Variation: ("rationale", "Nieuwe onderbouwing"),
    HouseCaseMeeting: ("local_name", "Lokaal overleg"),
    District: ("name", "Nieuwe naam"),
    PoliceUnit: ("name", "Eenheid Nieuw"),
    StandardVersion: ("title", "Nieuwe titel"),
    Role: ("purpose", "Nieuw doel"),
    Task: ("norm", "maandelijks"),
    CaseMeetingType: ("theme", "Nieuw thema"),
}


@pytest.fixture
def records(standard, house_a):
    task = Task.objects.filter(role__standard_version=standard, kind=Task.Kind.CORE).first()
    # The standard is edited in a draft: a published version is read-only.
    draft = standard.make_draft("1.1")
    draft_task = Task.objects.filter(role__standard_version=draft, kind=Task.Kind.CORE).first()
    return {
        House: house_a,
        Assignment: AssignmentFactory(house=house_a, role=task.role),
        Variation: VariationFactory(house=house_a, task=task),
        HouseCaseMeeting: HouseCaseMeetingFactory(house=house_a),
        District: DistrictFactory(police_unit=house_a.police_unit),
        PoliceUnit: house_a.police_unit,
        StandardVersion: draft,
        Role: draft_task.role,
        Task: draft_task,
        CaseMeetingType: CaseMeetingTypeFactory(),
    }


def edit(client, obj, **changes):
    url = admin_url(type(obj), "change", obj.pk)
    data = page_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


@pytest.mark.parametrize("model", list(EDITS), ids=lambda m: m._meta.model_name)
def test_an_admin_edit_is_recorded_in_history_with_the_user(national_user, records, model):
    obj = records[model]
    field, value = EDITS[model]
    response = edit(client_for(national_user), obj, **{field: value})
    assert response.status_code == 302, response.context and response.context["errors"]
    obj.refresh_from_db()
    assert getattr(obj, field) == value
    latest = obj.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == national_user
    assert getattr(latest, field) == value


def test_an_inline_edit_on_the_house_page_is_recorded_with_the_user(unit_a_user, records):
    house, assignment = records[House], records[Assignment]
    client = client_for(unit_a_user)
    url = admin_url(House, "change", house.pk)
    data = page_data(client.get(url))
    assert data["assignments-0-id"] == assignment.pk
    data["assignments-0-hours_per_week"] = "20"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    assignment.refresh_from_db()
    assert assignment.hours_per_week == 20
    assert assignment.history.first().history_user == unit_a_user


def test_a_deletion_through_the_admin_is_recorded_with_the_user(unit_a_user, records):
    assignment = records[Assignment]
    response = client_for(unit_a_user).post(
        admin_url(Assignment, "delete", assignment.pk), {"post": "yes"}
    )
    assert response.status_code == 302
    record = Assignment.history.filter(id=assignment.pk).first()
    assert record.history_type == "-"
    assert record.history_user == unit_a_user


def test_the_history_page_shows_what_changed_per_field(national_user, records):
    assignment = records[Assignment]
    client = client_for(national_user)
    edit(client, assignment, hours_per_week="24")
    response = client.get(admin_url(Assignment, "history", assignment.pk))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Uren per week" in content
    assert "16,0" in content or "16.0" in content
    assert "24" in content
    assert "Revisie" not in content


def test_national_staff_revert_to_an_earlier_version_and_the_revert_is_recorded(
    national_user, unit_a_user, records
):
    assignment = records[Assignment]
    edit(client_for(unit_a_user), assignment, contact_phone="088-0000000")
    original = assignment.history.order_by("history_date").first()
    client = client_for(national_user)
    url = admin_url(Assignment, "simple_history", assignment.pk, original.history_id)
    page = client.get(url)
    assert 'name="_save"' in page.content.decode()
    response = client.post(url, page_data(page))
    assert response.status_code == 302, response.context and response.context["errors"]
    assignment.refresh_from_db()
    assert assignment.contact_phone == ""
    latest = assignment.history.first()
    assert latest.history_user == national_user
    assert latest.history_change_reason == "Teruggezet naar een eerdere versie"


def test_unit_staff_may_not_revert_even_their_own_records(unit_a_user, records):
    assignment = records[Assignment]
    client = client_for(unit_a_user)
    edit(client, assignment, contact_phone="088-0000000")
    original = assignment.history.order_by("history_date").first()
    url = admin_url(Assignment, "simple_history", assignment.pk, original.history_id)
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    data = {
        "role": assignment.role_id,
        "house": assignment.house_id,
        "presence": Presence.PART_TIME,
    }
    assert client.post(url, data).status_code == 403
    assignment.refresh_from_db()
    assert assignment.contact_phone == "088-0000000"


def test_a_revert_based_on_a_stale_page_is_refused(national_user, unit_a_user, records):
    assignment = records[Assignment]
    edit(client_for(unit_a_user), assignment, contact_phone="088-0000000")
    original = assignment.history.order_by("history_date").first()
    client = client_for(national_user)
    url = admin_url(Assignment, "simple_history", assignment.pk, original.history_id)
    page = client.get(url)
    edit(client_for(unit_a_user), assignment, contact_phone="088-9999999")
    response = client.post(url, page_data(page))
    assert response.status_code == 200
    assert "gewijzigd sinds u het formulier opende" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.contact_phone == "088-9999999"


def test_the_second_of_two_simultaneous_edits_is_refused_with_what_changed(
    unit_a_user, national_user, records
):
    assignment = records[Assignment]
    url = admin_url(Assignment, "change", assignment.pk)
    first, second = client_for(unit_a_user), client_for(national_user)
    first_data = page_data(first.get(url))
    second_data = page_data(second.get(url))

    first_data["hours_per_week"] = "20"
    assert first.post(url, first_data).status_code == 302
    second_data["contact_phone"] = "088-7654321"
    response = second.post(url, second_data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "gewijzigd sinds u het formulier opende" in content
    assert "eenheid-a" in content
    assert "uren per week: 16.0 → 20.0" in content
    assignment.refresh_from_db()
    assert assignment.hours_per_week == 20
    assert assignment.contact_phone == ""
    assert assignment.history.count() == 2


def test_a_stale_inline_edit_on_the_house_page_is_refused(unit_a_user, national_user, records):
    house, assignment = records[House], records[Assignment]
    url = admin_url(House, "change", house.pk)
    first, second = client_for(unit_a_user), client_for(national_user)
    first_data, second_data = page_data(first.get(url)), page_data(second.get(url))
    assert first_data["assignments-0-id"] == assignment.pk
    hours = "assignments-0-hours_per_week"

    first_data[hours] = "20"
    assert first.post(url, first_data).status_code == 302
    second_data[hours] = "30"
    response = second.post(url, second_data)

    assert response.status_code == 200
    assert "gewijzigd sinds u het formulier opende" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.hours_per_week == 20


def test_an_unchanged_inline_row_does_not_block_saving_the_house(
    unit_a_user, national_user, records
):
    house, assignment = records[House], records[Assignment]
    url = admin_url(House, "change", house.pk)
    client = client_for(unit_a_user)
    data = page_data(client.get(url))
    # A field the inline row does not show (the row itself stays as it was loaded).
    edit(client_for(national_user), assignment, notes="Elders gewijzigd")
    data["notes"] = "Alleen het huis gewijzigd"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    house.refresh_from_db()
    assert house.notes == "Alleen het huis gewijzigd"
    assignment.refresh_from_db()
    assert assignment.notes == "Elders gewijzigd"
