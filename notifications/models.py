"""The change feed and its subscribers.

``Event`` is both the feed (``/api/v1/gebeurtenissen``) and the outbox: one row per create,
update and delete of a registry record, written in the transaction of the change itself.
``Subscription`` is a webhook receiver registered by national staff; ``Delivery`` is one event
on its way to one subscription, with its attempts (the delivery log).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    class Kind(models.TextChoices):
        CREATED = "aangemaakt", _("aangemaakt")
        UPDATED = "gewijzigd", _("gewijzigd")
        DELETED = "verwijderd", _("verwijderd")

    class Resource(models.TextChoices):
        HOUSE = "veiligheidshuis", _("veiligheidshuis")
        HOUSE_CASE_MEETING = "casusoverlegInHuis", _("casusoverleg in een huis")
        ASSIGNMENT = "toewijzing", _("toewijzing")
        VARIATION = "afwijking", _("afwijking")
        STANDARD_VERSION = "standaard", _("standaard")
        ROLE = "rol", _("rol")
        TASK = "taak", _("taak")
        CASE_MEETING_TYPE = "casusoverleg", _("casusoverleg")
        POLICE_UNIT = "eenheid", _("eenheid")
        DISTRICT = "district", _("district")

    uuid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    #: The writing transaction's id on PostgreSQL (``pg_current_xact_id()``); 0 elsewhere.
    #: The feed serves an event only when every transaction that could still add an event
    #: before it has ended (see ``notifications.feed``).
    transaction_id = models.BigIntegerField(_("transactie"), default=0, editable=False)
    occurred_at = models.DateTimeField(_("tijdstip"), db_index=True)
    kind = models.CharField(_("soort"), max_length=12, choices=Kind.choices)
    resource = models.CharField(_("bron"), max_length=24, choices=Resource.choices)
    object_id = models.CharField(_("object-id"), max_length=64)
    path = models.CharField(_("pad"), max_length=255, blank=True)
    label = models.CharField(_("omschrijving"), max_length=255, blank=True)
    # Plain values, not foreign keys: the event outlives the records it names.
    house_id = models.BigIntegerField(_("huis-id"), null=True, blank=True)
    house_code = models.CharField(_("veiligheidshuis"), max_length=64, blank=True, db_index=True)
    unit_id = models.BigIntegerField(_("eenheid-id"), null=True, blank=True)
    unit_code = models.CharField(_("eenheid"), max_length=64, blank=True, db_index=True)
    user_id = models.BigIntegerField(_("gebruiker-id"), null=True, blank=True)
    username = models.CharField(_("gebruiker"), max_length=150, blank=True)
    history_id = models.BigIntegerField(_("historie-id"), null=True, blank=True)

    class Meta:
        verbose_name = _("gebeurtenis")
        verbose_name_plural = _("gebeurtenissen")
        ordering = ["transaction_id", "id"]
        indexes = [models.Index(fields=["transaction_id", "id"], name="event_feed_order")]

    def __str__(self):
        return f"{self.get_resource_display()} {self.object_id} {self.get_kind_display()}"

    @property
    def cursor(self) -> str:
        return f"{self.transaction_id}-{self.pk}"


class Subscription(models.Model):
    name = models.CharField(_("naam"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("geheim"),
        max_length=200,
        help_text=_("Sleutel voor de HMAC-SHA256-handtekening in de header Webhook-Signature."),
    )
    resources = models.JSONField(
        _("bronnen"),
        default=list,
        blank=True,
        help_text=_("Alleen gebeurtenissen van deze soorten bronnen; leeg: alle."),
    )
    police_unit = models.ForeignKey(
        "houses.PoliceUnit",
        verbose_name=_("eenheid"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Alleen gebeurtenissen die deze eenheid betreffen; leeg: alle."),
    )
    active = models.BooleanField(_("actief"), default=True)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aangemaakt door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("abonnement (webhook)")
        verbose_name_plural = _("abonnementen (webhooks)")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        from notifications.webhooks import validate_webhook_url

        if self.url:
            validate_webhook_url(self.url)

    def matches(self, event: Event) -> bool:
        if self.resources and event.resource not in self.resources:
            return False
        return not (self.police_unit_id and event.unit_id != self.police_unit_id)


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "wachtend", _("wachtend")
        DELIVERED = "afgeleverd", _("afgeleverd")
        FAILED = "mislukt", _("mislukt")

    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("abonnement"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.ForeignKey(
        Event, verbose_name=_("gebeurtenis"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("pogingen"), default=0)
    last_status_code = models.PositiveIntegerField(_("laatste HTTP-status"), null=True, blank=True)
    last_error = models.TextField(_("laatste fout"), blank=True)
    next_attempt_at = models.DateTimeField(_("volgende poging"), db_index=True)
    leased_until = models.DateTimeField(_("bezig tot"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("afgeleverd op"), null=True, blank=True)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)

    class Meta:
        verbose_name = _("aflevering")
        verbose_name_plural = _("afleveringen")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="one_delivery_per_subscription_and_event"
            )
        ]

    def __str__(self):
        return f"{self.event} → {self.subscription}"


class DigestChoice(models.Model):
    """A user's choice of e-mail digest (set on their account page)."""

    class Frequency(models.TextChoices):
        NONE = "geen", _("geen")
        DAILY = "dagelijks", _("dagelijks")
        WEEKLY = "wekelijks", _("wekelijks")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gebruiker"),
        on_delete=models.CASCADE,
        related_name="digest_choice",
    )
    frequency = models.CharField(
        _("samenvatting per e-mail"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.NONE,
    )

    class Meta:
        verbose_name = _("keuze e-mailsamenvatting")
        verbose_name_plural = _("keuzes e-mailsamenvatting")

    def __str__(self):
        return f"{self.user}: {self.get_frequency_display()}"


class DigestSent(models.Model):
    """One digest sent to one user for one period: the database refuses a second one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("gebruiker"), on_delete=models.CASCADE
    )
    period = models.CharField(_("periode"), max_length=20)
    sent_at = models.DateTimeField(_("verstuurd op"), auto_now_add=True)

    class Meta:
        verbose_name = _("verstuurde samenvatting")
        verbose_name_plural = _("verstuurde samenvattingen")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "period"], name="one_digest_per_user_and_period"
            )
        ]

    def __str__(self):
        return f"{self.user} {self.period}"
