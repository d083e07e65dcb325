"""Who may change what: one table of persona cases, asked of the rule set itself and of every
interface (admin, pages, API), so that they cannot drift apart."""

import pathlib

import pytest
from django.urls import reverse

from houses.models import Assignment, District, House, PoliceUnit, Variation
from registry.lib import rights
from registry.models import User
from roles.models import Role, StandardVersion, Task
from tests.api_helpers import session_client
from tests.conftest import client_for
from tests.factories import AssignmentFactory, DistrictFactory, UserFactory, VariationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(standard, house_a, house_b):
    task = Task.objects.filter(role__standard_version=standard, kind=Task.Kind.CORE).first()
    # Who may edit the standard is asked of a draft: a published version is read-only for all.
    draft = standard.make_draft("1.1")
    draft_task = Task.objects.filter(role__standard_version=draft, kind=Task.Kind.CORE).first()
    return {
        "house_a": house_a,
        "house_b": house_b,
        "assignment_a": AssignmentFactory(house=house_a, role=task.role),
        "assignment_b": AssignmentFactory(house=house_b, role=task.role),
        "variation_a": VariationFactory(house=house_a, task=task),
        "variation_b": VariationFactory(house=house_b, task=task),
        "district_a": DistrictFactory(police_unit=house_a.police_unit),
        "unit_a": house_a.police_unit,
        "standard": draft,
        "role": draft_task.role,
        "task": draft_task,
    }


EXPECTED = {
    # persona: records it may change
    "national_user": {
        "house_a",
        "house_b",
        "assignment_a",
        "assignment_b",
        "variation_a",
        "variation_b",
        "district_a",
        "unit_a",
        "standard",
        "role",
        "task",
    },
    "superuser": {
        "house_a",
        "house_b",
        "assignment_a",
        "assignment_b",
        "variation_a",
        "variation_b",
        "district_a",
        "unit_a",
        "standard",
        "role",
        "task",
    },
    "unit_a_user": {"house_a", "assignment_a", "variation_a", "district_a"},
    "unit_b_user": {"house_b", "assignment_b", "variation_b"},
    "ketenmanager": set(),
    "reader": set(),
    "anonymous": set(),
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_each_persona_may_change_exactly_its_records(request, records, persona):
    user = request.getfixturevalue(persona)
    allowed = {name for name, obj in records.items() if obj.is_editable_by(user)}
    assert allowed == EXPECTED[persona]
    for name, obj in records.items():
        in_queryset = type(obj).objects.editable_by(user).filter(pk=obj.pk).exists()
        assert in_queryset == (name in EXPECTED[persona]), name


def test_inactive_national_user_may_change_nothing(records):
    user = UserFactory(kind="national", is_active=False)
    assert not any(obj.is_editable_by(user) for obj in records.values())
    assert not House.objects.editable_by(user).exists()


def test_unit_staff_cannot_edit_the_standard_or_eenheden(unit_a_user, records):
    for model in (StandardVersion, Role, Task, PoliceUnit):
        assert not model.objects.editable_by(unit_a_user).exists()


def test_unit_staff_may_edit_only_their_own_units_records(unit_a_user, records):
    assert set(House.objects.editable_by(unit_a_user)) == {records["house_a"]}
    assert set(Assignment.objects.editable_by(unit_a_user)) == {records["assignment_a"]}
    assert set(Variation.objects.editable_by(unit_a_user)) == {records["variation_a"]}
    assert set(District.objects.editable_by(unit_a_user)) == {records["district_a"]}


def test_moving_a_house_to_another_unit_makes_it_not_editable_for_unit_staff(
    unit_a_user, records, unit_b
):
    house = records["house_a"]
    house.police_unit = unit_b
    assert not house.is_editable_by(unit_a_user)


# --- The same table through every interface ----------------------------------------------------

PERSONAS_WITH_ACCOUNTS = [name for name in EXPECTED if name != "anonymous"]


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_the_rule_set_answers_the_table(request, records, persona):
    user = request.getfixturevalue(persona)
    allowed = {name for name, obj in records.items() if rights.may(user, "change", obj)}
    assert allowed == EXPECTED[persona]


@pytest.mark.parametrize("persona", PERSONAS_WITH_ACCOUNTS)
def test_the_admin_offers_a_save_button_exactly_where_the_table_allows(request, records, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    for name, obj in records.items():
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        response = client.get(url)
        if not user.is_staff:
            # Ketenmanagers and readers do not use the admin at all.
            assert response.status_code == 302, name
            continue
        assert response.status_code == 200, name
        editable = b'name="_save"' in response.content
        assert editable == (name in EXPECTED[persona]), name


#: Records the API lets people write (houses, eenheden and districts are read-only there).
API_WRITABLE = {
    "assignment_a": "api:toewijzing-detail",
    "assignment_b": "api:toewijzing-detail",
    "variation_a": "api:afwijking-detail",
    "variation_b": "api:afwijking-detail",
    "role": "api:rol-detail",
    "task": "api:taak-detail",
}


@pytest.mark.parametrize("persona", PERSONAS_WITH_ACCOUNTS)
def test_the_api_accepts_a_write_exactly_where_the_table_allows(request, records, persona):
    user = request.getfixturevalue(persona)
    client = session_client(user)
    for name, view_name in API_WRITABLE.items():
        obj = records[name]
        url = reverse(view_name, args=[obj.pk])
        response = client.patch(url, {}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])
        expected = 200 if name in EXPECTED[persona] else 403
        assert response.status_code == expected, (name, response.content)
    standard = records["standard"]
    url = reverse("api:standaard-detail", args=[standard.version])
    response = client.patch(url, {}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])
    assert response.status_code == (200 if "standard" in EXPECTED[persona] else 403)


