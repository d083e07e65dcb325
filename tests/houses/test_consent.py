"""Two-sided consent on local variations: every actor × action × house ownership, in the rule
set, the API, the pages ("Wat wacht op mij") and the admin."""

import datetime
import json
import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from houses import consent
from houses.consent import Change, Side
from houses.models import Variation
from registry.lib import rights
from registry.models import User
from roles.models import Task
from tests.admin_forms import admin_url, page_data
from tests.api_helpers import assert_problem, current_etag, token_client
from tests.conftest import client_for
from tests.factories import HouseFactory, UserFactory, VariationFactory
from tests.pages import assert_same_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def km_a(house_a):
    user = UserFactory(username="km-a", kind=User.Kind.KETENMANAGER)
    user.houses.add(house_a)
    return user


@pytest.fixture
def km_b(house_b):
    user = UserFactory(username="km-b", kind=User.Kind.KETENMANAGER)
    user.houses.add(house_b)
    return user


@pytest.fixture
def km_none(db):
    return UserFactory(username="km-zonder-huis", kind=User.Kind.KETENMANAGER)


@pytest.fixture
def task(standard):
    return Task.objects.filter(role__standard_version=standard, kind=Task.Kind.CORE).first()


def proposal(house, task, proposer, side):
    return VariationFactory(
        house=house,
        task=task,
        status=Variation.Status.PROPOSED,
        agreed_on=None,
        agreed_with="",
        proposed_by=proposer,
        proposed_side=side,
    )


@pytest.fixture
def unit_proposal(house_a, task, unit_a_user):
    """Proposed by the eenheid of house A: awaits the house (its ketenmanager)."""
    return proposal(house_a, task, unit_a_user, Side.UNIT)


@pytest.fixture
def house_proposal(house_a, task, km_a):
    """Proposed by the ketenmanager of house A: awaits the eenheid."""
    return proposal(house_a, task, km_a, Side.HOUSE)


ACTORS = [
    "unit_a_user",  # eenheid of the house
    "unit_b_user",  # another eenheid
    "km_a",  # ketenmanager of the house
    "km_b",  # ketenmanager of another house
    "km_none",  # ketenmanager without houses
    "reader",
    "national_user",  # only with a reason, in a side's place
]

#: actor -> may propose a variation for house A
MAY_PROPOSE = {"unit_a_user", "km_a", "national_user"}
#: proposal fixture -> actors who may agree or reject it (national: with a reason)
MAY_DECIDE = {
    "unit_proposal": {"km_a", "national_user"},
    "house_proposal": {"unit_a_user", "national_user"},
}


def reason_for(actor):
    return "Stuurgroep besloot; ketenmanager afwezig" if actor == "national_user" else "Akkoord"


# --- the rule set ---------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_propose_follows_the_house_ownership(request, actor, house_a, task):
    user = request.getfixturevalue(actor)
    new = Variation(house=house_a, role=task.role, task=task, kind=Variation.Kind.OMISSION)
    assert rights.may_consent(user, "propose", new) == (actor in MAY_PROPOSE)


@pytest.mark.parametrize("which", ["unit_proposal", "house_proposal"])
@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_decide_is_the_other_side(request, actor, which):
    user = request.getfixturevalue(actor)
    variation = request.getfixturevalue(which)
    allowed = actor in MAY_DECIDE[which]
    for step in ("agree", "reject"):
        assert rights.may_consent(user, step, variation, reason=reason_for(actor)) == allowed


def test_national_staff_decide_in_a_sides_place_only_with_a_reason(national_user, unit_proposal):
    refusal = rights.consent_refusal(national_user, "agree", unit_proposal)
    assert refusal is not None and "reden" in refusal.message
    consent.agree(unit_proposal, national_user, reason="Stuurgroep besloot")
    unit_proposal.full_clean()
    unit_proposal.save()
    unit_proposal.refresh_from_db()
    assert unit_proposal.status == Variation.Status.AGREED
    assert unit_proposal.decided_on_behalf is True
    assert unit_proposal.decision_reason == "Stuurgroep besloot"


