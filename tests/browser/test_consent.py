"""The page "Wat wacht op mij" in a real browser: no accessibility violations, and a decision
made there lands on the record."""

import pytest

from houses.models import Variation
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import check, violations

pytestmark = pytest.mark.django_db


def test_the_page_and_a_decision_made_there_have_no_accessibility_violations(page, live_server_url):
    log_in(page, live_server_url, "ketenmanager")
    check(page, f"{live_server_url}/wat-wacht-op-mij/")
    # The record is read only after the decision: on SQLite the live server and the test
    # share one in-memory database, and a read in the test's transaction would lock the table.
    item = page.locator("article", has_text="Tweewekelijks in plaats van wekelijks")
    assert "eenheid-limburg" in item.inner_text()
    item.get_by_label("Instemmen").check()
    item.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_load_state()
    assert "Ingestemd" in page.locator(".messages").inner_text()
    count, report = violations(page)
    assert count == 0, report
    waiting = Variation.objects.get(
        house__code="zvh-noord-limburg", local_norm__contains="Tweewekelijks"
    )
    assert waiting.status == Variation.Status.AGREED
    assert waiting.agreed_by.username == "ketenmanager"


def test_unit_staff_see_the_ketenmanagers_proposal_and_a_refused_rejection_explains_why(
    page, live_server_url
):
    log_in(page, live_server_url, "eenheid-noord")
    page.goto(f"{live_server_url}/wat-wacht-op-mij/")
    item = page.locator("article", has_text="donderdagavond")
    item.get_by_label("Afwijzen").check()
    item.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_load_state()
    assert "waarom" in page.locator(".messages").inner_text()
    count, report = violations(page)
    assert count == 0, report
    waiting = Variation.objects.get(house__code="avz-groningen", local_norm__contains="donderdag")
    assert waiting.status == Variation.Status.PROPOSED
