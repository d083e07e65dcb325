"""The read cache in the API and on the pages: a write shows on the next read, an ETag is
current exactly as long as nothing was written, and nobody sees another user's name, CSRF
token or edit actions, whoever asked first."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory
from django.urls import reverse

from houses.models import Variation
from houses.views import HouseDetailView
from registry.models import User
from tests.api_helpers import session_client, token_client
from tests.factories import HouseFactory, VariationFactory
from tests.pages import populate

pytestmark = pytest.mark.django_db

PACKAGE_URL = "/api/v1/veiligheidshuizen/huis-a/takenpakket"
BOTH_ORDERS = [("unit_a_user", "unit_b_user"), ("unit_b_user", "unit_a_user")]


def adjust(standard, house, norm):
    task = standard.roles.get(code="liaison").tasks.get(code="schakel")
    return VariationFactory(house=house, task=task, local_norm=norm)


# --- API: ETags and 304 ---------------------------------------------------------------------


def test_a_current_etag_of_the_task_package_is_answered_304_without_computing_it(
    reader, standard, house_a, django_assert_num_queries
):
    client = session_client(reader)
    first = client.get(PACKAGE_URL)
    assert first.status_code == 200
    for size in (1, 8):  # the same few queries whatever the size of the registry
        populate(standard, house_a.police_unit, houses=size)
        tag = client.get(PACKAGE_URL)["ETag"]
        with django_assert_num_queries(3):  # session, user, change counter
            response = client.get(PACKAGE_URL, HTTP_IF_NONE_MATCH=tag)
        assert response.status_code == 304
        assert response["ETag"] == tag
        assert response.content == b""
        assert response["API-Version"]


def test_after_a_write_the_old_etag_gets_the_new_task_package(reader, standard, house_a):
    client = token_client(reader)
    variation = adjust(standard, house_a, "maandelijks")
    tag = client.get(PACKAGE_URL)["ETag"]
    assert client.get(PACKAGE_URL, HTTP_IF_NONE_MATCH=tag).status_code == 304
    variation.local_norm = "tweemaandelijks"
    variation.save()
    response = client.get(PACKAGE_URL, HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 200
    assert response["ETag"] != tag
    assert "tweemaandelijks" in response.content.decode()


def test_a_write_through_the_api_shows_on_the_next_list_read(national_user, standard, house_a):
    client = token_client(national_user)
    variation = adjust(standard, house_a, "maandelijks")
    # A proposal: its terms may change (an agreement changes only by consent).
    Variation.objects.filter(pk=variation.pk).update(
        status=Variation.Status.PROPOSED, agreed_on=None, decided_at=None
    )
    url = "/api/v1/afwijkingen"
    before = client.get(url)
    assert "maandelijks" in before.content.decode()
    detail = client.get(f"{url}/{variation.pk}")
    changed = client.patch(
        f"{url}/{variation.pk}",
        {"lokaleNorm": "per kwartaal"},
        format="json",
        HTTP_IF_MATCH=detail["ETag"],
    )
    assert changed.status_code == 200, changed.content
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert "per kwartaal" in after.content.decode()


def test_each_page_and_filter_of_a_list_has_its_own_cached_answer_and_etag(reader, house_a):
    for number in range(25):
        HouseFactory(name=f"Huis {number:02}")
    client = token_client(reader)
    first = client.get("/api/v1/veiligheidshuizen")
    second = client.get("/api/v1/veiligheidshuizen", {"pagina": 2})
    filtered = client.get("/api/v1/veiligheidshuizen", {"eenheid": house_a.police_unit.code})
    assert first.json()["resultaten"] != second.json()["resultaten"]
    assert [h["code"] for h in filtered.json()["resultaten"]] == ["huis-a"]
    assert len({first["ETag"], second["ETag"], filtered["ETag"]}) == 3
    response = client.get(
        "/api/v1/veiligheidshuizen", {"pagina": 2}, HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert response.status_code == 200


def test_an_etag_never_lets_a_client_without_credentials_read(reader, standard, house_a):
    tag = token_client(reader).get(PACKAGE_URL)["ETag"]
    response = Client().get(PACKAGE_URL, HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 401


def test_a_made_up_etag_is_not_answered_304(reader, standard, house_a):
    client = token_client(reader)
    tag = client.get(PACKAGE_URL)["ETag"]
    revision = tag.strip('"').rsplit("-", 1)[1]
    made_up = f'"{"0" * 32}-{revision}"'
    assert client.get(PACKAGE_URL, HTTP_IF_NONE_MATCH=made_up).status_code == 200
    unknown = "/api/v1/veiligheidshuizen/bestaat-niet/takenpakket"
    assert client.get(unknown, HTTP_IF_NONE_MATCH=tag).status_code == 404


@pytest.mark.parametrize(("first", "second"), BOTH_ORDERS)
def test_users_with_different_rights_each_get_their_own_browsable_api_page(
    request, first, second, standard, house_a
):
    """The data is shared, the page around it is not: each sees their own name."""
    users = {name: request.getfixturevalue(name) for name in (first, second)}
    seen = {}
    for name in (first, second):
        client = session_client(users[name])
        seen[name] = client.get("/api/v1/toewijzingen", HTTP_ACCEPT="text/html")
        json_body = client.get(PACKAGE_URL).json()
        assert json_body["veiligheidshuis"]["code"] == "huis-a"
    for name, response in seen.items():
        other = second if name == first else first
        body = response.content.decode()
        assert users[name].username in body
        assert users[other].username not in body


# --- pages ----------------------------------------------------------------------------------


def csrf_token(body: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)


@pytest.mark.parametrize("page", ["home", "house-detail"])
@pytest.mark.parametrize(("first", "second"), BOTH_ORDERS)
def test_a_cached_page_carries_the_name_and_a_working_csrf_token_of_whoever_asks(
    request, page, first, second, standard, house_a
):
    url = reverse(page, args=[house_a.code] if page == "house-detail" else [])
    for name in (first, second):
        user = request.getfixturevalue(name)
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        body = client.get(url).content.decode()
        assert user.username in body
        # the language switch works with the token of this page: it belongs to this session
        token = csrf_token(body)
        switched = client.post(
            reverse("set_language"), {"language": "en", "next": url, "csrfmiddlewaretoken": token}
        )
        assert switched.status_code == 302


@pytest.mark.parametrize(
    ("first", "second"), [("national_user", "reader"), ("reader", "national_user")]
)
def test_only_who_may_edit_a_house_sees_its_edit_and_history_links_whoever_asked_first(
    request, first, second, standard, house_a
):
    edit = reverse("admin:houses_house_change", args=[house_a.pk])
    history = reverse("admin:houses_house_history", args=[house_a.pk])
    house_a.notes = "Gewijzigd"
    house_a.save()
    url = reverse("house-detail", args=[house_a.code])
    for name in (first, second):
        body = Client()
        body.force_login(request.getfixturevalue(name))
        content = body.get(url).content.decode()
        may_edit = name == "national_user"
        assert (edit in content) is may_edit
        assert (history in content) is may_edit


def edit_link_check(user, house):
    """A function that asks the house page, signed in as ``user``, whether it shows the
    house's edit link; and the signed-in client."""
    client = Client()
    client.force_login(user)
    url = reverse("house-detail", args=[house.code])
    edit = reverse("admin:houses_house_change", args=[house.pk])
    return (lambda: edit in client.get(url).content.decode()), client