def test_nobody_agrees_a_proposal_they_made_themselves(national_user, house_a, task):
    variation = proposal(house_a, task, national_user, Side.UNIT)
    refusal = rights.consent_refusal(national_user, "agree", variation, reason="Toch")
    assert refusal is not None and "eigen voorstel" in refusal.message


def test_a_variation_agreed_by_its_proposer_is_invalid(unit_proposal, unit_a_user):
    unit_proposal.status = Variation.Status.AGREED
    unit_proposal.agreed_by = unit_a_user
    unit_proposal.decided_at = timezone.now()
    unit_proposal.agreed_on = timezone.localdate()
    with pytest.raises(Exception, match="eigen voorstel"):
        unit_proposal.full_clean()


# --- the API --------------------------------------------------------------------------------------


def new_variation(task):
    return {
        "veiligheidshuis": "huis-a",
        "rol": task.role_id,
        "taak": task.pk,
        "soort": Variation.Kind.OMISSION,
        "onderbouwing": "De gemeente doet dit.",
    }


@pytest.mark.parametrize("actor", ACTORS)
def test_api_proposing_follows_the_house_ownership(request, actor, house_a, task):
    client = token_client(request.getfixturevalue(actor))
    response = client.post("/api/v1/afwijkingen", new_variation(task), format="json")
    if actor in MAY_PROPOSE:
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == Variation.Status.PROPOSED
        assert body["voorgesteldDoor"] == request.getfixturevalue(actor).username
        expected_side = Side.HOUSE if actor == "km_a" else Side.UNIT
        assert body["voorgesteldNamens"] == expected_side
        assert body["wachtOp"] == consent.other(expected_side)
    else:
        assert "voorstellen" in assert_problem(response, 403)["detail"]
        assert not Variation.objects.exists()


def test_api_a_new_variation_cannot_be_recorded_as_agreed(unit_a_user, house_a, task):
    data = new_variation(task) | {"status": Variation.Status.AGREED}
    response = token_client(unit_a_user).post("/api/v1/afwijkingen", data, format="json")
    assert "voorstel" in assert_problem(response, 409)["detail"]
    assert not Variation.objects.exists()


@pytest.mark.parametrize("which", ["unit_proposal", "house_proposal"])
@pytest.mark.parametrize("action", ["instemmen", "afwijzen"])
@pytest.mark.parametrize("actor", ACTORS)
def test_api_decisions_follow_the_sides(request, actor, action, which):
    user = request.getfixturevalue(actor)
    variation = request.getfixturevalue(which)
    url = f"/api/v1/afwijkingen/{variation.pk}/{action}"
    response = token_client(user).post(
        url, {"reden": reason_for(actor)}, format="json", HTTP_IF_MATCH=current_etag(url)
    )
    variation.refresh_from_db()
    if actor in MAY_DECIDE[which]:
        assert response.status_code == 200, response.content
        body = response.json()
        if action == "instemmen":
            assert variation.status == Variation.Status.AGREED
            assert body["overeengekomenDoor"] == user.username
            assert body["besluitOp"]
        else:
            assert variation.status == Variation.Status.REJECTED
            assert body["afgewezenDoor"] == user.username
        assert response["ETag"] == current_etag(url)
        assert response["ETag"].startswith('"2-')
        history = variation.history.first()
        assert history.history_user == user
        assert reason_for(actor) in history.history_change_reason
    else:
        assert_problem(response, 403)
        assert variation.status == Variation.Status.PROPOSED
        assert variation.revision == 1


