"""Writing events: one per history record, in the transaction of the change.

Every edit path writes history through simple-history (admin, pages, API, imports,
management commands), so the receiver hangs on ``post_create_historical_record``, the same
hook as the write log: a create, update or delete of any registry record gives exactly one
event, deletions included. For every subscription the event matches, a delivery is written in
the same transaction (the outbox), and handed to the task queue once the change commits.

A change to an assignment, a variation or a case meeting of a house changes that house's task
package; it also stamps the house's ``updated_at``, so the house shows up in
``veiligheidshuizen?gewijzigdSinds``.
"""

from __future__ import annotations

from django.db import connections, transaction
from django.db.models.expressions import RawSQL
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from simple_history.signals import post_create_historical_record

from houses.models import (
    Assignment,
    District,
    House,
    HouseCaseMeeting,
    PoliceUnit,
    Variation,
)
from notifications.models import Delivery, Event, Subscription
from roles.models import CaseMeetingType, Role, StandardVersion, Task

KINDS = {"+": Event.Kind.CREATED, "~": Event.Kind.UPDATED, "-": Event.Kind.DELETED}

#: model -> (resource, URL name of its API detail, lookup attribute, URL keyword)
RESOURCES = {
    House: (Event.Resource.HOUSE, "api:veiligheidshuis-detail", "code", "code"),
    HouseCaseMeeting: (Event.Resource.HOUSE_CASE_MEETING, None, None, None),
    Assignment: (Event.Resource.ASSIGNMENT, "api:toewijzing-detail", "pk", "pk"),
    Variation: (Event.Resource.VARIATION, "api:afwijking-detail", "pk", "pk"),
    StandardVersion: (Event.Resource.STANDARD_VERSION, "api:standaard-detail", "version", "versie"),
    Role: (Event.Resource.ROLE, "api:rol-detail", "pk", "pk"),
    Task: (Event.Resource.TASK, "api:taak-detail", "pk", "pk"),
    CaseMeetingType: (Event.Resource.CASE_MEETING_TYPE, "api:casusoverleg-detail", "code", "code"),
    PoliceUnit: (Event.Resource.POLICE_UNIT, "api:eenheid-detail", "code", "code"),
    District: (Event.Resource.DISTRICT, None, None, None),
}

#: Records whose change alters the task package of their house.
PACKAGE_PARTS = (Assignment, Variation, HouseCaseMeeting)


def transaction_id_expression(using: str):
    """The id of the writing transaction on PostgreSQL; 0 where writes are serialized."""
    if connections[using].vendor == "postgresql":
        return RawSQL("pg_current_xact_id()::text::bigint", [])  # noqa: S611 - constant SQL
    return 0


def _house_of(instance):
    if isinstance(instance, House):
        return instance
    if isinstance(instance, Assignment | Variation | HouseCaseMeeting):
        return House._base_manager.filter(pk=instance.house_id).first() or None
    return None


def _unit_of(instance, house):
    if isinstance(instance, PoliceUnit):
        return instance.pk, instance.code
    if house is not None:
        unit_id = house.police_unit_id
    elif isinstance(instance, District):
        unit_id = instance.police_unit_id
    else:
        return None, ""
    code = PoliceUnit._base_manager.filter(pk=unit_id).values_list("code", flat=True).first()
    return unit_id, code or ""


def _path(instance, house) -> str:
    _resource, url_name, attr, kwarg = RESOURCES[type(instance)]
    if url_name is None:
        if isinstance(instance, HouseCaseMeeting) and house is not None:
            return reverse("api:veiligheidshuis-detail", kwargs={"code": house.code})
        return ""
    try:
        return reverse(url_name, kwargs={kwarg: getattr(instance, attr)})
    except NoReverseMatch:
        return ""


def record_event(sender, instance, history_instance, history_user=None, using=None, **kwargs):
    model = type(instance)
    if model not in RESOURCES:
        return
    using = using or history_instance._state.db or "default"
    house = _house_of(instance)
    unit_id, unit_code = _unit_of(instance, house)
    user = history_user if getattr(history_user, "pk", None) else None
    event = Event.objects.using(using).create(
        transaction_id=transaction_id_expression(using),
        occurred_at=history_instance.history_date,
        kind=KINDS.get(history_instance.history_type, Event.Kind.UPDATED),
        resource=RESOURCES[model][0],
        object_id=str(instance.pk),
        path=_path(instance, house),
        label=str(instance)[:255],
        house_id=house.pk if house else None,
        house_code=house.code if house else "",
        unit_id=unit_id,
        unit_code=unit_code,
        user_id=user.pk if user else None,
        username=user.get_username() if user else "",
        history_id=history_instance.pk,
    )
    if house is not None and model in PACKAGE_PARTS:
        House._base_manager.using(using).filter(pk=house.pk).update(updated_at=timezone.now())
    queue_deliveries(event, using)


def queue_deliveries(event: Event, using: str) -> None:
    """A delivery per matching subscription (same transaction); queued after the commit."""
    subscriptions = [
        subscription
        for subscription in Subscription.objects.using(using).filter(active=True)
        if subscription.matches(event)
    ]
    if not subscriptions:
        return
    deliveries = Delivery.objects.using(using).bulk_create(
        [
            Delivery(subscription=subscription, event=event, next_attempt_at=event.occurred_at)
            for subscription in subscriptions
        ]
    )
    ids = [delivery.pk for delivery in deliveries]

    def enqueue():
        from notifications.tasks import deliver_webhook

        for pk in ids:
            deliver_webhook.enqueue(pk)

    transaction.on_commit(enqueue, using=using)


def connect() -> None:
    post_create_historical_record.connect(record_event, dispatch_uid="notifications.record_event")
