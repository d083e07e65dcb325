"""The page "Wat wacht op mij" in a real browser: no accessibility violations, and a decision
made there lands on the record."""

from houses.models import Variation
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import check, violations


def test_the_page_and_a_decision_made_there_have_no_accessibility_violations(
    page, live_server, registry
):
    log_in(page, live_server.url, "ketenmanager")
    check(page, f"{live_server.url}/wat-wacht-op-mij/")
    waiting = Variation.objects.get(
        house__code="zvh-noord-limburg", status=Variation.Status.PROPOSED
    )
    item = page.locator("article", has=page.locator(f"#afwijking-{waiting.pk}-besluit"))
    assert "Tweewekelijks in plaats van wekelijks" in item.inner_text()
    assert "eenheid-limburg" in item.inner_text()
    item.get_by_label("Instemmen").check()
    item.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_load_state()
    assert "Ingestemd" in page.locator(".messages").inner_text()
    count, report = violations(page)
    assert count == 0, report
    waiting.refresh_from_db()
    assert waiting.status == Variation.Status.AGREED
    assert waiting.agreed_by.username == "ketenmanager"


def test_unit_staff_see_the_ketenmanagers_proposal_and_a_refused_rejection_explains_why(
    page, live_server, registry
):
    log_in(page, live_server.url, "eenheid-noord")
    page.goto(f"{live_server.url}/wat-wacht-op-mij/")
    waiting = Variation.objects.get(house__code="avz-groningen", status=Variation.Status.PROPOSED)
    item = page.locator("article", has=page.locator(f"#afwijking-{waiting.pk}-besluit"))
    item.get_by_label("Afwijzen").check()
    item.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_load_state()
    assert "waarom" in page.locator(".messages").inner_text()
    count, report = violations(page)
    assert count == 0, report
    waiting.refresh_from_db()
    assert waiting.status == Variation.Status.PROPOSED
