"""The admin does exactly what the edit rights allow: personas × models × actions × eenheid."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from houses.models import Assignment, District, House, HouseCaseMeeting, PoliceUnit, Variation
from roles.models import CaseMeetingType, Presence, Role, StandardVersion, Task
from tests.admin_forms import admin_url, page_data
from tests.conftest import client_for
from tests.factories import (
    AssignmentFactory,
    CaseMeetingTypeFactory,
    DistrictFactory,
    HouseCaseMeetingFactory,
    UserFactory,
    VariationFactory,
)

pytestmark = pytest.mark.django_db

PERSONAS = ["superuser", "national_user", "unit_a_user", "unit_b_user", "ketenmanager", "reader"]
MODELS = [
    House,
    Assignment,
    Variation,
    HouseCaseMeeting,
    District,
    PoliceUnit,
    StandardVersion,
    Role,
    Task,
    CaseMeetingType,
]
#: What unit staff may do with their own eenheid's records (nothing with the others').
UNIT_OWN = {
    House: {"change"},
    Assignment: {"add", "change", "delete"},
    Variation: {"add", "change", "delete"},
    HouseCaseMeeting: {"add", "change", "delete"},
    District: {"add", "change", "delete"},
}


def expected(persona, model, action, own):
    if persona == "ketenmanager":
        # Ketenmanagers act on the site's pages and through the API, not in the admin.
        return False
    if action == "view":
        return True
    if persona in {"superuser", "national_user"}:
        return True
    if persona in {"unit_a_user", "unit_b_user"}:
        allowed = UNIT_OWN.get(model, set())
        if action == "add":
            # Adding is a model-level question; which house it may be for is the form's.
            return "add" in allowed
        return own and action in allowed
    return False


@pytest.fixture
def objects_of_unit_a(standard, house_a):
    """One record of each model; the local ones belong to eenheid A."""
    task = Task.objects.filter(role__standard_version=standard).first()
    # The standard's records in a draft: a published version is read-only for everyone.
    draft_task = Task.objects.filter(role__standard_version=standard.make_draft("1.1")).first()
    return {
        House: house_a,
        Assignment: AssignmentFactory(house=house_a, role=task.role),
        # A proposal: unit staff may delete it (an agreement only national staff delete).
        Variation: VariationFactory(
            house=house_a, task=task, status=Variation.Status.PROPOSED, agreed_on=None
        ),
        HouseCaseMeeting: HouseCaseMeetingFactory(house=house_a),
        District: DistrictFactory(police_unit=house_a.police_unit),
        PoliceUnit: house_a.police_unit,
        StandardVersion: draft_task.role.standard_version,
        Role: draft_task.role,
        Task: draft_task,
        CaseMeetingType: CaseMeetingTypeFactory(),
    }


def ask(model_admin, user, action, obj):
    request = RequestFactory().get("/admin/")
    request.user = user
    if action == "add":
        return model_admin.has_add_permission(request)
    return getattr(model_admin, f"has_{action}_permission")(request, obj)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_exactly_the_admin_rights_of_section_5(
    request, objects_of_unit_a, unit_b, persona, model
):
    """Every cell (view/add/change/delete × own/other eenheid) is asserted at once."""
    user = request.getfixturevalue(persona)
    obj = objects_of_unit_a[model]
    model_admin = admin.site._registry[model]
    actual, wanted = {}, {}
    for own in (True, False):
        if persona in {"unit_a_user", "unit_b_user"}:
            # The records belong to eenheid A; ask as staff of that eenheid or of the other.
            user.police_unit = objects_of_unit_a[PoliceUnit] if own else unit_b
            user.save()
        for action in ("view", "add", "change", "delete"):
            cell = (action, "eigen eenheid" if own else "andere eenheid")
            actual[cell] = ask(model_admin, user, action, obj)
            wanted[cell] = expected(persona, model, action, own)
    assert actual == wanted


def test_anonymous_visitors_are_sent_to_the_login_page(client, house_a):
    response = client.get(admin_url(House, "change", house_a.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/")


def test_a_user_without_staff_status_gets_no_admin(house_a):
    user = UserFactory(kind="reader", is_staff=False)
    response = client_for(user).get(admin_url(House, "changelist"))
    assert response.status_code == 302


@pytest.mark.parametrize("persona", ["reader", "unit_b_user"])
def test_a_house_the_user_may_not_change_is_shown_read_only(request, persona, house_a):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(admin_url(House, "change", house_a.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="name"' not in content
    assert 'name="_save"' not in content
    assert house_a.name in content


@pytest.mark.parametrize("persona", ["reader", "unit_b_user"])
def test_saving_a_house_the_user_may_not_change_is_forbidden(request, persona, house_a):
    user = request.getfixturevalue(persona)
    response = client_for(user).post(admin_url(House, "change", house_a.pk), {"name": "Gekaapt"})
    assert response.status_code == 403
    house_a.refresh_from_db()
    assert house_a.name == "Veiligheidshuis A"


def test_unit_staff_edit_their_own_house_and_it_is_recorded(unit_a_user, house_a):
    client = client_for(unit_a_user)
    data = page_data(client.get(admin_url(House, "change", house_a.pk)))
    data["seat"] = "Nieuwe plaats"
    response = client.post(admin_url(House, "change", house_a.pk), data)
    assert response.status_code == 302, response.context["errors"]
    house_a.refresh_from_db()
    assert house_a.seat == "Nieuwe plaats"
    assert house_a.history.first().history_user == unit_a_user


def test_unit_staff_cannot_move_their_house_to_another_eenheid(unit_a_user, house_a, unit_b):
    client = client_for(unit_a_user)
    data = page_data(client.get(admin_url(House, "change", house_a.pk)))
    data["police_unit"] = unit_b.pk
    response = client.post(admin_url(House, "change", house_a.pk), data)
    assert response.status_code == 200
    assert "Kies uw eigen eenheid." in response.content.decode()
    house_a.refresh_from_db()
    assert house_a.police_unit_id != unit_b.pk


def test_unit_staff_are_offered_only_their_own_houses_when_adding_an_assignment(
    unit_a_user, house_a, house_b
):
    response = client_for(unit_a_user).get(
        reverse("admin:autocomplete"),
        {"app_label": "houses", "model_name": "assignment", "field_name": "house", "term": "Veil"},
    )
    assert response.status_code == 200
    codes = [item["text"] for item in response.json()["results"]]
    assert codes == [house_a.name]


def test_unit_staff_cannot_add_an_assignment_for_another_eenheids_house(
    unit_a_user, standard, house_b
):
    role = standard.roles.first()
    response = client_for(unit_a_user).post(
        admin_url(Assignment, "add"),
        {
            "house": house_b.pk,
            "role": role.pk,
            "police_unit": house_b.police_unit_id,
            "presence": Presence.PART_TIME,
            "status": Assignment.Status.PLANNED,
        },
    )
    assert response.status_code == 200
    assert "Kies een veiligheidshuis van uw eigen eenheid." in response.content.decode()
    assert not Assignment.objects.exists()


def test_unit_staff_add_an_assignment_for_their_own_house(unit_a_user, standard, house_a):
    role = standard.roles.first()
    response = client_for(unit_a_user).post(
        admin_url(Assignment, "add"),
        {
            "house": house_a.pk,
            "role": role.pk,
            "police_unit": house_a.police_unit_id,
            "presence": Presence.PART_TIME,
            "status": Assignment.Status.PLANNED,
        },
    )
    assert response.status_code == 302, response.context["errors"]
    assignment = Assignment.objects.get()
    assert assignment.history.first().history_user == unit_a_user


def test_unit_staff_cannot_open_the_standard_for_editing(unit_a_user, standard):
    client = client_for(unit_a_user)
    assert client.get(admin_url(StandardVersion, "add")).status_code == 403
    response = client.get(admin_url(StandardVersion, "change", standard.pk))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
