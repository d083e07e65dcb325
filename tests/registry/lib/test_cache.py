"""The read cache: a write is visible on the next read, and rights never leak across users."""

import datetime

import pytest
from django.urls import reverse

from houses.models import House, HouseCaseMeeting, Variation
from registry.lib.cache import bump, cached, current_revision, etag
from registry.models import User
from tests.conftest import client_for
from tests.factories import CaseMeetingTypeFactory, UserFactory, VariationFactory
from tests.redis_server import any_cache, redis_url  # noqa: F401 - fixtures

# Each test runs with the memory cache and, with REDIS_TESTS=1 (CI), with a real Redis.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("any_cache")]


def test_every_save_and_delete_of_an_editable_model_counts_as_a_write(house_a):
    before = current_revision()
    house_a.name = "Nieuwe naam"
    house_a.save()
    assert current_revision() == before + 1
    house_a.delete()
    assert current_revision() > before + 1


def test_adding_a_case_meeting_through_the_relation_counts_as_a_write(house_a):
    meeting = CaseMeetingTypeFactory()
    before = current_revision()
    house_a.case_meetings.add(meeting)
    assert current_revision() > before
    assert HouseCaseMeeting.objects.filter(house=house_a).exists()


def test_reverting_to_an_earlier_version_counts_as_a_write(house_a):
    house_a.name = "Tijdelijke naam"
    house_a.save()
    before = current_revision()
    earlier = house_a.history.earliest().instance
    earlier.revision = House.objects.get(pk=house_a.pk).revision
    earlier.save()
    assert current_revision() == before + 1
    assert House.objects.get(pk=house_a.pk).name == "Veiligheidshuis A"


def test_changing_a_user_counts_as_a_write_but_logging_in_does_not(reader):
    before = current_revision()
    reader.kind = User.Kind.NATIONAL
    reader.save()  # also moves the account to another group: more than one write
    after_change = current_revision()
    assert after_change > before
    client_for(reader).login(username=reader.username, password="geheim-wachtwoord-123")
    assert current_revision() == after_change


def test_a_bulk_load_that_bumps_the_counter_invalidates_the_cache():
    calls = []
    cached(["iets"], lambda: calls.append(1) or len(calls))
    assert cached(["iets"], lambda: calls.append(1) or len(calls)) == 1
    bump()
    assert cached(["iets"], lambda: calls.append(1) or len(calls)) == 2


def test_cached_values_are_told_apart_by_every_key_part():
    assert cached(["a", 1], lambda: "een") == "een"
    assert cached(["a", "1"], lambda: "tekst") == "tekst"
    assert cached(["a", True], lambda: "waar") == "waar"
    assert cached(["a", 1], lambda: "anders") == "een"


def test_the_etag_changes_with_every_write_and_with_the_representation(house_a):
    first = etag(["takenpakket", house_a.code])
    assert first == etag(["takenpakket", house_a.code])
    assert first != etag(["takenpakket", "ander-huis"])
    assert first.startswith('"') and first.endswith('"')
    house_a.save()
    assert etag(["takenpakket", house_a.code]) != first


def test_a_change_to_the_task_package_shows_on_the_next_page_view(reader_client, standard, house_a):
    task = standard.roles.get(code="liaison").tasks.get(code="schakel")
    url = reverse("house-detail", args=[house_a.code])
    assert "Eerste reden" not in reader_client.get(url).content.decode()
    variation = VariationFactory(
        house=house_a, task=task, kind=Variation.Kind.OMISSION, rationale="Eerste reden"
    )
    assert "Eerste reden" in reader_client.get(url).content.decode()
    variation.rationale = "Tweede reden"
    variation.save()
    body = reader_client.get(url).content.decode()
    assert "Tweede reden" in body and "Eerste reden" not in body


def test_a_renamed_house_shows_on_the_next_home_page_view(reader_client, house_a):
    assert "Veiligheidshuis A" in reader_client.get(reverse("home")).content.decode()
    house_a.name = "Zorg- en Veiligheidshuis A"
    house_a.save()
    assert "Zorg- en Veiligheidshuis A" in reader_client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("first", ["unit_a_user", "unit_b_user"])
def test_users_with_different_rights_never_share_a_cached_house_page(
    request, first, standard, house_a, unit_a_user, unit_b_user, reader
):
    unit_a_user.first_name, unit_b_user.first_name = "Anna", "Bram"
    unit_a_user.save()
    unit_b_user.save()
    url = reverse("house-detail", args=[house_a.code])
    edit = reverse("admin:houses_house_change", args=[house_a.pk])
    order = [first, "unit_b_user" if first == "unit_a_user" else "unit_a_user", "reader"]
    seen = {name: client_for(request.getfixturevalue(name)).get(url) for name in order}
    assert edit in seen["unit_a_user"].content.decode()
    assert edit not in seen["unit_b_user"].content.decode()
    assert edit not in seen["reader"].content.decode()
    # and the cached page carries no other user's name or CSRF token
    assert "Anna" in seen["unit_a_user"].content.decode()
    assert "Anna" not in seen["unit_b_user"].content.decode()
    assert "Bram" not in seen["unit_a_user"].content.decode()


def test_losing_edit_rights_removes_the_edit_link_on_the_next_view(standard, house_a, unit_b):
    user = UserFactory(kind=User.Kind.UNIT, police_unit=house_a.police_unit)
    url = reverse("house-detail", args=[house_a.code])
    edit = reverse("admin:houses_house_change", args=[house_a.pk])
    client = client_for(user)
    assert edit in client.get(url).content.decode()
    user.police_unit = unit_b
    user.save()
    assert edit not in client.get(url).content.decode()


def test_overdue_phase_outs_are_judged_on_the_day_of_the_view(
    reader_client, standard, house_a, monkeypatch
):
    excluded = standard.roles.get(code="deelnemer").tasks.get(code="verslag")
    today = datetime.date.today()
    VariationFactory(
        house=house_a,
        task=excluded,
        kind=Variation.Kind.PHASE_OUT,
        local_norm="",
        agreed_on=today - datetime.timedelta(days=100),
        phase_out_by=today + datetime.timedelta(days=1),
    )
    url = reverse("house-detail", args=[house_a.code])
    assert "verlopen" not in reader_client.get(url).content.decode()
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *a, **k: today + datetime.timedelta(days=2)
    )
    assert "verlopen" in reader_client.get(url).content.decode()
