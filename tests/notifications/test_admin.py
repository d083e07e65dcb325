"""Webhook subscriptions and their delivery log in the admin: national staff only."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notifications.models import Delivery, Event, Subscription
from tests.conftest import client_for
from tests.factories import HouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_delivery(unit_a, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    subscription = Subscription.objects.create(
        name="Partner", url="https://93.184.216.34/hook", secret="geheim"
    )
    HouseFactory(police_unit=unit_a)
    delivery = Delivery.objects.filter(event__resource=Event.Resource.HOUSE).get()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED, attempts=30, last_error="HTTP 500"
    )
    return subscription, delivery


def test_national_staff_see_subscriptions_and_the_delivery_log(national_user, failed_delivery):
    client = client_for(national_user)
    subscription, delivery = failed_delivery
    assert client.get(reverse("admin:notifications_subscription_changelist")).status_code == 200
    log = client.get(
        reverse("admin:notifications_delivery_changelist"),
        {"subscription__id__exact": subscription.pk},
    )
    assert log.status_code == 200
    assert "HTTP 500" in log.content.decode()


@pytest.mark.parametrize("persona_name", ["unit_a_user", "ketenmanager", "reader"])
def test_others_cannot_open_webhooks_in_the_admin(request, persona_name, failed_delivery):
    user = request.getfixturevalue(persona_name)
    user.is_staff = True
    user.save()
    client = client_for(user)
    for name in ["subscription", "delivery", "event"]:
        response = client.get(reverse(f"admin:notifications_{name}_changelist"))
        assert response.status_code in {302, 403}


def test_deliver_again_puts_a_failed_delivery_back_in_the_queue(
    national_user, failed_delivery, django_capture_on_commit_callbacks
):
    _, delivery = failed_delivery
    client = client_for(national_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_delivery_changelist"),
            {"action": "deliver_again", "_selected_action": [delivery.pk]},
        )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at <= timezone.now()
    queued = DBTaskResult.objects.filter(task_path__endswith="deliver_webhook")
    assert [task.args_kwargs["args"] for task in queued] == [[delivery.pk]]


def test_an_internal_address_cannot_be_registered(national_user, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    client = client_for(national_user)
    response = client.post(
        reverse("admin:notifications_subscription_add"),
        {"name": "Intern", "url": "https://10.0.0.8/hook", "secret": "geheim", "active": "on"},
    )
    assert response.status_code == 200
    assert not Subscription.objects.exists()
    assert "niet toegestaan" in response.content.decode()