def test_api_decisions_need_if_match_and_refuse_a_stale_one(km_a, unit_proposal):
    client = token_client(km_a)
    url = f"/api/v1/afwijkingen/{unit_proposal.pk}/instemmen"
    assert_problem(client.post(url, {}, format="json"), 428)
    assert_problem(client.post(url, {}, format="json", HTTP_IF_MATCH='"7"'), 412)
    unit_proposal.refresh_from_db()
    assert unit_proposal.status == Variation.Status.PROPOSED


def test_api_rejecting_needs_a_reason(km_a, unit_proposal):
    url = f"/api/v1/afwijkingen/{unit_proposal.pk}/afwijzen"
    response = token_client(km_a).post(url, {}, format="json", HTTP_IF_MATCH=current_etag(url))
    assert "afwijst" in assert_problem(response, 409)["detail"]


def test_api_deciding_what_awaits_nothing_is_a_conflict(km_a, house_a, task):
    agreed = VariationFactory(house=house_a, task=task)
    url = f"/api/v1/afwijkingen/{agreed.pk}/instemmen"
    response = token_client(km_a).post(url, {}, format="json", HTTP_IF_MATCH=current_etag(url))
    assert "wacht niet" in assert_problem(response, 409)["detail"]


@pytest.mark.parametrize("actor", ACTORS)
def test_api_ending_is_proposed_by_one_side_and_agreed_by_the_other(
    request, actor, km_a, unit_a_user, house_a, task
):
    user = request.getfixturevalue(actor)
    agreed = VariationFactory(house=house_a, task=task)
    url = f"/api/v1/afwijkingen/{agreed.pk}"
    response = token_client(user).post(
        f"{url}/beeindigen",
        {"reden": "Taak vervalt"},
        format="json",
        HTTP_IF_MATCH=current_etag(f"{url}/beeindigen"),
    )
    if actor not in MAY_PROPOSE:
        assert_problem(response, 403)
        return
    assert response.status_code == 200, response.content
    assert response.json()["voorgesteldeWijziging"]["soort"] == Change.END
    agreed.refresh_from_db()
    assert agreed.status == Variation.Status.AGREED  # until the other side agrees
    own = token_client(user).post(
        f"{url}/instemmen",
        {"reden": "x"},
        format="json",
        HTTP_IF_MATCH=current_etag(f"{url}/instemmen"),
    )
    assert_problem(own, 403)
    other = km_a if actor in {"unit_a_user", "national_user"} else unit_a_user
    done = token_client(other).post(
        f"{url}/instemmen", {}, format="json", HTTP_IF_MATCH=current_etag(f"{url}/instemmen")
    )
    assert done.status_code == 200, done.content
    agreed.refresh_from_db()
    assert agreed.status == Variation.Status.ENDED
    assert agreed.ended_on == timezone.localdate()
    assert "beëindiging" in agreed.history.first().history_change_reason


def test_api_a_new_phase_out_deadline_waits_for_the_other_side(
    km_a, unit_a_user, house_a, standard
):
    excluded = Task.objects.get(code="verslag")
    phase_out = VariationFactory(
        house=house_a,
        task=excluded,
        kind=Variation.Kind.PHASE_OUT,
        local_norm="",
        phase_out_by=timezone.localdate() + datetime.timedelta(days=100),
    )
    url = f"/api/v1/afwijkingen/{phase_out.pk}"
    later = timezone.localdate() + datetime.timedelta(days=300)
    patch = token_client(unit_a_user).patch(
        url,
        {"afgebouwdUiterlijk": later.isoformat()},
        format="json",
        HTTP_IF_MATCH=current_etag(url),
    )
    assert "instemming" in assert_problem(patch, 409)["detail"]
    proposed = token_client(unit_a_user).post(
        f"{url}/afbouwdatum",
        {"reden": "Capaciteit later", "afgebouwdUiterlijk": later.isoformat()},
        format="json",
        HTTP_IF_MATCH=current_etag(f"{url}/afbouwdatum"),
    )
    assert proposed.status_code == 200, proposed.content
    phase_out.refresh_from_db()
    assert phase_out.phase_out_by != later
    rejected = token_client(km_a).post(
        f"{url}/afwijzen",
        {"reden": "Te laat"},
        format="json",
        HTTP_IF_MATCH=current_etag(f"{url}/afwijzen"),
    )
    assert rejected.status_code == 200, rejected.content
    phase_out.refresh_from_db()
    assert phase_out.phase_out_by != later and not phase_out.change_kind
    assert phase_out.status == Variation.Status.AGREED


