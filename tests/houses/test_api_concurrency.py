"""Concurrent writes through the API on PostgreSQL: If-Match keeps every update, one winner.

Each thread is an API client with its own token and its own database connection; the threads
send their request at the same moment (a barrier, no sleeps). SQLite serialises whole-database
writes and would prove nothing, so these run on PostgreSQL only (CI runs the suite there too).
"""

from decimal import Decimal

import pytest

from houses.models import Assignment, Variation
from roles.models import Presence
from tests.api_helpers import PROBLEM, token_client
from tests.factories import AssignmentFactory, VariationFactory
from tests.houses.test_concurrency import THREADS, run_at_once
from tests.races import ROW_LOCKS, needs_postgresql

pytestmark = needs_postgresql(ROW_LOCKS)


def answered(outcomes):
    """The status codes the threads got, with the bodies of anything unexpected kept."""
    return sorted(status for status, _ in outcomes)


def run_requests(requests):
    """Send each ``(client, method, url, data, headers)`` from its own thread, all at once."""
    outcomes = [None] * len(requests)

    def send(index, client, method, url, data, headers):
        def action():
            response = getattr(client, method)(url, data, format="json", headers=headers)
            body = response.json() if response.content else None
            outcomes[index] = (response.status_code, (response["Content-Type"], body))

        return action

    results = run_at_once([send(i, *request) for i, request in enumerate(requests)])
    assert results == ["saved"] * len(requests), results  # no thread raised
    return outcomes


@pytest.fixture
def clients(transactional_db, unit_a_user):
    return [token_client(unit_a_user) for _ in range(THREADS)]


def test_of_many_api_updates_of_one_assignment_with_the_same_etag_exactly_one_wins(
    clients, house_a, standard
):
    role = standard.roles.get(code="liaison")
    assignment = AssignmentFactory(house=house_a, role=role, hours_per_week=16)
    url = f"/api/v1/toewijzingen/{assignment.pk}"
    etag = clients[0].get(url)["ETag"]
    history_before = assignment.history.count()

    outcomes = run_requests(
        [
            (client, "patch", url, {"urenPerWeek": i + 1}, {"If-Match": etag})
            for i, client in enumerate(clients)
        ]
    )

    assert answered(outcomes) == [200] + [412] * (THREADS - 1), outcomes
    winner = next(i for i, (status, _) in enumerate(outcomes) if status == 200)
    for status, (content_type, _) in outcomes:
        if status == 412:
            assert content_type == PROBLEM
    assignment.refresh_from_db()
    assert assignment.hours_per_week == Decimal(winner + 1)
    assert assignment.revision == 2
    assert assignment.history.count() == history_before + 1
    latest = assignment.history.latest()
    assert latest.hours_per_week == Decimal(winner + 1)
    assert latest.history_user.username == "eenheid-a"


def test_of_many_api_updates_of_one_variation_with_the_same_etag_exactly_one_wins(
    clients, house_a, standard
):
    task = standard.roles.get(code="liaison").tasks.get(code="aanspreekpunt")
    variation = VariationFactory(
        house=house_a, task=task, status=Variation.Status.PROPOSED, agreed_on=None, agreed_with=""
    )
    url = f"/api/v1/afwijkingen/{variation.pk}"
    etag = clients[0].get(url)["ETag"]
    history_before = variation.history.count()

    outcomes = run_requests(
        [
            (client, "patch", url, {"onderbouwing": f"Onderbouwing {i}"}, {"If-Match": etag})
            for i, client in enumerate(clients)
        ]
    )

    assert answered(outcomes) == [200] + [412] * (THREADS - 1), outcomes
    winner = next(i for i, (status, _) in enumerate(outcomes) if status == 200)
    variation.refresh_from_db()
    assert variation.rationale == f"Onderbouwing {winner}"
    assert variation.revision == 2
    assert variation.history.count() == history_before + 1
    assert variation.history.latest().rationale == f"Onderbouwing {winner}"
    assert clients[0].get(url).json()["onderbouwing"] == f"Onderbouwing {winner}"


def test_concurrent_api_creates_never_make_two_active_assignments_and_never_a_500(
    clients, house_a, standard
):
    role = standard.roles.get(code="liaison")
    assert not role.allows_multiple
    data = {
        "veiligheidshuis": house_a.code,
        "rol": role.pk,
        "aanwezigheid": Presence.PART_TIME,
        "status": Assignment.Status.ACTIVE,
        "startdatum": "2025-01-01",
    }

    outcomes = run_requests(
        [
            (client, "post", "/api/v1/toewijzingen", {**data, "urenPerWeek": i + 1}, {})
            for i, client in enumerate(clients)
        ]
    )

    statuses = answered(outcomes)
    assert statuses.count(201) == 1, outcomes
    assert set(statuses) <= {201, 400, 409}, outcomes
    for status, (content_type, _) in outcomes:
        if status != 201:
            assert content_type == PROBLEM
    assert (
        Assignment.objects.filter(house=house_a, role=role, status=Assignment.Status.ACTIVE).count()
        == 1
    )
    assert Assignment.history.filter(house_id=house_a.pk).count() == 1
