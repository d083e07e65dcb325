"""Contacts per role, the phase-out overview, the region map, the paged history, variations by
kind, plurals in both languages and real date cells in XLSX exports."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from houses.exports import xlsx_response
from houses.models import Variation
from houses.overview import MatrixCell
from houses.regions import REGIONS
from roles.models import Role, Task
from tests.factories import AssignmentFactory, HouseFactory, VariationFactory
from tests.pages import populate

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def csv_rows(response):
    text = response.content.decode("utf-8")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def roles(standard):
    return (
        Role.objects.get(standard_version=standard, code="liaison"),
        Role.objects.get(standard_version=standard, code="deelnemer"),
    )


@pytest.fixture
def staffed_house(standard, unit_a, house_a):
    liaison, _participant = roles(standard)
    AssignmentFactory(
        house=house_a,
        role=liaison,
        officer_name="J. de Vries",
        contact_mailbox="liaison.huis-a@politie.example",
        contact_phone="088 123 4567",
    )
    unit_a.contact_label = "Coördinator Veiligheidshuizen"
    unit_a.contact_mailbox = "vhuizen@politie.example"
    unit_a.contact_phone = "088 765 4321"
    unit_a.save()
    return house_a


def test_house_page_names_the_officer_and_the_eenheid_contact_for_a_vacant_role(
    reader_client, staffed_house
):
    page = reader_client.get(reverse("house-detail", args=[staffed_house.code])).content.decode()
    assert "J. de Vries" in page
    assert 'href="mailto:liaison.huis-a@politie.example"' in page
    assert 'href="tel:0881234567"' in page
    # The participant role is vacant: the page points to the eenheid's contact point instead.
    assert "Contact bij Eenheid A:" in page
    assert "Coördinator Veiligheidshuizen" in page
    assert 'href="mailto:vhuizen@politie.example"' in page


def test_vacant_role_without_eenheid_contact_says_so(reader_client, standard, house_a):
    page = reader_client.get(reverse("house-detail", args=[house_a.code])).content.decode()
    assert "de eenheid heeft nog geen aanspreekpunt vastgelegd" in page


def test_package_export_carries_the_contacts_of_each_role(reader_client, staffed_house):
    rows = csv_rows(
        reader_client.get(reverse("house-package-export", args=[staffed_house.code, "csv"]))
    )
    header = rows[0]
    assert header[-4:] == ["Bezetting", "Contactpersoon", "Functionele mailbox", "Telefoon"]
    by_task = {row[1]: row for row in rows[1:]}
    assert by_task["Aanspreekpunt"][-4:] == [
        "Bezet",
        "J. de Vries",
        "liaison.huis-a@politie.example",
        "088 123 4567",
    ]
    assert by_task["Deelname"][-4:] == [
        "Vacant; contact via de eenheid",
        "Coördinator Veiligheidshuizen",
        "vhuizen@politie.example",
        "088 765 4321",
    ]


def phase_out(house, standard, deadline, **kwargs):
    _liaison, participant = roles(standard)
    task = Task.objects.get(role=participant, code="verslag")
    return VariationFactory(
        house=house,
        task=task,
        kind=Variation.Kind.PHASE_OUT,
        local_norm="",
        phase_out_by=deadline,
        **kwargs,
    )


@pytest.fixture
def phase_outs(standard, house_a, house_b):
    late = phase_out(house_a, standard, TODAY + datetime.timedelta(days=300))
    overdue = phase_out(house_b, standard, TODAY - datetime.timedelta(days=10))
    soon = phase_out(
        HouseFactory(police_unit=house_a.police_unit, name="Derde huis"),
        standard,
        TODAY + datetime.timedelta(days=20),
    )
    phase_out(
        HouseFactory(name="Voorstelhuis"),
        standard,
        TODAY + datetime.timedelta(days=5),
        status=Variation.Status.PROPOSED,
        agreed_on=None,
        agreed_with="",
    )
    return overdue, soon, late


def test_phase_out_overview_lists_running_phase_outs_soonest_first_overdue_marked(
    reader_client, phase_outs
):
    response = reader_client.get(reverse("phase-out-list"))
    assert response.status_code == 200
    listed = [v.pk for v in response.context["variations"]]
    assert listed == [v.pk for v in phase_outs]
    page = response.content.decode()
    assert "Voorstelhuis</a>" not in page
    assert page.count('class="badge warning">verlopen') == 1
    assert "3 lopende afbouwtrajecten" in page


def test_phase_out_overview_filters_by_eenheid_and_house(reader_client, phase_outs, house_a):
    overdue, soon, late = phase_outs
    response = reader_client.get(reverse("phase-out-list"), {"eenheid": "eenheid-a"})
    assert [v.pk for v in response.context["variations"]] == [soon.pk, late.pk]
    response = reader_client.get(reverse("phase-out-list"), {"veiligheidshuis": house_a.code})
    assert [v.pk for v in response.context["variations"]] == [late.pk]
    assert "1 lopende afbouw" in response.content.decode()


def test_phase_out_overview_with_an_unknown_filter_value_explains_instead_of_failing(
    reader_client, phase_outs
):
    response = reader_client.get(reverse("phase-out-list"), {"eenheid": "bestaat-niet"})
    assert response.status_code == 200
    assert "Niet alle filters konden worden toegepast" in response.content.decode()


def test_phase_out_exports_have_the_same_rows_and_real_date_cells(reader_client, phase_outs):
    overdue, soon, late = phase_outs
    rows = csv_rows(reader_client.get(reverse("phase-out-export", args=["csv"])))
    assert [row[0] for row in rows[1:]] == [v.phase_out_by.strftime("%d-%m-%Y") for v in phase_outs]
    assert rows[1][1] == "ja" and rows[2][1] == ""
    response = reader_client.get(
        reverse("phase-out-export", args=["xlsx"]), {"eenheid": "eenheid-a"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    first = sheet["A2"]
    assert first.is_date
    assert first.value.date() == soon.phase_out_by
    assert first.number_format == "DD-MM-YYYY"
    assert sheet.max_row == 3


def test_xlsx_cells_holding_dates_are_date_cells_and_text_stays_text():
    day = datetime.date(2026, 10, 31)
    response = xlsx_response("test", "Test", ["Datum", "Tekst"], [[day, "=1+1"], ["", "x"]])
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].is_date and sheet["A2"].value == datetime.datetime(2026, 10, 31)
    assert sheet["A2"].number_format == "DD-MM-YYYY"
    assert sheet["B2"].data_type == "s" and sheet["B2"].value == "'=1+1"
    assert not sheet["A3"].is_date


def test_package_export_dates_are_dd_mm_yyyy_in_csv(reader_client, standard, house_a):
    deadline = datetime.date(2031, 10, 31)
    phase_out(house_a, standard, deadline)
    rows = csv_rows(reader_client.get(reverse("house-package-export", args=[house_a.code, "csv"])))
    line = next(row for row in rows if row[1] == "Verslaglegging")
    assert line[rows[0].index("Afgebouwd uiterlijk")] == "31-10-2031"


def test_matrix_export_says_not_yet_determined_like_the_page(reader_client, standard, house_a):
    rows = csv_rows(reader_client.get(reverse("matrix-export", args=["csv"])))
    assert rows[1][4] == "nog niet vastgesteld"


def test_house_list_and_api_filter_variations_by_kind(reader_client, phase_outs, house_a):
    response = reader_client.get(
        reverse("house-list"), {"afwijkingSoort": Variation.Kind.PHASE_OUT}
    )
    names = {row.house.name for row in response.context["rows"]}
    assert names == {"Veiligheidshuis A", "Veiligheidshuis B", "Derde huis", "Voorstelhuis"}
    response = reader_client.get(reverse("house-list"), {"afwijkingSoort": Variation.Kind.ADDITION})
    assert response.context["rows"] == []


def test_search_finds_variations_by_their_kind(reader_client, phase_outs):
    response = reader_client.get(reverse("search"), {"q": "afbouw"})
    assert len(response.context["variations"]) == 4
    with translation.override("en"):
        response = reader_client.get(reverse("search"), {"q": "afbouw"}, HTTP_ACCEPT_LANGUAGE="en")
    assert len(response.context["variations"]) == 4


def test_region_map_shows_all_25_regions_linking_to_their_houses(reader_client, standard, unit_a):
    HouseFactory(police_unit=unit_a, safety_region="Zuid-Limburg", name="Huis Heerlen")
    HouseFactory(police_unit=unit_a, safety_region="Atlantis", name="Huis Nergens")
    response = reader_client.get(reverse("region-map"))
    assert response.status_code == 200
    page = response.content.decode()
    assert len(REGIONS) == 25
    assert page.count('class="tile tile-') == 25
    assert 'href="/veiligheidshuizen/?veiligheidsregio=Zuid-Limburg"' in page
    tile = next(t for t in response.context["tiles"] if t.name == "Zuid-Limburg")
    assert [h.name for h in tile.houses] == ["Huis Heerlen"]
    assert [h.name for h in response.context["elsewhere"]] == ["Huis Nergens"]
    assert "<script" not in page and "http" not in page.split("<svg")[1].split("</svg>")[0]


def test_region_map_colours_by_open_points_on_request_and_ignores_unknown_values(
    reader_client, standard, unit_a
):
    HouseFactory(police_unit=unit_a, safety_region="Utrecht")
    response = reader_client.get(reverse("region-map"), {"kleur": "aandacht"})
    utrecht = next(t for t in response.context["tiles"] if t.name == "Utrecht")
    assert utrecht.open_items == 2  # two vacant roles
    assert utrecht.fill == "mid"
    response = reader_client.get(reverse("region-map"), {"kleur": "<script>"})
    assert response.status_code == 200
    assert response.context["colour_by"] == "conformiteit"


def test_region_map_is_linked_from_the_dashboard(reader_client, standard):
    page = reader_client.get(reverse("home")).content.decode()
    assert f'href="{reverse("region-map")}"' in page
    assert f'href="{reverse("phase-out-list")}"' in page


def test_house_history_page_pages_through_every_change(reader_client, standard, house_a):
    for number in range(30):
        house_a.notes = f"wijziging {number}"
        house_a.save()
    url = reverse("house-history", args=[house_a.code])
    first = reader_client.get(url)
    assert len(first.context["changes"]) == 25
    assert "31 wijzigingen" in first.content.decode()
    second = reader_client.get(url, {"pagina": 2})
    assert len(second.context["changes"]) == 6
    assert second.context["changes"][-1].action == "aangemaakt"
    assert reader_client.get(url, {"pagina": "x' OR 1"}).status_code == 200
    assert reader_client.get(url, {"pagina": "999"}).context["page"].number == 2


def test_house_page_links_to_its_full_history(reader_client, standard, house_a):
    page = reader_client.get(reverse("house-detail", args=[house_a.code])).content.decode()
    assert reverse("house-history", args=[house_a.code]) in page


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("nl", "Vacant; 1 afwijking; 1 voorstel", "Vacant; 2 afwijkingen; 2 voorstellen"),
        ("en", "Vacant; 1 variation; 1 proposal", "Vacant; 2 variations; 2 proposals"),
    ],
)
def test_matrix_cells_use_singular_and_plural_in_both_languages(language, one, two):
    def cell(n):
        return MatrixCell("r", "R", [], None, deviations=n, proposed=n)

    with translation.override(language):
        assert cell(1).text == one
        assert cell(2).text == two


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("nl", "<strong>1</strong> vacante rol<", "<strong>2</strong> vacante rollen<"),
        ("en", "<strong>1</strong> vacant role<", "<strong>2</strong> vacant roles<"),
    ],
)
def test_house_page_summary_uses_singular_and_plural_in_both_languages(
    language, one, two, reader_client, standard, unit_a
):
    liaison, _participant = roles(standard)
    (one_vacant, two_vacant) = (HouseFactory(police_unit=unit_a) for _ in range(2))
    AssignmentFactory(house=one_vacant, role=liaison)
    reader_client.cookies["django_language"] = language
    for house, expected in [(one_vacant, one), (two_vacant, two)]:
        page = reader_client.get(reverse("house-detail", args=[house.code])).content.decode()
        assert expected in page


def test_populated_house_page_renders_with_every_kind_of_line(reader_client, standard, unit_a):
    (house,) = populate(standard, unit_a, houses=1)
    response = reader_client.get(reverse("house-detail", args=[house.code]))
    assert response.status_code == 200
    assert "1 aanvulling" in response.content.decode().replace("<strong>", "").replace(
        "</strong>", ""
    )
