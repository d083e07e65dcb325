"""Security of the API: nothing cached, tokens only as hashes, no password login to throttle."""

import pytest
from django.db import connection

from registry.models import ApiToken
from tests.api_helpers import current_etag, token_client
from tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def test_no_api_response_with_registry_data_may_be_stored_by_a_cache(
    national_user, house_a, standard
):
    client = token_client(national_user)
    assignment = AssignmentFactory(house=house_a, role=standard.roles.get(code="liaison"))
    responses = [
        client.get("/api/v1/veiligheidshuizen"),
        client.get("/api/v1/veiligheidshuizen/huis-a"),
        client.get("/api/v1/veiligheidshuizen/huis-a/takenpakket"),
        client.get(f"/api/v1/toewijzingen/{assignment.pk}/historie"),
        client.get("/api/v1/toewijzingen/999999"),
        client.patch(
            f"/api/v1/toewijzingen/{assignment.pk}",
            {"opmerkingen": "vertrouwelijk"},
            format="json",
            headers={"If-Match": current_etag(f"/api/v1/toewijzingen/{assignment.pk}")},
        ),
        client.get("/api/v1/veiligheidshuizen", HTTP_IF_NONE_MATCH="*"),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 404, 200, 304]
    for response in responses:
        assert response["Cache-Control"] == "no-store", response.request["PATH_INFO"]


def test_the_raw_token_is_nowhere_in_the_database(reader):
    client = token_client(reader)
    assert client.get("/api/v1/eenheden").status_code == 200
    token = client._credentials["HTTP_AUTHORIZATION"].removeprefix("Token ")
    stored = ApiToken.objects.get()
    assert stored.digest != token and len(stored.digest) == 128  # SHA-512 in hex
    assert token.startswith(stored.token_key)  # only a short prefix to find it by
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")  # noqa: S608
        rows = cursor.fetchall()
    assert rows
    assert not any(token in str(value) for row in rows for value in row)


@pytest.mark.parametrize("path", ["login", "auth/login", "token", "tokens", "inloggen"])
def test_the_api_has_no_password_login_to_guess_at(client, reader, path):
    """Tokens are made by a command; passwords are only typed on the throttled login page."""
    response = client.post(
        f"/api/v1/{path}",
        {"username": reader.username, "password": "fout"},
        content_type="application/json",
    )
    assert response.status_code in {401, 404}
    assert response["Content-Type"] == "application/problem+json"
