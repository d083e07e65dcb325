import pytest
from django.urls import reverse

from houses.models import House
from tests.factories import AssignmentFactory, HouseFactory, VariationFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_the_login_page(client, house_a):
    for url in [reverse("home"), reverse("house-detail", args=[house_a.code])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_login_page_is_in_dutch(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert '<html lang="nl">' in response.content.decode()
    assert "Inloggen" in response.content.decode()


def test_home_lists_houses_per_unit(reader_client, house_a, house_b):
    HouseFactory(police_unit=house_a.police_unit, name="Gesloten huis", active=False)
    response = reader_client.get(reverse("home"))
    body = response.content.decode()
    assert "Eenheid A" in body and "Eenheid B" in body
    assert reverse("house-detail", args=["huis-a"]) in body
    assert "Gesloten huis" not in body


def test_home_runs_the_same_queries_whatever_the_number_of_houses(
    reader_client, django_assert_num_queries, unit_a
):
    HouseFactory.create_batch(2, police_unit=unit_a)
    # session, user, change counter, eenheden, houses; then served from the cache
    with django_assert_num_queries(5):
        reader_client.get(reverse("home"))
    with django_assert_num_queries(3):
        reader_client.get(reverse("home"))
    HouseFactory.create_batch(20, police_unit=unit_a)
    with django_assert_num_queries(5):
        reader_client.get(reverse("home"))
    with django_assert_num_queries(3):
        reader_client.get(reverse("home"))


def test_house_page_shows_the_task_package(reader_client, standard, house_a):
    task = standard.roles.get(code="liaison").tasks.get(code="schakel")
    AssignmentFactory(house=house_a, role=task.role, contact_mailbox="liaison@politie.example")
    VariationFactory(house=house_a, task=task, kind="omission", rationale="Belegd bij district")
    body = reader_client.get(reverse("house-detail", args=[house_a.code])).content.decode()
    assert "Weggelaten" in body
    assert "Belegd bij district" in body
    assert "liaison@politie.example" in body
    assert "Deze rol is niet bezet." in body  # the participant role


def test_house_page_offers_an_edit_link_only_to_who_may_edit(
    client, standard, house_a, unit_a_user, unit_b_user
):
    url = reverse("house-detail", args=[house_a.code])
    edit = reverse("admin:houses_house_change", args=[house_a.pk])
    client.force_login(unit_a_user)
    assert edit in client.get(url).content.decode()
    client.force_login(unit_b_user)
    assert edit not in client.get(url).content.decode()


def test_unknown_house_is_a_404(reader_client):
    assert reader_client.get(reverse("house-detail", args=["bestaat-niet"])).status_code == 404


def test_house_page_query_count_does_not_grow_with_data(
    reader_client, standard, house_a, django_assert_num_queries
):
    task = standard.roles.get(code="liaison").tasks.get(code="schakel")
    url = reverse("house-detail", args=[house_a.code])
    VariationFactory(house=house_a, task=task, kind="omission")
    # session, user, change counter, house, standard tasks, assignments, variations
    with django_assert_num_queries(7):
        reader_client.get(url)
    # until the next write: session, user, change counter
    with django_assert_num_queries(3):
        reader_client.get(url)
    for _ in range(5):
        VariationFactory(
            house=house_a, task=task, status="proposed", agreed_on=None, agreed_with=""
        )
        AssignmentFactory(house=house_a, role=task.role, status="planned")
    with django_assert_num_queries(7):
        reader_client.get(url)
    with django_assert_num_queries(3):
        reader_client.get(url)
    assert House.objects.count() == 1
