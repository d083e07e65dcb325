"""Helpers for the API tests: clients acting as a persona, with a token or a session."""

from rest_framework.test import APIClient

from registry.models import ApiToken

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
