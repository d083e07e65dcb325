"""The pages about houses: list with filters, house page, comparison, eenheid pages."""

import pytest
from django.urls import reverse

from houses.models import Assignment, House, Variation
from roles.models import Presence, Task
from tests.conftest import client_for
from tests.factories import AssignmentFactory, HouseFactory, VariationFactory
from tests.pages import assert_same_queries, populate

pytestmark = pytest.mark.django_db


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


# House list ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, house_a):
    for url in [
        reverse("home"),
        reverse("house-list"),
        reverse("house-detail", args=[house_a.code]),
        reverse("compare"),
        reverse("house-package-export", args=[house_a.code, "csv"]),
        reverse("matrix-export", args=["xlsx"]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_house_list_shows_active_houses_with_their_eenheid(reader_client, house_a, house_b):
    HouseFactory(police_unit=house_a.police_unit, name="Gesloten huis", active=False)
    body = page(reader_client, reverse("house-list"))
    assert "Veiligheidshuis A" in body and "Veiligheidshuis B" in body
    assert "Eenheid B" in body
    assert "Gesloten huis" not in body
    assert "2 veiligheidshuizen" in body


def test_house_list_filters_on_eenheid(reader_client, house_a, house_b):
    body = page(reader_client, reverse("house-list"), eenheid="eenheid-a")
    assert "Veiligheidshuis A" in body
    assert "Veiligheidshuis B" not in body


def test_house_list_filters_on_overdue_phase_outs(reader_client, standard, unit_a, house_b):
    (late,) = populate(standard, unit_a, houses=1)
    body = page(reader_client, reverse("house-list"), verlopen="true")
    assert late.name in body
    assert house_b.name not in body


def test_house_list_reports_an_unknown_eenheid_in_dutch_instead_of_failing(reader_client, house_a):
    body = page(reader_client, reverse("house-list"), eenheid="bestaat-niet", verlopen="misschien")
    assert "Niet alle filters konden worden toegepast" in body
    assert "Selecteer een geldige keuze" in body
    assert 'aria-invalid="true"' in body
    assert "Veiligheidshuis A" in body  # the other filters still apply: nothing is hidden


def test_house_list_says_what_to_do_when_nothing_matches(reader_client, house_a):
    body = page(reader_client, reverse("house-list"), zoek="nergens-te-vinden")
    assert "Geen veiligheidshuizen gevonden met deze filters" in body
    assert "wis alle filters" in body


def test_house_list_runs_the_same_queries_whatever_the_number_of_houses(
    reader_client, standard, unit_a, django_assert_num_queries
):
    populate(standard, unit_a, houses=2)
    url = reverse("house-list")
    assert_same_queries(
        django_assert_num_queries,
        8,
        lambda: reader_client.get(url, {"eenheid": unit_a.code}),
        lambda: populate(standard, unit_a, houses=8),
    )


# House page ---------------------------------------------------------------------------------


def test_house_page_shows_the_task_package_with_each_deviation_explained(
    reader_client, standard, house_a
):
    task = Task.objects.get(role__standard_version=standard, code="schakel")
    AssignmentFactory(
        house=house_a,
        role=task.role,
        presence=Presence.FULL_TIME,
        contact_mailbox="liaison@politie.example",
        contact_phone="0900-8844",
    )
    VariationFactory(
        house=house_a,
        task=task,
        kind=Variation.Kind.OMISSION,
        rationale="Belegd bij district",
        agreed_with="Stuurgroep Noord",
    )
    body = page(reader_client, reverse("house-detail", args=[house_a.code]))
    assert "Weggelaten" in body
    assert "Belegd bij district" in body
    assert "Stuurgroep Noord" in body
    assert "Soort afwijking" in body
    assert "liaison@politie.example" in body and "0900-8844" in body
    assert "Fulltime aanwezig" in body
    assert "Deze rol is niet bezet." in body  # the participant role
    # The excluded task is named under what the police does not do here.
    excluded = body.split("Wat de politie hier niet doet", 1)[1]
    assert "Verslaglegging" in excluded and "De politie doet dit hier niet." in excluded


def test_house_page_shows_phase_outs_with_deadline_and_proposals_beside_the_package(
    reader_client, standard, unit_a
):
    (house,) = populate(standard, unit_a, houses=1)
    body = page(reader_client, reverse("house-detail", args=[house.code]))
    assert "Verslaglegging" in body
    assert "verlopen" in body
    assert "Voorgestelde afwijkingen" in body
    assert "Voorstel tweewekelijks" in body
    assert "Spreekuur" in body


def test_house_page_shows_recent_history_with_who_changed_what(standard, house_a, national_user):
    client = client_for(national_user)
    house_a.framework_status = House.FrameworkStatus.CONFORM
    house_a._history_user = national_user
    house_a.save()
    body = page(client, reverse("house-detail", args=[house_a.code]))
    assert "Recente wijzigingen" in body
    assert "Huisgegevens gewijzigd: status Landelijk kader" in body
    assert national_user.username in body


def test_house_page_offers_an_edit_link_only_to_who_may_edit(
    client, standard, house_a, unit_a_user, unit_b_user, ketenmanager
):
    url = reverse("house-detail", args=[house_a.code])
    edit = reverse("admin:houses_house_change", args=[house_a.pk])
    client.force_login(unit_a_user)
    assert edit in client.get(url).content.decode()
    for user in [unit_b_user, ketenmanager]:
        client.force_login(user)
        assert edit not in client.get(url).content.decode()


def test_unknown_house_is_a_404_in_the_layout_that_points_the_way(reader_client):
    response = reader_client.get(reverse("house-detail", args=["bestaat-niet"]))
    assert response.status_code == 404
    body = response.content.decode()
    assert "Pagina niet gevonden" in body
    assert reverse("house-list") in body
    assert 'class="skip-link"' in body


def test_house_page_without_a_published_standard_explains_why_it_is_empty(reader_client, house_a):
    body = page(reader_client, reverse("house-detail", args=[house_a.code]))
    assert "nog geen gepubliceerde standaard" in body


def test_house_page_query_count_does_not_grow_with_data(
    reader_client, standard, unit_a, national_user, django_assert_num_queries
):
    (house,) = populate(standard, unit_a, houses=1)
    # History of every kind: the house, an assignment and a variation each changed once.
    house.notes = "Gewijzigd"
    house.save()
    for obj in [house.assignments.first(), house.variations.first()]:
        obj.notes = "Gewijzigd" if hasattr(obj, "notes") else ""
        obj.rationale = getattr(obj, "rationale", "") + " (gewijzigd)"
        obj.save()
    url = reverse("house-detail", args=[house.code])
    task = Task.objects.get(role__standard_version=standard, code="aanspreekpunt")

    def grow():
        for _ in range(5):
            VariationFactory(
                house=house,
                task=task,
                status=Variation.Status.PROPOSED,
                agreed_on=None,
                agreed_with="",
            )
            AssignmentFactory(house=house, role=task.role, status=Assignment.Status.PLANNED)
        for variation in Variation.objects.filter(house=house):
            variation.rationale += " (bijgewerkt)"
            variation.save()

    # session, user, change counter; on a cache miss the house and the page's own queries
    assert_same_queries(
        django_assert_num_queries, 16, lambda: reader_client.get(url), grow, repeated=3
    )


# Comparison ---------------------------------------------------------------------------------


def test_comparison_shows_two_houses_task_by_task_and_marks_the_differences(
    reader_client, standard, unit_a, house_b
):
    (varied,) = populate(standard, unit_a, houses=1)
    body = page(reader_client, reverse("compare"), huis=[varied.code, house_b.code])
    assert varied.name in body and house_b.name in body
    assert "verschilt" in body
    assert "gelijk" in body  # the untouched task is the same in both
    assert "Weggelaten" in body and "Conform standaard" in body
    assert "Niet van toepassing" in body  # the addition exists in one house only


def test_comparison_can_show_only_the_differences(reader_client, standard, house_a, house_b):
    task = Task.objects.get(role__standard_version=standard, code="schakel")
    VariationFactory(house=house_a, task=task, kind=Variation.Kind.OMISSION)
    body = page(
        reader_client, reverse("compare"), huis=[house_a.code, house_b.code], verschillen="on"
    )
    assert "Schakel" in body
    assert "Aanspreekpunt" not in body


def test_comparison_asks_for_at_least_two_houses(reader_client, house_a, house_b):
    body = page(reader_client, reverse("compare"), huis=[house_a.code])
    assert "Kies ten minste twee veiligheidshuizen" in body
    body = page(reader_client, reverse("compare"), huis=[house_a.code, "bestaat-niet"])
    assert "bestaat-niet is geen bekend veiligheidshuis" in body


def test_comparison_query_count_does_not_grow_with_the_number_of_houses(
    reader_client, standard, unit_a, django_assert_num_queries
):
    houses = populate(standard, unit_a, houses=2)
    url = reverse("compare")
    codes = [h.code for h in houses]

    def grow():
        codes.extend(h.code for h in populate(standard, unit_a, houses=6))

    assert_same_queries(
        django_assert_num_queries, 7, lambda: reader_client.get(url, {"huis": codes}), grow
    )


# Eenheden -----------------------------------------------------------------------------------


def test_unit_page_shows_its_houses_variations_and_overdue_phase_outs(
    reader_client, standard, unit_a, house_b
):
    (house,) = populate(standard, unit_a, houses=1)
    body = page(reader_client, reverse("unit-detail", args=[unit_a.code]))
    assert house.name in body
    assert house_b.name not in body
    assert "Voorstel tweewekelijks" in body
    assert "Verslaglegging" in body and "verlopen" in body


def test_unit_list_links_every_unit(reader_client, unit_a, unit_b, house_a):
    body = page(reader_client, reverse("unit-list"))
    assert reverse("unit-detail", args=[unit_a.code]) in body
    assert reverse("unit-detail", args=[unit_b.code]) in body


def test_unknown_unit_is_a_404(reader_client):
    assert reader_client.get(reverse("unit-detail", args=["nergens"])).status_code == 404


@pytest.mark.parametrize("name", ["unit-detail", "unit-list"])
def test_unit_pages_run_the_same_queries_whatever_the_number_of_houses(
    name, reader_client, standard, unit_a, django_assert_num_queries
):
    populate(standard, unit_a, houses=2)
    url = reverse(name, args=[unit_a.code] if name == "unit-detail" else [])
    assert_same_queries(
        django_assert_num_queries,
        # The list: session, user, the stale summaries, three for their packages, storing
        # them, the eenheden, their sums, their houses.
        8 if name == "unit-detail" else 10,
        lambda: reader_client.get(url),
        lambda: populate(standard, unit_a, houses=6),
    )
