"""The national standard: versions, police functions (roles), their tasks, case-meeting types."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
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

    CASE_MEETINGS = "case_meetings", _("Alleen deelname aan casusoverleg")
    PART_TIME = "part_time", _("Deeltijd aanwezig (dagdelen per week)")
    FULL_TIME = "full_time", _("Fulltime aanwezig")


class StandardVersionQuerySet(EditableQuerySet):
    def published(self):
        return self.filter(status=StandardVersion.Status.PUBLISHED)

    def current(self):
        """The published version, or None."""
        return self.published().first()


class StandardVersion(EditableModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Concept")
        PUBLISHED = "published", _("Gepubliceerd")
        SUPERSEDED = "superseded", _("Vervangen")

    version = models.CharField(_("versie"), max_length=20, unique=True, validators=[version_label])
    title = models.CharField(_("titel"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    published_on = models.DateField(_("gepubliceerd op"), null=True, blank=True)
    source = models.TextField(
        _("bron"), blank=True, help_text=_("Document waarop deze versie berust.")
    )
    principles = models.JSONField(
        _("uitgangspunten"), default=list, blank=True, help_text=_("Lijst van uitgangspunten.")
    )
    changes = models.TextField(
        _("wijzigingen"),
        blank=True,
        help_text=_("Wat deze versie verandert ten opzichte van de vorige."),
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
                condition=Q(status="published"),
                name="one_published_standard_version",
                violation_error_message=_("Er is al een gepubliceerde versie van de standaard."),
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_on__isnull=False),
                name="published_standard_has_date",
                violation_error_message=_("Een gepubliceerde versie heeft een publicatiedatum."),
            ),
        ]

    def __str__(self):
        return f"{self.version} ({self.get_status_display()})"

    def clean(self):
        if self.status == self.Status.PUBLISHED and not self.published_on:
            raise ValidationError({"published_on": _("Vul de publicatiedatum in.")})

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
            role.save()
            for task in tasks:
                task.pk = None
                task._state.adding = True
                task.revision = 1
                task.role = role
                task.save()
        return draft

    @transaction.atomic
    def publish(self, on=None):
        """Publish this draft; the version published until now becomes superseded."""
        if self.status != self.Status.DRAFT:
            raise ValidationError(_("Alleen een conceptversie kan worden gepubliceerd."))
        for old in StandardVersion.objects.select_for_update().published():
            old.status = self.Status.SUPERSEDED
            old.save()
        self.status = self.Status.PUBLISHED
        self.published_on = on or timezone.localdate()
        self.save()


class Role(EditableModel):
    standard_version = models.ForeignKey(
        StandardVersion,
        on_delete=models.CASCADE,
        related_name="roles",
        verbose_name=_("standaardversie"),
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("naam"), max_length=120)
    purpose = models.TextField(_("doel"), blank=True)
    expected_presence = models.CharField(
        _("verwachte aanwezigheid"), max_length=20, choices=Presence.choices
    )
    competences = models.JSONField(_("competenties"), default=list, blank=True)
    preconditions = models.JSONField(_("randvoorwaarden"), default=list, blank=True)
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


class Task(EditableModel):
    class Kind(models.TextChoices):
        CORE = "core", _("Kerntaak")
        OPTIONAL = "optional", _("Optionele taak")
        EXCLUDED = "excluded", _("Uitgesloten (geen politietaak)")

    role = models.ForeignKey(
        Role, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("rol")
    )
    code = models.SlugField(_("code"), max_length=60)
    title = models.CharField(_("titel"), max_length=200)
    description = models.TextField(_("omschrijving"), blank=True)
    norm = models.CharField(
        _("norm"), max_length=200, blank=True, help_text=_("Hoeveel of hoe vaak.")
    )
    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices, default=Kind.CORE)
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


class CaseMeetingType(EditableModel):
    class Involvement(models.TextChoices):
        PARTICIPATES = "participates", _("Neemt deel")
        ON_REQUEST = "on_request", _("Op verzoek")
        NONE = "none", _("Geen (alleen zorg)")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("naam"), max_length=200)
    theme = models.CharField(_("thema"), max_length=200, blank=True)
    police_involvement = models.CharField(
        _("betrokkenheid politie"), max_length=12, choices=Involvement.choices
    )
    source = models.TextField(_("bron"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("soort casusoverleg")
        verbose_name_plural = _("soorten casusoverleg")
        ordering = ["name"]

    def __str__(self):
        return self.name
