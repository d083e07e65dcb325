"""A passing database error (deadlock, serialization failure, lost connection) answers 503
with Retry-After, as problem+json in the API and as a Dutch page elsewhere; never a bare 500."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from houses.api import AssignmentViewSet
from registry.views import DashboardView
from tests.api_helpers import assert_problem, token_client

pytestmark = pytest.mark.django_db


def fail_with(exc):
    def method(*args, **kwargs):
        raise exc

    return method


@pytest.mark.parametrize(
    "exc",
    [
        OperationalError("deadlock detected"),
        OperationalError("could not serialize access due to concurrent update"),
        InterfaceError("connection already closed"),
    ],
)
def test_api_answers_503_with_retry_after_on_a_passing_database_error(monkeypatch, reader, exc):
    monkeypatch.setattr(AssignmentViewSet, "list", fail_with(exc))
    client = token_client(reader)
    client.raise_request_exception = False
    body = assert_problem(client.get("/api/v1/toewijzingen"), 503)
    assert "opnieuw" in body["detail"]
    assert int(client.get("/api/v1/toewijzingen")["Retry-After"]) > 0


def test_page_answers_a_dutch_503_with_retry_after_on_a_deadlock(monkeypatch, reader):
    monkeypatch.setattr(
        DashboardView, "get_context_data", fail_with(OperationalError("deadlock detected"))
    )
    client = Client(raise_request_exception=False)
    client.force_login(reader)
    response = client.get("/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "Er is niets gewijzigd" in response.content.decode()


def test_other_errors_still_answer_500(monkeypatch, reader):
    monkeypatch.setattr(DashboardView, "get_context_data", fail_with(ValueError("fout")))
    client = Client(raise_request_exception=False)
    client.force_login(reader)
    response = client.get("/")
    assert response.status_code == 500
    assert "Retry-After" not in response
