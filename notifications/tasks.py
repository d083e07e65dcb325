"""Background work on the task queue (django-tasks, database backend).

``deliver_webhook(delivery_id)`` makes one attempt. A delivery is claimed with a lease, so two
workers never post the same delivery at once; a worker that dies mid-delivery leaves the
lease to expire, and ``requeue_due`` (every minute inside ``manage.py run_worker``, or
``manage.py requeue_webhooks``) queues it again. Failures are retried with exponential backoff
(30 s, 1 min, 2 min, …, at most 6 hours apart) until ``WEBHOOK_RETRY_HOURS`` after the event;
then the delivery is marked failed and can be sent again from the admin.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from notifications.models import Delivery

FIRST_DELAY = datetime.timedelta(seconds=30)
LONGEST_DELAY = datetime.timedelta(hours=6)


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the ``attempts``-th failed attempt."""
    return min(FIRST_DELAY * 2 ** min(attempts - 1, 20), LONGEST_DELAY)


def lease_length() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.WEBHOOK_TIMEOUT + settings.WEBHOOK_LEASE_MARGIN)


def claim(delivery_id: int) -> Delivery | None:
    """Take the delivery for one attempt, or None when it is not due or someone else has it."""
    now = timezone.now()
    claimed = (
        Delivery.objects.filter(
            pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
        )
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .update(leased_until=now + lease_length())
    )
    if not claimed:
        return None
    return Delivery.objects.select_related("subscription", "event").get(pk=delivery_id)


@task()
def deliver_webhook(delivery_id: int) -> str:
    from notifications.webhooks import attempt

    delivery = claim(delivery_id)
    if delivery is None:
        return "niet aan de beurt"
    delivered, status_code, error = attempt(delivery)
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status_code = status_code
    delivery.last_error = error
    delivery.leased_until = None
    with transaction.atomic():
        if delivered:
            delivery.status = Delivery.Status.DELIVERED
            delivery.delivered_at = now
        elif now - delivery.event.occurred_at >= datetime.timedelta(
            hours=settings.WEBHOOK_RETRY_HOURS
        ):
            delivery.status = Delivery.Status.FAILED
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
        delivery.save()
    return delivery.status


def requeue_due(grace: datetime.timedelta = datetime.timedelta(minutes=5)) -> int:
    """Queue deliveries that are due but nobody works on (their worker died, or the process
    stopped between commit and queueing). Harmless when they are queued already: a delivery
    is claimed before it is sent."""
    now = timezone.now()
    due = (
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now - grace)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .values_list("pk", flat=True)
    )
    count = 0
    for pk in due:
        deliver_webhook.enqueue(pk)
        count += 1
    return count
