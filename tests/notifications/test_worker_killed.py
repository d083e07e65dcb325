"""A worker killed in the middle of a delivery loses nothing (PostgreSQL: the worker runs as
its own process, ``manage.py run_worker``, against the test database)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from notifications.models import Delivery, Event, Subscription
from tests.factories import HouseFactory, PoliceUnitFactory
from tests.notifications.receiver import Receiver
from tests.races import needs_postgresql

pytestmark = [
    needs_postgresql("a worker process shares the test database"),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
WORKER_SESSION = "webhook-worker-under-test"


def start_worker(*args):
    db = connection.settings_dict
    env = dict(
        os.environ,
        DATABASE_URL=(
            f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
            f"?application_name={WORKER_SESSION}"
        ),
        WEBHOOK_ALLOW_HTTP="true",
        WEBHOOK_ALLOW_PRIVATE="true",
        WEBHOOK_TIMEOUT="4",
        WEBHOOK_LEASE_MARGIN="0",
    )
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "run_worker", "--interval", "0.2", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_delivery_cut_off_by_a_killed_worker_is_sent_by_the_next_one():
    unit = PoliceUnitFactory()
    with Receiver() as receiver:
        receiver.behaviours = ["slow"]  # the first attempt hangs until the worker is gone
        receiver.slow_seconds = 6
        Subscription.objects.create(
            name="Partner", url=receiver.url, secret="geheim", resources=["veiligheidshuis"]
        )
        HouseFactory(police_unit=unit, code="huis-k")
        event = Event.objects.get(resource=Event.Resource.HOUSE)

        first = start_worker("--requeue-interval", "600")
        try:
            assert receiver.arrived.wait(60), "the first worker never started the delivery"
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(30)
        delivery = Delivery.objects.get()
        assert delivery.status == Delivery.Status.PENDING
        assert delivery.leased_until is not None  # claimed by the killed worker

        second = start_worker("--requeue-interval", "1")
        try:
            assert wait_for(lambda: Delivery.objects.get().status == Delivery.Status.DELIVERED), (
                "the delivery was lost"
            )
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(30)

    # The workers' database sessions end with their processes (counted by the name the
    # workers give their sessions, so that no other test's session can be mistaken for one).
    def workers_sessions():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                [WORKER_SESSION],
            )
            return cursor.fetchone()[0]

    assert wait_for(lambda: workers_sessions() == 0, 30)
    ids = [headers["Webhook-Id"] for _, headers, _ in receiver.requests]
    assert ids[-1] == str(event.uuid)
    assert set(ids) == {str(event.uuid)}  # at least once, always with the same event id
