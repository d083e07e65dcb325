"""E-mail digests, sent to a real SMTP server in the test (aiosmtpd)."""

import datetime
import email
import socket
import threading
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.db import connection, connections
from django.utils import timezone

from houses.consent import Side
from houses.models import Variation
from notifications.digest import send_due
from notifications.models import DigestChoice, DigestSent
from registry.models import User
from roles.models import Task
from tests.factories import UserFactory, VariationFactory


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(
            (envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "https://register.example.nl"
    yield inbox
    controller.stop()


@pytest.fixture
def manager_of_house_a(house_a):
    user = UserFactory(
        username="km-a",
        email="km-a@gemeente.example",
        kind=User.Kind.KETENMANAGER,
    )
    user.houses.set([house_a])
    DigestChoice.objects.create(user=user, frequency=DigestChoice.Frequency.DAILY)
    return user


@pytest.fixture
def things_to_report(standard, house_a):
    liaison = standard.roles.get(code="liaison")
    participant = standard.roles.get(code="deelnemer")
    today = timezone.localdate()
    VariationFactory(
        house=house_a,
        task=liaison.tasks.get(code="schakel"),
        status=Variation.Status.PROPOSED,
        agreed_on=None,
        agreed_with="",
    )
    VariationFactory(
        house=house_a,
        task=participant.tasks.get(kind=Task.Kind.EXCLUDED),
        kind=Variation.Kind.PHASE_OUT,
        local_norm="",
        phase_out_by=today - datetime.timedelta(days=3),
    )


def at(days):
    return timezone.now() + datetime.timedelta(days=days)


@pytest.mark.django_db
def test_a_daily_digest_is_sent_once_a_day_in_dutch_text_and_html(
    smtp, manager_of_house_a, things_to_report
):
    assert send_due() == 1
    assert send_due() == 0  # same day: not again
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == ["km-a@gemeente.example"]
    assert "voorstel" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "VOORSTELLEN DIE OP UW BESLUIT WACHTEN" in text
    assert "Beslis op https://register.example.nl/wat-wacht-op-mij/" in text
    assert 'href="https://register.example.nl/wat-wacht-op-mij/"' in html
    assert "AFBOUW OVER DE DATUM" in text
    assert "https://register.example.nl/veiligheidshuizen/huis-a/" in text
    assert 'href="https://register.example.nl/veiligheidshuizen/huis-a/"' in html
    assert 'lang="nl"' in html

    assert send_due(now=at(1)) == 1  # the next day
    assert DigestSent.objects.filter(user=manager_of_house_a).count() == 2


@pytest.mark.django_db
def test_a_weekly_digest_is_sent_once_a_week(smtp, manager_of_house_a, things_to_report):
    DigestChoice.objects.filter(user=manager_of_house_a).update(
        frequency=DigestChoice.Frequency.WEEKLY
    )
    monday = timezone.now() - datetime.timedelta(days=timezone.localdate().weekday())
    sent = [send_due(now=monday + datetime.timedelta(days=d)) for d in range(7)]
    assert sent == [1, 0, 0, 0, 0, 0, 0]
    assert send_due(now=monday + datetime.timedelta(days=7)) == 1


@pytest.mark.django_db
def test_a_digest_covers_only_the_users_own_houses(smtp, house_b, things_to_report):
    other = UserFactory(username="km-b", email="km-b@gemeente.example", kind=User.Kind.KETENMANAGER)
    other.houses.set([house_b])
    DigestChoice.objects.create(user=other, frequency=DigestChoice.Frequency.DAILY)
    assert send_due() == 1  # house B's own creation is a change there; nothing of house A
    _, message = smtp.messages[0]
    text = message.get_body(("plain",)).get_content()
    assert "huis-a" not in text
    assert "VOORSTELLEN" not in text


@pytest.mark.django_db
def test_a_proposal_awaits_the_other_side_not_its_proposer(
    smtp, standard, house_a, unit_a_user, manager_of_house_a
):
    DigestChoice.objects.create(user=unit_a_user, frequency=DigestChoice.Frequency.DAILY)
    unit_a_user.email = "eenheid-a@politie.example"
    unit_a_user.save()
    VariationFactory(
        house=house_a,
        task=standard.roles.get(code="liaison").tasks.get(code="schakel"),
        status=Variation.Status.PROPOSED,
        proposed_side=Side.HOUSE,
        proposed_by=manager_of_house_a,
        agreed_on=None,
        agreed_with="",
    )
    assert send_due() == 2
    texts = {
        recipients[0]: (message["Subject"], message.get_body(("plain",)).get_content())
        for recipients, message in smtp.messages
    }
    subject, text = texts["eenheid-a@politie.example"]
    assert "1 voorstel wacht op uw besluit" in subject
    assert "VOORSTELLEN DIE OP UW BESLUIT WACHTEN" in text
    assert "UW VOORSTELLEN" not in text
    subject, text = texts["km-a@gemeente.example"]
    assert "wacht op uw besluit" not in subject
    assert "VOORSTELLEN DIE OP UW BESLUIT WACHTEN" not in text
    assert "UW VOORSTELLEN DIE OP DE ANDERE KANT WACHTEN" in text


@pytest.mark.django_db
def test_no_choice_or_nothing_to_say_sends_nothing(smtp, manager_of_house_a, house_b):
    DigestChoice.objects.filter(user=manager_of_house_a).update(
        frequency=DigestChoice.Frequency.NONE
    )
    assert send_due() == 0
    DigestChoice.objects.filter(user=manager_of_house_a).update(
        frequency=DigestChoice.Frequency.DAILY
    )
    assert send_due(now=at(30)) == 0  # nothing happened at house A in that period
    assert smtp.messages == []


@pytest.mark.django_db
def test_an_unreachable_mail_server_loses_no_digest(
    smtp, settings, manager_of_house_a, things_to_report
):
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nobody listens there
    assert send_due() == 0
    assert not DigestSent.objects.exists()
    settings.EMAIL_PORT = real_port
    assert send_due() == 1
    assert len(smtp.messages) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: two workers")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_digest_once(smtp, manager_of_house_a, things_to_report):
    barrier = threading.Barrier(4)
    errors = []

    def worker():
        try:
            barrier.wait(10)
            send_due()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(smtp.messages) == 1


@pytest.mark.django_db
def test_the_account_page_sets_the_digest_choice(client, ketenmanager):
    client.force_login(ketenmanager)
    page = client.get("/account/")
    assert page.status_code == 200
    assert "Samenvatting per e-mail" in page.content.decode()
    response = client.post("/account/", {"frequency": DigestChoice.Frequency.WEEKLY})
    assert response.status_code == 302
    assert DigestChoice.objects.get(user=ketenmanager).frequency == DigestChoice.Frequency.WEEKLY
    bad = client.post("/account/", {"frequency": "elk-uur"})
    assert bad.status_code == 200
    assert DigestChoice.objects.get(user=ketenmanager).frequency == DigestChoice.Frequency.WEEKLY


@pytest.mark.django_db
def test_the_account_page_needs_a_login(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert "/inloggen/" in response["Location"]
