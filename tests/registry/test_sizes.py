"""Sizes: oversized bodies, deeply nested JSON, unbounded lists and forms, rights first."""

import json

import pytest
from django.test import Client

from houses.models import House, Variation
from tests.admin_forms import admin_url, page_data
from tests.api_helpers import assert_problem, token_client
from tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def core_task(standard):
    return standard.roles.get(code="liaison").tasks.get(code="aanspreekpunt")


def variation_body(core_task, **extra):
    return {
        "veiligheidshuis": "huis-a",
        "rol": core_task.role_id,
        "taak": core_task.pk,
        "soort": Variation.Kind.OMISSION,
        "onderbouwing": "x",
        **extra,
    }


@pytest.mark.parametrize("persona", ["reader", "national_user"])
def test_a_body_over_the_upload_limit_answers_413(request, settings, persona, house_a, core_task):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    client = token_client(request.getfixturevalue(persona))
    body = variation_body(core_task, onderbouwing="x" * 5_000)
    response = client.post("/api/v1/afwijkingen", body, format="json")
    problem = assert_problem(response, 413)
    assert "2000" in problem["detail"]
    assert not Variation.objects.exists()


def test_deeply_nested_json_answers_400(national_user, house_a):
    client = token_client(national_user)
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/afwijkingen", body, content_type="application/json")
    problem = assert_problem(response, 400)
    assert "genest" in json.dumps(problem)


@pytest.mark.parametrize("persona", ["reader", "ketenmanager", "unit_b_user"])
def test_who_may_not_add_gets_403_before_the_body_is_validated(request, persona, house_a):
    client = token_client(request.getfixturevalue(persona))
    response = client.post("/api/v1/toewijzingen", {"onzin": True}, format="json")
    if persona == "unit_b_user":
        # Unit staff may add assignments (to their own houses): the body is validated.
        assert_problem(response, 400)
    else:
        assert_problem(response, 403)


def many_variations(house, core_task, count):
    Variation.objects.bulk_create(
        Variation(
            house=house,
            role=core_task.role,
            task=core_task,
            standard_version=core_task.role.standard_version,
            kind=Variation.Kind.ADJUSTMENT,
            local_norm=f"norm {number}",
            rationale="Lokale afspraak",
            status=Variation.Status.PROPOSED,
        )
        for number in range(count)
    )


def test_the_admin_house_form_stays_savable_with_many_variations(
    settings, national_user, house_a, core_task
):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
    many_variations(house_a, core_task, 120)
    AssignmentFactory(house=house_a, role=core_task.role)
    client = Client()
    client.force_login(national_user)
    url = admin_url(House, "change", house_a.pk)
    page = client.get(url)
    data = page_data(page)
    assert len(data) < 100
    data["notes"] = "Opgeslagen met 120 afwijkingen."
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    house_a.refresh_from_db()
    assert house_a.notes == "Opgeslagen met 120 afwijkingen."
    # The form links to the house's variations instead of holding them.
    listing = admin_url(Variation, "changelist") + f"?house__id__exact={house_a.pk}"
    assert listing in page.content.decode()
    assert "120 afwijkingen bekijken" in page.content.decode()
    assert client.get(listing).status_code == 200


def test_an_admin_post_with_too_many_fields_answers_a_dutch_400_page(
    settings, national_user, house_a
):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    client = Client()
    client.force_login(national_user)
    data = {f"veld{number}": "x" for number in range(60)}
    response = client.post(admin_url(House, "change", house_a.pk), data)
    assert response.status_code == 400
    assert "Ongeldig verzoek" in response.content.decode()
    assert 'lang="nl"' in response.content.decode()


def test_an_oversized_admin_post_answers_a_dutch_413_page(settings, national_user, house_a):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    client = Client()
    client.force_login(national_user)
    response = client.post(admin_url(House, "change", house_a.pk), {"notes": "x" * 5_000})
    assert response.status_code == 413
    assert "Verzoek te groot" in response.content.decode()
