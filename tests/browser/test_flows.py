"""A ketenmanager in a real browser: dashboard → house → comparison → export, both languages,
with the mouse and with the keyboard only."""

import csv
import io

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db


def test_ketenmanager_goes_from_dashboard_to_house_to_comparison_to_export(signed_in):
    page = signed_in
    assert page.locator("html").get_attribute("lang") == "nl"
    page.get_by_role("link", name="Actiecentrum Veiligheid en Zorg Groningen").first.click()
    assert page.locator("h1").inner_text() == "Actiecentrum Veiligheid en Zorg Groningen"
    assert page.get_by_text("Voorbeeld: wekelijks spreekuur voor wijkagenten in het huis").count()

    page.get_by_role("link", name="Vergelijk met een ander huis").click()
    page.get_by_label("Veiligheidshuis Drenthe").check()
    page.get_by_role("button", name="Vergelijken").click()
    assert "verschillen" in page.locator("h2").first.inner_text()
    assert page.locator("tr.differs").count() > 0

    page.get_by_role("link", name="Actiecentrum Veiligheid en Zorg Groningen").first.click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename == "takenpakket-avz-groningen.csv"
    with open(download.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(io.StringIO(handle.read()), delimiter=";"))
    assert rows[0][1] == "Taak"
    assert any(row[3] == "Afbouw" for row in rows)


def test_the_language_switch_turns_the_pages_english_and_back(signed_in):
    page = signed_in
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "National overview"
    page.get_by_role("link", name="Safety houses", exact=True).click()
    assert page.url.endswith("/veiligheidshuizen/")
    page.get_by_role("button", name="Nederlands").click()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("h1").inner_text() == "Veiligheidshuizen"


def tab_to(page, matches, limit=200):
    """Press Tab until the focused element satisfies the JavaScript predicate ``matches``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {matches})(document.activeElement)"):
            return
    raise AssertionError(f"no element matching {matches} reachable with Tab")


def test_the_main_flow_works_with_the_keyboard_only(page, live_server_url):
    page.goto(f"{live_server_url}/inloggen/")
    tab_to(page, "el.id === 'id_username'")
    page.keyboard.type("ketenmanager")
    page.keyboard.press("Tab")
    page.keyboard.type("demo-veiligheidshuis")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server_url}/")

    # The skip link comes first, is visible when focused and moves focus to the content.
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.className")
    assert skip == "skip-link"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhoud"

    tab_to(page, "el.textContent.trim() === 'Veiligheidshuis Drenthe'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/veiligheidshuizen/vh-drenthe/")
    tab_to(page, "el.textContent.trim() === 'Vergelijk met een ander huis'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/vergelijk/**")
    tab_to(page, "el.value === 'zvh-noord-limburg'")
    page.keyboard.press("Space")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Vergelijken'")
    page.keyboard.press("Enter")
    page.wait_for_selector("table.compare")
    assert page.locator("table.compare thead").inner_text().count("Veiligheidshuis") >= 1
    assert (
        "Zorg- en Veiligheidshuis Noord-Limburg" in page.locator("table.compare thead").inner_text()
    )


def test_a_wrong_password_is_explained_and_keeps_the_user_on_the_login_page(page, live_server_url):
    page.goto(f"{live_server_url}/inloggen/")
    page.fill("#id_username", "ketenmanager")
    page.fill("#id_password", "fout")
    page.click("main button[type=submit]")
    assert page.get_by_role("alert").inner_text().startswith("Gebruikersnaam of wachtwoord")
    log_in(page, live_server_url)
    assert page.locator("h1").inner_text() == "Landelijk overzicht"
