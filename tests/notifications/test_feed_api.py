"""GET /api/v1/gebeurtenissen: rights, filters, cursor paging, bad input."""

import pytest

from houses.models import Assignment
from notifications.models import Event
from tests.api_helpers import PROBLEM, assert_problem, token_client
from tests.factories import AssignmentFactory, HouseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.reads_feed]


@pytest.fixture
def changes(standard, house_a, house_b):
    role = standard.roles.get(code="liaison")
    a = AssignmentFactory(house=house_a, role=role)
    b = AssignmentFactory(house=house_b, role=role)
    a.hours_per_week = 4
    a.save()
    b.delete()
    return a


def all_events(client, **params):
    seen, cursor, more = [], None, None
    for _ in range(100):
        query = dict(params, paginaGrootte=3)
        if cursor:
            query["cursor"] = cursor
        body = client.get("/api/v1/gebeurtenissen", query).json()
        # "meer" on the page before said whether this one has events.
        assert more is None or more is bool(body["resultaten"])
        more = body["meer"]
        if not body["resultaten"]:
            assert body["cursor"] == cursor
            assert more is False
            return seen
        seen += body["resultaten"]
        cursor = body["cursor"]
    raise AssertionError("the feed does not end")


def test_anonymous_gets_401_as_problem(client):
    response = client.get("/api/v1/gebeurtenissen")
    assert_problem(response, 401)


def test_every_signed_in_persona_reads_the_feed(changes, persona):
    response = token_client(persona).get("/api/v1/gebeurtenissen")
    assert response.status_code == 200
    assert response["API-Version"]
    assert len(response.json()["resultaten"]) == Event.objects.count()


def test_paging_with_the_cursor_returns_every_event_once_in_order(changes, reader):
    client = token_client(reader)
    seen = all_events(client)
    in_order = Event.objects.order_by("transaction_id", "id").values_list("uuid", flat=True)
    assert [e["id"] for e in seen] == [str(u) for u in in_order]
    assert len({e["id"] for e in seen}) == len(seen)


def test_a_stored_cursor_returns_only_what_happened_since(changes, reader, house_a):
    client = token_client(reader)
    cursor = client.get("/api/v1/gebeurtenissen").json()["cursor"]
    HouseFactory(police_unit=house_a.police_unit, code="nieuw-huis")

    body = client.get("/api/v1/gebeurtenissen", {"cursor": cursor}).json()
    assert [(e["bron"], e["soort"], e["veiligheidshuis"]) for e in body["resultaten"]] == [
        (Event.Resource.HOUSE, Event.Kind.CREATED, "nieuw-huis")
    ]
    again = client.get("/api/v1/gebeurtenissen", {"cursor": body["cursor"]}).json()
    assert again["resultaten"] == []


def test_filters_on_resource_house_eenheid_kind_and_time(changes, reader):
    client = token_client(reader)
    by_house = all_events(client, veiligheidshuis="huis-b")
    assert {e["veiligheidshuis"] for e in by_house} == {"huis-b"}
    assert [e["soort"] for e in by_house if e["bron"] == "toewijzing"] == [
        Event.Kind.CREATED,
        Event.Kind.DELETED,
    ]
    by_unit = all_events(client, eenheid="eenheid-a", bron="toewijzing")
    assert [e["soort"] for e in by_unit] == [Event.Kind.CREATED, Event.Kind.UPDATED]
    deleted = all_events(client, soort=Event.Kind.DELETED)
    assert [e["bron"] for e in deleted] == [Event.Resource.ASSIGNMENT]
    first = Event.objects.order_by("id").first()
    since = all_events(client, tijdstipVanaf=first.occurred_at.isoformat())
    assert len(since) == Event.objects.count()  # inclusive
    assert all_events(client, tijdstipTot=first.occurred_at.isoformat()) == []
    assert Assignment.objects.count() == 1


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "abc"},
        {"cursor": "1-99999999999999999999"},
        {"paginaGrootte": "0"},
        {"paginaGrootte": "veel"},
        {"bron": "gebruiker"},
        {"tijdstipVanaf": "gisteren"},
        {"veiligheidshuis": "huis\x00a"},
    ],
)
def test_bad_input_is_a_400_problem_naming_the_parameter(reader, params):
    response = token_client(reader).get("/api/v1/gebeurtenissen", params)
    body = assert_problem(response, 400)
    assert {p["name"] for p in body["invalidParams"]} == set(params)
    assert response["Content-Type"] == PROBLEM


def test_the_feed_cannot_be_written(national_user):
    response = token_client(national_user).post("/api/v1/gebeurtenissen", {}, format="json")
    assert_problem(response, 405)


@pytest.mark.parametrize("extra", [0, 40])
def test_a_feed_page_takes_the_same_number_of_queries_whatever_the_size(
    reader, unit_a, extra, django_assert_num_queries
):
    for _ in range(extra):
        HouseFactory(police_unit=unit_a)
    client = token_client(reader)
    client.get("/api/v1/gebeurtenissen")  # warm up: token and session lookups as below
    with django_assert_num_queries(3):  # token, user, events
        assert client.get("/api/v1/gebeurtenissen").status_code == 200
