from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_health_answers_ok_without_login(client):
    response = client.get("/gezondheid")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_health_answers_503_with_the_problem_when_the_database_is_down(client):
    with mock.patch("registry.views.connection.cursor", side_effect=OperationalError("weg")):
        response = client.get("/gezondheid")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "problem": "De database is niet bereikbaar."}


def test_health_only_answers_reads(client):
    assert client.post("/gezondheid").status_code == 405
    assert client.head("/gezondheid").status_code == 200


def test_health_is_not_redirected_to_https_for_load_balancers(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/gezondheid").status_code == 200
    assert client.get("/inloggen/").status_code == 301
