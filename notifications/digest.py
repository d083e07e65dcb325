"""E-mail digests: what concerns a user since their last period, sent once per period.

A ketenmanager hears about their own house, unit staff about the houses of their eenheid,
national staff (and readers who ask for it) about every house: the changes in the period
(from the change feed), what awaits them on "Wat wacht op mij" (proposals awaiting their
decision, their own proposals awaiting the other side), and agreed phase-outs that are overdue
or due within 90 days. Each digest links to the page where the user acts.

Sending twice in one period never happens: a ``DigestSent`` row for (user, period) is written
in the same transaction as the sending, and the database refuses a second one; a worker that
finds the row taken skips the user. When the mail server cannot be reached, the transaction
rolls back and the next run tries again.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from houses.consent import DUE_WITHIN_DAYS, inbox
from houses.models import House, Variation
from notifications.models import DigestChoice, DigestSent, Event

logger = logging.getLogger(__name__)

DUE_WITHIN = datetime.timedelta(days=DUE_WITHIN_DAYS)  # the same window as Wat wacht op mij


def period_of(frequency: str, today: datetime.date) -> tuple[str, datetime.date]:
    """The period key and its first day: a day, or an ISO week starting on Monday."""
    if frequency == DigestChoice.Frequency.WEEKLY:
        year, week, _ = today.isocalendar()
        return f"week:{year}-W{week:02d}", today - datetime.timedelta(days=today.weekday())
    return f"dag:{today.isoformat()}", today


def houses_of(user):
    """The houses a digest covers for ``user``."""
    from registry.models import User

    houses = House.objects.all()
    if user.kind == User.Kind.KETENMANAGER:
        return houses.filter(pk__in=user.houses.values("pk"))
    if user.kind == User.Kind.UNIT:
        return houses.filter(police_unit_id=user.police_unit_id)
    return houses


def build(user, since: datetime.datetime, today: datetime.date) -> dict | None:
    """The digest's content for ``user``, or None when there is nothing to say."""
    houses = list(houses_of(user).order_by("name"))
    house_ids = [house.pk for house in houses]
    changes = list(
        Event.objects.filter(occurred_at__gte=since)
        .filter(Q(house_id__in=house_ids) | Q(house_id__isnull=True, unit_id__isnull=True))
        .order_by("occurred_at", "id")[:200]
    )
    variations = Variation.objects.filter(house_id__in=house_ids).select_related("house", "role")
    waiting = inbox(user, today=today)  # the same lists as the page "Wat wacht op mij"
    to_decide, own = waiting["to_decide"], waiting["own"]
    overdue = list(variations.overdue(today).order_by("phase_out_by"))
    due_soon = list(
        variations.agreed()
        .filter(
            kind=Variation.Kind.PHASE_OUT,
            phase_out_by__gte=today,
            phase_out_by__lte=today + DUE_WITHIN,
        )
        .order_by("phase_out_by")
    )
    if not (changes or to_decide or own or overdue or due_soon):
        return None
    base = settings.SITE_URL.rstrip("/")
    for variation in [*own, *overdue, *due_soon]:
        variation.page_url = base + reverse("house-detail", args=[variation.house.code])
    return {
        "user": user,
        "changes": changes,
        "to_decide": to_decide,
        "own": own,
        "inbox_url": base + reverse("inbox"),
        "overdue": overdue,
        "due_soon": due_soon,
        "since": since,
        "base_url": base,
        "account_url": base + reverse("account"),
    }


def message(user, context: dict) -> EmailMultiAlternatives:
    with translation.override("nl"):
        subject = render_to_string("notifications/digest_subject.txt", context).strip()
        text = render_to_string("notifications/digest.txt", context)
        html = render_to_string("notifications/digest.html", context)
    mail = EmailMultiAlternatives(subject, text, to=[user.email])
    mail.attach_alternative(html, "text/html")
    return mail


def send_due(now: datetime.datetime | None = None) -> int:
    """Send every digest due now that was not sent in its period yet; return how many."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    choices = (
        DigestChoice.objects.exclude(frequency=DigestChoice.Frequency.NONE)
        .filter(user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
    )
    for choice in choices:
        period, first_day = period_of(choice.frequency, today)
        if DigestSent.objects.filter(user=choice.user, period=period).exists():
            continue
        length = 7 if choice.frequency == DigestChoice.Frequency.WEEKLY else 1
        since = timezone.make_aware(
            datetime.datetime.combine(first_day - datetime.timedelta(days=length), datetime.time())
        )
        context = build(choice.user, since, today)
        if context is None:
            continue
        try:
            with transaction.atomic():
                DigestSent.objects.create(user=choice.user, period=period)
                message(choice.user, context).send()
        except IntegrityError:
            continue  # another worker sent this one
        except OSError:
            logger.warning(
                "Samenvatting voor %s niet verstuurd; volgende keer opnieuw", choice.user
            )
            continue
        sent += 1
    return sent
