"""What the admin import accepts and refuses, and what the exports look like."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile

from houses.consent import Change, Side
from houses.imports import FORMER_VALUES
from houses.models import Assignment, House, PoliceUnit, Variation
from roles.models import CaseMeetingType, Presence, StandardVersion, Task
from tests.admin_forms import admin_url
from tests.conftest import client_for
from tests.factories import AssignmentFactory, VariationFactory

pytestmark = pytest.mark.django_db

CSV_FORMAT, XLSX_FORMAT = "0", "1"


def upload(client, model, content, name="bestand.csv", file_format=CSV_FORMAT):
    return client.post(
        admin_url(model, "import"),
        {"import_file": SimpleUploadedFile(name, content), "format": file_format},
    )


def confirm(client, model, response):
    form = response.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(admin_url(model, "process_import"), data, follow=True)


def export(client, model, file_format=CSV_FORMAT):
    url = admin_url(model, "export")
    form = client.get(url).context["form"]
    data = {name: "on" for name, field in form.fields.items() if field.initial is True}
    data.update({"format": file_format, "resource": "0"})
    return client.post(url, data)


def csv_rows(content: bytes):
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def csv_bytes(rows, delimiter=";", bom=True, encoding="utf-8"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode(encoding)


def refusal(response):
    """The Dutch message on the upload field, shown in the announced error summary."""
    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    assert 'role="alert"' in response.content.decode()
    return " ".join(response.context["form"].errors["import_file"])


@pytest.fixture
def liaison(standard):
    return standard.roles.get(code="liaison")


@pytest.fixture
def own_variation(standard, house_a):
    return VariationFactory(house=house_a, task=Task.objects.get(code="schakel"))


# Files that are accepted ----------------------------------------------------------------------


def test_a_csv_saved_by_dutch_excel_with_semicolons_and_a_byte_order_mark_is_imported(
    unit_a_user, standard, house_a
):
    content = (
        "\ufeffveiligheidshuis;rol;taak;soort;lokaleNorm;onderbouwing;status\r\n"
        "huis-a;liaison;schakel;Aanpassing;maandelijks;Lokale afspraak, met komma;voorgesteld\r\n"
    ).encode()
    client = client_for(unit_a_user)
    response = confirm(client, Variation, upload(client, Variation, content))
    variation = Variation.objects.get()
    assert variation.kind == Variation.Kind.ADJUSTMENT
    assert variation.status == Variation.Status.PROPOSED
    assert variation.rationale == "Lokale afspraak, met komma"
    assert "Import voltooid: 1 nieuw, 0 gewijzigd en 0 ongewijzigd overgeslagen" in (
        response.content.decode()
    )


def test_a_windows_1252_csv_from_older_excel_is_read(unit_a_user, standard, house_a):
    content = (
        "veiligheidshuis;rol;taak;soort;lokaleNorm;onderbouwing\r\n"
        "huis-a;liaison;schakel;adjustment;één keer per week;Afspraak met de gemeente\r\n"
    ).encode("cp1252")
    client = client_for(unit_a_user)
    confirm(client, Variation, upload(client, Variation, content))
    assert Variation.objects.get().local_norm == "één keer per week"


def test_an_edited_xlsx_export_updates_the_record_with_history_in_dutch(
    unit_a_user, house_a, liaison
):
    assignment = AssignmentFactory(house=house_a, role=liaison, notes="")
    client = client_for(unit_a_user)
    book = openpyxl.load_workbook(io.BytesIO(export(client, Assignment, XLSX_FORMAT).content))
    sheet = book["Toewijzingen"]
    headers = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=headers.index("urenPerWeek") + 1, value=24)
    sheet.cell(row=2, column=headers.index("opmerkingen") + 1, value="Nieuw rooster")
    out = io.BytesIO()
    book.save(out)
    preview = upload(client, Assignment, out.getvalue(), "toewijzingen.xlsx", XLSX_FORMAT)
    assert [row.import_type for row in preview.context["result"].rows] == ["update"]
    confirm(client, Assignment, preview)
    assignment.refresh_from_db()
    assert (assignment.hours_per_week, assignment.notes, assignment.revision) == (
        24,
        "Nieuw rooster",
        2,
    )
    assert assignment.history.first().history_user == unit_a_user
    entry = LogEntry.objects.get(object_id=str(assignment.pk))
    assert entry.get_change_message() == "Gewijzigd via import uit spreadsheet."


def test_an_emptied_text_cell_is_saved_as_empty_text_not_null(unit_a_user, house_a, liaison):
    assignment = AssignmentFactory(house=house_a, role=liaison, notes="Oude notitie")
    client = client_for(unit_a_user)
    book = openpyxl.load_workbook(io.BytesIO(export(client, Assignment, XLSX_FORMAT).content))
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=headers.index("opmerkingen") + 1).value = None
    out = io.BytesIO()
    book.save(out)
    confirm(client, Assignment, upload(client, Assignment, out.getvalue(), "t.xlsx", XLSX_FORMAT))
    assignment.refresh_from_db()
    assert assignment.notes == ""
    assert assignment.revision == 2


def test_unit_staff_reimport_skips_unchanged_rows_of_other_eenheden(
    unit_a_user, house_a, house_b, liaison
):
    own = AssignmentFactory(house=house_a, role=liaison)
    other = AssignmentFactory(house=house_b, role=liaison)
    client = client_for(unit_a_user)
    rows = csv_rows(export(client, Assignment).content)
    for row in rows:
        if row["veiligheidshuis"] == "huis-a":
            row["urenPerWeek"] = "12"
    preview = upload(client, Assignment, csv_bytes(rows))
    assert sorted(row.import_type for row in preview.context["result"].rows) == ["skip", "update"]
    confirm(client, Assignment, preview)
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.hours_per_week == 12
    assert (other.revision, other.history.count()) == (1, 1)


def test_unit_staff_changing_a_row_of_another_eenheid_is_refused_on_that_row(
    unit_a_user, house_b, liaison
):
    other = AssignmentFactory(house=house_b, role=liaison)
    client = client_for(unit_a_user)
    rows = csv_rows(export(client, Assignment).content)
    rows[0]["urenPerWeek"] = "2"
    response = upload(client, Assignment, csv_bytes(rows))
    content = response.content.decode()
    assert "dit record hoort bij een andere eenheid dan de uwe" in content
    assert 'role="alert"' in content
    other.refresh_from_db()
    assert other.hours_per_week == 16


def test_choice_columns_hold_the_api_values_and_accept_the_dutch_labels(
    national_user, own_variation
):
    client = client_for(national_user)
    rows = csv_rows(export(client, Variation).content)
    assert rows[0]["status"] == Variation.Status.AGREED.value
    assert rows[0]["soort"] == Variation.Kind.ADJUSTMENT.value
    # The rationale, not an agreed term: those change only by consent of both sides.
    rows[0]["onderbouwing"] = "Nieuwe onderbouwing"
    rows[0]["status"] = str(Variation.Status.AGREED.label).upper()
    confirm(client, Variation, upload(client, Variation, csv_bytes(rows)))
    own_variation.refresh_from_db()
    assert (own_variation.rationale, own_variation.status) == (
        "Nieuwe onderbouwing",
        Variation.Status.AGREED,
    )


def test_an_export_with_the_former_english_values_still_imports_as_the_dutch_values(
    unit_a_user, house_a, liaison
):
    former = {dutch: english for english, dutch in FORMER_VALUES.items()}
    assignment = AssignmentFactory(
        house=house_a, role=liaison, presence=Presence.FULL_TIME, status=Assignment.Status.PLANNED
    )
    client = client_for(unit_a_user)
    rows = csv_rows(export(client, Assignment).content)
    rows[0]["aanwezigheid"] = former[Presence.PART_TIME]
    rows[0]["status"] = former[Assignment.Status.PLANNED]
    assert rows[0]["aanwezigheid"] not in Presence.values
    assert rows[0]["status"] not in Assignment.Status.values
    confirm(client, Assignment, upload(client, Assignment, csv_bytes(rows)))
    assignment.refresh_from_db()
    assert (assignment.presence, assignment.status) == (
        Presence.PART_TIME,
        Assignment.Status.PLANNED,
    )
    assert assignment.revision == 2


def test_every_stored_choice_value_is_dutch_and_every_former_value_has_a_successor():
    """The enumeration values served by the API; the former English ones map onto them."""
    enums = [
        PoliceUnit.Kind, House.FrameworkStatus, House.Confidence, Assignment.Status, Presence,
        Variation.Kind, Variation.Status, Side, Change, StandardVersion.Status, Task.Kind,
        CaseMeetingType.Involvement,
    ]  # fmt: skip
    current = {value for enum in enums for value in enum.values}
    assert set(FORMER_VALUES.values()) <= current
    assert not set(FORMER_VALUES) & current


# Rows that are refused ------------------------------------------------------------------------


def test_a_changing_row_without_the_revision_column_is_refused_in_dutch(unit_a_user, own_variation):
    client = client_for(unit_a_user)
    rows = csv_rows(export(client, Variation).content)
    for row in rows:
        del row["revisie"]
        row["onderbouwing"] = "Nieuwe onderbouwing"
    response = upload(client, Variation, csv_bytes(rows))
    assert "de kolom &#x27;revisie&#x27; ontbreekt" in response.content.decode()
    assert response.context.get("confirm_form") is None
    own_variation.refresh_from_db()
    assert own_variation.local_norm == "tweewekelijks"


def test_an_unchanged_row_without_the_revision_column_is_just_skipped(unit_a_user, own_variation):
    client = client_for(unit_a_user)
    rows = csv_rows(export(client, Variation).content)
    for row in rows:
        del row["revisie"]
    response = upload(client, Variation, csv_bytes(rows))
    assert [row.import_type for row in response.context["result"].rows] == ["skip"]


def test_a_changing_row_with_an_emptied_revision_is_refused(unit_a_user, own_variation):
    client = client_for(unit_a_user)
    rows = csv_rows(export(client, Variation).content)
    rows[0].update(revisie="", onderbouwing="Nieuwe onderbouwing")
    content = upload(client, Variation, csv_bytes(rows)).content.decode()
    assert "de revisie is leeg of geen getal" in content


def test_row_errors_are_text_in_a_list_with_the_rows_in_a_keyboard_scroll_box(
    unit_a_user, standard, house_a
):
    content = (
        b"veiligheidshuis;rol;taak;soort;lokaleNorm;onderbouwing;status\n"
        b"huis-a;liaison;schakel;adjustment;;Lokale afspraak;proposed\n"
    )
    html = upload(client_for(unit_a_user), Variation, content).content.decode()
    assert "<strong>Regel 1</strong>" in html
    assert "Vul de lokale norm in van deze aanpassing." in html
    assert '<span class="registry-import-column">lokaleNorm</span>' in html
    assert 'class="registry-scroll" role="region"' in html
    assert 'tabindex="0"' in html
    assert "validation-error-container" not in html


# Files that are refused -----------------------------------------------------------------------


def test_wrong_headers_are_refused_naming_the_unknown_and_missing_columns(unit_a_user, standard):
    client = client_for(unit_a_user)
    message = refusal(upload(client, Variation, b"huis;rol;soort\nhuis-a;liaison;omission\n"))
    assert "Onbekende kolommen: huis." in message
    message = refusal(upload(client, Variation, b"rol;soort\nliaison;omission\n"))
    assert "Deze verplichte kolommen ontbreken: veiligheidshuis." in message
    assert not Variation.objects.exists()


def test_a_file_with_headers_only_is_refused(unit_a_user, standard):
    message = refusal(upload(client_for(unit_a_user), Variation, b"veiligheidshuis;rol;soort\n"))
    assert message == "Het bestand bevat geen regels om in te voeren."


def test_a_text_file_renamed_to_xlsx_is_refused_in_dutch(unit_a_user, standard):
    response = upload(
        client_for(unit_a_user),
        Variation,
        b"veiligheidshuis;rol\nhuis-a;liaison\n",
        "afwijkingen.xlsx",
        XLSX_FORMAT,
    )
    assert "Dit is geen Excel-werkmap (XLSX), ook al eindigt de naam op .xlsx." in refusal(response)


def test_a_damaged_workbook_is_refused_in_dutch(unit_a_user, standard):
    response = upload(
        client_for(unit_a_user), Variation, b"PK\x03\x04rest", "kapot.xlsx", XLSX_FORMAT
    )
    assert "Dit is geen Excel-werkmap" in refusal(response)


def test_a_binary_file_is_refused_as_csv_in_dutch(unit_a_user, standard):
    response = upload(client_for(unit_a_user), Variation, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "Dit is geen CSV-bestand: het bevat binaire gegevens." in refusal(response)


def test_a_workbook_uploaded_as_csv_names_the_right_format(unit_a_user, own_variation):
    client = client_for(unit_a_user)
    workbook = export(client, Variation, XLSX_FORMAT).content
    message = refusal(upload(client, Variation, workbook, "afwijkingen.xlsx", CSV_FORMAT))
    assert "Kies het formaat XLSX." in message


def test_a_file_above_the_size_limit_is_refused_before_it_is_read(unit_a_user, standard, settings):
    settings.IMPORT_MAX_BYTES = 2048
    content = b"veiligheidshuis;rol;soort\n" + b"huis-a;liaison;omission\n" * 200
    message = refusal(upload(client_for(unit_a_user), Variation, content))
    assert message.startswith("Het bestand is te groot (5 kB); de grens is 2 kB.")


def test_a_file_above_the_row_limit_is_refused(unit_a_user, standard, settings):
    settings.IMPORT_MAX_ROWS = 3
    content = b"veiligheidshuis;rol;soort\n" + b"huis-a;liaison;omission\n" * 4
    message = refusal(upload(client_for(unit_a_user), Variation, content))
    assert message.startswith("Het bestand telt meer dan 3 regels.")
    settings.IMPORT_MAX_ROWS = 4
    response = upload(client_for(unit_a_user), Variation, content)
    assert "import_file" not in response.context["form"].errors


def test_a_csv_row_with_more_cells_than_columns_is_refused(unit_a_user, standard):
    content = b"veiligheidshuis;rol;soort\nhuis-a;liaison;omission;extra\n"
    message = refusal(upload(client_for(unit_a_user), Variation, content))
    assert "Regel 1 heeft 4 cellen, maar er zijn 3 kolommen." in message


# Exports --------------------------------------------------------------------------------------


def test_the_csv_export_uses_semicolons_a_byte_order_mark_and_escapes_formulas(
    national_user, house_a, liaison
):
    AssignmentFactory(house=house_a, role=liaison, notes="=SOM(A1:A2)")
    response = export(client_for(national_user), Assignment)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="toewijzingen-' in response["Content-Disposition"]
    row = csv_rows(response.content)[0]
    assert row["opmerkingen"] == "'=SOM(A1:A2)"
    assert row["aanwezigheid"] == Presence.PART_TIME.value


def test_the_xlsx_export_has_a_named_sheet_date_cells_and_the_allowed_values(
    national_user, house_a, liaison
):
    AssignmentFactory(house=house_a, role=liaison, notes="=SOM(A1:A2)")
    response = export(client_for(national_user), Assignment, XLSX_FORMAT)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Toewijzingen", "Toegestane waarden"]
    sheet = book["Toewijzingen"]
    headers = [cell.value for cell in sheet[1]]
    start = sheet.cell(row=2, column=headers.index("startdatum") + 1)
    assert start.is_date
    assert start.value.date() == datetime.date(2024, 1, 1)
    hours = sheet.cell(row=2, column=headers.index("urenPerWeek") + 1)
    assert hours.data_type == "n"
    notes = sheet.cell(row=2, column=headers.index("opmerkingen") + 1)
    assert (notes.value, notes.data_type) == ("=SOM(A1:A2)", "s")
    allowed = [tuple(row) for row in book["Toegestane waarden"].iter_rows(values_only=True)]
    assert allowed[0] == ("kolom", "waarde", "betekenis")
    assert ("status", Assignment.Status.VACANT.value, "Vacant") in allowed
    assert ("aanwezigheid", Presence.FULL_TIME.value, "Fulltime aanwezig") in allowed


def test_the_export_and_import_pages_are_dutch_and_the_select_all_box_is_labelled(
    unit_a_user, standard
):
    client = client_for(unit_a_user)
    page = client.get(admin_url(Variation, "export")).content.decode()
    assert '<input type="checkbox" class="select-toggle" id="alle-kolommen" checked>' in page
    assert '<label for="alle-kolommen">Alle kolommen selecteren</label>' in page
    assert 'value="Exporteren"' in page
    assert "Select all" not in page
    page = client.get(admin_url(Variation, "import")).content.decode()
    assert 'value="Voorbeeld tonen"' in page
    assert "Hoogstens 1000 regels en 1024 kB per bestand." in page


def test_the_house_export_follows_the_same_conventions(national_user, house_a):
    client = client_for(national_user)
    rows = csv_rows(export(client, House).content)
    assert [row["code"] for row in rows] == ["huis-a"]
    book = openpyxl.load_workbook(io.BytesIO(export(client, House, XLSX_FORMAT).content))
    assert book.sheetnames == ["Veiligheidshuizen", "Toegestane waarden"]
    allowed = list(book["Toegestane waarden"].iter_rows(values_only=True))
    assert (
        "kaderStatus",
        House.FrameworkStatus.CONFORM.value,
        "Conform Landelijk kader",
    ) in allowed


def test_a_row_with_an_id_that_is_not_a_number_is_refused_without_a_server_error(
    unit_a_user, standard, house_a
):
    content = b"id;veiligheidshuis;rol;soort\nabc;huis-a;liaison;omission\n"
    message = refusal(upload(client_for(unit_a_user), Variation, content))
    assert message.startswith("Regel 1: de id 'abc' is geen getal.")


def test_a_row_naming_an_id_that_does_not_exist_is_refused_not_created(
    unit_a_user, standard, house_a
):
    content = (
        b"id;veiligheidshuis;rol;taak;soort;onderbouwing\n"
        b"999;huis-a;liaison;schakel;omission;Lokale afspraak\n"
    )
    response = upload(client_for(unit_a_user), Variation, content)
    assert "er is geen record met id 999 (meer)" in response.content.decode(), [
        r.error_dict for r in response.context["result"].invalid_rows
    ]
    assert response.context.get("confirm_form") is None
