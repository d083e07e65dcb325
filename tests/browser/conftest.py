"""Browser tests: Playwright's sync API driving the system Chromium against a live server.

They skip when Chromium (or Playwright) is missing, unless ``REQUIRE_BROWSER=1`` is set, as CI
does: then a missing browser fails the run instead of silently skipping it.
"""

import os
import shutil

import pytest
from django.conf import settings
from django.db import connections
from django.test import override_settings

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "demo-veiligheidshuis"


def _unavailable(reason):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"Browser tests are required (REQUIRE_BROWSER=1) but {reason}.")
    pytest.skip(reason)


@pytest.fixture(scope="package")
def registry(django_db_setup, django_db_blocker):
    """Reference data and demo data, as ``make run`` loads them: loaded once for all browser
    tests, committed so the live server sees them, and flushed again after the last one.

    The browser tests only read these records (logins and sessions aside), so they share them
    instead of reloading them for every test. Each browser test module is marked
    ``django_db``: that makes pytest-django create the test database, and each test runs in a
    transaction rolled back after it (what the live server writes through its own connection
    on PostgreSQL stays until the flush).
    """
    from django.core.management import call_command

    from houses.demo import load_demo
    from houses.reference import load_reference

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with django_db_blocker.unblock(), override_settings(STORAGES=storages):
        name = connections["default"].settings_dict["NAME"]
        assert "memory" in name or name.startswith("test_"), f"not a test database: {name}"
        load_reference()
        load_demo()
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="package")
def live_server_url(registry):
    """A live server on a free port for the browser tests, started after the data is loaded.

    pytest-django's ``live_server`` would empty the database after every test.
    """
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost")
    server._live_server_modified_settings.enable()
    try:
        yield server.url
    finally:
        server._live_server_modified_settings.disable()
        server.stop()


@pytest.fixture(scope="package")
def browser(live_server_url):
    """One Chromium for all browser tests, started after the data and the server and stopped
    before the database is flushed.

    pytest-django and Playwright's sync API share one thread: while Playwright's loop runs,
    Django refuses ORM calls unless ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set. It is set for as
    long as the browser runs and removed with it, so it never leaks into other tests
    (``check --deploy`` rightly refuses it).
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed")
    if not os.path.exists(CHROMIUM):
        _unavailable(f"Chromium is missing at {CHROMIUM}")
    with pytest.MonkeyPatch.context() as monkeypatch, sync_playwright() as playwright:
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="package")
def signed_in_state(browser, live_server_url):
    """The cookies of a ketenmanager who logged in once through the login page."""
    context = browser.new_context()
    try:
        page = context.new_page()
        log_in(page, live_server_url)
        yield context.storage_state()
    finally:
        context.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


def log_in(page, base_url, username="ketenmanager"):
    page.goto(f"{base_url}/inloggen/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base_url}/")


@pytest.fixture
def signed_in_page(browser, signed_in_state):
    """A blank page of the ketenmanager, in a fresh context with the cookies of the shared
    login."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", storage_state=signed_in_state
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def signed_in(signed_in_page, live_server_url):
    """A page of the ketenmanager on the dashboard (``signed_in_page``, opened there)."""
    signed_in_page.goto(f"{live_server_url}/")
    assert signed_in_page.locator("h1").inner_text() == "Landelijk overzicht"
    return signed_in_page
