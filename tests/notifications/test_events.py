"""Every create, update and delete of a registry record gives exactly one event."""

import datetime

import pytest
from django.utils import timezone

from houses.models import House
from notifications.models import Event
from tests.api_helpers import current_etag, token_client
from tests.factories import (
    AssignmentFactory,
    CaseMeetingTypeFactory,
    DistrictFactory,
    HouseCaseMeetingFactory,
    HouseFactory,
    PoliceUnitFactory,
    RoleFactory,
    StandardVersionFactory,
    TaskFactory,
    VariationFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.reads_feed]

R = Event.Resource
K = Event.Kind


def _change(obj, field, value):
    setattr(obj, field, value)
    obj.save()


CASES = {
    R.POLICE_UNIT: (lambda ctx: PoliceUnitFactory(code="eenheid-x"), "name", "Eenheid X"),
    R.DISTRICT: (lambda ctx: DistrictFactory(police_unit=ctx["unit"]), "name", "Zuid"),
    R.HOUSE: (lambda ctx: HouseFactory(police_unit=ctx["unit"]), "seat", "Tiel"),
    R.HOUSE_CASE_MEETING: (
        lambda ctx: HouseCaseMeetingFactory(house=ctx["house"]),
        "local_name",
        "Top-X overleg",
    ),
    R.ASSIGNMENT: (
        lambda ctx: AssignmentFactory(house=ctx["house"], role=ctx["role"]),
        "hours_per_week",
        8,
    ),
    R.VARIATION: (
        lambda ctx: VariationFactory(house=ctx["house"], task=ctx["task"]),
        "rationale",
        "Andere afspraak",
    ),
    R.STANDARD_VERSION: (lambda ctx: StandardVersionFactory(version="9.9"), "title", "Nieuw"),
    # A published standard is read-only: roles and tasks change in a draft (the default).
    R.ROLE: (lambda ctx: RoleFactory(standard_version=ctx["draft"]), "name", "Ander"),
    R.TASK: (
        lambda ctx: TaskFactory(role=RoleFactory(standard_version=ctx["draft"])),
        "title",
        "Andere taak",
    ),
    R.CASE_MEETING_TYPE: (lambda ctx: CaseMeetingTypeFactory(), "name", "Nieuw overleg"),
}


@pytest.fixture
def ctx(standard, house_a, unit_a):
    role = standard.roles.get(code="liaison")
    return {
        "unit": unit_a,
        "house": house_a,
        "standard": standard,
        "role": role,
        "task": role.tasks.get(code="aanspreekpunt"),
        "draft": StandardVersionFactory(version="8.0"),
    }


@pytest.mark.parametrize("resource", list(CASES), ids=str)
def test_create_update_and_delete_each_give_exactly_one_event(ctx, resource):
    make, field, value = CASES[resource]
    before = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    obj = make(ctx)
    pk = obj.pk
    _change(obj, field, value)
    obj.delete()

    # (a factory may create related records first: those have events of their own)
    events = list(Event.objects.filter(id__gt=before, resource=resource).order_by("id"))
    assert [(e.resource, e.kind, e.object_id) for e in events] == [
        (resource, K.CREATED, str(pk)),
        (resource, K.UPDATED, str(pk)),
        (resource, K.DELETED, str(pk)),
    ]
    assert len({e.uuid for e in events}) == 3


def test_an_event_names_the_house_eenheid_user_and_api_address(ctx, unit_a_user):
    assignment = AssignmentFactory.build(house=ctx["house"], role=ctx["role"])
    assignment._history_user = unit_a_user
    assignment.save()

    event = Event.objects.get(resource=R.ASSIGNMENT)
    assert event.house_code == "huis-a"
    assert event.unit_code == "eenheid-a"
    assert event.username == "eenheid-a"
    assert event.path == f"/api/v1/toewijzingen/{assignment.pk}"


def test_a_deletion_through_the_api_stays_visible_in_the_feed(ctx, unit_a_user, reader):
    assignment = AssignmentFactory(house=ctx["house"], role=ctx["role"])
    writer = token_client(unit_a_user)
    response = writer.delete(
        f"/api/v1/toewijzingen/{assignment.pk}",
        HTTP_IF_MATCH=current_etag(f"/api/v1/toewijzingen/{assignment.pk}"),
    )
    assert response.status_code == 204

    feed = token_client(reader).get("/api/v1/gebeurtenissen", {"bron": "toewijzing"})
    assert feed.status_code == 200
    body = feed.json()
    last = body["resultaten"][-1]
    assert last["soort"] == "verwijderd"
    assert last["bronId"] == str(assignment.pk)
    assert last["bronUrl"].endswith(f"/api/v1/toewijzingen/{assignment.pk}")
    assert last["veiligheidshuis"] == "huis-a"
    assert last["gebruiker"] == "eenheid-a"
    assert token_client(reader).get(last["bronUrl"]).status_code == 404


def test_a_change_to_a_house_task_package_makes_the_house_appear_changed(ctx, reader):
    House.objects.update(updated_at=timezone.now() - datetime.timedelta(days=1))
    client = token_client(reader)
    since = timezone.now().isoformat()
    assert client.get("/api/v1/veiligheidshuizen", {"gewijzigdSinds": since}).json()["aantal"] == 0

    AssignmentFactory(house=ctx["house"], role=ctx["role"])

    changed = client.get("/api/v1/veiligheidshuizen", {"gewijzigdSinds": since}).json()
    assert [house["code"] for house in changed["resultaten"]] == ["huis-a"]


def test_an_assignment_change_stamps_its_house_updated_at(ctx):
    old = timezone.now() - datetime.timedelta(days=3)
    House.objects.filter(pk=ctx["house"].pk).update(updated_at=old)
    other = HouseFactory(police_unit=ctx["unit"])
    House.objects.filter(pk=other.pk).update(updated_at=old)

    AssignmentFactory(house=ctx["house"], role=ctx["role"])

    assert House.objects.get(pk=ctx["house"].pk).updated_at > old
    assert House.objects.get(pk=other.pk).updated_at == old