@pytest.mark.parametrize("persona", PERSONAS_WITH_ACCOUNTS)
def test_the_house_page_offers_editing_exactly_where_the_table_allows(request, records, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    for name in ("house_a", "house_b"):
        house = records[name]
        response = client.get(reverse("house-detail", args=[house.code]))
        edit_link = reverse("admin:houses_house_change", args=[house.pk]).encode()
        assert (edit_link in response.content) == (name in EXPECTED[persona]), name


def test_the_model_permission_is_asked_too(records, unit_a_user):
    """A unit account whose group lost the change permission may change nothing, even in scope."""
    unit_a_user.groups.clear()
    unit_a_user = type(unit_a_user).objects.get(pk=unit_a_user.pk)  # no cached permissions
    assert records["house_a"].is_editable_by(unit_a_user)
    assert not rights.may(unit_a_user, "change", records["house_a"])
    assert not rights.may_some(unit_a_user, "change", House)
    assert not rights.editable(House.objects.all(), unit_a_user).exists()


def test_no_code_outside_the_kernel_asks_the_scope_directly():
    """Admin, pages, API and imports ask ``registry.lib.rights``; only the kernel itself uses
    the scope methods it is built on."""
    root = pathlib.Path(__file__).resolve().parents[3]
    offenders = []
    for path in root.glob("*/**/*.py"):
        relative = path.relative_to(root)
        if relative.parts[0] in {".venv", "tests", "bench"} or relative.parts[:2] == (
            "registry",
            "lib",
        ):
            continue
        text = path.read_text()
        if ".is_editable_by(" in text or ".editable_by(" in text:
            offenders.append(str(relative))
    assert offenders == []


# --- Consent on local variations in the admin -----------------------------------------------
#
# Variations change by consent (houses/consent.py): proposing, agreeing, rejecting and ending
# are asked of the consent rules in the admin as on the pages and in the API. Ketenmanagers act
# only on the pages and in the API: they have no admin access, even for their own house.

#: actor -> (user fixture, reason typed in the form for a decision)
ADMIN_ACTORS = {
    "unit_a_user": ("unit_a_user", None),  # the eenheid of the house
    "unit_b_user": ("unit_b_user", None),  # another eenheid
    "national_with_reason": ("national_user", "Stuurgroep besloot; de eenheid was afwezig"),
    "national_without_reason": ("national_user", None),
    "km_a": ("km_a", None),  # ketenmanager of the house
}

#: step -> actors whose admin write goes through
ADMIN_CONSENT_ALLOWED = {
    "propose": {"unit_a_user", "national_with_reason", "national_without_reason"},
    "agree": {"unit_a_user", "national_with_reason"},
    "reject": {"unit_a_user", "national_with_reason"},
    "end": {"unit_a_user", "national_with_reason"},
}

#: step -> the status the form asks for
ADMIN_TARGET = {
    "agree": Variation.Status.AGREED,
    "reject": Variation.Status.REJECTED,
    "end": Variation.Status.ENDED,
}


def refused_as(actor, step):
    """How the admin refuses: (status code, what the form says)."""
    if actor == "km_a":
        return 302, None  # to the admin login: no admin access at all
    if actor == "unit_b_user":
        # Another eenheid's house is not offered, and its records are read-only.
        return (200, "eigen eenheid") if step == "propose" else (403, None)
    return 200, "Vermeld waarom" if step == "reject" else "vermelde reden"


@pytest.fixture
def km_a(house_a):
    user = UserFactory(username="km-a", kind=User.Kind.KETENMANAGER, is_staff=False)
    user.houses.add(house_a)
    return user


@pytest.fixture
def consent_records(standard, house_a, unit_a_user, km_a):
    """At house A: a proposal of the house (awaiting the eenheid), and an agreement whose end
    the house proposed (awaiting the eenheid)."""
    from houses import consent
    from houses.consent import Change, Side

    tasks = Task.objects.filter(role__standard_version=standard, kind=Task.Kind.CORE).order_by("pk")
    proposal = VariationFactory(
        house=house_a,
        task=tasks[0],
        status=Variation.Status.PROPOSED,
        agreed_on=None,
        agreed_with="",
        proposed_by=km_a,
        proposed_side=Side.HOUSE,
    )
    agreement = VariationFactory(house=house_a, task=tasks[1], proposed_by=unit_a_user)
    consent.request_change(agreement, km_a, Change.END, reason="Het huis doet het zelf")
    agreement.save()
    return {"proposal": proposal, "agreement": agreement, "task": tasks[2]}


def variation_state():
    return sorted(
        Variation.objects.values_list("pk", "status", "revision", "change_kind", "agreed_by_id")
    ), Variation.history.count()


@pytest.mark.parametrize("step", list(ADMIN_CONSENT_ALLOWED))
@pytest.mark.parametrize("actor", list(ADMIN_ACTORS))
def test_the_admin_takes_a_consent_step_exactly_where_the_rules_allow(
    request, consent_records, national_user, house_a, actor, step
):
    from tests.admin_forms import admin_url, page_data

    fixture, reason = ADMIN_ACTORS[actor]
    user = request.getfixturevalue(fixture)
    client = client_for(user)
    allowed = actor in ADMIN_CONSENT_ALLOWED[step]
    if step == "propose":
        url = admin_url(Variation, "add")
        # The form as national staff are served it, posted by the actor.
        data = page_data(client_for(national_user).get(url))
        task = consent_records["task"]
        data.update(
            house=house_a.pk,
            role=task.role_id,
            task=task.pk,
            kind=Variation.Kind.OMISSION,
            rationale="De gemeente doet dit",
        )
    else:
        variation = consent_records["agreement" if step == "end" else "proposal"]
        url = admin_url(Variation, "change", variation.pk)
        data = page_data(client_for(national_user).get(url))
        data["status"] = ADMIN_TARGET[step]
        data["decision_reason"] = reason or ("Past niet bij het huis" if step == "reject" else "")
        if actor == "national_without_reason":
            data["decision_reason"] = ""
    before = variation_state()
    response = client.post(url, data)
    if actor == "km_a":
        assert "/admin/login/" in response["Location"]
    if not allowed:
        expected_status, told = refused_as(actor, step)
        assert response.status_code == expected_status
        if told:
            assert told in str(response.context["errors"])
        assert variation_state() == before
        return
    assert response.status_code == 302, response.context and response.context["errors"]
    if step == "propose":
        new = Variation.objects.exclude(pk__in=[v[0] for v in before[0]]).get()
        assert (new.status, new.proposed_by) == (Variation.Status.PROPOSED, user)
        return
    variation.refresh_from_db()
    assert variation.status == ADMIN_TARGET[step]
    assert variation.history.first().history_user == user
    if actor == "national_with_reason" and step != "end":
        assert variation.decided_on_behalf is True
        assert variation.decision_reason == reason


def test_unit_staff_cannot_end_an_agreement_in_the_admin_without_the_other_sides_consent(
    standard, house_a, unit_a_user, km_a
):
    from tests.admin_forms import admin_url, page_data

    task = Task.objects.filter(role__standard_version=standard, kind=Task.Kind.CORE).first()
    agreement = VariationFactory(house=house_a, task=task, proposed_by=km_a)
    client = client_for(unit_a_user)
    url = admin_url(Variation, "change", agreement.pk)
    data = page_data(client.get(url)) | {"status": Variation.Status.ENDED}
    before = variation_state()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "twee stappen" in str(response.context["errors"])
    assert variation_state() == before
