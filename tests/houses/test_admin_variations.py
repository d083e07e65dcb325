"""The variation workflow, standard versions and "te herbeoordelen" through the admin."""

import datetime

import pytest
from django.utils import timezone

from houses.consent import Change, Side
from houses.models import Variation
from roles.models import StandardVersion, Task
from tests.admin_forms import admin_url, page_data
from tests.conftest import client_for
from tests.factories import VariationFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def core_task(standard):
    return Task.objects.get(role__standard_version=standard, code="aanspreekpunt")


@pytest.fixture
def excluded_task(standard):
    return Task.objects.get(role__standard_version=standard, code="verslag")


@pytest.fixture
def proposed(house_a, core_task):
    """Proposed by the house's side: the eenheid (unit A staff) decides."""
    return VariationFactory(
        house=house_a,
        task=core_task,
        status=Variation.Status.PROPOSED,
        agreed_on=None,
        agreed_with="",
        proposed_side=Side.HOUSE,
    )


def edit(client, obj, **changes):
    url = admin_url(Variation, "change", obj.pk)
    data = page_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def errors_of(response):
    return response.content.decode()


def test_unit_staff_record_a_variation_and_are_noted_as_recorder(unit_a_user, house_a, core_task):
    response = client_for(unit_a_user).post(
        admin_url(Variation, "add"),
        {
            "house": house_a.pk,
            "role": core_task.role_id,
            "task": core_task.pk,
            "kind": Variation.Kind.ADJUSTMENT,
            "local_norm": "tweewekelijks",
            "rationale": "Minder casussen",
            "status": Variation.Status.PROPOSED,
        },
    )
    assert response.status_code == 302, response.context["errors"]
    variation = Variation.objects.get()
    assert variation.recorded_by == unit_a_user
    assert variation.standard_version == core_task.role.standard_version
    assert variation.history.first().history_user == unit_a_user


def test_agreeing_a_proposal_of_the_own_side_is_refused_and_changes_nothing(unit_a_user, proposed):
    proposed.proposed_side = Side.UNIT
    proposed.save()
    response = edit(client_for(unit_a_user), proposed, status=Variation.Status.AGREED)
    assert response.status_code == 200
    assert "eigen kant" in errors_of(response)
    proposed.refresh_from_db()
    assert proposed.status == Variation.Status.PROPOSED


def test_agreeing_records_who_agreed(unit_a_user, proposed):
    response = edit(
        client_for(unit_a_user),
        proposed,
        status=Variation.Status.AGREED,
        agreed_on=TODAY.isoformat(),
        agreed_with="Stuurgroep",
    )
    assert response.status_code == 302, response.context["errors"]
    proposed.refresh_from_db()
    assert proposed.status == Variation.Status.AGREED
    assert proposed.agreed_by == unit_a_user


def test_a_proposed_variation_cannot_be_ended(unit_a_user, proposed):
    response = edit(
        client_for(unit_a_user), proposed, status=Variation.Status.ENDED, ended_on=TODAY.isoformat()
    )
    assert response.status_code == 200
    assert "Een afwijking gaat niet van" in errors_of(response)
    proposed.refresh_from_db()
    assert proposed.status == Variation.Status.PROPOSED


def test_a_rejected_variation_cannot_be_agreed_after_all(unit_a_user, house_a, core_task):
    rejected = VariationFactory(
        house=house_a,
        task=core_task,
        status=Variation.Status.REJECTED,
        agreed_on=None,
        agreed_with="",
    )
    response = edit(
        client_for(unit_a_user),
        rejected,
        status=Variation.Status.AGREED,
        agreed_on=TODAY.isoformat(),
        agreed_with="Stuurgroep",
    )
    assert response.status_code == 200
    assert "Een afwijking gaat niet van" in errors_of(response)


def test_an_agreed_variation_ends_only_when_the_other_side_agrees(unit_a_user, house_a, core_task):
    agreed = VariationFactory(house=house_a, task=core_task)
    client = client_for(unit_a_user)
    response = edit(client, agreed, status=Variation.Status.ENDED)
    assert "twee stappen" in errors_of(response)
    agreed.refresh_from_db()
    agreed.change_kind = Change.END
    agreed.change_side = Side.HOUSE
    agreed.change_at = timezone.now()
    agreed.save()
    response = edit(client, agreed, status=Variation.Status.ENDED)
    assert response.status_code == 302, response.context["errors"]
    agreed.refresh_from_db()
    assert agreed.status == Variation.Status.ENDED
    assert agreed.ended_on == timezone.localdate()


def test_a_phase_out_may_run_at_most_three_years_after_agreement(
    unit_a_user, house_a, excluded_task
):
    phase_out = VariationFactory(
        house=house_a,
        task=excluded_task,
        kind=Variation.Kind.PHASE_OUT,
        local_norm="",
        status=Variation.Status.PROPOSED,
        agreed_on=None,
        agreed_with="",
        phase_out_by=TODAY + datetime.timedelta(days=365),
        proposed_side=Side.HOUSE,
    )
    client = client_for(unit_a_user)
    too_late = TODAY.replace(year=TODAY.year + 3) + datetime.timedelta(days=2)
    response = edit(
        client,
        phase_out,
        status=Variation.Status.AGREED,
        agreed_on=TODAY.isoformat(),
        agreed_with="Stuurgroep",
        phase_out_by=too_late.isoformat(),
    )
    assert "Een afbouw duurt hoogstens 3 jaar na de afspraak." in errors_of(response)
    phase_out.refresh_from_db()
    assert phase_out.status == Variation.Status.PROPOSED


