"""The API follows the NL API Design Rules: version header, problem details, public schema."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from houses.models import Assignment
from roles.models import Presence
from tests.api_helpers import PROBLEM, assert_problem, token_client

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/veiligheidshuizen",
    "/api/v1/eenheden",
    "/api/v1/standaarden",
    "/api/v1/rollen",
    "/api/v1/taken",
    "/api/v1/casusoverleggen",
    "/api/v1/toewijzingen",
    "/api/v1/afwijkingen",
]


@pytest.mark.parametrize("url", [*LISTS, "/api/v1/veiligheidshuizen/huis-a/takenpakket"])
def test_anonymous_clients_get_401_problem_not_a_login_redirect(url, house_a):
    response = APIClient().get(url)
    body = assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Token"
    assert body["instance"] == url


def test_an_invalid_token_is_refused_with_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nietbestaand")
    assert_problem(client.get("/api/v1/eenheden"), 401)


def test_openapi_document_is_public_and_readable_from_any_origin():
    response = APIClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["API-Version"] == settings.API_VERSION
    document = json.loads(response.content)
    assert document["info"]["version"] == settings.API_VERSION
    assert document["info"]["contact"]["email"]
    assert document["servers"][0]["url"].endswith("/api/v1")


def test_docs_page_is_public_and_served_without_a_cdn():
    response = APIClient().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()


def test_committed_openapi_document_matches_the_generated_one():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    committed = json.loads((Path(settings.BASE_DIR) / "openapi.json").read_text())
    # Round-trip through JSON so both sides use the same types.
    assert json.loads(json.dumps(generated, default=str)) == committed, (
        "openapi.json is out of date: run "
        "`manage.py spectacular --format openapi-json --file openapi.json`"
    )


@pytest.mark.parametrize("url", ["/api/v1/eenheden/", "/api/v1/nergens", "/api/v2/eenheden"])
def test_unknown_paths_and_trailing_slashes_are_a_404_problem(url, reader):
    response = token_client(reader).get(url)
    assert_problem(response, 404)


def test_every_api_response_carries_the_semver_version(reader):
    response = token_client(reader).get("/api/v1/eenheden")
    assert response.status_code == 200
    major, minor, patch = response["API-Version"].split(".")
    assert all(part.isdigit() for part in (major, minor, patch))


def test_unsupported_method_is_405_with_allow(reader):
    response = token_client(reader).delete("/api/v1/eenheden")
    assert_problem(response, 405)
    assert response["Allow"] == "GET, HEAD, OPTIONS"


def test_wrong_content_type_is_415(national_user):
    response = token_client(national_user).post(
        "/api/v1/toewijzingen",
        f"status={Assignment.Status.ACTIVE}",
        content_type="application/x-www-form-urlencoded",
    )
    assert_problem(response, 415)


def test_malformed_json_is_a_400_problem(national_user):
    response = token_client(national_user).post(
        "/api/v1/toewijzingen", "{niet json", content_type="application/json"
    )
    assert_problem(response, 400)


def test_unacceptable_accept_header_is_406(reader):
    response = token_client(reader).get("/api/v1/eenheden", HTTP_ACCEPT="application/xml")
    assert_problem(response, 406)
    assert response["Content-Type"] == PROBLEM


def test_times_are_given_in_utc(reader, unit_a):
    response = token_client(reader).get("/api/v1/eenheden/eenheid-a")
    assert response.json()["gewijzigdOp"].endswith("Z")


def test_session_authentication_works_for_the_browsable_api(reader):
    client = APIClient()
    client.force_login(reader)
    response = client.get("/api/v1/eenheden", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_text_no_database_can_store_is_a_400_not_a_server_error(national_user, standard):
    client = token_client(national_user)
    response = client.get("/api/v1/veiligheidshuizen?zoek=a%00b")
    assert_problem(response, 400)
    assert_problem(client.get("/api/v1/veiligheidshuizen/a%00b"), 404)
    body = '{"veiligheidshuis": "a\\u0000", "rol": 1, "aanwezigheid": "%s"}' % Presence.PART_TIME
    response = client.post("/api/v1/toewijzingen", body, content_type="application/json")
    assert_problem(response, 400)


def test_changed_since_accepts_any_offset(reader):
    client = token_client(reader)
    for moment in ["0332-11-08T22:11:57+18:00", "0001-01-01T00:00:00+01:00"]:
        assert client.get("/api/v1/eenheden", {"gewijzigdSinds": moment}).status_code == 200
