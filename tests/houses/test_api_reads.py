"""Reading the registry through the API: shapes, filters, ordering, pages, ETags, task package."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from houses.models import Assignment, Variation
from houses.package import ADJUSTED, task_package
from tests.api_helpers import assert_problem, session_client, token_client
from tests.factories import (
    AssignmentFactory,
    HouseCaseMeetingFactory,
    HouseFactory,
    VariationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(reader):
    return token_client(reader)


@pytest.fixture
def registry(standard, house_a, house_b):
    liaison = standard.roles.get(code="liaison")
    core = liaison.tasks.get(code="aanspreekpunt")
    excluded = standard.roles.get(code="deelnemer").tasks.get(code="verslag")
    return {
        "assignment": AssignmentFactory(house=house_a, role=liaison),
        "adjustment": VariationFactory(house=house_a, task=core),
        "phase_out": VariationFactory(
            house=house_b,
            task=excluded,
            kind=Variation.Kind.PHASE_OUT,
            local_norm="",
            phase_out_by=datetime.date(2020, 1, 1),
        ),
    }


def test_house_detail_has_dutch_fields_self_link_and_unit_link(client, registry):
    body = client.get("/api/v1/veiligheidshuizen/huis-a").json()
    assert body["url"] == "http://testserver/api/v1/veiligheidshuizen/huis-a"
    assert body["takenpakket"].endswith("/veiligheidshuizen/huis-a/takenpakket")
    assert body["eenheid"] == {
        "url": "http://testserver/api/v1/eenheden/eenheid-a",
        "code": "eenheid-a",
        "naam": "Eenheid A",
    }
    assert {"naam", "veiligheidsregio", "statusLandelijkKader", "gewijzigdOp"} <= body.keys()


def test_assignment_links_house_role_and_unit(client, registry):
    body = client.get(f"/api/v1/toewijzingen/{registry['assignment'].pk}").json()
    assert body["veiligheidshuis"]["code"] == "huis-a"
    assert body["rol"]["code"] == "liaison"
    assert body["rol"]["url"].endswith(f"/rollen/{registry['assignment'].role_id}")
    assert body["leverendeEenheid"]["code"] == "eenheid-a"
    assert body["startdatum"] == "2024-01-01"


def test_variation_shows_its_workflow_fields(client, registry):
    body = client.get(f"/api/v1/afwijkingen/{registry['phase_out'].pk}").json()
    assert body["soort"] == Variation.Kind.PHASE_OUT
    assert body["verlopen"] is True
    assert body["standaard"]["code"] == "1.0"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("eenheid=eenheid-a", {"huis-a"}),
        ("eenheid=eenheid-b", {"huis-b"}),
        ("verlopen=true", {"huis-b"}),
        ("", {"huis-a", "huis-b"}),
    ],
)
def test_houses_filter_by_query_keys(client, registry, query, expected):
    results = client.get(f"/api/v1/veiligheidshuizen?{query}").json()["resultaten"]
    assert {house["code"] for house in results} == expected


def test_variations_filter_on_kind_and_overdue(client, registry):
    kinds = client.get(f"/api/v1/afwijkingen?soort={Variation.Kind.ADJUSTMENT}").json()[
        "resultaten"
    ]
    assert [v["id"] for v in kinds] == [registry["adjustment"].pk]
    overdue = client.get("/api/v1/afwijkingen?verlopen=true").json()["resultaten"]
    assert [v["id"] for v in overdue] == [registry["phase_out"].pk]


def test_changed_since_returns_only_later_changes(client, registry):
    assignment = registry["assignment"]
    moment = assignment.updated_at.isoformat()
    assert client.get("/api/v1/toewijzingen", {"gewijzigdSinds": moment}).json()["aantal"] == 1
    later = (assignment.updated_at.replace(year=assignment.updated_at.year + 1)).isoformat()
    assert client.get("/api/v1/toewijzingen", {"gewijzigdSinds": later}).json()["aantal"] == 0


@pytest.mark.parametrize(
    "query",
    ["eenheid=bestaat-niet", "status=onzin", "gewijzigdSinds=gisteren", "sorteer=geheim"],
)
def test_unknown_filter_values_are_a_400_naming_the_parameter(client, registry, query):
    url = "/api/v1/toewijzingen?" + query
    body = assert_problem(client.get(url), 400)
    assert body["invalidParams"][0]["name"] == query.split("=")[0]


def test_ordering_through_sorteer(client, registry):
    codes = [
        h["code"]
        for h in client.get("/api/v1/veiligheidshuizen?sorteer=-naam").json()["resultaten"]
    ]
    assert codes == ["huis-b", "huis-a"]


def test_pages_link_to_next_and_previous_and_cap_their_size(client, unit_a):
    HouseFactory.create_batch(3, police_unit=unit_a)
    first = client.get("/api/v1/veiligheidshuizen?paginaGrootte=2").json()
    assert first["aantal"] == 3 and len(first["resultaten"]) == 2
    assert "pagina=2" in first["volgende"] and first["vorige"] is None
    second = client.get(first["volgende"]).json()
    assert second["volgende"] is None and second["vorige"]
    capped = client.get("/api/v1/veiligheidshuizen?paginaGrootte=1000")
    assert capped.status_code == 200
    assert assert_problem(client.get("/api/v1/veiligheidshuizen?pagina=99"), 404)


def test_unknown_record_is_a_404_problem(client, registry):
    assert_problem(client.get("/api/v1/veiligheidshuizen/bestaat-niet"), 404)
    assert_problem(client.get("/api/v1/toewijzingen/999999"), 404)


def test_detail_etag_follows_the_revision_and_if_none_match_gives_304(client, registry):
    url = f"/api/v1/toewijzingen/{registry['assignment'].pk}"
    response = client.get(url)
    assert response["ETag"].startswith('"1-')
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert unchanged.status_code == 304
    assert unchanged["API-Version"]
    assignment = registry["assignment"]
    assignment.notes = "gewijzigd"
    assignment.save()
    assert client.get(url, HTTP_IF_NONE_MATCH='"1"').status_code == 200


def test_list_etag_changes_when_the_list_changes(client, registry):
    first = client.get("/api/v1/toewijzingen")
    assert client.get("/api/v1/toewijzingen", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    AssignmentFactory(
        house=registry["assignment"].house,
        role=registry["assignment"].role,
        status=Assignment.Status.PLANNED,
    )
    assert client.get("/api/v1/toewijzingen", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_task_package_is_the_one_computed_for_the_pages(client, registry, house_a):
    body = client.get("/api/v1/veiligheidshuizen/huis-a/takenpakket").json()
    package = task_package(house_a)
    assert body["standaard"]["code"] == "1.0"
    liaison = body["rollen"][0]
    assert liaison["rol"]["code"] == "liaison"
    assert [(t["code"], t["status"]) for t in liaison["taken"]] == [
        (line.code, line.status) for line in package.roles[0].tasks
    ]
    assert liaison["taken"][0]["status"] == ADJUSTED
    assert liaison["taken"][0]["norm"] == "tweewekelijks"
    assert body["samenvatting"]["conformStandaard"] == package.summary.delivered_as_standard
    assert body["samenvatting"]["vacanteRollen"] == 1
    assert body["rollen"][1]["vacant"] is True


def test_task_package_flags_overdue_phase_outs(client, registry):
    body = client.get("/api/v1/veiligheidshuizen/huis-b/takenpakket").json()
    assert [(line["code"], line["verlopen"]) for line in body["afbouw"]] == [("verslag", True)]
    assert body["samenvatting"]["verlopenAfbouw"] == 1


def test_history_of_a_record_lists_changes_newest_first(client, registry):
    assignment = registry["assignment"]
    assignment.notes = "bijgewerkt"
    assignment.save()
    body = client.get(f"/api/v1/toewijzingen/{assignment.pk}/historie").json()
    assert body["aantal"] == 2
    entries = body["resultaten"]
    assert [e["soort"] for e in entries] == ["gewijzigd", "aangemaakt"]
    assert entries[0]["wijzigingen"] == [{"veld": "opmerkingen", "oud": "", "nieuw": "bijgewerkt"}]


def test_history_is_paged_and_each_page_tells_its_changes(client, registry):
    assignment = registry["assignment"]
    for number in range(5):
        assignment.notes = f"versie {number}"
        assignment.save()
    url = f"/api/v1/toewijzingen/{assignment.pk}/historie?paginaGrootte=2"
    first = client.get(url).json()
    assert first["aantal"] == 6
    assert len(first["resultaten"]) == 2
    second = client.get(first["volgende"]).json()
    # The oldest entry of a page is compared with the newest of the next page.
    assert second["resultaten"][-1]["wijzigingen"] == [
        {"veld": "opmerkingen", "oud": "versie 0", "nieuw": "versie 1"}
    ]
    last = client.get(url + "&pagina=3").json()
    assert last["resultaten"][-1]["soort"] == "aangemaakt"
    assert last["resultaten"][-1]["wijzigingen"] == []


# --- constant query counts ---------------------------------------------------------------
def grow(standard, house_a, size):
    """``size`` extra houses, each with an assignment and two variations."""
    liaison = standard.roles.get(code="liaison")
    core = liaison.tasks.get(code="aanspreekpunt")
    for _ in range(size):
        house = HouseFactory()
        AssignmentFactory(house=house, role=liaison)
        VariationFactory(house=house, task=core)
        VariationFactory(house=house, task=core, status=Variation.Status.PROPOSED, agreed_on=None)
        HouseCaseMeetingFactory(house=house)
        HouseCaseMeetingFactory(house=house_a)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


QUERY_COUNTS = {
    # url: queries with a session: session, user and the change counter, then the read's
    # own queries; a repeated read before the next write comes from the read cache (3).
    "/api/v1/veiligheidshuizen": 6,
    "/api/v1/eenheden": 5,
    "/api/v1/standaarden": 5,
    "/api/v1/rollen": 5,
    "/api/v1/taken": 5,
    "/api/v1/casusoverleggen": 5,
    "/api/v1/toewijzingen": 5,
    "/api/v1/afwijkingen": 5,
    "/api/v1/veiligheidshuizen/huis-a/takenpakket": 8,
}
CACHED_READ_QUERIES = 3


@pytest.mark.parametrize(("url", "expected"), QUERY_COUNTS.items())
def test_lists_and_task_package_run_a_constant_number_of_queries(
    url, expected, reader, standard, house_a, django_assert_num_queries
):
    client = session_client(reader)
    grow(standard, house_a, 1)
    with django_assert_num_queries(expected):
        client.get(url)
    with django_assert_num_queries(CACHED_READ_QUERIES):
        client.get(url)
    grow(standard, house_a, 6)
    with django_assert_num_queries(expected):
        response = client.get(url)
    with django_assert_num_queries(CACHED_READ_QUERIES):
        assert client.get(url).content == response.content
    assert response.status_code == 200
