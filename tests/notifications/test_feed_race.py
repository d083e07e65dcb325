"""The change feed under concurrent, out-of-order commits (PostgreSQL, real threads).

A client that keeps its cursor and keeps asking must see every event exactly once, also when a
transaction that wrote an event earlier (lower id) commits later than another one.

Registry writes queue on the change counter (one lock order), so two of them cannot overtake
each other. The feed must not depend on that: the transaction held open here writes its event
row directly, outside that queue, while registry writes commit past it.
"""

import random
import threading

import pytest
from django.db import connections, transaction
from django.utils import timezone
from simple_history.signals import post_create_historical_record

from houses.models import PoliceUnit
from notifications.events import transaction_id_expression
from notifications.feed import page, visible_events
from notifications.models import Event
from tests.races import needs_postgresql

pytestmark = [
    pytest.mark.reads_feed,
    needs_postgresql("concurrent transactions that commit out of order"),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 30
WRITERS = 6


_holds = {}


def _hold_after_event(sender, instance, **kwargs):
    # Runs right after the event row is written, before the rest of the save (the write
    # counter) takes its lock: the moment another transaction can overtake this one.
    hold = _holds.get(getattr(instance, "code", None))
    if hold:
        hold()


@pytest.fixture(autouse=True)
def _hold_point():
    post_create_historical_record.connect(_hold_after_event, dispatch_uid="test-hold")
    yield
    post_create_historical_record.disconnect(dispatch_uid="test-hold")
    _holds.clear()


def write_unit(code, *, hold=None):
    """Create an eenheid (one event) in a transaction; return the event's id."""
    if hold:
        _holds[code] = hold
    with transaction.atomic():
        unit = PoliceUnit.objects.create(code=code, name=code, kind=PoliceUnit.Kind.REGIONAL)
        event_id = Event.objects.get(resource=Event.Resource.POLICE_UNIT, object_id=unit.pk).id
    return event_id


def write_event_held_open(code, *, hold):
    """Write an event row in a transaction that stays open while ``hold`` runs; its id."""
    with transaction.atomic():
        event = Event.objects.create(
            transaction_id=transaction_id_expression("default"),
            occurred_at=timezone.now(),
            kind=Event.Kind.CREATED,
            resource=Event.Resource.POLICE_UNIT,
            object_id=code,
            label=code,
        )
        hold()
    return event.id


def in_thread(target, results, key):
    def run():
        try:
            results[key] = target()
        except Exception as exc:  # noqa: BLE001 - reported by the assertions below
            results[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_an_event_committed_late_is_neither_skipped_nor_repeated():
    seen, cursor = [], None
    written, results = [], {}
    stop_reading = threading.Event()

    def read_once():
        nonlocal cursor
        events = page(Event.objects.all(), cursor, 3)
        if events:
            seen.extend(event.id for event in events)
            cursor = (events[-1].transaction_id, events[-1].id)

    def reader():
        while not stop_reading.is_set():
            read_once()
        read_once()

    reading = in_thread(reader, results, "reader")

    for round_ in range(ROUNDS):
        early_has_id, late_committed = threading.Event(), threading.Event()

        def early(round_=round_, early_has_id=early_has_id, late_committed=late_committed):
            # Writes first (lower id), then holds its transaction open until "late" committed.
            def hold():
                early_has_id.set()
                assert late_committed.wait(30)

            return write_event_held_open(f"vroeg-{round_}", hold=hold)

        def late(round_=round_, early_has_id=early_has_id, late_committed=late_committed):
            assert early_has_id.wait(30)
            event_id = write_unit(f"laat-{round_}")
            results[f"late-{round_}"] = event_id
            late_committed.set()
            return event_id

        def other(i, round_=round_):
            return write_unit(
                f"ander-{round_}-{i}",
                hold=lambda: threading.Event().wait(random.random() / 50),  # noqa: S311
            )

        threads = [
            in_thread(early, results, f"early-{round_}"),
            in_thread(late, results, f"late-{round_}"),
        ] + [
            in_thread(lambda i=i: other(i), results, f"other-{round_}-{i}")
            for i in range(WRITERS - 2)
        ]
        for thread in threads:
            thread.join(60)
        assert not any(thread.is_alive() for thread in threads)

    stop_reading.set()
    reading.join(60)
    read_once()  # after every writer has committed

    errors = {key: value for key, value in results.items() if isinstance(value, Exception)}
    assert not errors
    written = [value for key, value in results.items() if key != "reader"]
    assert len(written) == ROUNDS * WRITERS
    # Each round really committed out of order: the early event has the lower id.
    for round_ in range(ROUNDS):
        assert results[f"early-{round_}"] < results[f"late-{round_}"]
    assert len(seen) == len(set(seen)), "an event was served twice"
    assert set(seen) == set(Event.objects.values_list("id", flat=True)), "an event was skipped"
    assert set(written) <= set(seen)


def test_an_open_transaction_holds_back_later_events_until_it_commits():
    early_has_id, late_committed, checked = threading.Event(), threading.Event(), threading.Event()
    results = {}

    def early():
        def hold():
            early_has_id.set()
            assert checked.wait(30)

        return write_event_held_open("vroeg", hold=hold)

    def late():
        assert early_has_id.wait(30)
        event_id = write_unit("laat")
        late_committed.set()
        return event_id

    threads = [in_thread(early, results, "early"), in_thread(late, results, "late")]
    assert late_committed.wait(30)
    committed_ids = set(Event.objects.values_list("id", flat=True))
    served_while_open = {event.id for event in visible_events()}
    checked.set()
    for thread in threads:
        thread.join(60)

    assert results["late"] in committed_ids  # an id cursor would serve it and skip "early"
    assert results["late"] not in served_while_open
    served_after = [event.id for event in visible_events()]
    assert served_after.index(results["early"]) < served_after.index(results["late"])
