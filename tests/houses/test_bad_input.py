"""Bad input at model and form level: refused with a Dutch message, nothing stored, and text
that looks like SQL or HTML is stored as plain text and shown escaped."""

import datetime

import pytest
from django.forms import modelform_factory
from django.urls import reverse

from houses.models import Assignment, House, Variation
from roles.models import Presence
from tests.factories import AssignmentFactory, VariationFactory

pytestmark = pytest.mark.django_db

HouseForm = modelform_factory(House, exclude=["case_meetings"])
AssignmentForm = modelform_factory(Assignment, fields="__all__")
VariationForm = modelform_factory(Variation, exclude=["agreed_by", "recorded_by"])

SCRIPT = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
SQL = "Robert'); DROP TABLE houses_house; -- \" OR 1=1"


def house_data(unit, **overrides):
    data = {
        "code": "nieuw-huis",
        "name": "Nieuw huis",
        "safety_region": "Regio",
        "police_unit": unit.pk,
        "confidence": House.Confidence.CONFIRMED,
        "active": True,
        "former_names": "[]",
        "locations": "[]",
        "municipalities": "[]",
    }
    data.update(overrides)
    return data


def assignment_data(house, role, **overrides):
    data = {
        "house": house.pk,
        "role": role.pk,
        "police_unit": house.police_unit_id,
        "presence": Presence.PART_TIME,
        "status": Assignment.Status.PLANNED,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "x" * 201, "niet meer dan 200 tekens"),
        ("code", "niet een slug!", "geldige"),
        ("code", "c" * 61, "niet meer dan 60 tekens"),
        ("framework_status", "onbekend", "geen beschikbare keuze"),
        ("website", "javascript:alert(1)", "geldige URL"),
        ("opened_on", "31-02-2024", "geldige datum"),
        ("municipalities", "{niet json", "JSON"),
        ("name", "met\x00nul", "Null-tekens"),
    ],
)
def test_a_house_form_refuses_bad_values_in_dutch_and_stores_nothing(unit_a, field, value, message):
    form = HouseForm(data=house_data(unit_a, **{field: value}))
    assert not form.is_valid()
    assert message.lower() in " ".join(form.errors[field]).lower()
    assert not House.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"status": "bezet"}, "status", "geen beschikbare keuze"),
        ({"presence": "soms"}, "presence", "geen beschikbare keuze"),
        ({"hours_per_week": "veel"}, "hours_per_week", "getal"),
        ({"hours_per_week": "41"}, "hours_per_week", "hoogstens 40"),
        ({"hours_per_week": "-1"}, "hours_per_week", "minstens 0"),
        ({"contact_mailbox": SCRIPT}, "contact_mailbox", "geldig e-mailadres"),
        ({"contact_phone": "0" * 31}, "contact_phone", "niet meer dan 30 tekens"),
        (
            {"start_date": "2025-03-01", "end_date": "2025-02-01"},
            "end_date",
            "De einddatum ligt vóór de startdatum.",
        ),
        ({"status": Assignment.Status.ACTIVE}, "start_date", "Vul de startdatum in"),
        ({"status": Assignment.Status.ENDED}, "end_date", "Vul de einddatum in"),
    ],
)
def test_an_assignment_form_refuses_bad_values_in_dutch_and_stores_nothing(
    standard, house_a, overrides, field, message
):
    role = standard.roles.get(code="liaison")
    form = AssignmentForm(data=assignment_data(house_a, role, **overrides))
    assert not form.is_valid()
    assert message.lower() in " ".join(form.errors[field]).lower()
    assert not Assignment.objects.exists()


def test_an_assignment_form_refuses_a_role_that_does_not_exist(house_a):
    form = AssignmentForm(data={**assignment_data(house_a, house_a), "role": "999999"})
    assert not form.is_valid()
    assert "Deze keuze is niet beschikbaar." in " ".join(form.errors["role"])


def test_a_variation_form_refuses_dates_out_of_order_and_unknown_kinds(standard, house_a):
    task = standard.roles.get(code="liaison").tasks.get(code="schakel")
    data = {
        "house": house_a.pk,
        "role": task.role_id,
        "task": task.pk,
        "kind": Variation.Kind.ADJUSTMENT,
        "local_norm": "maandelijks",
        "rationale": "Lokaal",
        "status": Variation.Status.ENDED,
        "agreed_on": "2025-05-01",
        "agreed_with": "Stuurgroep",
        "ended_on": "2025-04-01",
        "standard_version": standard.pk,
    }
    form = VariationForm(data=data)
    assert not form.is_valid()
    assert "De einddatum ligt vóór de datum van de afspraak." in form.errors["ended_on"]
    form = VariationForm(data={**data, "kind": "schrapping", "ended_on": "2025-06-01"})
    assert not form.is_valid()
    assert "geen beschikbare keuze" in " ".join(form.errors["kind"])
    assert not Variation.objects.exists()


def test_sql_and_html_in_text_fields_are_stored_as_text_and_shown_escaped(
    reader_client, standard, unit_a
):
    form = HouseForm(data=house_data(unit_a, name=SCRIPT, seat=SQL, notes=SQL + SCRIPT))
    assert form.is_valid(), form.errors
    house = form.save()
    task = standard.roles.get(code="liaison").tasks.get(code="schakel")
    VariationFactory(house=house, task=task, rationale=SCRIPT, agreed_with=SQL)
    AssignmentFactory(house=house, role=task.role, notes=SCRIPT)

    house.refresh_from_db()
    assert house.name == SCRIPT  # stored exactly, not executed
    assert House.objects.count() == 1  # the table is still there
    body = reader_client.get(reverse("house-detail", args=[house.code])).content.decode()
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in body
    assert "Robert&#x27;); DROP TABLE houses_house; -- &quot; OR 1=1" in body


def test_a_model_refuses_bad_values_before_they_reach_the_database(house_a, standard):
    from django.core.exceptions import ValidationError

    assignment = AssignmentFactory.build(
        house=house_a,
        role=standard.roles.get(code="liaison"),
        status="onbekend",
        start_date=datetime.date(2025, 3, 1),
        end_date=datetime.date(2025, 1, 1),
        officer_name="n" * 121,
    )
    with pytest.raises(ValidationError) as refused:
        assignment.full_clean()
    assert {"status", "end_date", "officer_name"} <= set(refused.value.message_dict)
    assert not Assignment.objects.exists()