def test_a_phase_out_of_a_core_task_is_refused(unit_a_user, house_a, core_task):
    response = client_for(unit_a_user).post(
        admin_url(Variation, "add"),
        {
            "house": house_a.pk,
            "role": core_task.role_id,
            "task": core_task.pk,
            "kind": Variation.Kind.PHASE_OUT,
            "rationale": "Afbouwen",
            "status": Variation.Status.PROPOSED,
            "phase_out_by": TODAY.isoformat(),
        },
    )
    assert "Alleen een uitgesloten taak (geen politietaak) kan worden afgebouwd." in errors_of(
        response
    )
    assert not Variation.objects.exists()


def test_an_adjustment_needs_its_local_norm(unit_a_user, proposed):
    response = edit(client_for(unit_a_user), proposed, local_norm="")
    assert "Vul de lokale norm in van deze aanpassing." in errors_of(response)
    proposed.refresh_from_db()
    assert proposed.local_norm == "tweewekelijks"


def publish_new_version(client, standard, label="1.1"):
    changelist = admin_url(StandardVersion, "changelist")
    response = client.post(
        changelist,
        {
            "action": "make_draft",
            "_selected_action": [standard.pk],
            "apply": "1",
            "version": label,
            "title": "Standaard 1.1",
        },
    )
    assert response.status_code == 302
    draft = StandardVersion.objects.get(version=label)
    response = client.post(
        changelist,
        {
            "action": "publish",
            "_selected_action": [draft.pk],
            "apply": "1",
            "published_on": TODAY.isoformat(),
            "changes": "Taken verduidelijkt.",
        },
    )
    assert response.status_code == 302
    return draft


def test_national_staff_make_a_draft_copy_and_publish_it(national_client, standard):
    page = national_client.post(
        admin_url(StandardVersion, "changelist"),
        {"action": "make_draft", "_selected_action": [standard.pk]},
    )
    assert 'value="1.1"' in page.content.decode()
    draft = publish_new_version(national_client, standard)
    draft.refresh_from_db()
    standard.refresh_from_db()
    assert draft.status == StandardVersion.Status.PUBLISHED
    assert standard.status == StandardVersion.Status.SUPERSEDED
    assert sorted(draft.roles.values_list("code", flat=True)) == ["deelnemer", "liaison"]
    assert Task.objects.filter(role__standard_version=draft).count() == 5


def test_a_draft_label_that_exists_is_refused(national_client, standard):
    response = national_client.post(
        admin_url(StandardVersion, "changelist"),
        {
            "action": "make_draft",
            "_selected_action": [standard.pk],
            "apply": "1",
            "version": "1.0",
            "title": "Dubbel",
        },
    )
    assert "Versie 1.0 bestaat al." in response.content.decode()
    assert StandardVersion.objects.count() == 1


def test_unit_staff_cannot_make_or_publish_versions(unit_a_user, standard):
    client = client_for(unit_a_user)
    client.post(
        admin_url(StandardVersion, "changelist"),
        {
            "action": "make_draft",
            "_selected_action": [standard.pk],
            "apply": "1",
            "version": "1.1",
            "title": "x",
        },
    )
    assert StandardVersion.objects.count() == 1


def test_variations_on_an_older_version_show_as_to_review_until_marked_reviewed(
    national_client, unit_a_user, standard, proposed
):
    publish_new_version(national_client, standard)
    client = client_for(unit_a_user)
    listing = client.get(admin_url(Variation, "changelist"), {"herbeoordelen": "ja"})
    assert list(listing.context["cl"].result_list) == [proposed]

    response = client.post(
        admin_url(Variation, "changelist"),
        {"action": "mark_reviewed", "_selected_action": [proposed.pk]},
        follow=True,
    )
    assert "1 afwijking herbeoordeeld" in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.standard_version.version == "1.1"
    assert proposed.task.code == "aanspreekpunt"
    assert proposed.task.role.standard_version.version == "1.1"
    assert proposed.history.first().history_user == unit_a_user
    listing = client.get(admin_url(Variation, "changelist"), {"herbeoordelen": "ja"})
    assert list(listing.context["cl"].result_list) == []


def test_marking_reviewed_is_refused_when_the_task_is_gone(national_client, standard, proposed):
    draft = publish_new_version(national_client, standard)
    Task.objects.filter(role__standard_version=draft, code="aanspreekpunt").delete()
    response = national_client.post(
        admin_url(Variation, "changelist"),
        {"action": "mark_reviewed", "_selected_action": [proposed.pk]},
        follow=True,
    )
    assert "heeft de taak &#x27;Aanspreekpunt&#x27; niet meer" in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.standard_version == standard
