"""Users of the registry and what kind of user each is."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    class Kind(models.TextChoices):
        NATIONAL = "national", _("Landelijk beheer")
        UNIT = "unit", _("Eenheid")
        KETENMANAGER = "ketenmanager", _("Ketenmanager")
        READER = "reader", _("Lezer")

    kind = models.CharField(
        _("soort gebruiker"), max_length=12, choices=Kind.choices, default=Kind.READER
    )
    police_unit = models.ForeignKey(
        "houses.PoliceUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("eenheid"),
        help_text=_("Verplicht voor medewerkers van een eenheid."),
    )
    houses = models.ManyToManyField(
        "houses.House",
        blank=True,
        related_name="ketenmanagers",
        verbose_name=_("veiligheidshuizen"),
        help_text=_(
            "Voor ketenmanagers: de huizen waarvoor zij afwijkingen voorstellen en ermee "
            "instemmen. Zonder huis leest een ketenmanager alleen."
        ),
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="unit") | Q(police_unit__isnull=False),
                name="unit_staff_have_unit",
                violation_error_message=_("Een medewerker van een eenheid heeft een eenheid."),
            )
        ]

    def clean(self):
        super().clean()
        if self.kind == self.Kind.UNIT and not self.police_unit_id:
            raise ValidationError({"police_unit": _("Kies de eenheid van deze medewerker.")})

    def save(self, *args, **kwargs):
        # National and unit staff work in the admin; their kind is all an account needs.
        if self.kind in {self.Kind.NATIONAL, self.Kind.UNIT}:
            self.is_staff = True
        # Ketenmanagers act on the site's pages and through the API, never in the admin.
        if self.kind == self.Kind.KETENMANAGER:
            self.is_staff = False
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "kind" not in update_fields:
            return
        from registry.groups import sync_user_groups

        sync_user_groups(self, using=kwargs.get("using") or self._state.db)

    # The two properties the edit-rights module (registry.lib.rights) reads.
    @property
    def may_edit_everything(self) -> bool:
        return self.is_active and (self.is_superuser or self.kind == self.Kind.NATIONAL)

    @property
    def editable_unit_id(self):
        if self.is_active and self.kind == self.Kind.UNIT:
            return self.police_unit_id
        return None

    @cached_property
    def ketenmanager_house_ids(self) -> frozenset:
        """The houses this ketenmanager speaks for (houses/consent.py); empty for others."""
        if not (self.pk and self.is_active and self.kind == self.Kind.KETENMANAGER):
            return frozenset()
        return frozenset(self.houses.values_list("pk", flat=True))


# --- API tokens ---------------------------------------------------------------------------------
class ApiToken(AbstractAuthToken):
    """A token for an API client: stored as a hash (knox), named, expiring, revocable.

    The token acts as its user: the same edit rights, and the user in every history record.
    Revoke a token by deleting it (admin or ``manage.py create_api_token --revoke``).
    """

    name = models.CharField(
        _("naam"),
        max_length=100,
        help_text=_("Waarvoor dit token dient, bijvoorbeeld de naam van het dashboard."),
    )

    class Meta:
        verbose_name = _("API-token")
        verbose_name_plural = _("API-tokens")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.user}, {self.token_key}…)"


class ChangeCounter(models.Model):
    """One row counting every write to the registry; read caches and ETags key on it.

    See ``registry/lib/cache.py``. It lives in the database so that every server process sees the
    same value the moment a write commits.
    """

    value = models.PositiveBigIntegerField(_("aantal wijzigingen"), default=0)

    class Meta:
        verbose_name = _("wijzigingsteller")
        verbose_name_plural = _("wijzigingstellers")

    def __str__(self):
        return str(self.value)


class ScopeCounter(models.Model):
    """Writes counted per part of the registry, so that a read cache of one part (a house) is
    recomputed only after a write to that part.

    ``shared`` counts every write that is not attributed to one house (the standard, eenheden,
    users, bulk loads); ``house:<code>`` counts the writes to one house and its assignments,
    variations and case meetings. See ``registry/lib/cache.py``.
    """

    scope = models.CharField(_("deel"), max_length=120, primary_key=True)
    value = models.PositiveBigIntegerField(_("aantal wijzigingen"), default=0)

    class Meta:
        verbose_name = _("wijzigingsteller per deel")
        verbose_name_plural = _("wijzigingstellers per deel")

    def __str__(self):
        return f"{self.scope}: {self.value}"