def test_a_repeated_house_page_asks_no_permission_queries_of_who_may_edit(
    unit_a_user, standard, house_a, django_assert_num_queries
):
    shows_edit, _client = edit_link_check(unit_a_user, house_a)
    assert shows_edit()
    with django_assert_num_queries(3):  # session, user, change counters
        assert shows_edit()


def test_the_cached_edit_right_follows_a_change_of_permissions_kind_or_eenheid(
    unit_a_user, unit_b, standard, house_a
):
    shows_edit, _client = edit_link_check(unit_a_user, house_a)
    assert shows_edit()
    group = unit_a_user.groups.get()
    permission = Permission.objects.get(codename="change_house")
    group.permissions.remove(permission)
    assert not shows_edit()
    group.permissions.add(permission)
    assert shows_edit()
    unit_a_user.kind = User.Kind.READER
    unit_a_user.save()
    assert not shows_edit()
    unit_a_user.kind = User.Kind.UNIT
    unit_a_user.save()
    assert shows_edit()
    unit_a_user.police_unit = unit_b
    unit_a_user.save()
    assert not shows_edit()


def test_an_edit_right_asked_for_a_user_changed_meanwhile_is_not_kept_for_the_new_user(
    unit_a_user, unit_b, standard, house_a
):
    """The user is loaded before the counters are read: a save in between must not leave the
    old user's answer cached under the new revision."""
    shows_edit, client = edit_link_check(unit_a_user, house_a)
    stale = User.objects.get(pk=unit_a_user.pk)  # as a request loaded it
    unit_a_user.police_unit = unit_b
    unit_a_user.save()
    request = RequestFactory().get(reverse("house-detail", args=[house_a.code]))
    request.user = stale
    request.session = client.session
    stale_page = HouseDetailView.as_view()(request, code=house_a.code)
    edit = reverse("admin:houses_house_change", args=[house_a.pk])
    assert edit in stale_page.rendered_content  # answered for the user as loaded
    assert not shows_edit()


