"""Concurrent writes on PostgreSQL: no lost update, no second active assignment.

Real threads, each with its own database connection, start their write at the same moment
(a barrier, no sleeps). SQLite serialises whole-database writes and would prove nothing, so
these run on PostgreSQL only (CI runs the suite there too).
"""

import threading
from decimal import Decimal

from django.db import IntegrityError, connections

from houses.models import Assignment, Variation
from registry.lib.editable import StaleEditError
from tests.factories import AssignmentFactory, HouseFactory, RoleFactory, VariationFactory
from tests.races import ROW_LOCKS, needs_postgresql, start_and_join

pytestmark = needs_postgresql(ROW_LOCKS)

THREADS = 8


def run_at_once(actions):
    """Run each action in its own thread, all released together; return their outcomes."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=30)
            action()
            outcomes[index] = "saved"
        except (StaleEditError, IntegrityError) as exc:
            outcomes[index] = type(exc).__name__
        except Exception as exc:  # noqa: BLE001  (any other outcome fails the test below)
            outcomes[index] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    start_and_join(threads)
    return outcomes


def save_with(obj, reason, **changes):
    def action():
        for name, value in changes.items():
            setattr(obj, name, value)
        obj._change_reason = reason
        obj.save()

    return action


def test_of_many_concurrent_edits_of_one_assignment_exactly_one_wins(transactional_db):
    assignment = AssignmentFactory(hours_per_week=16)
    copies = [Assignment.objects.get(pk=assignment.pk) for _ in range(THREADS)]
    history_before = assignment.history.count()

    outcomes = run_at_once(
        [save_with(copy, f"wijziging {i}", hours_per_week=i + 1) for i, copy in enumerate(copies)]
    )

    assert sorted(outcomes) == ["StaleEditError"] * (THREADS - 1) + ["saved"]
    winner = outcomes.index("saved")
    assignment.refresh_from_db()
    assert assignment.hours_per_week == Decimal(winner + 1)
    assert assignment.revision == 2
    assert assignment.history.count() == history_before + 1
    latest = assignment.history.latest()
    assert latest.hours_per_week == Decimal(winner + 1)
    assert latest.history_change_reason == f"wijziging {winner}"


def test_of_many_concurrent_edits_of_one_variation_exactly_one_wins(transactional_db):
    variation = VariationFactory(status=Variation.Status.PROPOSED, agreed_on=None, agreed_with="")
    copies = [Variation.objects.get(pk=variation.pk) for _ in range(THREADS)]
    history_before = variation.history.count()

    outcomes = run_at_once(
        [
            save_with(copy, f"versie {i}", rationale=f"Onderbouwing {i}")
            for i, copy in enumerate(copies)
        ]
    )

    assert sorted(outcomes) == ["StaleEditError"] * (THREADS - 1) + ["saved"]
    winner = outcomes.index("saved")
    variation.refresh_from_db()
    assert variation.rationale == f"Onderbouwing {winner}"
    assert variation.revision == 2
    assert variation.history.count() == history_before + 1
    assert variation.history.latest().rationale == f"Onderbouwing {winner}"


def test_concurrent_creates_never_make_two_active_assignments_for_one_role(transactional_db):
    house = HouseFactory()
    role = RoleFactory(allows_multiple=False)

    def create(i):
        return lambda: AssignmentFactory(
            house=house,
            role=role,
            status=Assignment.Status.ACTIVE,
            contact_mailbox=f"{i}@p.example",
        )

    outcomes = run_at_once([create(i) for i in range(THREADS)])

    assert sorted(outcomes) == ["IntegrityError"] * (THREADS - 1) + ["saved"]
    assert Assignment.objects.filter(house=house, role=role).count() == 1
    assert Assignment.history.filter(house_id=house.pk).count() == 1


def test_concurrent_creates_are_all_kept_when_the_role_allows_several(transactional_db):
    house = HouseFactory()
    role = RoleFactory(allows_multiple=True)
    outcomes = run_at_once(
        [
            lambda: AssignmentFactory(house=house, role=role, status=Assignment.Status.ACTIVE)
            for _ in range(THREADS)
        ]
    )
    assert outcomes == ["saved"] * THREADS
    assert Assignment.objects.filling().filter(house=house, role=role).count() == THREADS
