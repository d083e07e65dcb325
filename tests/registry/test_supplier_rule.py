"""Unit staff cannot hand an assignment to another eenheid (its "leverende eenheid"): they may
name their own eenheid, or leave the one stored; national staff may name any. The rule lives in
the edit rights, so the API, the admin and imports all apply it."""

import pytest
from django.test import Client

from houses.models import Assignment
from tests.admin_forms import admin_url, page_data
from tests.api_helpers import assert_problem, token_client
from tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(house_a, unit_a):
    return AssignmentFactory(house=house_a, police_unit=unit_a)


def patch(user, assignment, **changes):
    client = token_client(user)
    url = f"/api/v1/toewijzingen/{assignment.pk}"
    return client.patch(url, changes, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])


def test_unit_staff_cannot_hand_their_assignment_to_another_eenheid(
    unit_a_user, assignment, unit_b
):
    assert_problem(patch(unit_a_user, assignment, leverendeEenheid=unit_b.code), 403)
    assignment.refresh_from_db()
    assert assignment.police_unit_id != unit_b.pk


def test_unit_staff_cannot_create_an_assignment_delivered_by_another_eenheid(
    unit_a_user, assignment, unit_b
):
    body = {
        "veiligheidshuis": assignment.house.code,
        "rol": assignment.role_id,
        "aanwezigheid": assignment.presence,
        "leverendeEenheid": unit_b.code,
    }
    response = token_client(unit_a_user).post("/api/v1/toewijzingen", body, format="json")
    assert_problem(response, 403)
    assert Assignment.objects.count() == 1


def test_national_staff_may_name_any_eenheid(national_user, assignment, unit_b):
    response = patch(national_user, assignment, leverendeEenheid=unit_b.code)
    assert response.status_code == 200, response.content


def test_unit_staff_keep_editing_an_assignment_another_eenheid_delivers(
    unit_a_user, assignment, unit_b
):
    assignment.police_unit = unit_b
    assignment.save()
    response = patch(unit_a_user, assignment, opmerkingen="Afgestemd met eenheid B.")
    assert response.status_code == 200, response.content
    # ... and may take it back to their own eenheid.
    assignment.refresh_from_db()
    assert patch(unit_a_user, assignment, leverendeEenheid="eenheid-a").status_code == 200


def test_the_admin_refuses_handing_an_assignment_to_another_eenheid(
    unit_a_user, assignment, unit_b
):
    client = Client()
    client.force_login(unit_a_user)
    url = admin_url(Assignment, "change", assignment.pk)
    data = page_data(client.get(url))
    data["police_unit"] = str(unit_b.pk)
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["police_unit"] == ["Kies uw eigen eenheid."]
    assignment.refresh_from_db()
    assert assignment.police_unit_id != unit_b.pk