def test_api_every_decision_lands_in_the_write_log(km_a, unit_proposal, caplog):
    url = f"/api/v1/afwijkingen/{unit_proposal.pk}/instemmen"
    with caplog.at_level(logging.INFO, logger="registry.writes"):
        response = token_client(km_a).post(url, {}, format="json", HTTP_IF_MATCH=current_etag(url))
    assert response.status_code == 200
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "registry.writes"]
    assert lines[-1]["user"] == "km-a"
    assert lines[-1]["reason"].startswith("Ingestemd door het huis")


# --- the page "Wat wacht op mij" ------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_the_page_lists_what_awaits_each_actor(request, actor, unit_proposal):
    response = client_for(request.getfixturevalue(actor)).get(reverse("inbox"))
    assert response.status_code == 200
    inbox = response.context["inbox"]
    assert (unit_proposal in inbox["to_decide"]) == (actor in MAY_DECIDE["unit_proposal"])
    assert (unit_proposal in inbox["own"]) == (actor == "unit_a_user")


def test_the_page_shows_the_norms_rationale_and_proposer(km_a, unit_proposal):
    content = client_for(km_a).get(reverse("inbox")).content.decode()
    assert unit_proposal.task.norm in content
    assert unit_proposal.local_norm in content
    assert unit_proposal.rationale in content
    assert "eenheid-a" in content
    assert 'name="revisie" value="1"' in content


@pytest.mark.parametrize("which", ["unit_proposal", "house_proposal"])
@pytest.mark.parametrize("actor", ACTORS)
def test_deciding_on_the_page_follows_the_sides(request, actor, which):
    user = request.getfixturevalue(actor)
    variation = request.getfixturevalue(which)
    data = {
        "afwijking": variation.pk,
        "revisie": 1,
        "besluit": "instemmen",
        "reden": reason_for(actor),
    }
    response = client_for(user).post(reverse("inbox"), data, follow=True)
    assert response.status_code == 200
    variation.refresh_from_db()
    shown = " ".join(str(m) for m in response.context["messages"])
    if actor in MAY_DECIDE[which]:
        assert variation.status == Variation.Status.AGREED, shown
        assert variation.agreed_by == user
        assert "Ingestemd" in shown
    else:
        assert variation.status == Variation.Status.PROPOSED
        assert shown


def test_a_stale_decision_on_the_page_is_refused_with_what_changed(
    km_a, unit_a_user, unit_proposal
):
    unit_proposal.local_norm = "maandelijks"
    unit_proposal._history_user = unit_a_user
    unit_proposal.save()  # revision 2
    data = {"afwijking": unit_proposal.pk, "revisie": 1, "besluit": "instemmen", "reden": ""}
    response = client_for(km_a).post(reverse("inbox"), data, follow=True)
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "maandelijks" in shown and "eenheid-a" in shown
    unit_proposal.refresh_from_db()
    assert unit_proposal.status == Variation.Status.PROPOSED


def test_rejecting_on_the_page_needs_a_reason_and_records_it(km_a, unit_proposal):
    client = client_for(km_a)
    data = {"afwijking": unit_proposal.pk, "revisie": 1, "besluit": "afwijzen", "reden": ""}
    client.post(reverse("inbox"), data)
    unit_proposal.refresh_from_db()
    assert unit_proposal.status == Variation.Status.PROPOSED
    client.post(reverse("inbox"), data | {"reden": "Past niet bij het huis"})
    unit_proposal.refresh_from_db()
    assert unit_proposal.status == Variation.Status.REJECTED
    assert unit_proposal.decision_reason == "Past niet bij het huis"
    assert unit_proposal.history.first().history_user == km_a


