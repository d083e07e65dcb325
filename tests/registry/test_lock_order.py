"""Concurrent writers on PostgreSQL never deadlock: every writer locks the change counter first.

A transaction that saves several records (the admin house form with an inline assignment, the
publication of a standard) used to lock its first record, then the change counter, then the
next record, while an API write of that next record locked it and then waited for the counter:
PostgreSQL detected a deadlock and one side answered 500. Now the counter is locked before any
record, so the second writer waits for the first to commit.

Real threads with their own connections, released together by a barrier, over many rounds;
``forced`` rounds also hold the first writer between its two records until the second writer
has started, the interleaving that deadlocked. PostgreSQL only: SQLite locks the whole file.
"""

import threading

import pytest
from django.db import connections
from django.db.models.signals import post_save, pre_save
from django.test import Client

from houses.models import Assignment, House
from registry.models import User
from roles.models import Role, StandardVersion, Task
from tests.admin_forms import admin_url, page_data
from tests.api_helpers import token_client
from tests.factories import AssignmentFactory, HouseFactory, UserFactory
from tests.races import ROW_LOCKS, needs_postgresql

pytestmark = [
    needs_postgresql(ROW_LOCKS),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 40
FORCED_ROUNDS = 4
#: How long a forced first writer waits for the second to lock its record. With one lock order
#: the second writer is queued behind the first (on the counter) and never gets there.
HOLD_SECONDS = 0.5
STALE = "gewijzigd sinds u het formulier opende"


def race(first, second, *, forced_after=None, second_locked=None):
    """Run ``first`` and ``second`` in two threads released together; return both outcomes.

    ``forced_after`` (a model) / ``second_locked`` (a model): in forced mode the first writer,
    right after saving a ``forced_after`` record, waits until the second writer is about to save
    its ``second_locked`` record (its row locked under the old order) or ``HOLD_SECONDS`` pass.
    """
    barrier = threading.Barrier(2)
    locked = threading.Event()
    outcomes = {}

    def hold(sender, **kwargs):
        if threading.current_thread().name == "first":
            locked.wait(HOLD_SECONDS)

    def mark(sender, **kwargs):
        if threading.current_thread().name == "second":
            locked.set()

    if forced_after is not None:
        post_save.connect(hold, sender=forced_after, weak=False)
        pre_save.connect(mark, sender=second_locked, weak=False)

    def run(name, action):
        try:
            barrier.wait(timeout=30)
            outcomes[name] = action()
        except Exception as exc:  # noqa: BLE001  (any exception fails the test below)
            outcomes[name] = repr(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=("first", first), name="first"),
        threading.Thread(target=run, args=("second", second), name="second"),
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        post_save.disconnect(hold, sender=forced_after)
        pre_save.disconnect(mark, sender=second_locked)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def api_patch(client, assignment, **changes):
    url = f"/api/v1/toewijzingen/{assignment.pk}"
    tag = client.get(url)["ETag"]

    def action():
        return client.patch(url, changes, format="json", HTTP_IF_MATCH=tag).status_code

    return action


@pytest.fixture
def national(db):
    return UserFactory(username="landelijk-race", kind=User.Kind.NATIONAL)


def test_admin_house_save_with_inline_assignment_races_api_patch_without_deadlock(national):
    admin = Client(raise_request_exception=False)
    admin.force_login(national)
    api = token_client(national)
    api.raise_request_exception = False
    statuses = {"admin": [], "api": []}
    for round_number in range(ROUNDS + FORCED_ROUNDS):
        house = HouseFactory()
        assignment = AssignmentFactory(house=house)
        url = admin_url(House, "change", house.pk)
        data = page_data(admin.get(url))
        data["notes"] = f"ronde {round_number}"
        mailbox = next(key for key in data if key.endswith("-contact_mailbox"))
        data[mailbox] = f"ronde{round_number}@politie.example"

        forced = round_number >= ROUNDS

        def save_in_admin(url=url, data=data):
            response = admin.post(url, data)
            if response.status_code == 200 and STALE in response.content.decode():
                return "stale"  # the form again: the assignment changed since it was opened
            return response.status_code

        outcomes = race(
            save_in_admin,
            api_patch(api, assignment, opmerkingen=f"api {round_number}"),
            forced_after=House if forced else None,
            second_locked=Assignment if forced else None,
        )
        statuses["admin"].append(outcomes["first"])
        statuses["api"].append(outcomes["second"])

    # The admin saves (302; also after refusing a copy found stale at the save itself) or
    # shows the form again saying the assignment changed meanwhile; the API saves (200) or
    # refuses a copy made stale by the admin's save (412).
    assert set(statuses["admin"]) <= {302, "stale"}, statuses
    assert set(statuses["api"]) <= {200, 412}, statuses
    assert 200 in statuses["api"]
    print(f"admin: {statuses['admin']}\napi: {statuses['api']}")


def publishable_draft(version, title):
    """A draft that may be published: a role with a core task."""
    draft = StandardVersion.objects.create(
        version=version, title=title, status=StandardVersion.Status.DRAFT
    )
    role = Role.objects.create(
        standard_version=draft,
        code="liaison",
        name="Liaison",
        expected_presence=Role._meta.get_field("expected_presence").choices[0][0],
    )
    Task.objects.create(role=role, code="schakel", title="Schakel", kind=Task.Kind.CORE)
    return draft


def test_publish_races_api_patch_of_the_draft_without_deadlock(national):
    api = token_client(national)
    api.raise_request_exception = False
    outcomes_seen = {"publish": [], "api": []}
    publishable_draft("0.1", "Eerste").publish(changes="Eerste versie")
    for round_number in range(ROUNDS + FORCED_ROUNDS):
        draft = publishable_draft(f"1.{round_number}", "Concept")
        url = f"/api/v1/standaarden/{draft.version}"
        tag = api.get(url)["ETag"]

        def publish(draft=draft):
            try:
                draft.publish(changes="Nieuwe versie")
            except Exception as exc:  # noqa: BLE001
                return type(exc).__name__
            return "published"

        def patch(url=url, tag=tag, round_number=round_number):
            body = {"titel": f"Concept {round_number}"}
            return api.patch(url, body, format="json", HTTP_IF_MATCH=tag).status_code

        forced = round_number >= ROUNDS
        outcomes = race(
            publish,
            patch,
            forced_after=StandardVersion if forced else None,
            second_locked=StandardVersion if forced else None,
        )
        outcomes_seen["publish"].append(outcomes["first"])
        outcomes_seen["api"].append(outcomes["second"])

    # Whoever commits second finds the draft changed: publish() refuses a stale copy, the API
    # answers 412 (or refuses the now published version). Never a deadlock, never a 5xx.
    assert set(outcomes_seen["publish"]) <= {"published", "StaleEditError"}, outcomes_seen
    assert all(status < 500 for status in outcomes_seen["api"]), outcomes_seen
    assert "published" in outcomes_seen["publish"]
    print(f"publish: {outcomes_seen['publish']}\napi: {outcomes_seen['api']}")
