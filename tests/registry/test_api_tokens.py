"""API tokens: created by command, stored hashed, named, expiring and revocable."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from registry.models import ApiToken
from tests.api_helpers import assert_problem, session_client

pytestmark = pytest.mark.django_db


def create_token(user, days=30):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command(
        "create_api_token", user.username, name="dashboard", days=days, stdout=out, stderr=err
    )
    return out.getvalue().strip()


def test_command_creates_a_named_hashed_token_that_acts_as_its_user(client, reader):
    token = create_token(reader)
    stored = ApiToken.objects.get()
    assert stored.name == "dashboard" and stored.user == reader
    assert token not in stored.digest
    response = client.get("/api/v1/eenheden", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200


def test_an_expired_token_is_refused(client, reader):
    token = create_token(reader, days=1)
    ApiToken.objects.update(expiry=timezone.now() - datetime.timedelta(minutes=1))
    assert_problem(client.get("/api/v1/eenheden", HTTP_AUTHORIZATION=f"Token {token}"), 401)


def test_a_token_revoked_in_the_admin_no_longer_works(client, reader, superuser):
    token = create_token(reader)
    stored = ApiToken.objects.get()
    admin = session_client(superuser)
    url = f"/admin/registry/apitoken/{stored.pk}/delete/"
    assert admin.post(url, {"post": "yes"}).status_code == 302
    assert_problem(client.get("/api/v1/eenheden", HTTP_AUTHORIZATION=f"Token {token}"), 401)


def test_admin_lists_tokens_by_name(reader, superuser):
    create_token(reader)
    response = session_client(superuser).get("/admin/registry/apitoken/")
    assert response.status_code == 200
    assert "dashboard" in response.content.decode()