def test_the_cached_house_page_follows_the_language(reader_client, standard, house_a):
    url = reverse("house-detail", args=[house_a.code])
    assert "Takenpakket" in reader_client.get(url).content.decode()
    reader_client.post(reverse("set_language"), {"language": "en", "next": url})
    body = reader_client.get(url).content.decode()
    assert 'lang="en"' in body
    assert "Task package" in body


def test_the_dashboard_caches_each_filter_on_its_own(reader_client, standard, house_a, house_b):
    url = reverse("home")
    only_a = reader_client.get(url, {"eenheid": "eenheid-a"}).content.decode()
    only_b = reader_client.get(url, {"eenheid": "eenheid-b"}).content.decode()
    detail_a = reverse("house-detail", args=[house_a.code])
    detail_b = reverse("house-detail", args=[house_b.code])
    assert detail_a in only_a and detail_b not in only_a
    assert detail_b in only_b and detail_a not in only_b


def test_the_cached_dashboard_body_sits_once_inside_the_page_of_whoever_asks(
    reader, national_user, standard, house_a
):
    detail = reverse("house-detail", args=[house_a.code])
    for user in (reader, national_user, reader):
        client = Client()
        client.force_login(user)
        body = client.get(reverse("home")).content.decode()
        main = body.split("<main", 1)[1].split("</main>", 1)[0]
        assert main.count(f'href="{detail}"') == 1
        assert "<!-- fragment" not in body
        assert user.username in body.split("<main", 1)[0]  # the header names who asks
        assert body.rstrip().endswith("</html>")


def test_a_change_shows_in_the_next_matrix_export(reader_client, standard, house_a):
    url = reverse("matrix-export", args=["csv"])
    assert "Gewijzigd huis" not in reader_client.get(url).content.decode("utf-8-sig")
    house_a.name = "Gewijzigd huis"
    house_a.save()
    assert "Gewijzigd huis" in reader_client.get(url).content.decode("utf-8-sig")


def test_a_change_shows_in_the_next_package_export(reader_client, standard, house_a):
    url = reverse("house-package-export", args=[house_a.code, "csv"])
    variation = adjust(standard, house_a, "maandelijks")
    assert "maandelijks" in reader_client.get(url).content.decode("utf-8-sig")
    variation.local_norm = "driemaandelijks"
    variation.save()
    assert "driemaandelijks" in reader_client.get(url).content.decode("utf-8-sig")