def test_the_page_lists_phase_outs_due_within_90_days_at_the_users_houses(
    km_a, km_b, house_a, standard
):
    due = VariationFactory(
        house=house_a,
        task=Task.objects.get(code="verslag"),
        kind=Variation.Kind.PHASE_OUT,
        local_norm="",
        phase_out_by=timezone.localdate() + datetime.timedelta(days=60),
    )
    assert due in client_for(km_a).get(reverse("inbox")).context["inbox"]["due"]
    assert due not in client_for(km_b).get(reverse("inbox")).context["inbox"]["due"]


def test_the_house_page_names_both_sides_of_an_agreement(km_a, unit_a_user, unit_proposal):
    consent.agree(unit_proposal, km_a)
    unit_proposal.save()
    content = client_for(unit_a_user).get(reverse("house-detail", args=["huis-a"])).content
    content = content.decode()
    assert "eenheid-a" in content and "km-a" in content


# --- the admin ------------------------------------------------------------------------------------


def test_ketenmanagers_stay_out_of_the_admin(km_a):
    assert km_a.is_staff is False
    response = client_for(km_a).get(admin_url(Variation, "changelist"))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("actor", "which", "allowed"),
    [
        ("unit_a_user", "house_proposal", True),
        ("unit_a_user", "unit_proposal", False),
        ("national_user", "unit_proposal", True),
    ],
)
def test_admin_agreeing_follows_the_sides(request, actor, which, allowed):
    user = request.getfixturevalue(actor)
    variation = request.getfixturevalue(which)
    client = client_for(user)
    url = admin_url(Variation, "change", variation.pk)
    data = page_data(client.get(url))
    data["status"] = Variation.Status.AGREED
    data["decision_reason"] = "Namens het huis, na overleg" if actor == "national_user" else ""
    response = client.post(url, data)
    variation.refresh_from_db()
    if allowed:
        assert response.status_code == 302, response.context["errors"]
        assert variation.status == Variation.Status.AGREED
        assert variation.agreed_by == user
    else:
        assert response.status_code == 200
        assert "eigen" in str(response.context["errors"])
        assert variation.status == Variation.Status.PROPOSED


def test_admin_refuses_changing_an_agreed_deadline_directly(unit_a_user, house_a, standard):
    phase_out = VariationFactory(
        house=house_a,
        task=Task.objects.get(code="verslag"),
        kind=Variation.Kind.PHASE_OUT,
        local_norm="",
        phase_out_by=timezone.localdate() + datetime.timedelta(days=100),
    )
    client = client_for(unit_a_user)
    url = admin_url(Variation, "change", phase_out.pk)
    data = page_data(client.get(url))
    data["phase_out_by"] = (timezone.localdate() + datetime.timedelta(days=200)).isoformat()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "instemming" in str(response.context["errors"])


def test_migrated_agreements_say_they_predate_two_sided_consent(unit_a_user, house_a, task):
    old = VariationFactory(house=house_a, task=task, agreed_before_consent=True, decided_at=None)
    old.full_clean()
    content = client_for(unit_a_user).get(reverse("house-detail", args=["huis-a"])).content
    assert "vóór de tweezijdige instemming" in content.decode()


# --- the import -----------------------------------------------------------------------------------


