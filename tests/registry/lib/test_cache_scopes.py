"""The read cache per house and the shared cache: a write recomputes only what it touched, no
page is stale after a commit, unknown or invalid filters make no cache entries, entries are
bounded in bytes, and ``CACHE_URL`` selects Redis. Runs against the memory cache and, with
``REDIS_TESTS=1`` (CI), against a real Redis (``tests/redis_server.py``)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from houses import pieces
from houses.models import Assignment, Variation
from registry.lib.cache import SHARED, bump, cached, house_scope, revisions
from registry.lib.cache_backends import BoundedLocMemCache
from tests.api_helpers import current_etag, session_client, token_client
from tests.factories import CaseMeetingTypeFactory, HouseCaseMeetingFactory, PoliceUnitFactory
from tests.pages import populate
from tests.redis_server import any_cache, redis_url  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[3]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("any_cache")]


def backend(request) -> str:
    return request.node.callspec.params["any_cache"]


def count_queries(fetch):
    with CaptureQueriesContext(connection) as context:
        response = fetch()
    assert response.status_code in {200, 304}
    return len(context), response


def change(variation, norm):
    variation = Variation.objects.get(pk=variation.pk)
    variation.local_norm = norm
    variation.save()


def first_variation(house):
    return Variation.objects.filter(house=house, kind=Variation.Kind.ADJUSTMENT).first()


# --- which backend, and bounds -------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", "registry.lib.cache_backends.BoundedLocMemCache"),
        ("redis://127.0.0.1:6399/1", "django.core.cache.backends.redis.RedisCache"),
        ("memcached://127.0.0.1:11211", "ImproperlyConfigured"),
    ],
)
def test_cache_url_selects_the_memory_cache_or_redis(request, url, expected):
    if backend(request) == "redis":
        pytest.skip("reads the settings only")
    env = {**os.environ, "CACHE_URL": url, "DJANGO_SETTINGS_MODULE": "registry.settings"}
    script = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert expected in result.stdout + result.stderr


def test_the_memory_cache_is_bounded_in_bytes_and_refuses_a_too_large_entry(request):
    if backend(request) == "redis":
        pytest.skip("the memory backend only")
    cache = BoundedLocMemCache(
        "bounded-test", {"OPTIONS": {"MAX_BYTES": 20_000, "MAX_ITEM_BYTES": 8_000}}
    )
    cache.clear()
    for number in range(20):
        cache.set(f"body-{number}", "x" * 3_000)
    assert cache.stored_bytes <= 20_000
    assert cache.get("body-19") is not None and cache.get("body-0") is None
    cache.get("body-14")  # recently read: kept when the next entries push others out
    cache.set("body-20", "y" * 3_000)
    cache.set("body-21", "y" * 3_000)
    assert cache.get("body-14") is not None
    cache.set("huge", "z" * 9_000)
    assert cache.get("huge") is None
    assert cache.stored_bytes <= 20_000
    cache.delete("body-21")
    cache.clear()
    assert cache.stored_bytes == 0


def test_a_value_above_the_item_limit_is_computed_but_not_stored(settings):
    settings.REGISTRY_CACHE_MAX_ITEM_BYTES = 1_000
    calls = []

    def compute(size):
        calls.append(size)
        return "x" * size

    for _ in range(2):
        cached(["klein"], lambda: compute(500))
        cached(["groot"], lambda: compute(5_000))
    assert calls == [500, 5_000, 5_000]


# --- what a write counts -------------------------------------------------------------------


def test_a_write_counts_in_its_house_only_and_other_writes_in_the_shared_part(
    standard, house_a, house_b
):
    scopes = [house_scope("huis-a"), house_scope("huis-b")]
    meeting_type = CaseMeetingTypeFactory()  # part of the standard: a shared write
    before = revisions(*scopes)
    HouseCaseMeetingFactory(house=house_a, meeting_type=meeting_type)
    after = revisions(*scopes)
    assert after[""] > before[""]
    assert after[house_scope("huis-a")] > before[house_scope("huis-a")]
    assert after[house_scope("huis-b")] == before[house_scope("huis-b")]
    assert after[SHARED] == before[SHARED]

    PoliceUnitFactory(code="eenheid-c")
    assert revisions()[SHARED] > after[SHARED]
    shared = revisions()[SHARED]
    bump()  # a bulk load: everything is recomputed
    assert revisions()[SHARED] == shared + 1


def test_moving_a_record_or_recoding_a_house_counts_in_both_houses(standard, unit_a, house_b):
    (house,) = populate(standard, unit_a, houses=1)
    old_code = house.code
    assignment = Assignment.objects.filter(house=house).first()
    before = revisions(house_scope(old_code), house_scope("huis-b"))
    assignment.house = house_b
    assignment.save()
    after = revisions(house_scope(old_code), house_scope("huis-b"))
    assert after[house_scope(old_code)] > before[house_scope(old_code)]
    assert after[house_scope("huis-b")] > before[house_scope("huis-b")]

    house.refresh_from_db()
    house.code = "nieuwe-code"
    house.save()
    again = revisions(house_scope(old_code), house_scope("nieuwe-code"))
    assert again[house_scope(old_code)] > after[house_scope(old_code)]
    assert again[house_scope("nieuwe-code")] >= 1

    variation = Variation.objects.filter(house=house).first()
    before_delete = revisions(house_scope("nieuwe-code"))[house_scope("nieuwe-code")]
    variation.delete()
    assert revisions(house_scope("nieuwe-code"))[house_scope("nieuwe-code")] > before_delete


# --- national views from per-house pieces ---------------------------------------------------


def test_after_a_write_to_one_house_the_dashboard_recomputes_only_its_piece(
    reader_client, standard, unit_a, monkeypatch
):
    houses = populate(standard, unit_a, houses=4)
    computed = []
    original = pieces.compute_pieces

    def spy(missing, *, today):
        computed.append([house.code for house in missing])
        return original(missing, today=today)

    monkeypatch.setattr(pieces, "compute_pieces", spy)
    assert reader_client.get(reverse("home")).status_code == 200
    assert sorted(computed[0]) == sorted(house.code for house in houses)
    change(first_variation(houses[2]), "Nieuwe lokale norm")
    body = reader_client.get(reverse("home")).content.decode()
    assert computed[1:] == [[houses[2].code]]
    assert "1 afwijking" in body or "afwijking" in body
    # the matrix export reuses the same pieces: nothing is computed again
    csv = reader_client.get(reverse("matrix-export", args=["csv"]))
    assert csv.status_code == 200 and len(computed) == 2
    assert houses[2].name in csv.content.decode("utf-8-sig")


def test_no_stale_dashboard_or_matrix_after_a_write(reader_client, standard, unit_a):
    (house,) = populate(standard, unit_a, houses=1)
    reader_client.get(reverse("home"))
    reader_client.get(reverse("matrix-export", args=["csv"]))
    house.refresh_from_db()
    house.name = "Hernoemd Veiligheidshuis"
    house.save()
    assert "Hernoemd Veiligheidshuis" in reader_client.get(reverse("home")).content.decode()
    csv = reader_client.get(reverse("matrix-export", args=["csv"])).content.decode("utf-8-sig")
    assert "Hernoemd Veiligheidshuis" in csv
    unit_a.refresh_from_db()
    unit_a.name = "Eenheid Hernoemd"
    unit_a.save()  # a shared write: every house's piece shows it
    assert "Eenheid Hernoemd" in reader_client.get(reverse("home")).content.decode()


def test_unknown_parameters_share_the_cached_dashboard(reader_client, standard, unit_a):
    populate(standard, unit_a, houses=1)
    first = reader_client.get(reverse("home"), {"x": "1"})
    queries, second = count_queries(lambda: reader_client.get(reverse("home"), {"x": "2"}))
    assert queries == 3  # session, user, change counter: the same entry as /?x=1
    queries, plain = count_queries(lambda: reader_client.get(reverse("home")))
    assert queries == 3
    for response in (first, second, plain):
        export = reverse("matrix-export", args=["csv"])
        assert f'href="{export}"' in response.content.decode()  # no unknown parameter kept


def test_the_same_valid_filter_is_one_entry_and_an_invalid_one_is_not_cached(
    reader_client, standard, unit_a
):
    populate(standard, unit_a, houses=1)
    reader_client.get(reverse("home"), {"eenheid": "eenheid-a", "x": "1"})
    queries, response = count_queries(
        lambda: reader_client.get(reverse("home"), {"x": "2", "eenheid": "eenheid-a"})
    )
    assert queries == 4  # session, user, change counter, the eenheid's code checked
    assert "/matrix.csv?eenheid=eenheid-a" in response.content.decode()
    for _ in range(2):
        queries, response = count_queries(
            lambda: reader_client.get(reverse("home"), {"eenheid": "bestaat-niet"})
        )
        assert queries > 4  # computed for each request: an invalid value makes no entry
        assert "Niet alle filters konden worden toegepast" in response.content.decode()
        assert "bestaat-niet" in response.content.decode()


# --- pages and API of one house --------------------------------------------------------------


def test_a_write_to_another_house_leaves_the_house_page_and_package_cached(
    reader, reader_client, standard, unit_a
):
    house, other = populate(standard, unit_a, houses=2)
    page = reverse("house-detail", args=[house.code])
    package = f"/api/v1/veiligheidshuizen/{house.code}/takenpakket"
    client = session_client(reader)
    reader_client.get(page)
    warm, _response = count_queries(lambda: reader_client.get(page))
    tag = client.get(package)["ETag"]
    change(first_variation(other), "Elders gewijzigd")
    queries, _response = count_queries(lambda: reader_client.get(page))
    assert queries == warm
    assert client.get(package, HTTP_IF_NONE_MATCH=tag).status_code == 304
    # and a write to the house itself shows at once
    change(first_variation(house), "Hier gewijzigd")
    assert "Hier gewijzigd" in reader_client.get(page).content.decode()
    response = client.get(package, HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 200 and response["ETag"] != tag


def test_a_deletion_through_the_api_counts_in_its_house(
    reader, national_user, reader_client, standard, unit_a
):
    (house,) = populate(standard, unit_a, houses=1)
    package = f"/api/v1/veiligheidshuizen/{house.code}/takenpakket"
    client = session_client(reader)
    tag = client.get(package)["ETag"]
    before = revisions(house_scope(house.code))[house_scope(house.code)]
    variation = first_variation(house)
    url = f"/api/v1/afwijkingen/{variation.pk}"
    deleted = token_client(national_user).delete(url, HTTP_IF_MATCH=current_etag(url))
    assert deleted.status_code == 204
    assert revisions(house_scope(house.code))[house_scope(house.code)] > before
    response = client.get(package, HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 200 and response["ETag"] != tag


# --- query counts of the first read after a write, whatever the size -------------------------


READS = {
    # The changed house's piece and its stored summary (three queries each), the lists to
    # review (a write to a house renames it there), the sums per eenheid.
    "dashboard": (lambda house: reverse("home"), 20),
    "matrix": (lambda house: reverse("matrix-export", args=["csv"]), 7),
    "house_page": (lambda house: reverse("house-detail", args=[house.code]), None),
    "package": (lambda house: f"/api/v1/veiligheidshuizen/{house.code}/takenpakket", 8),
}


@pytest.mark.parametrize("name", READS)
def test_the_first_read_after_a_write_runs_the_same_queries_whatever_the_size(
    name, reader, standard, unit_a
):
    url_of, expected = READS[name]
    client = session_client(reader)
    counts = []
    for size in (2, 12):
        houses = populate(standard, unit_a, houses=size)
        house = houses[0]
        url = url_of(house)
        client.get(url)  # warm: every other house's piece is in the cache
        house.refresh_from_db()
        house.name = f"Hernoemd bij {size} huizen"
        house.save()
        queries, response = count_queries(lambda url=url: client.get(url))
        assert f"Hernoemd bij {size} huizen" in response.content.decode("utf-8-sig")
        counts.append(queries)
    assert counts[0] == counts[1]
    if expected is not None:
        assert counts[0] == expected
