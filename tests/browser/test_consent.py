"""The page "Wat wacht op mij" in a real browser: no accessibility violations, and a decision
made there lands on the record."""

import datetime

import pytest
from django.utils import timezone

from houses.consent import Side
from houses.models import House, Variation
from registry.models import User
from roles.models import StandardVersion, Task
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import check, violations

pytestmark = pytest.mark.django_db


def decide(page, text, decision):
    """Take ``decision`` ("Instemmen", "Afwijzen") on the item of the open "Wat wacht op mij"
    page that mentions ``text``; the page's message after it."""
    item = page.locator("article", has_text=text)
    item.get_by_label(decision).check()
    item.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_load_state()
    return page.locator(".messages").inner_text()


def test_the_page_and_a_decision_made_there_have_no_accessibility_violations(page, live_server_url):
    log_in(page, live_server_url, "ketenmanager")
    check(page, f"{live_server_url}/wat-wacht-op-mij/")
    # The record is read only after the decision: on SQLite the live server and the test
    # share one in-memory database, and a read in the test's transaction would lock the table.
    item = page.locator("article", has_text="Tweewekelijks in plaats van wekelijks")
    assert "eenheid-limburg" in item.inner_text()
    assert "Ingestemd" in decide(page, "Tweewekelijks in plaats van wekelijks", "Instemmen")
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
    assert "waarom" in decide(page, "donderdagavond", "Afwijzen")
    count, report = violations(page)
    assert count == 0, report
    waiting = Variation.objects.get(house__code="avz-groningen", local_norm__contains="donderdag")
    assert waiting.status == Variation.Status.PROPOSED


@pytest.fixture(scope="module")
def agreed_phase_out(live_server_url, django_db_blocker):
    """An agreed phase-out at Noord-Limburg due in 60 days, committed outside any test's
    transaction (on SQLite the live server shares the in-memory database), and removed after
    this module."""
    with django_db_blocker.unblock():
        variation = _agreed_phase_out()
    yield variation.pk, variation.phase_out_by
    with django_db_blocker.unblock():
        Variation.objects.filter(pk=variation.pk).delete()


def _agreed_phase_out():
    house = House.objects.get(code="zvh-noord-limburg")
    standard = StandardVersion.objects.current()
    taken = set(house.variations.values_list("task_id", flat=True))
    task = (
        Task.objects.filter(role__standard_version=standard, kind=Task.Kind.EXCLUDED)
        .exclude(pk__in=taken)
        .order_by("role__position", "position")
        .first()
    )
    users = {
        u.username: u for u in User.objects.filter(username__in=["eenheid-limburg", "ketenmanager"])
    }
    now = timezone.now()
    variation = Variation(
        house=house,
        role=task.role,
        task=task,
        standard_version=standard,
        kind=Variation.Kind.PHASE_OUT,
        rationale="Browsertest: het huis neemt deze taak over",
        status=Variation.Status.AGREED,
        phase_out_by=timezone.localdate() + datetime.timedelta(days=60),
        proposed_side=Side.UNIT,
        proposed_by=users["eenheid-limburg"],
        proposed_at=now - datetime.timedelta(days=10),
        agreed_by=users["ketenmanager"],
        decided_at=now - datetime.timedelta(days=5),
        agreed_on=timezone.localdate() - datetime.timedelta(days=5),
    )
    variation.full_clean()
    variation._history_user = users["eenheid-limburg"]
    variation.save()
    return variation


def test_another_deadline_proposed_on_the_agreement_page_is_agreed_on_the_other_sides_page(
    browser, page, live_server_url, agreed_phase_out
):
    pk, deadline = agreed_phase_out
    new = deadline + datetime.timedelta(days=120)
    # The eenheid proposes another deadline on the agreement page.
    log_in(page, live_server_url, "eenheid-limburg")
    check(page, f"{live_server_url}/afwijkingen/{pk}/afspraak/")
    form = page.locator("form", has=page.get_by_role("button", name="Afbouwdatum voorstellen"))
    form.get_by_label("Nieuwe afbouwdatum").fill(new.isoformat())
    form.get_by_label("Reden").fill("De overdracht aan het huis loopt uit")
    form.get_by_role("button", name="Afbouwdatum voorstellen").click()
    page.wait_for_load_state()
    assert "Andere afbouwdatum voorgesteld" in page.locator(".messages").inner_text()
    count, report = violations(page)
    assert count == 0, report
    # The ketenmanager agrees on "Wat wacht op mij".
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    try:
        other = context.new_page()
        log_in(other, live_server_url, "ketenmanager")
        other.goto(f"{live_server_url}/wat-wacht-op-mij/")
        assert "Ingestemd" in decide(other, "De overdracht aan het huis loopt uit", "Instemmen")
        count, report = violations(other)
        assert count == 0, report
    finally:
        context.close()
    # Read only now that the live server has written.
    variation = Variation.objects.get(pk=pk)
    assert variation.phase_out_by == new
    assert variation.change_kind == ""
    assert variation.history.first().history_user.username == "ketenmanager"
