"""The HTTP contract: messages, unknown paths, If-Match, rate limits, production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from registry.models import ApiToken, User
from roles.models import Presence
from tests.api_helpers import assert_problem, session_client, token_client
from tests.factories import AssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_an_unknown_related_object_is_named_in_the_message(national_user, standard, house_a):
    role = standard.roles.get(code="liaison")
    response = token_client(national_user).post(
        "/api/v1/toewijzingen",
        {
            "veiligheidshuis": "huis-bestaat-niet",
            "rol": role.pk,
            "aanwezigheid": Presence.FULL_TIME,
        },
        format="json",
    )
    problem = assert_problem(response, 400)
    reasons = {param["name"]: param["reason"] for param in problem["invalidParams"]}
    assert reasons["veiligheidshuis"] == "'huis-bestaat-niet' bestaat niet."


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_to_an_unknown_api_path_is_a_404_for_everyone(method, reader):
    anonymous = APIClient(enforce_csrf_checks=True)
    signed_in = session_client(reader)
    signed_in.handler.enforce_csrf_checks = True
    for client in (anonymous, signed_in, token_client(reader)):
        response = getattr(client, method)("/api/v1/bestaat-niet", {"a": 1}, format="json")
        assert_problem(response, 404)


@pytest.fixture
def tagged(national_user, house_a):
    assignment = AssignmentFactory(house=house_a)
    client = token_client(national_user)
    url = f"/api/v1/toewijzingen/{assignment.pk}"
    return client, url, client.get(url)["ETag"]


def test_if_match_with_a_weak_tag_never_matches(tagged):
    client, url, tag = tagged
    response = client.patch(url, {"opmerkingen": "x"}, format="json", HTTP_IF_MATCH=f"W/{tag}")
    assert_problem(response, 412)


def test_if_match_with_a_list_matches_when_any_member_is_current(tagged):
    client, url, tag = tagged
    header = f'"oud", W/{tag}, {tag}'
    response = client.patch(url, {"opmerkingen": "x"}, format="json", HTTP_IF_MATCH=header)
    assert response.status_code == 200, response.content
    stale = client.patch(url, {"opmerkingen": "y"}, format="json", HTTP_IF_MATCH=header)
    assert_problem(stale, 412)


def test_if_match_star_accepts_any_current_version(tagged):
    client, url, _tag = tagged
    response = client.patch(url, {"opmerkingen": "x"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.content


@pytest.fixture
def low_rate_limits(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/hour", "anon": "2/hour"})


def test_a_user_over_the_rate_limit_gets_429_with_retry_after(low_rate_limits, reader):
    client = token_client(reader)
    for _ in range(3):
        assert client.get("/api/v1/eenheden").status_code == 200
    response = client.get("/api/v1/eenheden")
    problem = assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0
    assert "Te veel verzoeken" in problem["detail"]
    # Another user has a budget of its own.
    other = UserFactory(username="ander", kind=User.Kind.READER)
    assert token_client(other).get("/api/v1/eenheden").status_code == 200


def test_anonymous_requests_are_limited_per_address(low_rate_limits):
    client = APIClient()
    for _ in range(2):
        assert client.get("/api/v1/openapi.json").status_code == 200
    response = client.get("/api/v1/openapi.json")
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0
    other_address = client.get("/api/v1/openapi.json", REMOTE_ADDR="192.0.2.7")
    assert other_address.status_code == 200


def test_national_staff_revoke_api_tokens_and_lift_lockouts_in_the_admin(national_user, reader):
    token, _ = ApiToken.objects.create(user=reader, name="dashboard")
    attempt = AccessAttempt.objects.create(
        username="lezer", ip_address="192.0.2.1", failures_since_start=9, get_data="", post_data=""
    )
    client = Client()
    client.force_login(national_user)
    for model, pk in (("registry/apitoken", token.pk), ("axes/accessattempt", attempt.pk)):
        url = f"/admin/{model}/{pk}/delete/"
        assert client.get(url).status_code == 200
        assert client.post(url, {"post": "yes"}).status_code == 302
    assert not ApiToken.objects.exists()
    assert not AccessAttempt.objects.exists()


def test_unit_staff_cannot_revoke_tokens(unit_a_user, reader):
    token, _ = ApiToken.objects.create(user=reader, name="dashboard")
    client = Client()
    client.force_login(unit_a_user)
    assert (
        client.post(f"/admin/registry/apitoken/{token.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert ApiToken.objects.exists()


def test_the_browsable_api_is_off_in_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env.update(DEBUG="false", SECRET_KEY="x7" * 30 + "-production-like-secret", ALLOWED_HOSTS="x")
    code = (
        "from django.conf import settings;"
        "print(settings.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "JSONRenderer" in result.stdout
    assert "BrowsableAPIRenderer" not in result.stdout


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("actief=null", "actief"),
        ("actief=", "actief"),
        ("paginaGrootte=abc", "paginaGrootte"),
        ("paginaGrootte=0", "paginaGrootte"),
        ("pagina=-1", "pagina"),
        ("kaderStatus=", "kaderStatus"),
        ("onbekend=1", "onbekend"),
        ("actief=true&actief=false", "actief"),
    ],
)
def test_an_invalid_query_parameter_answers_400_naming_it(reader, house_a, query, name):
    client = token_client(reader)
    response = client.get(f"/api/v1/veiligheidshuizen?{query}")
    problem = assert_problem(response, 400)
    assert [param["name"] for param in problem["invalidParams"]] == [name]
    # If-None-Match: * never turns an invalid query into a 304.
    starred = client.get(f"/api/v1/veiligheidshuizen?{query}", HTTP_IF_NONE_MATCH="*")
    assert_problem(starred, 400)


def test_valid_query_parameters_still_filter_and_page(reader, house_a, house_b):
    client = token_client(reader)
    body = client.get("/api/v1/veiligheidshuizen?actief=true&paginaGrootte=100&pagina=1").json()
    assert body["aantal"] == 2
    history = client.get(f"/api/v1/veiligheidshuizen/{house_a.code}/historie?paginaGrootte=1")
    assert history.status_code == 200
    assert_problem(client.get(f"/api/v1/veiligheidshuizen/{house_a.code}/historie?actief=1"), 400)
    assert_problem(
        client.get(f"/api/v1/veiligheidshuizen/{house_a.code}/takenpakket?pagina=1"), 400
    )


def test_a_house_etag_changes_when_its_eenheid_is_renamed(reader, house_a, unit_a):
    client = token_client(reader)
    url = f"/api/v1/veiligheidshuizen/{house_a.code}"
    tag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304
    unit_a.name = "Eenheid A (nieuwe naam)"
    unit_a.save()
    fresh = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert fresh.status_code == 200
    assert fresh["ETag"] != tag
    assert "Eenheid A (nieuwe naam)" in fresh.content.decode()


def test_json_and_html_never_share_an_etag(settings, reader, house_a, unit_a):
    client = session_client(reader)
    for url in (
        f"/api/v1/veiligheidshuizen/{house_a.code}",
        f"/api/v1/toewijzingen/{AssignmentFactory(house=house_a).pk}",
    ):
        as_json = client.get(url, HTTP_ACCEPT="application/json")
        as_html = client.get(url, HTTP_ACCEPT="text/html")
        assert as_html["Content-Type"].startswith("text/html")
        assert as_json["ETag"] != as_html["ETag"]
