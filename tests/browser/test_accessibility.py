"""axe-core on every page, the admin login and an admin change page: no WCAG 2.1 A/AA violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from houses.models import House
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

PAGES = [
    "/",
    "/?eenheid=bestaat-niet",
    "/veiligheidshuizen/",
    "/veiligheidshuizen/?eenheid=bestaat-niet&verlopen=misschien",
    "/veiligheidshuizen/?zoek=nergens",
    "/veiligheidshuizen/avz-groningen/",
    "/veiligheidshuizen/vh-drenthe/",
    "/vergelijk/",
    "/vergelijk/?huis=avz-groningen",
    "/vergelijk/?huis=avz-groningen&huis=vh-drenthe&huis=zvh-noord-limburg",
    "/eenheden/",
    "/eenheden/noord-nederland/",
    "/rollen/liaison/",
    "/rollen/casusoverleg-deelnemer/",
    "/standaard/",
    "/te-beoordelen/",
    "/zoeken/",
    "/zoeken/?q=groningen",
    "/zoeken/?q=x",
    "/bestaat-niet/",
]


def violations(page):
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    return results.violations_count, results.generate_report()


def check(page, url):
    page.goto(url)
    count, report = violations(page)
    assert count == 0, f"{url}\n{report}"


def test_the_login_page_has_no_accessibility_violations(page, live_server_url):
    check(page, f"{live_server_url}/inloggen/")
    page.fill("#id_username", "ketenmanager")
    page.fill("#id_password", "fout")
    page.click("main button[type=submit]")
    count, report = violations(page)
    assert count == 0, report


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_no_accessibility_violations(path, signed_in_page, live_server_url):
    check(signed_in_page, f"{live_server_url}{path}")
    assert "/inloggen/" not in signed_in_page.url  # the page itself, not the login page


def test_every_page_in_english_on_a_phone_has_no_accessibility_violations(browser, live_server_url):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        log_in(page, live_server_url)
        page.get_by_role("button", name="English").click()
        for path in ["/", "/veiligheidshuizen/avz-groningen/", PAGES[9]]:
            check(page, f"{live_server_url}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"{path} scrolls sideways on a phone ({width}px)"
    finally:
        context.close()


@pytest.mark.parametrize("where", ["login", "change"])
def test_the_admin_login_and_change_pages_have_no_accessibility_violations(
    where, page, live_server_url
):
    if where == "login":
        check(page, f"{live_server_url}/admin/login/")
        return
    page.goto(f"{live_server_url}/admin/login/")
    page.fill("#id_username", "landelijk")
    page.fill("#id_password", "demo-veiligheidshuis")
    page.click("input[type=submit]")
    house = House.objects.get(code="avz-groningen")
    check(page, f"{live_server_url}/admin/houses/house/{house.pk}/change/")
