"""CSV and XLSX exports of a task package and of the national matrix."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from houses.consent import Side
from houses.models import Variation
from registry.models import User
from roles.models import Task
from tests.factories import HouseCaseMeetingFactory, HouseFactory, UserFactory, VariationFactory
from tests.pages import assert_same_queries, populate

pytestmark = pytest.mark.django_db


def csv_rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_task_package_exports_as_csv_with_every_line_and_its_explanation(
    reader_client, standard, unit_a
):
    (house,) = populate(standard, unit_a, houses=1)
    response = reader_client.get(reverse("house-package-export", args=[house.code, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="takenpakket-{house.code}.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][:4] == ["Rol", "Taak", "Soort taak", "Status"]
    statuses = {row[1]: row[3] for row in rows[1:]}
    assert statuses["Schakel"] == "Weggelaten"
    assert statuses["Aanspreekpunt"] == "Conform standaard"
    assert statuses["Spreekuur"] == "Aanvulling"
    assert statuses["Verslaglegging"] == "Afbouw"
    overdue = next(row for row in rows if row[1] == "Verslaglegging")
    assert overdue[rows[0].index("Verlopen")] == "ja"


def test_task_package_export_can_be_limited_to_one_role(reader_client, standard, unit_a):
    (house,) = populate(standard, unit_a, houses=1)
    url = reverse("house-package-export", args=[house.code, "csv"])
    rows = csv_rows(reader_client.get(url, {"rol": "deelnemer"}))
    assert {row[0] for row in rows[1:]} == {"Deelnemer casusoverleg"}


def test_task_package_exports_as_a_real_xlsx_workbook(reader_client, standard, unit_a):
    (house,) = populate(standard, unit_a, houses=1)
    response = reader_client.get(reverse("house-package-export", args=[house.code, "xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Takenpakket"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][1] == "Taak"
    assert any(row[1] == "Schakel" and row[3] == "Weggelaten" for row in values[1:])


def test_matrix_export_honours_the_house_filters(reader_client, standard, unit_a, unit_b):
    populate(standard, unit_a, houses=2)
    other = HouseFactory(police_unit=unit_b, name="Ander huis")
    rows = csv_rows(
        reader_client.get(reverse("matrix-export", args=["csv"]), {"eenheid": "eenheid-a"})
    )
    assert rows[0][:2] == ["Code", "Veiligheidshuis"]
    assert "Liaison" in rows[0] and "Deelnemer casusoverleg" in rows[0]
    assert len(rows) == 3
    assert other.name not in {row[1] for row in rows}
    assert rows[1][5] == "Fulltime; 2 afwijkingen"
    assert rows[1][6].startswith("Vacant")


def test_matrix_export_as_xlsx_lists_every_house(reader_client, standard, unit_a):
    populate(standard, unit_a, houses=3)
    response = reader_client.get(reverse("matrix-export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 4


def test_spreadsheet_formulas_in_the_data_are_neutralised(reader_client, standard, unit_a):
    HouseFactory(police_unit=unit_a, name="=HYPERLINK(1)")
    rows = csv_rows(reader_client.get(reverse("matrix-export", args=["csv"])))
    assert rows[1][1] == "'=HYPERLINK(1)"


def test_unknown_export_format_or_house_is_a_404(reader_client, house_a):
    assert reader_client.get("/veiligheidshuizen/huis-a/takenpakket.pdf").status_code == 404
    url = reverse("house-package-export", args=["bestaat-niet", "csv"])
    assert reader_client.get(url).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_run_the_same_queries_whatever_the_number_of_houses(
    fmt, reader_client, standard, unit_a, django_assert_num_queries
):
    (house,) = populate(standard, unit_a, houses=1)
    assert_same_queries(
        django_assert_num_queries,
        7,
        lambda: reader_client.get(reverse("matrix-export", args=[fmt])),
        lambda: populate(standard, unit_a, houses=6),
        repeated=3,  # session, user, change counter: the file comes from the read cache
    )
    # A write to other houses leaves the house's export cached: grow this house too.
    assert_same_queries(
        django_assert_num_queries,
        7,
        lambda: reader_client.get(reverse("house-package-export", args=[house.code, fmt])),
        lambda: (populate(standard, unit_a, houses=2), HouseCaseMeetingFactory(house=house)),
        repeated=3,
    )


# --- who agreed on both sides ---------------------------------------------------------------------


@pytest.fixture
def agreements(standard, house_a, unit_a_user, national_user):
    """An adjustment the eenheid proposed and the ketenmanager agreed, a phase-out national
    staff agreed in the house's place, and an omission agreed before two-sided consent."""
    km = UserFactory(
        username="km-a",
        first_name="Karin",
        last_name="de Ketenmanager",
        kind=User.Kind.KETENMANAGER,
    )
    km.houses.add(house_a)
    unit_a_user.first_name, unit_a_user.last_name = "Eva", "van de Eenheid"
    unit_a_user.save()
    tasks = {t.code: t for t in Task.objects.filter(role__standard_version=standard)}
    proposed_at = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 0))
    decided_at = timezone.make_aware(datetime.datetime(2026, 3, 9, 15, 30))
    adjustment = VariationFactory(
        house=house_a,
        task=tasks["aanspreekpunt"],
        proposed_by=unit_a_user,
        proposed_side=Side.UNIT,
        proposed_at=proposed_at,
        agreed_by=km,
        decided_at=decided_at,
        agreed_with="Stuurgroep van het huis",
    )
    phase_out = VariationFactory(
        house=house_a,
        task=tasks["verslag"],
        kind=Variation.Kind.PHASE_OUT,
        local_norm="",
        phase_out_by=timezone.localdate() + datetime.timedelta(days=200),
        proposed_by=unit_a_user,
        proposed_side=Side.UNIT,
        proposed_at=proposed_at,
        agreed_by=national_user,
        decided_at=decided_at,
        decided_on_behalf=True,
        decision_reason="Ketenmanager langdurig afwezig",
        agreed_with="",
    )
    omission = VariationFactory(
        house=house_a,
        task=tasks["schakel"],
        kind=Variation.Kind.OMISSION,
        agreed_before_consent=True,
        agreed_on=datetime.date(2024, 5, 1),
        decided_at=None,
        proposed_at=None,
        proposed_side="",
        agreed_with="Driehoek",
    )
    return adjustment, phase_out, omission


