"""The dashboard, role and standard pages, search, language switch and error pages."""

import datetime

import pytest
from django.urls import reverse

from roles.models import Role, StandardVersion, Task
from tests.factories import (
    HouseFactory,
    RoleFactory,
    StandardVersionFactory,
    TaskFactory,
    VariationFactory,
)
from tests.pages import TODAY, assert_same_queries, populate

pytestmark = pytest.mark.django_db


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


# Dashboard ----------------------------------------------------------------------------------


def test_dashboard_matrix_shows_how_each_role_is_filled_vacant_or_varied(
    reader_client, standard, unit_a, house_b
):
    (house,) = populate(standard, unit_a, houses=1)
    body = page(reader_client, reverse("home"))
    assert reverse("house-detail", args=[house.code]) in body
    assert "Fulltime" in body  # how the liaison role is filled
    assert "Vacant" in body  # the participant role and every role at house B
    assert "2 afwijkingen" in body  # the liaison role: an omission and an addition
    assert "1 voorgesteld" in body


def test_dashboard_shows_conformance_per_eenheid_as_a_chart_with_a_text_alternative(
    reader_client, standard, unit_a, house_b
):
    populate(standard, unit_a, houses=1)
    body = page(reader_client, reverse("home"))
    assert '<svg role="img" aria-labelledby="grafiek-titel grafiek-omschrijving"' in body
    # Of the 4 standard tasks: 2 delivered, 1 omitted, 1 in the vacant participant role.
    assert "Eenheid A: 50%." in body
    assert "Eenheid B: 0%." in body  # every role vacant: nothing delivered
    assert "Conformiteit per eenheid in cijfers" in body
    assert "2 / 4" in body
    assert "Een taak van een vacante rol telt als niet geleverd" in body


def test_dashboard_lists_overdue_phase_outs_and_variations_to_review_linking_to_the_house(
    reader_client, standard, unit_a
):
    (house,) = populate(standard, unit_a, houses=1)
    StandardVersionFactory(version="0.9", status=StandardVersion.Status.SUPERSEDED)
    body = page(reader_client, reverse("home"))
    assert f"{reverse('house-detail', args=[house.code])}#afbouw" in body
    assert "Verslaglegging" in body
    assert f"{reverse('house-detail', args=[house.code])}#afwijkingen" in body
    assert "voorgesteld, wacht op een besluit" in body
    # A superseded version alone changes nothing on the list: only the proposal is there.
    assert 'Afwijkingen om te beoordelen <span class="count">(1)</span>' in body
    assert "vastgelegd tegen een eerdere versie van de standaard" not in body


def test_dashboard_lists_variations_recorded_against_a_superseded_standard_for_review(
    reader_client, standard, house_a
):
    old = StandardVersionFactory(version="0.9", status=StandardVersion.Status.SUPERSEDED)
    old_task = TaskFactory(role=RoleFactory(standard_version=old), title="Oude taak")
    VariationFactory(house=house_a, task=old_task)
    body = page(reader_client, reverse("home"))
    assert 'Afwijkingen om te beoordelen <span class="count">(1)</span>' in body
    assert "Oude taak" in body
    assert "vastgelegd tegen een eerdere versie van de standaard" in body


def test_dashboard_flags_variations_whose_review_date_has_passed(reader_client, standard, house_a):
    task = Task.objects.get(role__standard_version=standard, code="schakel")
    VariationFactory(house=house_a, task=task, review_by=TODAY - datetime.timedelta(days=1))
    body = page(reader_client, reverse("home"))
    assert "herbeoordelingsdatum bereikt" in body


def test_dashboard_without_anything_to_do_says_so(reader_client, standard, house_a):
    body = page(reader_client, reverse("home"))
    assert "Geen verlopen afbouw" in body
    assert "Er liggen geen afwijkingen ter beoordeling." in body


def test_dashboard_with_an_empty_registry_explains_what_is_missing(reader_client):
    body = page(reader_client, reverse("home"))
    assert "Nog geen veiligheidshuizen geregistreerd" in body


def test_dashboard_matrix_honours_the_house_filters(reader_client, standard, house_a, house_b):
    body = page(reader_client, reverse("home"), eenheid="eenheid-b")
    assert house_b.name in body
    assert reverse("house-detail", args=[house_a.code]) not in body
    assert "/matrix.csv?eenheid=eenheid-b" in body


def test_dashboard_runs_the_same_queries_whatever_the_number_of_houses(
    reader_client, standard, unit_a, django_assert_num_queries
):
    populate(standard, unit_a, houses=2)
    assert_same_queries(
        django_assert_num_queries,
        # session, user, counters; the matrix's page: count, houses, three for their pieces;
        # the summaries: stale ones, three for their packages, store, sum per eenheid; the
        # eenheden; the lists to review: two lists, two counts
        20,
        lambda: reader_client.get(reverse("home")),
        lambda: populate(standard, unit_a, houses=10),
        repeated=3,  # session, user, change counter: the body comes from the read cache
    )


# Roles and the standard ---------------------------------------------------------------------


