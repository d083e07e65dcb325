"""Webhooks delivered by the background worker to a real HTTP server in the test."""

import datetime
import hashlib
import hmac
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from notifications.models import Delivery, Event, Subscription
from notifications.tasks import backoff
from notifications.webhooks import validate_webhook_url
from tests.factories import AssignmentFactory, HouseFactory, PoliceUnitFactory
from tests.notifications.receiver import Receiver

SECRET = "een-lang-gedeeld-geheim"


@pytest.fixture
def local_hooks(settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_TIMEOUT = 1
    settings.WEBHOOK_LEASE_MARGIN = 0


@pytest.fixture
def receiver(local_hooks):
    with Receiver() as server:
        yield server


@pytest.fixture
def subscription(receiver, transactional_db):
    return Subscription.objects.create(
        name="Partner", url=receiver.url, secret=SECRET, resources=[Event.Resource.HOUSE]
    )


def run_worker():
    """Run the queued tasks that are due with django-tasks' own database worker."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def time_passes(delivery):
    """What waiting for the next attempt does: the delivery and its queued task become due."""
    past = timezone.now() - datetime.timedelta(seconds=1)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=past)
    DBTaskResult.objects.filter(status="READY").update(run_after=past)


def verify(headers, body):
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["Webhook-Signature"], expected)


@pytest.mark.django_db(transaction=True)
def test_a_change_is_delivered_as_a_signed_cloudevent(subscription, receiver):
    house = HouseFactory(code="huis-w")
    event = Event.objects.get(resource=Event.Resource.HOUSE, object_id=str(house.pk))

    run_worker()

    assert len(receiver.requests) == 1
    _, headers, body = receiver.requests[0]
    assert verify(headers, body)
    assert headers["Content-Type"] == "application/cloudevents+json"
    assert headers["Webhook-Id"] == str(event.uuid)
    cloud = json.loads(body)
    assert cloud["specversion"] == "1.0"
    assert cloud["id"] == str(event.uuid)
    assert cloud["type"] == "nl.politie.veiligheidshuizen.veiligheidshuis.aangemaakt"
    assert cloud["data"]["veiligheidshuis"] == "huis-w"
    assert cloud["data"]["bronUrl"].endswith("/api/v1/veiligheidshuizen/huis-w")
    delivery = Delivery.objects.get(event=event)
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_a_tampered_body_fails_the_signature_check(subscription, receiver):
    HouseFactory()
    run_worker()
    _, headers, body = receiver.requests[0]
    assert not verify(headers, body.replace(b"aangemaakt", b"verwijderd"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("failure", ["500", "slow", "redirect", "drop"])
def test_a_failed_attempt_is_logged_and_retried_later_until_delivered(
    subscription, receiver, failure
):
    receiver.behaviours = [failure, failure]
    HouseFactory()
    delivery = Delivery.objects.get()

    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1
    assert delivery.last_error
    assert delivery.next_attempt_at > timezone.now()
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # the retry, queued

    run_worker()  # not due yet: nothing is sent
    assert len(receiver.requests) == 1

    time_passes(delivery)
    run_worker()
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at - timezone.now() > backoff(1)  # waits longer each time

    time_passes(delivery)
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.attempts == 3
    assert [behaviour for behaviour, _, _ in receiver.requests] == [failure, failure, "ok"]
    ids = {headers["Webhook-Id"] for _, headers, _ in receiver.requests}
    assert ids == {str(delivery.event.uuid)}  # the same event id each time


def test_backoff_grows_and_retries_last_more_than_a_day(settings):
    waits = [backoff(n) for n in range(1, 30)]
    assert waits == sorted(waits)
    assert waits[0] == datetime.timedelta(seconds=30)
    assert max(waits) == datetime.timedelta(hours=6)
    assert settings.WEBHOOK_RETRY_HOURS >= 24


@pytest.mark.django_db(transaction=True)
def test_a_delivery_still_failing_after_the_retry_window_is_marked_failed(
    subscription, receiver, settings
):
    receiver.behaviours = ["500"]
    HouseFactory()
    event = Event.objects.get(resource=Event.Resource.HOUSE)
    Event.objects.filter(pk=event.pk).update(
        occurred_at=timezone.now() - datetime.timedelta(hours=settings.WEBHOOK_RETRY_HOURS + 1)
    )
    run_worker()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert not DBTaskResult.objects.filter(status="READY").exists()


@pytest.mark.django_db(transaction=True)
def test_a_slow_or_dead_receiver_never_touches_the_write(local_hooks, standard, house_a):
    with Receiver() as slow:
        slow.behaviours = ["slow"]
        Subscription.objects.create(name="Traag", url=slow.url, secret=SECRET)
        Subscription.objects.create(name="Dood", url="http://127.0.0.1:1/hook", secret=SECRET)
        role = standard.roles.get(code="liaison")
        AssignmentFactory(house=house_a, role=role)  # commits (autocommit)
        # The write is done and committed; the receivers have not been called at all.
        assert slow.requests == []
        assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_subscription_gets_only_the_resources_and_eenheid_it_asked_for(receiver, unit_a):
    Subscription.objects.create(
        name="Alleen huizen van A",
        url=receiver.url,
        secret=SECRET,
        resources=[Event.Resource.HOUSE],
        police_unit=unit_a,
    )
    HouseFactory(police_unit=unit_a, code="wel")
    HouseFactory(police_unit=PoliceUnitFactory(), code="niet")
    run_worker()
    codes = [json.loads(body)["data"]["veiligheidshuis"] for _, _, body in receiver.requests]
    assert codes == ["wel"]


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.5/hook",
        "https://169.254.169.254/latest",
        "https://[::1]/hook",
        "https://user:pw@93.184.216.34/hook",
        "ftp://93.184.216.34/hook",
    ],
)
def test_webhook_addresses_in_internal_networks_are_refused(settings, url):
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError):
        validate_webhook_url(url)


def test_http_is_refused_unless_allowed_and_a_public_https_address_is_accepted(settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError):
        validate_webhook_url("http://93.184.216.34/hook")
    validate_webhook_url("https://93.184.216.34/hook")
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_ALLOW_HTTP = True
    validate_webhook_url("http://127.0.0.1:8080/hook")