CONSENT_COLUMNS = [
    "Voorgesteld door",
    "Voorgesteld op",
    "Ingestemd door",
    "Ingestemd op",
    "Overige betrokkenen",
]


#: The consent cells of the phase-out of "Verslaglegging": proposed by the eenheid, agreed by
#: national staff on behalf of the house.
AGREED_BY_NATIONAL_STAFF = [
    "Eva van de Eenheid, namens de eenheid",
    "02-03-2026",
    "landelijk, landelijk beheer namens het huis",
    "09-03-2026",
    "",
]


def consent_columns(rows, title):
    header = rows[0]
    row = next(r for r in rows[1:] if r[header.index("Taak")] == title)
    return [row[header.index(name)] for name in CONSENT_COLUMNS]


def test_task_package_export_names_who_agreed_on_both_sides_and_when(
    reader_client, agreements, house_a
):
    rows = csv_rows(reader_client.get(reverse("house-package-export", args=[house_a.code, "csv"])))
    assert "Overeengekomen met" not in rows[0]
    assert consent_columns(rows, "Aanspreekpunt") == [
        "Eva van de Eenheid, namens de eenheid",
        "02-03-2026",
        "Karin de Ketenmanager, namens het huis",
        "09-03-2026",
        "Stuurgroep van het huis",
    ]
    assert consent_columns(rows, "Verslaglegging") == AGREED_BY_NATIONAL_STAFF
    assert consent_columns(rows, "Schakel") == [
        "",
        "",
        "vóór de tweezijdige instemming in het register",
        "01-05-2024",
        "Driehoek",
    ]
    # A line without a variation leaves the columns empty.
    assert consent_columns(rows, "Deelname") == ["", "", "", "", ""]


def test_task_package_xlsx_holds_the_consent_dates_as_dates(reader_client, agreements, house_a):
    response = reader_client.get(reverse("house-package-export", args=[house_a.code, "xlsx"]))
    values = [[c.value for c in row] for row in load_workbook(io.BytesIO(response.content)).active]
    header = values[0]
    row = next(r for r in values[1:] if r[header.index("Taak")] == "Aanspreekpunt")
    assert row[header.index("Ingestemd op")].date() == datetime.date(2026, 3, 9)
    assert row[header.index("Ingestemd door")] == "Karin de Ketenmanager, namens het huis"


def test_phase_out_export_names_who_agreed_on_both_sides_and_when(reader_client, agreements):
    rows = csv_rows(reader_client.get(reverse("phase-out-export", args=["csv"])))
    assert "Overeengekomen met" not in rows[0]
    assert consent_columns(rows, "Verslaglegging") == AGREED_BY_NATIONAL_STAFF


def test_the_phase_out_page_names_both_sides_as_its_export_does(reader_client, agreements):
    content = reader_client.get(reverse("phase-out-list")).content.decode()
    assert "Voorgesteld door Eva van de Eenheid, namens de eenheid" in content
    assert "Ingestemd door landelijk, landelijk beheer namens het huis" in content
    assert "09-03-2026" in content
