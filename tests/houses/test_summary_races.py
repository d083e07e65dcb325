"""Stored summaries under concurrent writes and refreshes on PostgreSQL: no deadlock, no error,
and no row stamped as current that holds figures from before a write.

Real threads, each with its own database connection, released together by a barrier in every
round: writers change assignments and variations of two houses (one saves a house and its
variation in one transaction, one adds and deletes a variation, each its own transaction), while
readers refresh the summaries of every house (``houses.summaries.refresh``) and load the
dashboard, which refreshes them too. After each round one more ``refresh`` must leave every
house's row equal to a fresh computation from its task package, at the current revisions (a row
stamped current with older figures would not be computed again). SQLite serialises
whole-database writes and would prove nothing, so these run on PostgreSQL only (CI runs the
suite there too). The test prints its figures (rounds, writes, refreshes, deadlocks, errors).
"""

import datetime
import threading
import time

import pytest
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse

from houses.models import Assignment, House, HouseSummary, Variation
from houses.package import task_packages
from houses.pieces import listed_houses
from houses.summaries import COLUMNS, refresh, row_of, stale_houses
from roles.models import Role
from tests.pages import TODAY, populate
from tests.races import ROW_LOCKS, needs_postgresql, start_and_join

pytestmark = [
    needs_postgresql(ROW_LOCKS),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 30
#: Writes per writer in each round; the readers read until the writers are done.
WRITES = 2
#: Between two reads of a reader: lets the writers run (busy readers would starve them of the
#: GIL; the writers wait for each other anyway, on the change counter).
REFRESH_PAUSE = 0.01
DASHBOARD_PAUSE = 0.05


def active_houses():
    return House.objects.filter(active=True)


def is_deadlock(exc) -> bool:
    while exc is not None:
        if type(exc).__name__ == "DeadlockDetected" or "deadlock" in str(exc).lower():
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def run_together(writers, readers):
    """Run each action in its own thread, all released together: each writer ``WRITES`` times,
    each reader (an action and a pause) over and over until the writers are done, and once
    more. Returns the outcomes, writers first: ``"ok"``, ``"deadlock"`` or the exception's
    repr."""
    actions = [*writers, *(action for action, _pause in readers)]
    barrier = threading.Barrier(len(actions))
    writers_done = threading.Event()
    finished = []
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=30)
            if index < len(writers):
                for _ in range(WRITES):
                    action()
            else:
                pause = readers[index - len(writers)][1]
                while not writers_done.wait(pause):
                    action()
                action()
            outcomes[index] = "ok"
        except Exception as exc:  # noqa: BLE001  (any outcome but "ok" fails the test below)
            outcomes[index] = "deadlock" if is_deadlock(exc) else repr(exc)
        finally:
            if index < len(writers):
                finished.append(index)
                if len(finished) == len(writers):
                    writers_done.set()
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    start_and_join(threads)
    return outcomes


# --- the writers: each write changes the house's figures -------------------------------------


def toggle_assignment(house_pk, role_code):
    """Fill a vacant role or leave a filled one vacant."""

    def action():
        with transaction.atomic():
            assignment = Assignment.objects.get(house_id=house_pk, role__code=role_code)
            if assignment.status == Assignment.Status.ACTIVE:
                assignment.status = Assignment.Status.VACANT
                assignment.start_date = None
            else:
                assignment.status = Assignment.Status.ACTIVE
                assignment.start_date = TODAY
            assignment.save()

    return action


def toggle_agreement(house_pk):
    """Move the house's omission between agreed and proposed, and save the house in the same
    transaction (two records of one house)."""

    def action():
        with transaction.atomic():
            variation = Variation.objects.get(house_id=house_pk, kind=Variation.Kind.OMISSION)
            variation.status = (
                Variation.Status.PROPOSED
                if variation.status == Variation.Status.AGREED
                else Variation.Status.AGREED
            )
            variation.save()
            house = House.objects.get(pk=house_pk)
            house.notes = f"afspraak gewijzigd om {time.monotonic()}"
            house.save()

    return action