def import_preview(client, text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("afwijkingen.csv", text.encode(), content_type="text/csv")
    return client.post(admin_url(Variation, "import"), {"import_file": upload, "format": "0"})


IMPORT_HEADER = "veiligheidshuis,rol,taak,soort,lokaleNorm,onderbouwing,status\n"


def test_an_import_cannot_record_a_new_variation_as_agreed(unit_a_user, house_a, standard):
    text = IMPORT_HEADER + "huis-a,liaison,schakel,adjustment,maandelijks,Afspraak,agreed\n"
    response = import_preview(client_for(unit_a_user), text)
    assert "altijd eerst een voorstel" in response.content.decode()
    assert response.context.get("confirm_form") is None
    assert not Variation.objects.exists()


def test_an_import_row_agreeing_the_own_sides_proposal_is_refused(unit_a_user, unit_proposal):
    text = (
        "id,veiligheidshuis,rol,taak,soort,lokaleNorm,onderbouwing,status\n"
        f"{unit_proposal.pk},huis-a,liaison,{unit_proposal.task.code},adjustment,"
        f"{unit_proposal.local_norm},{unit_proposal.rationale},agreed\n"
    )
    response = import_preview(client_for(unit_a_user), text)
    assert "geweigerd: U kunt niet besluiten over uw eigen voorstel" in response.content.decode()
    unit_proposal.refresh_from_db()
    assert unit_proposal.status == Variation.Status.PROPOSED


def test_a_long_reason_is_kept_whole_on_the_record_and_shortened_in_history(
    national_user, unit_proposal
):
    reason = "De stuurgroep besloot hierover in haar vergadering; " * 5
    url = f"/api/v1/afwijkingen/{unit_proposal.pk}/instemmen"
    response = token_client(national_user).post(
        url, {"reden": reason}, format="json", HTTP_IF_MATCH=current_etag(url)
    )
    assert response.status_code == 200, response.content
    unit_proposal.refresh_from_db()
    assert unit_proposal.decision_reason == reason.strip()
    assert len(unit_proposal.history.first().history_change_reason) <= 100


# --- the page's queries ---------------------------------------------------------------------------


def awaiting_everyone(standard, unit, km, unit_user, houses):
    """``houses`` houses of ``unit`` with ``km`` as their ketenmanager, each with a proposal of
    either side, a proposed end of an agreement and an agreed phase-out due within 90 days: two
    items for each section of the page, for each of the two."""
    deelname = Task.objects.get(role__standard_version=standard, code="deelname")
    schakel = Task.objects.get(role__standard_version=standard, code="schakel")
    verslag = Task.objects.get(role__standard_version=standard, code="verslag")
    for _ in range(houses):
        house = HouseFactory(police_unit=unit)
        km.houses.add(house)
        km.__dict__.pop("ketenmanager_house_ids", None)
        proposal(house, deelname, unit_user, Side.UNIT)
        proposal(house, schakel, km, Side.HOUSE)
        ending = VariationFactory(house=house, task=schakel, proposed_by=unit_user)
        consent.request_change(ending, km, Change.END, reason="Niet meer nodig")
        ending.save()
        VariationFactory(
            house=house,
            task=verslag,
            kind=Variation.Kind.PHASE_OUT,
            local_norm="",
            phase_out_by=timezone.localdate() + datetime.timedelta(days=30),
        )


#: session, user, the user's houses, what awaits a decision, phase-outs due
@pytest.mark.parametrize(("actor", "expected"), [("km_a", 5), ("unit_a_user", 5)])
def test_the_page_runs_the_same_queries_for_2_and_for_20_houses(
    request, actor, expected, standard, unit_a, km_a, unit_a_user, django_assert_num_queries
):
    user = request.getfixturevalue(actor)
    client = client_for(user)

    def fetch():
        response = client.get(reverse("inbox"))
        assert response.status_code == 200
        return response

    awaiting_everyone(standard, unit_a, km_a, unit_a_user, houses=2)
    first, second = assert_same_queries(
        django_assert_num_queries,
        expected,
        fetch,
        lambda: awaiting_everyone(standard, unit_a, km_a, unit_a_user, houses=18),
    )
    for response, houses in ((first, 2), (second, 20)):
        inbox = response.context["inbox"]
        # The ketenmanager decides the eenheid's proposals and awaits the eenheid on its own
        # proposals and proposed ends; the eenheid the other way round.
        decide, own = (1, 2) if actor == "km_a" else (2, 1)
        assert [len(inbox[part]) for part in ("to_decide", "own", "due")] == [
            houses * decide,
            houses * own,
            houses,
        ]


# --- ending an agreement and another deadline, on the pages ---------------------------------------

#: actor -> may propose to end (or change the deadline of) an agreement of house A
MAY_CHANGE = {"unit_a_user", "km_a", "national_user"}


@pytest.fixture
def agreement(house_a, task, unit_a_user, km_a):
    """Proposed by the eenheid of house A, agreed by its ketenmanager."""
    return VariationFactory(house=house_a, task=task, proposed_by=unit_a_user, agreed_by=km_a)


@pytest.fixture
def phase_out(house_a, standard, unit_a_user, km_a):
    return VariationFactory(
        house=house_a,
        task=Task.objects.get(code="verslag"),
        kind=Variation.Kind.PHASE_OUT,
        local_norm="",
        phase_out_by=timezone.localdate() + datetime.timedelta(days=60),
        proposed_by=unit_a_user,
        agreed_by=km_a,
    )


def agreement_url(variation):
    return reverse("variation-agreement", args=[variation.pk])


def shown_messages(response):
    return " ".join(str(m) for m in response.context["messages"])


def propose_change(client, variation, change, *, revision=None, date="", reason="Niet meer nodig"):
    data = {
        "revisie": revision or variation.revision,
        "wijziging": change,
        "datum": date,
        "reden": reason,
    }
    return client.post(agreement_url(variation), data, follow=True)


def decide(client, variation, decision, reason=""):
    variation.refresh_from_db()
    data = {
        "afwijking": variation.pk,
        "revisie": variation.revision,
        "besluit": decision,
        "reden": reason,
    }
    return client.post(reverse("inbox"), data, follow=True)


@pytest.mark.parametrize("actor", ACTORS)
def test_the_agreement_page_offers_ending_exactly_to_the_houses_sides(request, actor, agreement):
    response = client_for(request.getfixturevalue(actor)).get(agreement_url(agreement))
    assert response.status_code == 200
    content = response.content.decode()
    assert "km-a" in content and "eenheid-a" in content  # who agreed, on both sides
    assert ('value="beeindigen"' in content) == (actor in MAY_CHANGE)
    assert 'value="afbouwdatum"' not in content  # not a phase-out
    if actor not in MAY_CHANGE:
        assert "u kunt deze afwijking niet beëindigen" in content


@pytest.mark.parametrize("actor", ACTORS)
def test_proposing_an_end_on_the_page_follows_the_sides(request, actor, agreement):
    response = propose_change(client_for(request.getfixturevalue(actor)), agreement, "beeindigen")
    assert response.status_code == 200
    agreement.refresh_from_db()
    assert agreement.status == Variation.Status.AGREED
    if actor in MAY_CHANGE:
        assert agreement.change_kind == Change.END
        assert agreement.change_reason == "Niet meer nodig"
        assert "Beëindiging voorgesteld" in shown_messages(response)
    else:
        assert agreement.change_kind == ""
        assert agreement.revision == 1
        assert "niet beëindigen" in shown_messages(response)


def test_an_end_proposed_on_the_page_is_agreed_by_the_other_side_on_theirs(
    unit_a_user, km_a, agreement
):
    unit, house = client_for(unit_a_user), client_for(km_a)
    propose_change(unit, agreement, "beeindigen")
    # The eenheid cannot agree its own proposal; the ketenmanager finds it waiting.
    assert agreement not in unit.get(reverse("inbox")).context["inbox"]["to_decide"]
    assert agreement in house.get(reverse("inbox")).context["inbox"]["to_decide"]
    refused = decide(unit, agreement, "instemmen")
    assert "eigen" in shown_messages(refused)
    agreement.refresh_from_db()
    assert agreement.status == Variation.Status.AGREED
    response = decide(house, agreement, "instemmen")
    assert "Ingestemd" in shown_messages(response)
    agreement.refresh_from_db()
    assert agreement.status == Variation.Status.ENDED
    assert agreement.ended_on == timezone.localdate()
    assert agreement.history.first().history_user == km_a


def test_another_deadline_proposed_on_the_page_changes_only_when_the_other_side_agrees(
    unit_a_user, km_a, phase_out
):
    old = phase_out.phase_out_by
    new = old + datetime.timedelta(days=90)
    house = client_for(km_a)
    page = house.get(agreement_url(phase_out)).content.decode()
    assert 'value="afbouwdatum"' in page and 'value="beeindigen"' in page
    propose_change(house, phase_out, "afbouwdatum", date=new.isoformat(), reason="Later klaar")
    phase_out.refresh_from_db()
    assert (phase_out.phase_out_by, phase_out.change_kind, phase_out.change_date) == (
        old,
        Change.DEADLINE,
        new,
    )
    unit = client_for(unit_a_user)
    page = unit.get(agreement_url(phase_out)).content.decode()
    assert "Later klaar" in page and 'name="besluit"' in page  # decided here too
    rejected = decide(unit, phase_out, "afwijzen", "De gemeente neemt het per 1 januari over")
    assert "Afgewezen" in shown_messages(rejected)
    phase_out.refresh_from_db()
    assert (phase_out.phase_out_by, phase_out.change_kind) == (old, "")
    propose_change(house, phase_out, "afbouwdatum", date=new.isoformat(), reason="Later klaar")
    decide(unit, phase_out, "instemmen")
    phase_out.refresh_from_db()
    assert (phase_out.phase_out_by, phase_out.change_kind) == (new, "")


def test_a_new_deadline_needs_its_date_and_a_reason(km_a, phase_out):
    client = client_for(km_a)
    response = propose_change(client, phase_out, "afbouwdatum", date="", reason="")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Vul de nieuwe afbouwdatum in." in content
    assert "Dit veld is vereist." in content
    phase_out.refresh_from_db()
    assert phase_out.change_kind == "" and phase_out.revision == 1


def test_a_stale_change_on_the_page_is_refused_with_what_changed(unit_a_user, km_a, agreement):
    agreement.rationale = "Nieuwe onderbouwing"
    agreement._history_user = unit_a_user
    agreement.save()  # revision 2
    response = propose_change(client_for(km_a), agreement, "beeindigen", revision=1)
    shown = shown_messages(response)
    assert "gewijzigd sinds u het formulier opende" in shown and "Nieuwe onderbouwing" in shown
    agreement.refresh_from_db()
    assert agreement.change_kind == "" and agreement.revision == 2


def test_a_second_change_waits_for_the_first(unit_a_user, km_a, phase_out):
    propose_change(client_for(unit_a_user), phase_out, "beeindigen")
    phase_out.refresh_from_db()
    response = propose_change(
        client_for(km_a), phase_out, "afbouwdatum", date="2030-01-01", reason="Later"
    )
    assert "wacht al een voorgestelde wijziging" in shown_messages(response)
    phase_out.refresh_from_db()
    assert phase_out.change_kind == Change.END


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"revisie": "x", "wijziging": "beeindigen", "reden": "r"},
        {"revisie": "1", "wijziging": "iets", "reden": "r"},
        {"revisie": "1", "wijziging": "afbouwdatum", "datum": "31-02-2030", "reden": "r"},
    ],
)
def test_bad_input_on_the_agreement_page_changes_nothing(km_a, phase_out, data):
    response = client_for(km_a).post(agreement_url(phase_out), data, follow=True)
    assert response.status_code == 200
    phase_out.refresh_from_db()
    assert phase_out.revision == 1 and phase_out.change_kind == ""


def test_an_unknown_agreement_is_a_404(km_a):
    assert client_for(km_a).get(reverse("variation-agreement", args=[999])).status_code == 404
