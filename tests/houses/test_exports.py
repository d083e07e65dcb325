"""CSV and XLSX exports of a task package and of the national matrix."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import HouseCaseMeetingFactory, HouseFactory
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
    assert overdue[10] == "ja"


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
