"""Writing through the API: edit rights, validation, workflow, history and no lost updates."""

import pytest
from django.db import IntegrityError

from houses.consent import Side
from houses.models import Assignment, Variation
from registry.lib.editable import StaleEditError
from roles.models import Presence
from tests.api_helpers import assert_problem, current_etag, token_client
from tests.factories import AssignmentFactory, VariationFactory

pytestmark = pytest.mark.django_db

ALLOWED_ON_HOUSE_A = {"national_user", "unit_a_user", "superuser"}
PERSONAS = ["national_user", "unit_a_user", "unit_b_user", "ketenmanager", "reader", "superuser"]


@pytest.fixture
def liaison(standard):
    return standard.roles.get(code="liaison")


@pytest.fixture
def core_task(liaison):
    return liaison.tasks.get(code="aanspreekpunt")


def new_data(resource, liaison, core_task):
    if resource == "toewijzingen":
        return {"veiligheidshuis": "huis-a", "rol": liaison.pk, "aanwezigheid": Presence.PART_TIME}
    return {
        "veiligheidshuis": "huis-a",
        "rol": liaison.pk,
        "taak": core_task.pk,
        "soort": Variation.Kind.OMISSION,
        "onderbouwing": "Wordt door de gemeente gedaan.",
    }


def existing(resource, house, liaison, core_task):
    if resource == "toewijzingen":
        return AssignmentFactory(house=house, role=liaison)
    # A proposal: its terms may still change (an agreed variation changes only by consent).
    return VariationFactory(
        house=house, task=core_task, status=Variation.Status.PROPOSED, agreed_on=None
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("resource", ["toewijzingen", "afwijkingen"])
def test_who_may_create_for_house_a(request, persona, resource, house_a, liaison, core_task):
    client = token_client(request.getfixturevalue(persona))
    response = client.post(
        f"/api/v1/{resource}", new_data(resource, liaison, core_task), format="json"
    )
    if persona in ALLOWED_ON_HOUSE_A:
        assert response.status_code == 201, response.content
        assert response["ETag"].startswith('"1-')
        assert response["ETag"] == current_etag(response["Location"])
        assert response["Location"] == response.json()["url"]
    else:
        assert_problem(response, 403)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("resource", ["toewijzingen", "afwijkingen"])
@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_who_may_change_records_of_house_a(
    request, persona, resource, method, house_a, liaison, core_task
):
    record = existing(resource, house_a, liaison, core_task)
    client = token_client(request.getfixturevalue(persona))
    url = f"/api/v1/{resource}/{record.pk}"
    client.get(url)
    if method == "put":
        data = new_data(resource, liaison, core_task) | {"opmerkingen": "x"}
        if resource == "afwijkingen":
            data |= {
                "soort": Variation.Kind.ADJUSTMENT,
                "lokaleNorm": "maandelijks",
                "status": Variation.Status.PROPOSED,
                "overeengekomenMet": "Stuurgroep",
            }
        else:
            data |= {"status": Assignment.Status.ACTIVE, "startdatum": "2024-01-01"}
    elif resource == "toewijzingen":
        data = {"opmerkingen": "bijgewerkt"}
    else:
        data = {"lokaleNorm": "maandelijks"}
    response = getattr(client, method)(url, data, format="json", HTTP_IF_MATCH=current_etag(url))
    if persona in ALLOWED_ON_HOUSE_A:
        assert response.status_code in {200, 204}, response.content
    else:
        assert_problem(response, 403)
        assert type(record).objects.get(pk=record.pk).revision == 1


def test_unit_staff_cannot_move_an_assignment_to_another_units_house(
    unit_a_user, house_a, house_b, liaison
):
    assignment = AssignmentFactory(house=house_a, role=liaison)
    response = token_client(unit_a_user).patch(
        f"/api/v1/toewijzingen/{assignment.pk}",
        {"veiligheidshuis": "huis-b"},
        format="json",
        HTTP_IF_MATCH=current_etag(f"/api/v1/toewijzingen/{assignment.pk}"),
    )
    assert_problem(response, 403)
    assert Assignment.objects.get(pk=assignment.pk).house == house_a


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_national_staff_change_the_standard(request, persona, standard):
    client = token_client(request.getfixturevalue(persona))
    draft_role = standard.make_draft("1.1").roles.get(code="liaison")
    response = client.patch(
        f"/api/v1/rollen/{draft_role.pk}",
        {"naam": "Liaison ZVH"},
        format="json",
        HTTP_IF_MATCH=current_etag(f"/api/v1/rollen/{draft_role.pk}"),
    )
    if persona in {"national_user", "superuser"}:
        assert response.status_code == 200
        assert response.json()["naam"] == "Liaison ZVH"
    else:
        assert_problem(response, 403)


def test_update_without_if_match_is_428(unit_a_user, house_a, liaison):
    assignment = AssignmentFactory(house=house_a, role=liaison)
    response = token_client(unit_a_user).patch(
        f"/api/v1/toewijzingen/{assignment.pk}", {"opmerkingen": "x"}, format="json"
    )
    assert_problem(response, 428)


def test_update_on_a_stale_copy_is_412_and_changes_nothing(unit_a_user, house_a, liaison):
    assignment = AssignmentFactory(house=house_a, role=liaison)
    url = f"/api/v1/toewijzingen/{assignment.pk}"
    stale = current_etag(url)
    assignment.notes = "door een ander"
    assignment.save()
    client = token_client(unit_a_user)
    response = client.patch(url, {"opmerkingen": "van mij"}, format="json", HTTP_IF_MATCH=stale)
    assert_problem(response, 412)
    assert Assignment.objects.get(pk=assignment.pk).notes == "door een ander"
    delete = client.delete(url, HTTP_IF_MATCH=stale)
    assert_problem(delete, 412)


@pytest.mark.parametrize(
    ("resource", "rename"),
    [
        ("toewijzingen", "house"),
        ("toewijzingen", "police_unit"),
        ("afwijkingen", "house"),
        ("afwijkingen", "proposed_by"),
    ],
)
def test_a_record_etag_changes_when_a_related_record_it_shows_is_renamed(
    resource, rename, unit_a_user, house_a, liaison, core_task
):
    """A published standard's roles and tasks never change; houses, eenheden and the users of
    a consent step do, without a new revision of the record that shows them."""
    record = existing(resource, house_a, liaison, core_task)
    if rename == "proposed_by":
        type(record).objects.filter(pk=record.pk).update(proposed_by=unit_a_user)
        record.refresh_from_db()
    client = token_client(unit_a_user)
    url = f"/api/v1/{resource}/{record.pk}"
    old = client.get(url)
    assert client.get(url, HTTP_IF_NONE_MATCH=old["ETag"]).status_code == 304
    related = getattr(record, rename)
    setattr(related, "username" if rename == "proposed_by" else "name", "Nieuwe naam")
    related.save()
    fresh = client.get(url, HTTP_IF_NONE_MATCH=old["ETag"])
    assert fresh.status_code == 200
    assert "Nieuwe naam" in fresh.content.decode()
    assert fresh["ETag"] != old["ETag"]
    assert type(record).objects.get(pk=record.pk).revision == record.revision  # record unchanged
    change = {"opmerkingen": "x"} if resource == "toewijzingen" else {"onderbouwing": "Andere"}
    stale = client.patch(url, change, format="json", HTTP_IF_MATCH=old["ETag"])
    assert_problem(stale, 412)
    current = client.patch(url, change, format="json", HTTP_IF_MATCH=fresh["ETag"])
    assert current.status_code == 200, current.content
    assert current["ETag"] == client.get(url)["ETag"] != fresh["ETag"]


def test_a_task_etag_changes_when_its_role_is_renamed(national_user, standard):
    draft = standard.make_draft("1.1")
    role = draft.roles.get(code="liaison")
    task = role.tasks.first()
    client = token_client(national_user)
    url = f"/api/v1/taken/{task.pk}"
    old = client.get(url)
    role.name = "Liaison (nieuw)"
    role.save()
    fresh = client.get(url, HTTP_IF_NONE_MATCH=old["ETag"])
    assert fresh.status_code == 200
    assert "Liaison (nieuw)" in fresh.content.decode()
    assert fresh["ETag"] != old["ETag"]
    stale = client.patch(url, {"titel": "Nieuw"}, format="json", HTTP_IF_MATCH=old["ETag"])
    assert_problem(stale, 412)
    current = client.patch(url, {"titel": "Nieuw"}, format="json", HTTP_IF_MATCH=fresh["ETag"])
    assert current.status_code == 200, current.content


def test_an_edit_racing_between_read_and_save_is_412(monkeypatch, unit_a_user, house_a, liaison):
    assignment = AssignmentFactory(house=house_a, role=liaison)

    def stale_save(self, *args, **kwargs):
        raise StaleEditError(self)

    monkeypatch.setattr(Assignment, "save", stale_save)
    response = token_client(unit_a_user).patch(
        f"/api/v1/toewijzingen/{assignment.pk}",
        {"opmerkingen": "x"},
        format="json",
        HTTP_IF_MATCH=current_etag(f"/api/v1/toewijzingen/{assignment.pk}"),
    )
    assert_problem(response, 412)


def test_update_with_the_current_etag_succeeds_and_returns_the_next(unit_a_user, house_a, liaison):
    assignment = AssignmentFactory(house=house_a, role=liaison)
    client = token_client(unit_a_user)
    url = f"/api/v1/toewijzingen/{assignment.pk}"
    etag = client.get(url)["ETag"]
    response = client.patch(url, {"opmerkingen": "x"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] == current_etag(url) != etag
    assert response["ETag"].startswith('"2-')
    assert response.json()["revisie"] == 2


def test_validation_uses_the_model_rules_and_lists_every_field(unit_a_user, house_a, liaison):
    response = token_client(unit_a_user).post(
        "/api/v1/toewijzingen",
        {
            "veiligheidshuis": "huis-a",
            "rol": liaison.pk,
            "aanwezigheid": Presence.PART_TIME,
            "status": Assignment.Status.ENDED,
            "startdatum": "2024-05-01",
            "urenPerWeek": 99,
        },
        format="json",
    )
    body = assert_problem(response, 400)
    names = {param["name"] for param in body["invalidParams"]}
    assert names == {"urenPerWeek"}
    response = token_client(unit_a_user).post(
        "/api/v1/toewijzingen",
        {
            "veiligheidshuis": "huis-a",
            "rol": liaison.pk,
            "aanwezigheid": Presence.PART_TIME,
            "status": Assignment.Status.ENDED,
            "startdatum": "2024-05-01",
        },
        format="json",
    )
    body = assert_problem(response, 400)
    assert body["invalidParams"] == [
        {
            "name": "einddatum",
            "code": "invalid",
            "reason": "Vul de einddatum in van een beëindigde toewijzing.",
        }
    ]


def test_a_second_active_assignment_is_refused(unit_a_user, house_a, liaison):
    AssignmentFactory(house=house_a, role=liaison)
    response = token_client(unit_a_user).post(
        "/api/v1/toewijzingen",
        {
            "veiligheidshuis": "huis-a",
            "rol": liaison.pk,
            "aanwezigheid": Presence.PART_TIME,
            "status": Assignment.Status.ACTIVE,
            "startdatum": "2024-05-01",
        },
        format="json",
    )
    body = assert_problem(response, 400)
    assert "status" in {param["name"] for param in body["invalidParams"]}


def test_a_concurrent_duplicate_that_hits_the_database_constraint_is_409(
    monkeypatch, unit_a_user, house_a, liaison
):
    def racing_save(self, *args, **kwargs):
        raise IntegrityError("one_active_assignment_per_house_role")

    monkeypatch.setattr(Assignment, "save", racing_save)
    response = token_client(unit_a_user).post(
        "/api/v1/toewijzingen",
        {
            "veiligheidshuis": "huis-a",
            "rol": liaison.pk,
            "aanwezigheid": Presence.PART_TIME,
            "status": Assignment.Status.ACTIVE,
            "startdatum": "2024-05-01",
        },
        format="json",
    )
    assert_problem(response, 409)


def test_variation_workflow_records_who_recorded_and_who_proposed(unit_a_user, house_a, core_task):
    client = token_client(unit_a_user)
    created = client.post(
        "/api/v1/afwijkingen",
        {
            "veiligheidshuis": "huis-a",
            "rol": core_task.role_id,
            "taak": core_task.pk,
            "soort": Variation.Kind.OMISSION,
            "onderbouwing": "Gemeente doet dit.",
        },
        format="json",
    ).json()
    assert created["vastgelegdDoor"] == "eenheid-a"
    assert created["voorgesteldDoor"] == "eenheid-a"
    assert created["status"] == Variation.Status.PROPOSED
    assert created["wachtOp"] == Side.HOUSE
    url = created["url"]
    # The status changes only by a decision of the other side (the actions), never by PATCH.
    own = client.patch(
        url, {"status": Variation.Status.AGREED}, format="json", HTTP_IF_MATCH=current_etag(url)
    )
    assert "instemmen" in assert_problem(own, 409)["detail"]


def test_token_writes_record_the_tokens_user_in_history(unit_a_user, house_a, liaison):
    client = token_client(unit_a_user)
    created = client.post(
        "/api/v1/toewijzingen",
        {"veiligheidshuis": "huis-a", "rol": liaison.pk, "aanwezigheid": Presence.PART_TIME},
        format="json",
    ).json()
    client.patch(
        created["url"],
        {"opmerkingen": "x"},
        format="json",
        HTTP_IF_MATCH=current_etag(created["url"]),
    )
    assignment = Assignment.objects.get(pk=created["id"])
    assert [h.history_user for h in assignment.history.all()] == [unit_a_user, unit_a_user]
    client.delete(created["url"], HTTP_IF_MATCH=current_etag(created["url"]))
    deleted = Assignment.history.filter(id=created["id"], history_type="-").get()
    assert deleted.history_user == unit_a_user


def test_deleting_a_variation_needs_rights_and_the_current_etag(unit_a_user, house_a, core_task):
    agreed = VariationFactory(house=house_a, task=core_task)
    client = token_client(unit_a_user)
    # An agreement is ended by consent, not deleted by one side.
    assert_problem(
        client.delete(
            f"/api/v1/afwijkingen/{agreed.pk}",
            HTTP_IF_MATCH=current_etag(f"/api/v1/afwijkingen/{agreed.pk}"),
        ),
        403,
    )
    agreed.delete()
    variation = VariationFactory(
        house=house_a, task=core_task, status=Variation.Status.PROPOSED, agreed_on=None
    )
    assert_problem(client.delete(f"/api/v1/afwijkingen/{variation.pk}"), 428)
    response = client.delete(
        f"/api/v1/afwijkingen/{variation.pk}",
        HTTP_IF_MATCH=current_etag(f"/api/v1/afwijkingen/{variation.pk}"),
    )
    assert response.status_code == 204
    assert not Variation.objects.filter(pk=variation.pk).exists()
