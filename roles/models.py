"""The national standard: versions, police functions (roles), their tasks, case-meeting types."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from registry.lib.editable import EditableModel, EditableQuerySet

version_label = RegexValidator(
    r"^\d+\.\d+(\.\d+)?$", _("Gebruik een versienummer als 1.0 of 1.2.3.")
)


class Presence(models.TextChoices):
    """How present the police is at a house in a role."""

    CASE_MEETINGS = "casusoverleg", _("Alleen deelname aan casusoverleg")
    PART_TIME = "deeltijd", _("Deeltijd aanwezig (dagdelen per week)")
    FULL_TIME = "fulltime", _("Fulltime aanwezig")


def long_text(max_length: int) -> dict:
    """Options of a free-text field with a maximum length that forms, API and import enforce."""
    return {"max_length": max_length, "validators": [MaxLengthValidator(max_length)]}


def validate_text_list(value, *, max_items=50, max_length=500):
    """A list of short texts (principles, competences, preconditions)."""
    if not isinstance(value, list):
        raise ValidationError(_("Geef een lijst van teksten."))
    if len(value) > max_items:
        raise ValidationError(_("Hoogstens %(n)s regels.") % {"n": max_items}, code="max_items")
    for item in value:
        if not isinstance(item, str):
            raise ValidationError(_("Elke regel is een tekst."))
        if len(item) > max_length:
            raise ValidationError(
                _("Een regel telt hoogstens %(n)s tekens.") % {"n": max_length},
                code="max_length",
            )


class StandardVersionQuerySet(EditableQuerySet):
    def published(self):
        return self.filter(status=StandardVersion.Status.PUBLISHED)

    def current(self):
        """The published version, or None."""
        return self.published().first()

    def frozen(self):
        """Published and superseded versions: nobody changes them any more."""
        return self.filter(status__in=StandardVersion.FROZEN_STATUSES)


def version_key(label: str) -> tuple:
    """Sort key of a version label: 1.10 comes after 1.9."""
    return tuple(int(part) if part.isdigit() else 0 for part in label.split("."))


class StandardVersion(EditableModel):
    class Status(models.TextChoices):
        DRAFT = "concept", _("Concept")
        PUBLISHED = "gepubliceerd", _("Gepubliceerd")
        SUPERSEDED = "vervangen", _("Vervangen")

    version = models.CharField(_("versie"), max_length=20, unique=True, validators=[version_label])
    title = models.CharField(_("titel"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    published_on = models.DateField(_("gepubliceerd op"), null=True, blank=True)
    source = models.TextField(
        _("bron"), blank=True, help_text=_("Document waarop deze versie berust."), **long_text(2000)
    )
    principles = models.JSONField(
        _("uitgangspunten"),
        default=list,
        blank=True,
        help_text=_("Lijst van uitgangspunten."),
        validators=[validate_text_list],
    )
    changes = models.TextField(
        _("wijzigingen"),
        blank=True,
        help_text=_("Wat deze versie verandert ten opzichte van de vorige."),
        **long_text(5000),
    )

    objects = StandardVersionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("standaardversie")
        verbose_name_plural = _("standaardversies")
        ordering = ["-published_on", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="gepubliceerd"),
                name="one_published_standard_version",
                violation_error_message=_("Er is al een gepubliceerde versie van de standaard."),
            ),
            models.CheckConstraint(
                condition=~Q(status="gepubliceerd") | Q(published_on__isnull=False),
                name="published_standard_has_date",
                violation_error_message=_("Een gepubliceerde versie heeft een publicatiedatum."),
            ),
        ]

    #: Statuses in which a version, its roles and its tasks are read-only for everyone.
    FROZEN_STATUSES = (Status.PUBLISHED, Status.SUPERSEDED)

    def __str__(self):
        return f"{self.version} ({self.get_status_display()})"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._loaded_status = self.status

    @property
    def loaded_status(self):
        """The status as stored (for a new version: its status in memory)."""
        return getattr(self, "_loaded_status", None) or self.status

    @property
    def is_frozen(self) -> bool:
        """Published or superseded (as stored): nothing of this version changes any more."""
        return self.loaded_status in self.FROZEN_STATUSES

    def frozen_message(self) -> str:
        return _(
            "Standaard %(version)s is %(status)s en kan niet meer worden gewijzigd, ook de rollen "
            "en taken niet. Maak een conceptversie om de standaard aan te passen."
        ) % {
            "version": self.version,
            "status": self.Status(self.loaded_status).label.lower(),
        }

    def read_only_reason(self):
        if self._state.adding or getattr(self, "_lifecycle_step", False):
            return None
        if self.is_frozen:
            return self.frozen_message()
        return None

    def status_change_error(self):
        """The status changes only through ``publish`` (draft → published → superseded)."""
        if getattr(self, "_lifecycle_step", False):
            return None
        if self._state.adding and self.status != self.Status.DRAFT:
            return _("Een nieuwe versie begint als concept; daarna publiceert u haar.")
        if not self._state.adding and self.status != self.loaded_status:
            return _("De status van een versie verandert alleen door een concept te publiceren.")
        return None

    def clean(self):
        reason = self.read_only_reason()
        if reason:
            raise ValidationError(reason, code="frozen")
        errors = {}
        if message := self.status_change_error():
            errors["status"] = message
        if self.status == self.Status.PUBLISHED and not self.published_on:
            errors["published_on"] = _("Vul de publicatiedatum in.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk is not None:
            self.check_writable()
            if message := self.status_change_error():
                raise ValidationError({"status": message})
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    @transaction.atomic
    def make_draft(self, version: str, title: str = ""):
        """A draft copy of this version, with its roles and tasks, labelled ``version``."""
        draft = StandardVersion(
            version=version,
            title=title or self.title,
            status=self.Status.DRAFT,
            source=self.source,
            principles=list(self.principles),
        )
        draft.full_clean()
        draft.save()
        for role in self.roles.prefetch_related("tasks"):
            tasks = list(role.tasks.all())
            role.pk = None
            role._state.adding = True
            role.revision = 1
            role.standard_version = draft
            role._loaded_version_id = None
            role.save()
            for task in tasks:
                task.pk = None
                task._state.adding = True
                task.revision = 1
                task.role = role
                task._loaded_role_id = None
                task.save()
        return draft

    def publication_problems(self) -> list[str]:
        """Why this draft cannot be published yet (empty: it can)."""
        roles = list(self.roles.prefetch_related("tasks"))
        if not roles:
            return [_("Versie %(version)s heeft geen rollen.") % {"version": self.version}]
        return [
            _("De rol '%(role)s' heeft geen kerntaak.") % {"role": role.name}
            for role in roles
            if not any(task.kind == Task.Kind.CORE for task in role.tasks.all())
        ]

    @transaction.atomic
    def publish(self, on=None, changes=None, user=None):
        """Publish this draft with its change notes; the version published until now becomes
        superseded. All or nothing: a refusal (``ValidationError``) changes nothing."""
        stored = StandardVersion.objects.select_for_update().filter(pk=self.pk).first()
        if stored is None or stored.status != self.Status.DRAFT:
            raise ValidationError(_("Alleen een conceptversie kan worden gepubliceerd."))
        if changes is not None:
            self.changes = changes.strip()
        errors = {}
        if not (self.changes or "").strip():
            errors["changes"] = [_("Beschrijf wat er verandert in deze versie.")]
        if problems := self.publication_problems():
            errors[NON_FIELD_ERRORS] = problems
        if errors:
            raise ValidationError(errors)
        for old in StandardVersion.objects.select_for_update().published():
            old._lifecycle_step = True
            old.status = self.Status.SUPERSEDED
            old._history_user = user
            old._change_reason = f"Vervangen door standaard {self.version}"
            try:
                old.save()
            finally:
                old._lifecycle_step = False
        self._lifecycle_step = True
        self.status = self.Status.PUBLISHED
        self.published_on = on or timezone.localdate()
        self._history_user = user
        self._change_reason = "Gepubliceerd"
        try:
            self.full_clean()
            self.save()
        finally:
            self._lifecycle_step = False

    @transaction.atomic
    def retire(self, on, changes):
        """Record this draft as an earlier, superseded version (a historic version loaded after
        a newer one was published). Refused like ``publish`` when it is incomplete."""
        stored = StandardVersion.objects.select_for_update().filter(pk=self.pk).first()
        if stored is None or stored.status != self.Status.DRAFT:
            raise ValidationError(_("Alleen een conceptversie kan worden vastgelegd."))
        self.changes = self.changes or changes
        if problems := self.publication_problems():
            raise ValidationError(problems)
        self._lifecycle_step = True
        self.status = self.Status.SUPERSEDED
        self.published_on = on
        try:
            self.save()
        finally:
            self._lifecycle_step = False

    def previous(self):
        """The version this one follows: the highest non-draft version with a lower label
        (for a draft: the published version)."""
        if self.status == self.Status.DRAFT:
            current = StandardVersion.objects.current()
            if current is not None:
                return current
        earlier = [
            v
            for v in StandardVersion.objects.frozen().exclude(pk=self.pk)
            if version_key(v.version) < version_key(self.version)
        ]
        return max(earlier, key=lambda v: version_key(v.version), default=None)


def frozen_version_reason(version_ids) -> str | None:
    """The refusal for a change inside one of these versions, if any of them is frozen."""
    ids = {pk for pk in version_ids if pk}
    if not ids:
        return None
    frozen = StandardVersion.objects.frozen().filter(pk__in=ids).first()
    return frozen.frozen_message() if frozen else None


class InStandardVersion:
    """Roles and tasks: read-only once their version is published (also for a new one in it)."""

    def frozen_reason(self) -> str | None:
        raise NotImplementedError

    def read_only_reason(self):
        return self.frozen_reason()

    def clean(self):
        reason = self.frozen_reason()
        if reason:
            raise ValidationError(reason, code="frozen")


class Role(InStandardVersion, EditableModel):
    standard_version = models.ForeignKey(
        StandardVersion,
        on_delete=models.CASCADE,
        related_name="roles",
        verbose_name=_("standaardversie"),
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("naam"), max_length=120)
    purpose = models.TextField(_("doel"), blank=True, **long_text(2000))
    expected_presence = models.CharField(
        _("verwachte aanwezigheid"), max_length=20, choices=Presence.choices
    )
    competences = models.JSONField(
        _("competenties"), default=list, blank=True, validators=[validate_text_list]
    )
    preconditions = models.JSONField(
        _("randvoorwaarden"), default=list, blank=True, validators=[validate_text_list]
    )
    allows_multiple = models.BooleanField(
        _("meerdere actieve bezettingen toegestaan"),
        default=False,
        help_text=_("Mag een huis deze rol door meer dan één actieve toewijzing laten vervullen?"),
    )
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rol")
        verbose_name_plural = _("rollen")
        ordering = ["standard_version", "position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard_version", "code"],
                name="unique_role_code_per_version",
                violation_error_message=_("Deze code bestaat al in deze versie van de standaard."),
            )
        ]

    def __str__(self):
        return self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_version_id = instance.__dict__.get("standard_version_id")
        return instance

    def frozen_reason(self):
        return frozen_version_reason(
            [self.standard_version_id, getattr(self, "_loaded_version_id", None)]
        )


class Task(InStandardVersion, EditableModel):
    class Kind(models.TextChoices):
        CORE = "kern", _("Kerntaak")
        OPTIONAL = "optioneel", _("Optionele taak")
        EXCLUDED = "uitgesloten", _("Uitgesloten (geen politietaak)")

    role = models.ForeignKey(
        Role, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("rol")
    )
    code = models.SlugField(_("code"), max_length=60)
    title = models.CharField(_("titel"), max_length=200)
    description = models.TextField(_("omschrijving"), blank=True, **long_text(2000))
    norm = models.CharField(
        _("norm"), max_length=200, blank=True, help_text=_("Hoeveel of hoe vaak.")
    )
    kind = models.CharField(_("soort"), max_length=12, choices=Kind.choices, default=Kind.CORE)
    note = models.CharField(_("toelichting"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("taak")
        verbose_name_plural = _("taken")
        ordering = ["role", "position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "code"],
                name="unique_task_code_per_role",
                violation_error_message=_("Deze code bestaat al bij deze rol."),
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_excluded(self):
        return self.kind == self.Kind.EXCLUDED

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_role_id = instance.__dict__.get("role_id")
        return instance

    def frozen_reason(self):
        role_ids = {self.role_id, getattr(self, "_loaded_role_id", None)} - {None}
        if not role_ids:
            return None
        versions = Role.objects.filter(pk__in=role_ids).values_list(
            "standard_version_id", flat=True
        )
        return frozen_version_reason(versions)


class CaseMeetingType(EditableModel):
    class Involvement(models.TextChoices):
        PARTICIPATES = "neemt_deel", _("Neemt deel")
        ON_REQUEST = "op_verzoek", _("Op verzoek")
        NONE = "geen", _("Geen (alleen zorg)")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("naam"), max_length=200)
    theme = models.CharField(_("thema"), max_length=200, blank=True)
    police_involvement = models.CharField(
        _("betrokkenheid politie"), max_length=12, choices=Involvement.choices
    )
    source = models.TextField(_("bron"), blank=True, **long_text(2000))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("soort casusoverleg")
        verbose_name_plural = _("soorten casusoverleg")
        ordering = ["name"]

    def __str__(self):
        return self.name
