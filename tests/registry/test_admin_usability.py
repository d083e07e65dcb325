"""The admin for eenheid staff: why a record is read-only, role names in filters, list fields
as lines, titles with a capital, the eenheid contact point, the date style."""

import datetime

import pytest
from django.contrib.admin.widgets import AdminDateWidget

from houses.models import House, PoliceUnit, Variation
from registry.lib.admin import LinesField
from roles.admin import PublishForm
from tests.admin_forms import admin_url, page_data
from tests.conftest import client_for
from tests.factories import VariationFactory

pytestmark = pytest.mark.django_db


def test_a_house_of_another_eenheid_opens_read_only_saying_why(unit_a_user, house_b):
    response = client_for(unit_a_user).get(admin_url(House, "change", house_b.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Dit huis hoort bij eenheid B; u kunt het bekijken, niet wijzigen." in body
    assert 'name="_save"' not in body


def test_own_house_opens_editable_without_the_explanation(unit_a_user, house_a):
    body = client_for(unit_a_user).get(admin_url(House, "change", house_a.pk)).content.decode()
    assert "registry-readonly" not in body
    assert 'name="_save"' in body


def test_a_variation_of_another_eenheid_names_what_and_whose(unit_a_user, standard, house_b):
    variation = VariationFactory(house=house_b, task=standard.roles.first().tasks.first())
    body = client_for(unit_a_user).get(admin_url(Variation, "change", variation.pk))
    assert (
        "Dit gegeven (lokale afwijking) hoort bij een huis van eenheid B; u kunt het bekijken, "
        "niet wijzigen." in body.content.decode()
    )


def test_a_reader_is_told_the_account_has_no_right_to_change(reader, house_a):
    body = client_for(reader).get(admin_url(House, "change", house_a.pk)).content.decode()
    assert "uw account heeft hier geen wijzigrechten" in body


def test_the_role_filter_lists_role_names_not_codes(national_user, standard, house_a):
    body = client_for(national_user).get(admin_url(Variation, "changelist")).content.decode()
    assert "Op rol" in body
    assert ">Liaison</a>" in body and ">Deelnemer casusoverleg</a>" in body
    assert "Op code" not in body
    response = client_for(national_user).get(admin_url(Variation, "changelist"), {"rol": "x"})
    assert response.status_code == 200


def test_list_fields_are_edited_one_per_line(national_user, house_a):
    house_a.municipalities = ["Assen", "Emmen"]
    house_a.save()
    client = client_for(national_user)
    url = admin_url(House, "change", house_a.pk)
    response = client.get(url)
    assert isinstance(response.context["adminform"].form.fields["municipalities"], LinesField)
    assert "Assen\nEmmen</textarea>" in response.content.decode()
    data = page_data(response)
    data["municipalities"] = "Assen\r\n  Emmen \r\n\r\nHoogeveen\r\n"
    data["former_names"] = ""
    assert client.post(url, data).status_code == 302
    house_a.refresh_from_db()
    assert house_a.municipalities == ["Assen", "Emmen", "Hoogeveen"]
    assert house_a.former_names == []


def test_admin_page_titles_start_with_a_capital(national_user, house_a):
    body = client_for(national_user).get(admin_url(House, "change", house_a.pk)).content.decode()
    assert "<h1>Veiligheidshuis wijzigen</h1>" in body
    assert "<title>Veiligheidshuis A | Veiligheidshuis wijzigen |" in body


def test_the_eenheid_contact_point_is_kept_in_the_admin(national_user, unit_a):
    client = client_for(national_user)
    url = admin_url(PoliceUnit, "change", unit_a.pk)
    data = page_data(client.get(url))
    data.update(
        contact_label="Coördinator",
        contact_mailbox="coord@politie.example",
        contact_phone="088 000 0000",
    )
    assert client.post(url, data).status_code == 302
    unit_a.refresh_from_db()
    assert unit_a.contact_mailbox == "coord@politie.example"
    assert unit_a.history.first().contact_label == "Coördinator"


def test_the_publish_date_uses_the_admin_date_widget_and_the_dutch_date_style():
    form = PublishForm({"published_on": "31-10-2026", "changes": "Nieuwe taak"})
    assert isinstance(form.fields["published_on"].widget, AdminDateWidget)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["published_on"] == datetime.date(2026, 10, 31)
    assert 'value="31-10-2026"' in str(
        PublishForm(initial={"published_on": datetime.date(2026, 10, 31)})["published_on"]
    )


def test_admin_lists_write_dates_in_the_text_style(national_user, standard, house_a):
    task = standard.roles.get(code="deelnemer").tasks.get(code="verslag")
    VariationFactory(
        house=house_a,
        task=task,
        kind=Variation.Kind.PHASE_OUT,
        local_norm="",
        phase_out_by=datetime.date(2031, 10, 31),
    )
    body = client_for(national_user).get(admin_url(Variation, "changelist")).content.decode()
    assert "31 oktober 2031" in body
