"""Security headers, cookies and login throttling."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def test_pages_carry_a_strict_content_security_policy(reader_client, house_a, standard):
    for url in [reverse("login"), reverse("home"), reverse("house-detail", args=[house_a.code])]:
        policy = directives(reader_client.get(url))
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert "'unsafe-inline'" not in reader_client.get(url)["Content-Security-Policy"]


def test_the_admin_carries_the_strict_policy_too(client, superuser):
    client.force_login(superuser)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert directives(response)["script-src"] == ["'self'"]


def test_only_the_api_docs_may_use_inline_styles_and_never_inline_scripts(client):
    policy = directives(client.get("/api/v1/docs"))
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in directives(client.get("/api/v1/other"))["style-src"]


def test_pages_refuse_framing_sniffing_and_leak_no_referrer_elsewhere(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_api_responses_are_never_stored_by_caches(client, reader_client):
    assert client.get("/api/v1/veiligheidshuizen")["Cache-Control"] == "no-store"
    assert reader_client.get("/api/v1/openapi.json")["Cache-Control"] == "no-store"
    assert "no-store" not in reader_client.get(reverse("home")).get("Cache-Control", "")


def test_hsts_is_sent_over_tls_only(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = False
    client = Client()
    assert "Strict-Transport-Security" not in client.get(reverse("login"))
    hsts = client.get(reverse("login"), secure=True)["Strict-Transport-Security"]
    assert hsts.startswith("max-age=31536000")


def run_with_production_settings(code):
    """Run ``code`` after ``django.setup()`` in a fresh interpreter with production-like
    settings, outside the test run's overrides; return the last line it prints, as JSON."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env.update(
        DEBUG="false",
        SECRET_KEY="x7" * 30 + "-production-like-secret",
        ALLOWED_HOSTS="registry.example",
        DJANGO_SETTINGS_MODULE="registry.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", "import json, django; django.setup(); " + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_and_hidden_from_scripts():
    code = (
        "from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS > 0]))"
    )
    assert run_with_production_settings(code) == [True] * 5


def test_production_stores_passwords_with_a_slow_salted_hash_that_checks_out():
    # The tests hash with a fast hasher (tests/conftest.py); production must not.
    code = (
        "from django.contrib.auth.hashers import check_password, identify_hasher, "
        "make_password; encoded = make_password('geheim'); "
        "print(json.dumps([identify_hasher(encoded).algorithm, encoded.split('$')[1], "
        "check_password('geheim', encoded), check_password('fout', encoded)]))"
    )
    algorithm, iterations, right, wrong = run_with_production_settings(code)
    assert algorithm == "pbkdf2_sha256"
    assert int(iterations) >= 1_000_000
    assert (right, wrong) == (True, False)


# Login throttling ------------------------------------------------------------------------


def fail_logins(client, url, username, times):
    responses = []
    for _ in range(times):
        responses.append(client.post(url, {"username": username, "password": "fout"}))
    return responses


def test_site_login_is_locked_after_five_failures_with_a_dutch_message(client, reader):
    url = reverse("login")
    first_four = fail_logins(client, url, reader.username, 4)
    assert [r.status_code for r in first_four] == [200] * 4
    assert "klopt niet" in first_four[-1].content.decode()

    locked = fail_logins(client, url, reader.username, 1)[0]
    assert locked.status_code == 429
    body = locked.content.decode()
    assert '<html lang="nl">' in body
    assert "tijdelijk geblokkeerd" in body
    assert "Probeer het over 15 minuten opnieuw." in body

    # Even the right password is refused while the lockout lasts.
    response = client.post(url, {"username": reader.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lockout_does_not_hit_other_accounts(client, reader, ketenmanager):
    fail_logins(client, reverse("login"), reader.username, 5)
    response = client.post(
        reverse("login"), {"username": ketenmanager.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ketenmanager.pk)


def test_a_successful_login_resets_the_failure_count(client, reader):
    url = reverse("login")
    fail_logins(client, url, reader.username, 4)
    assert client.post(url, {"username": reader.username, "password": PASSWORD}).status_code == 302
    client.logout()
    assert [r.status_code for r in fail_logins(client, url, reader.username, 4)] == [200] * 4


def test_admin_login_is_locked_after_five_failures(client, superuser):
    url = reverse("admin:login")
    responses = fail_logins(client, url, superuser.username, 5)
    assert responses[-1].status_code == 429
    response = client.post(url, {"username": superuser.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "tijdelijk geblokkeerd" in response.content.decode()


def test_force_login_in_tests_is_not_affected_by_throttling(client, reader):
    fail_logins(client, reverse("login"), reader.username, 5)
    client.force_login(reader)
    assert client.get(reverse("home")).status_code == 200


def test_behind_a_proxy_the_forwarded_address_is_throttled_not_the_proxy(client, reader, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    url = reverse("login")
    for _ in range(5):
        client.post(
            url,
            {"username": reader.username, "password": "fout"},
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    other_client = client.post(
        url, {"username": reader.username, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert other_client.status_code == 302


def test_logging_in_from_code_without_a_request_still_works(client, reader):
    assert client.login(username=reader.username, password=PASSWORD)
    assert not client.login(username=reader.username, password="fout")
