"""CSV/XLSX import with preview, scoped to the user's eenheid, and export of what is shown."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from houses.models import Assignment, Variation
from houses.resources import VariationResource
from roles.models import Task
from tests.admin_forms import admin_url
from tests.conftest import client_for
from tests.factories import AssignmentFactory, VariationFactory

pytestmark = pytest.mark.django_db

HEADER = "veiligheidshuis,rol,taak,soort,lokaleNorm,onderbouwing,status\n"


def csv_file(text):
    return SimpleUploadedFile("afwijkingen.csv", text.encode(), content_type="text/csv")


def preview(client, model, text):
    return client.post(admin_url(model, "import"), {"import_file": csv_file(text), "format": "0"})


def export(client, model, query="", file_format="0"):
    """Export as the export page offers it: every column selected, the chosen format."""
    url = admin_url(model, "export") + query
    form = client.get(url).context["form"]
    data = {name: "on" for name, field in form.fields.items() if field.initial is True}
    data.update({"format": file_format, "resource": "0"})
    return client.post(url, data)


def exported_rows(response):
    """The rows of a CSV export: Dutch Excel's semicolon and byte-order mark."""
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def confirm(client, model, response):
    form = response.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(admin_url(model, "process_import"), data)


def test_unit_staff_import_variations_after_a_preview_and_history_names_them(
    unit_a_user, standard, house_a
):
    client = client_for(unit_a_user)
    text = HEADER + "huis-a,liaison,schakel,adjustment,maandelijks,Lokale afspraak,proposed\n"
    response = preview(client, Variation, text)
    assert response.status_code == 200
    assert response.context["confirm_form"] is not None
    assert not Variation.objects.exists()

    response = confirm(client, Variation, response)
    assert response.status_code == 302
    variation = Variation.objects.get()
    assert variation.task.code == "schakel"
    assert variation.recorded_by == unit_a_user
    record = variation.history.get()
    assert record.history_user == unit_a_user
    assert record.history_change_reason == "Import: Voorgesteld door de eenheid"


def test_rows_for_another_eenheid_are_refused_per_row_and_nothing_is_imported(
    unit_a_user, standard, house_a, house_b
):
    text = (
        HEADER
        + "huis-a,liaison,schakel,adjustment,maandelijks,Lokale afspraak,proposed\n"
        + "huis-b,liaison,schakel,adjustment,maandelijks,Lokale afspraak,proposed\n"
    )
    response = preview(client_for(unit_a_user), Variation, text)
    content = response.content.decode()
    assert "geweigerd" in content and "Veiligheidshuis B" in content
    assert response.context.get("confirm_form") is None
    result = response.context["result"]
    assert [row.import_type for row in result.rows] == ["new", "invalid"]
    assert not Variation.objects.exists()


def test_an_import_row_that_breaks_a_workflow_rule_is_refused(unit_a_user, standard, house_a):
    text = HEADER + "huis-a,liaison,schakel,adjustment,,Lokale afspraak,agreed\n"
    response = preview(client_for(unit_a_user), Variation, text)
    content = response.content.decode()
    assert "Vul de lokale norm in van deze aanpassing." in content
    assert "Vul in wanneer de afwijking is overeengekomen." in content
    assert not Variation.objects.exists()


def test_updating_another_eenheids_record_by_import_is_refused(unit_a_user, standard, house_b):
    task = Task.objects.get(code="schakel")
    other = VariationFactory(house=house_b, task=task, local_norm="wekelijks")
    resource = VariationResource()
    dataset = resource.export(Variation.objects.filter(pk=other.pk))
    dataset.dict = [{**dataset.dict[0], "lokaleNorm": "nooit"}]
    result = resource.import_data(dataset, dry_run=False, user=unit_a_user)
    assert result.has_validation_errors()
    other.refresh_from_db()
    assert other.local_norm == "wekelijks"


def test_an_import_based_on_an_outdated_export_is_refused(unit_a_user, standard, house_a):
    task = Task.objects.get(code="schakel")
    variation = VariationFactory(house=house_a, task=task, local_norm="wekelijks")
    resource = VariationResource()
    dataset = resource.export(Variation.objects.filter(pk=variation.pk))
    variation.review_by = datetime.date(2030, 1, 1)  # someone else's change since the export
    variation.save()
    dataset.dict = [{**dataset.dict[0], "onderbouwing": "Nieuwe onderbouwing"}]
    result = resource.import_data(dataset, dry_run=False, user=unit_a_user)
    assert result.has_validation_errors()
    assert "gewijzigd sinds deze export" in str(result.invalid_rows[0].error_dict)
    variation.refresh_from_db()
    assert variation.rationale != "Nieuwe onderbouwing"


def test_an_import_update_of_an_own_record_is_in_history(unit_a_user, standard, house_a):
    assignment = AssignmentFactory(house=house_a, role=standard.roles.get(code="liaison"))
    client = client_for(unit_a_user)
    export_response = export(client, Assignment)
    rows = exported_rows(export_response)
    rows[0]["urenPerWeek"] = "24"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    response = confirm(client, Assignment, preview(client, Assignment, out.getvalue()))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.hours_per_week == 24
    assert assignment.history.first().history_user == unit_a_user


def test_export_follows_the_changelist_filters(national_client, standard, house_a, house_b):
    task = Task.objects.get(code="schakel")
    VariationFactory(house=house_a, task=task)
    VariationFactory(house=house_b, task=task)
    query = f"?house__police_unit__id__exact={house_b.police_unit_id}"
    response = export(national_client, Variation, query)
    rows = exported_rows(response)
    assert [row["veiligheidshuis"] for row in rows] == ["huis-b"]


def test_export_of_my_records_follows_the_edit_rights(unit_a_user, standard, house_a, house_b):
    task = Task.objects.get(code="schakel")
    VariationFactory(house=house_a, task=task)
    VariationFactory(house=house_b, task=task)
    response = export(client_for(unit_a_user), Variation, "?bewerkbaar=ja", file_format="1")
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    houses = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert houses == ["huis-a"]


@pytest.mark.parametrize("persona", ["ketenmanager", "reader"])
def test_read_only_users_cannot_import(request, persona, standard):
    client = client_for(request.getfixturevalue(persona))
    # Ketenmanagers do not get into the admin at all (a redirect to the login).
    expected = 302 if persona == "ketenmanager" else 403
    assert client.get(admin_url(Variation, "import")).status_code == expected