def test_role_page_shows_the_standard_for_the_role_and_where_it_is_filled_and_varied(
    reader_client, standard, unit_a, house_b
):
    (house,) = populate(standard, unit_a, houses=1)
    role = standard.roles.get(code="deelnemer")
    # Seeded as data (a published role is read-only for every interface).
    Role.objects.filter(pk=role.pk).update(
        competences=["Kennis van de sociale kaart"], preconditions=["Toegang tot politiesystemen"]
    )
    body = page(reader_client, reverse("role-detail", args=["deelnemer"]))
    assert "Kerntaken" in body and "Deelname" in body
    assert "Uitgesloten taken (geen politietaak)" in body and "Verslaglegging" in body
    assert "Kennis van de sociale kaart" in body and "Toegang tot politiesystemen" in body
    assert house.name in body  # vacant assignment and a proposed variation
    assert "Voorgesteld" in body
    assert "Niet bezet in 2 huizen" in body


def test_role_of_no_published_standard_is_a_404(reader_client, standard):
    assert reader_client.get(reverse("role-detail", args=["onbekend"])).status_code == 404


def test_role_page_runs_the_same_queries_whatever_the_number_of_houses(
    reader_client, standard, unit_a, django_assert_num_queries
):
    populate(standard, unit_a, houses=2)
    assert_same_queries(
        django_assert_num_queries,
        8,
        lambda: reader_client.get(reverse("role-detail", args=["liaison"])),
        lambda: populate(standard, unit_a, houses=6),
    )


def test_standard_page_shows_the_current_version_principles_and_earlier_changes(
    reader_client, standard
):
    StandardVersion.objects.filter(pk=standard.pk).update(
        principles=["De politie is sleutelpartner."]
    )
    StandardVersionFactory(
        version="0.9",
        status=StandardVersion.Status.SUPERSEDED,
        changes="Eerste opzet met alleen de liaison.",
    )
    body = page(reader_client, reverse("standard"))
    assert "1.0" in body and "De politie is sleutelpartner." in body
    assert reverse("role-detail", args=["liaison"]) in body
    assert "0.9" in body and "Eerste opzet met alleen de liaison." in body


def test_standard_page_without_a_published_version_says_what_to_do(reader_client):
    body = page(reader_client, reverse("standard"))
    assert "Er is nog geen gepubliceerde standaard" in body


def test_standard_page_runs_the_same_queries_whatever_the_number_of_versions(
    reader_client, standard, django_assert_num_queries
):
    assert_same_queries(
        django_assert_num_queries,
        5,
        lambda: reader_client.get(reverse("standard")),
        lambda: [standard.make_draft(f"1.{n}") for n in range(1, 4)],
    )


# Search -------------------------------------------------------------------------------------


def test_search_finds_houses_roles_tasks_and_variations(reader_client, standard, unit_a):
    HouseFactory(police_unit=unit_a, name="Veiligheidshuis Zeeland", seat="Middelburg")
    (house,) = populate(standard, unit_a, houses=1)
    assert "Zeeland" in page(reader_client, reverse("search"), q="middelburg")
    assert reverse("role-detail", args=["liaison"]) in page(
        reader_client, reverse("search"), q="liais"
    )
    assert "Verslaglegging" in page(reader_client, reverse("search"), q="verslag")
    body = page(reader_client, reverse("search"), q="tweewekelijks")
    assert house.name in body and "Voorgesteld" in body.replace("voorgesteld", "Voorgesteld")


def test_search_explains_a_too_short_or_fruitless_query(reader_client, standard):
    assert "ten minste twee tekens" in page(reader_client, reverse("search"), q="a")
    assert "Niets gevonden" in page(reader_client, reverse("search"), q="qqqq")
    assert "Zoek op de naam" in page(reader_client, reverse("search"))


def test_search_runs_the_same_queries_whatever_the_number_of_hits(
    reader_client, standard, unit_a, django_assert_num_queries
):
    populate(standard, unit_a, houses=1)
    assert_same_queries(
        django_assert_num_queries,
        6,
        lambda: reader_client.get(reverse("search"), {"q": "ee"}),
        lambda: populate(standard, unit_a, houses=6),
    )


# Layout, language, errors -------------------------------------------------------------------


def test_pages_are_dutch_by_default_even_for_an_english_browser(reader_client, house_a):
    body = reader_client.get(reverse("house-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="nl">' in body
    assert "Naar de inhoud" in body  # the skip link
    assert 'role="search"' in body
    assert "Uitloggen" in body and "lezer" in body  # logout and the user's name


def test_the_language_switch_turns_the_pages_english(reader_client, house_a):
    response = reader_client.post(
        reverse("set_language"), {"language": "en", "next": reverse("house-list")}
    )
    assert response.status_code == 302 and response.url == reverse("house-list")
    body = reader_client.get(reverse("house-list")).content.decode()
    assert '<html lang="en">' in body
    assert "Skip to content" in body
    assert "Houses" in body or "Safety houses" in body
    assert reverse("house-list") == "/veiligheidshuizen/"  # the Dutch URLs stay


def test_the_login_page_is_public_and_has_the_language_switch(client):
    body = page(client, reverse("login"))
    assert '<html lang="nl">' in body
    assert 'value="en"' in body


def test_an_unknown_page_is_a_404_in_the_layout(reader_client):
    response = reader_client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.content.decode()


def test_error_pages_render_in_the_layout(rf):
    from django.template.loader import render_to_string

    assert "Er ging iets mis" in render_to_string("500.html")
    assert "Geen toegang" in render_to_string("403.html", request=rf.get("/"))
