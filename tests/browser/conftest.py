"""Browser tests: Playwright's sync API driving the system Chromium against live_server.

They skip when Chromium (or Playwright) is missing, unless ``REQUIRE_BROWSER=1`` is set, as CI
does: then a missing browser fails the run instead of silently skipping it.
"""

import os
import shutil

import pytest

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


@pytest.fixture(autouse=True)
def allow_orm_beside_playwright(monkeypatch):
    """pytest-django and Playwright's sync API share one thread; the ORM must allow that.

    Set per test, not for the whole run, so it never leaks into other tests (``check --deploy``
    rightly refuses it).
    """
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _unavailable(reason):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"Browser tests are required (REQUIRE_BROWSER=1) but {reason}.")
    pytest.skip(reason)


@pytest.fixture
def browser(registry, live_server):
    # One browser per test, started after the test data and stopped before the database is
    # flushed: while Playwright's loop runs, Django refuses ORM calls without the variable
    # that allow_orm_beside_playwright sets for the test only.
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed")
    if not os.path.exists(CHROMIUM):
        _unavailable(f"Chromium is missing at {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def registry(transactional_db, settings):
    """Reference data and demo data, as ``make run`` loads them."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from houses.demo import load_demo
    from houses.reference import load_reference

    load_reference()
    load_demo()


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
def signed_in(page, live_server, registry):
    log_in(page, live_server.url)
    return page
