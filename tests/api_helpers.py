"""Helpers for the API tests: clients acting as a persona, with a token or a session."""

from rest_framework.test import APIClient

from registry.models import ApiToken, User

PROBLEM = "application/problem+json"


def token_client(user) -> APIClient:
    _, token = ApiToken.objects.create(user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def assert_problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail", "instance"} <= body.keys()
    assert response["API-Version"]
    return body


def etag_of(client, url) -> str:
    """The ETag ``client`` reads for the record at ``url``: what it sends back as If-Match."""
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response["ETag"]


#: Actions on a record (``…/{id}/instemmen``) need the ETag of the record itself.
RECORD_ACTIONS = ("/instemmen", "/afwijzen", "/beeindigen", "/afbouwdatum", "/publiceren")


def current_etag(url) -> str:
    """The ETag of the record at ``url`` (or of the record an action at ``url`` acts on) as a
    reader reads it now: what a writer that read it sends back as If-Match."""
    for action in RECORD_ACTIONS:
        url = url.removesuffix(action)
    reader = User.objects.filter(username="etag-lezer").first()
    if reader is None:
        reader = User.objects.create_user("etag-lezer", kind=User.Kind.READER)
    client = APIClient()
    client.force_authenticate(reader)
    return etag_of(client, url)