def add_or_remove_addition(house_pk, role):
    """Add an agreed addition, or delete the one added before: each its own statement's
    transaction (no explicit one)."""

    def action():
        added = Variation.objects.filter(house_id=house_pk, title="Extra in de race").first()
        if added is not None:
            added.delete()
            return
        Variation.objects.create(
            house_id=house_pk,
            role=role,
            standard_version_id=role.standard_version_id,
            kind=Variation.Kind.ADDITION,
            title="Extra in de race",
            rationale="Lokale afspraak",
            status=Variation.Status.AGREED,
            agreed_on=TODAY - datetime.timedelta(days=1),
            agreed_with="Stuurgroep",
            decided_at=datetime.datetime.now(tz=datetime.UTC),
        )

    return action


# --- the readers --------------------------------------------------------------------------------


def refresher(computed):
    def action():
        computed.append(refresh(active_houses(), today=TODAY))

    return action


def dashboard_reader(client, loaded):
    def action():
        response = client.get(reverse("home"))
        assert response.status_code == 200, response.status_code
        loaded[0] += 1

    return action


def rows_that_differ_from_a_fresh_computation() -> list[str]:
    """Houses whose stored row is not what their task package gives now, at the current
    revisions of the house and the shared part (stamps, day and figures; the registry-wide
    revision only orders computations, and moves on with every other house's writes)."""
    houses = listed_houses(active_houses().order_by("pk"))
    packages = task_packages([house.as_house() for house in houses], today=TODAY)
    compared = [name for name in COLUMNS if name != "revision"]
    stored = {
        row["house"]: [row[name] for name in compared]
        for row in HouseSummary.objects.values(*compared)
    }
    return [
        house.code
        for house in houses
        if stored.get(house.pk)
        != [
            value
            for name, value in zip(COLUMNS, row_of(house, packages[house.pk], TODAY), strict=True)
            if name != "revision"
        ]
    ]


def test_concurrent_writes_and_refreshes_never_deadlock_or_leave_a_stale_row_stamped_current(
    standard, unit_a, unit_b, reader
):
    houses = populate(standard, unit_a, houses=4) + populate(standard, unit_b, houses=2)
    liaison = Role.objects.get(standard_version=standard, code="liaison")
    first, second = (house.pk for house in houses[:2])
    client = Client()  # an exception in the view is raised in its thread, and recorded
    client.force_login(reader)
    assert refresh(active_houses(), today=TODAY) == len(houses)

    computed = []
    dashboards = [0]
    seen = {"writes": [], "reads": []}
    wrong_after_round = []
    started = time.monotonic()
    for round_number in range(ROUNDS):
        writers = [
            toggle_assignment(first, "liaison"),
            add_or_remove_addition(first, liaison),  # the same house as the writer before
            toggle_agreement(second),
        ]
        # Two readers refreshing every house at once: the refresher and the dashboard.
        readers = [
            (refresher(computed), REFRESH_PAUSE),
            (dashboard_reader(client, dashboards), DASHBOARD_PAUSE),
        ]
        outcomes = run_together(writers, readers)
        seen["writes"].extend(outcomes[: len(writers)])
        seen["reads"].extend(outcomes[len(writers) :])
        # The writers are done: one more refresh computes what they made stale, and then no
        # row may differ from a fresh computation (a row stamped current with old figures
        # would not be computed again).
        refresh(active_houses(), today=TODAY)
        wrong = rows_that_differ_from_a_fresh_computation()
        if wrong:
            wrong_after_round.append((round_number, wrong))
    elapsed = time.monotonic() - started

    outcomes = seen["writes"] + seen["reads"]
    deadlocks = outcomes.count("deadlock")
    errors = [outcome for outcome in outcomes if outcome not in {"ok", "deadlock"}]
    print(
        f"summary races: {ROUNDS} rounds of 3 writers ({WRITES} writes each) and 2 readers "
        f"(refreshing, loading the dashboard, until the writers are done) in "
        f"{elapsed:.1f} s: {len(seen['writes']) * WRITES} writes, {len(computed)} refreshes "
        f"computing {sum(computed)} rows, {dashboards[0]} dashboards, {deadlocks} deadlocks, "
        f"{len(errors)} other errors, {len(wrong_after_round)} rounds with a stale row"
    )
    assert deadlocks == 0, outcomes
    assert errors == [], errors
    assert wrong_after_round == []
    assert sum(computed) > ROUNDS  # the readers did race the writers
    assert stale_houses(active_houses(), today=TODAY) == []
