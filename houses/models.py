"""Local reality: eenheden, houses, the police functions filled there, local variations."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houses import consent
from houses.consent import Side
from registry.lib.editable import EditableModel, EditableQuerySet
from roles.models import (
    CaseMeetingType,
    Presence,
    Role,
    StandardVersion,
    Task,
    long_text,
    validate_text_list,
)


def validate_phone(value):
    """A phone number: digits with spaces, dashes or brackets, optionally starting with + (8
    to 15 digits), such as 0900-8844, 088 - 123 45 67 or +31 88 123 4567."""
    digits = re.sub(r"\D", "", value or "")
    if not re.fullmatch(r"\+?[0-9(][0-9 ()\-]*", (value or "").strip()) or not (
        8 <= len(digits) <= 15
    ):
        raise ValidationError(
            _("Geef een telefoonnummer, bijvoorbeeld 0900-8844 of +31 88 123 4567."),
            code="invalid_phone",
        )


class PoliceUnit(EditableModel):
    class Kind(models.TextChoices):
        REGIONAL = "regionaal", _("Regionale eenheid")
        NATIONAL = "landelijk", _("Landelijke eenheid")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("naam"), max_length=120)
    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices)
    safety_regions = models.JSONField(
        _("veiligheidsregio's"), default=list, blank=True, validators=[validate_text_list]
    )
    source = models.TextField(_("bron"), blank=True, **long_text(2000))
    contact_label = models.CharField(
        _("aanspreekpunt Veiligheidshuizen"),
        max_length=120,
        blank=True,
        help_text=_(
            "Wie bij de eenheid het aanspreekpunt is voor de huizen, bijvoorbeeld "
            "'Coördinator Veiligheidshuizen'. Getoond bij vacante rollen."
        ),
    )
    contact_mailbox = models.EmailField(_("functionele mailbox aanspreekpunt"), blank=True)
    contact_phone = models.CharField(
        _("telefoon aanspreekpunt"), max_length=30, blank=True, validators=[validate_phone]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("eenheid")
        verbose_name_plural = _("eenheden")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    @property
    def has_contact(self):
        return bool(self.contact_mailbox or self.contact_phone)


class District(EditableModel):
    unit_field = "police_unit"

    police_unit = models.ForeignKey(
        PoliceUnit, on_delete=models.CASCADE, related_name="districts", verbose_name=_("eenheid")
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("naam"), max_length=120)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("district of basisteam")
        verbose_name_plural = _("districten en basisteams")
        ordering = ["police_unit", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["police_unit", "code"],
                name="unique_district_code_per_unit",
                violation_error_message=_("Deze code bestaat al in deze eenheid."),
            )
        ]

    def __str__(self):
        return self.name


class House(EditableModel):
    unit_field = "police_unit"

    class FrameworkStatus(models.TextChoices):
        CONFORM = "conform", _("Conform Landelijk kader")
        IN_TRANSITION = "in_transitie", _("In transitie")
        PIONEER = "pioniersfase", _("Pioniersfase")

    class Confidence(models.TextChoices):
        CONFIRMED = "bevestigd", _("Bevestigd")
        UNCERTAIN = "te_bevestigen", _("Te bevestigen")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("naam"), max_length=200)
    former_names = models.JSONField(
        _("vroegere namen"), default=list, blank=True, validators=[validate_text_list]
    )
    seat = models.CharField(_("vestigingsplaats"), max_length=100, blank=True)
    locations = models.JSONField(
        _("locaties"), default=list, blank=True, validators=[validate_text_list]
    )
    safety_region = models.CharField(_("veiligheidsregio"), max_length=100, db_index=True)
    police_unit = models.ForeignKey(
        PoliceUnit, on_delete=models.PROTECT, related_name="houses", verbose_name=_("eenheid")
    )
    municipalities = models.JSONField(
        _("gemeenten"), default=list, blank=True, validators=[validate_text_list]
    )
    website = models.URLField(_("website"), blank=True)
    framework_status = models.CharField(
        _("status Landelijk kader"),
        max_length=16,
        choices=FrameworkStatus.choices,
        blank=True,
        help_text=_("Leeg: nog niet vastgesteld."),
    )
    framework_target_date = models.DateField(
        _("streefdatum Landelijk kader"), null=True, blank=True
    )
    case_meetings = models.ManyToManyField(
        CaseMeetingType,
        through="HouseCaseMeeting",
        related_name="houses",
        verbose_name=_("casusoverleggen"),
        blank=True,
    )
    confidence = models.CharField(
        _("zekerheid"), max_length=16, choices=Confidence.choices, default=Confidence.CONFIRMED
    )
    opened_on = models.DateField(_("geopend op"), null=True, blank=True)
    source = models.URLField(_("bron"), max_length=500, blank=True)
    notes = models.TextField(_("opmerkingen"), blank=True, **long_text(2000))
    active = models.BooleanField(_("actief"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("veiligheidshuis")
        verbose_name_plural = _("veiligheidshuizen")
        ordering = ["name"]
        indexes = [
            # The list's default order, and houses per eenheid in that order.
            models.Index(fields=["name"], name="house_name_idx"),
            models.Index(fields=["police_unit", "name"], name="house_unit_name_idx"),
            # ?veiligheidsregio= compares case-insensitively: UPPER(safety_region).
            models.Index(Upper("safety_region"), name="house_region_upper_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_uncertain(self):
        return self.confidence == self.Confidence.UNCERTAIN


class HouseCaseMeeting(EditableModel):
    """A kind of case meeting held at a house, and whether the police takes part there."""

    unit_field = "house__police_unit"

    house = models.ForeignKey(
        House, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("veiligheidshuis")
    )
    meeting_type = models.ForeignKey(
        CaseMeetingType,
        on_delete=models.PROTECT,
        related_name="house_meetings",
        verbose_name=_("soort casusoverleg"),
    )
    local_name = models.CharField(_("lokale naam"), max_length=200, blank=True)
    police_participates = models.BooleanField(_("politie neemt deel"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("casusoverleg in een huis")
        verbose_name_plural = _("casusoverleggen in huizen")
        ordering = ["house", "meeting_type__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["house", "meeting_type"],
                name="unique_meeting_type_per_house",
                violation_error_message=_("Dit casusoverleg staat al bij dit huis."),
            )
        ]

    def __str__(self):
        return self.local_name or str(self.meeting_type)


class AssignmentQuerySet(EditableQuerySet):
    def filling(self):
        """Assignments that fill their role now."""
        return self.filter(status=Assignment.Status.ACTIVE)


class Assignment(EditableModel):
    """A police function (role) filled at a house by an eenheid."""

    unit_field = "house__police_unit"
    #: Unit staff may name only their own eenheid as the one that delivers (see EditableModel).
    supplier_field = "police_unit"

    class Status(models.TextChoices):
        PLANNED = "gepland", _("Gepland")
        ACTIVE = "actief", _("Actief")
        VACANT = "vacant", _("Vacant")
        ENDED = "beeindigd", _("Beëindigd")

    house = models.ForeignKey(
        House,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("veiligheidshuis"),
    )
    role = models.ForeignKey(
        Role, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("rol")
    )
    police_unit = models.ForeignKey(
        PoliceUnit,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("leverende eenheid"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("district of basisteam"),
    )
    presence = models.CharField(_("aanwezigheid"), max_length=20, choices=Presence.choices)
    hours_per_week = models.DecimalField(
        _("uren per week"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(40)],
    )
    contact_mailbox = models.EmailField(_("functionele mailbox"), blank=True)
    contact_phone = models.CharField(
        _("telefoon"), max_length=30, blank=True, validators=[validate_phone]
    )
    officer_name = models.CharField(
        _("naam functionaris"),
        max_length=120,
        blank=True,
        help_text=_("Optioneel; persoonsgegeven. Gebruik bij voorkeur de functionele mailbox."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    start_date = models.DateField(_("startdatum"), null=True, blank=True)
    end_date = models.DateField(_("einddatum"), null=True, blank=True)
    notes = models.TextField(_("opmerkingen"), blank=True, **long_text(2000))
    single_holder = models.BooleanField(
        default=True,
        editable=False,
        help_text=_("Kopie van 'niet meerdere bezettingen toegestaan' van de rol."),
    )

    objects = AssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("toewijzing")
        verbose_name_plural = _("toewijzingen")
        ordering = ["house", "role__position", "-status"]
        constraints = [
            models.UniqueConstraint(
                fields=["house", "role"],
                condition=Q(status="actief", single_holder=True),
                name="one_active_assignment_per_house_role",
                violation_error_message=_("Deze rol heeft in dit huis al een actieve toewijzing."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="assignment_ends_after_start",
                violation_error_message=_("De einddatum ligt vóór de startdatum."),
            ),
            models.CheckConstraint(
                condition=~Q(status="beeindigd") | Q(end_date__isnull=False),
                name="ended_assignment_has_end_date",
                violation_error_message=_("Een beëindigde toewijzing heeft een einddatum."),
            ),
        ]
        indexes = [
            models.Index(fields=["status"]),
            # The task package and the matrix: a house's assignments that are not ended.
            models.Index(fields=["house", "status"], name="assignment_house_status_idx"),
        ]

    def __str__(self):
        return f"{self.role} – {self.house}"

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("De einddatum ligt vóór de startdatum.")
        if self.status == self.Status.ENDED and not self.end_date:
            errors["end_date"] = _("Vul de einddatum in van een beëindigde toewijzing.")
        if self.status == self.Status.ACTIVE and not self.start_date:
            errors["start_date"] = _("Vul de startdatum in van een actieve toewijzing.")
        if (
            self.district_id
            and self.police_unit_id
            and self.district.police_unit_id != self.police_unit_id
        ):
            errors["district"] = _("Dit district hoort niet bij de gekozen eenheid.")
        if (
            self.status == self.Status.ACTIVE
            and self.house_id
            and self.role_id
            and not self.role.allows_multiple
        ):
            others = Assignment.objects.filter(
                house_id=self.house_id, role_id=self.role_id, status=self.Status.ACTIVE
            ).exclude(pk=self.pk)
            if others.exists():
                errors["status"] = _("Deze rol heeft in dit huis al een actieve toewijzing.")
        if message := self.role_outside_the_published_standard():
            errors.setdefault("role", message)
        if errors:
            raise ValidationError(errors)

    def role_outside_the_published_standard(self):
        """A new assignment, or one given another role, fills a role of the published standard;
        one against an older version keeps working as it is."""
        if not self.role_id:
            return None
        if not self._state.adding and self.pk is not None:
            stored = Assignment.objects.filter(pk=self.pk).values_list("role_id", flat=True)
            if stored.first() == self.role_id:
                return None
        version = self.role.standard_version
        if version.status == StandardVersion.Status.PUBLISHED:
            return None
        return _(
            "Deze rol hoort bij standaard %(version)s, die niet (meer) geldt; kies een rol van de "
            "gepubliceerde standaard."
        ) % {"version": version.version}

    def save(self, *args, **kwargs):
        if self.role_id:
            self.single_holder = not self.role.allows_multiple
        if not self.police_unit_id and self.house_id:
            self.police_unit_id = self.house.police_unit_id
        super().save(*args, **kwargs)


class VariationQuerySet(EditableQuerySet):
    def agreed(self):
        return self.filter(status=Variation.Status.AGREED)

    def proposed(self):
        return self.filter(status=Variation.Status.PROPOSED)

    def open(self):
        """Variations still in play: proposed or agreed."""
        return self.filter(status__in=Variation.OPEN_STATUSES)

    def overdue(self, today=None):
        return self.filter(Variation.overdue_condition(today))

    def needing_review(self):
        return self.filter(Variation.review_condition())


class Variation(EditableModel):
    """A local variation against the national standard at one house."""

    unit_field = "house__police_unit"

    class Kind(models.TextChoices):
        ADDITION = "aanvulling", _("Aanvulling")
        OMISSION = "weglating", _("Weglating")
        ADJUSTMENT = "aanpassing", _("Aanpassing")
        PHASE_OUT = "afbouw", _("Afbouw")

    class Status(models.TextChoices):
        PROPOSED = "voorgesteld", _("Voorgesteld")
        AGREED = "overeengekomen", _("Overeengekomen")
        REJECTED = "afgewezen", _("Afgewezen")
        ENDED = "beeindigd", _("Beëindigd")

    #: Open: still in play (shown beside or in the task package, counted, to be reviewed).
    OPEN_STATUSES = (Status.PROPOSED, Status.AGREED)

    house = models.ForeignKey(
        House,
        on_delete=models.CASCADE,
        related_name="variations",
        verbose_name=_("veiligheidshuis"),
    )
    role = models.ForeignKey(
        Role, on_delete=models.PROTECT, related_name="variations", verbose_name=_("rol")
    )
    task = models.ForeignKey(
        Task,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="variations",
        verbose_name=_("taak"),
        help_text=_("De standaardtaak waarop de afwijking ziet; leeg bij een aanvulling."),
    )
    kind = models.CharField(_("soort"), max_length=12, choices=Kind.choices)
    title = models.CharField(
        _("omschrijving extra taak"),
        max_length=200,
        blank=True,
        help_text=_("Alleen bij een aanvulling: de taak die hier extra wordt geleverd."),
    )
    local_norm = models.CharField(
        _("lokale norm"),
        max_length=200,
        blank=True,
        help_text=_("Verplicht bij een aanpassing; mag bij een aanvulling."),
    )
    rationale = models.TextField(_("onderbouwing"), **long_text(2000))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    agreed_on = models.DateField(_("overeengekomen op"), null=True, blank=True)
    agreed_with = models.CharField(
        _("overige betrokkenen"),
        max_length=200,
        blank=True,
        help_text=_(
            "Wie verder bij de afspraak betrokken was, bijvoorbeeld de stuurgroep van het huis."
        ),
    )
    # Two-sided consent (houses/consent.py): one side proposes, the other agrees or rejects.
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("voorgesteld door"),
    )
    proposed_side = models.CharField(
        _("voorgesteld namens"), max_length=8, choices=Side.choices, blank=True
    )
    proposed_at = models.DateTimeField(_("voorgesteld op"), null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ingestemd door"),
    )
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("afgewezen door"),
    )
    decided_at = models.DateTimeField(_("besloten op"), null=True, blank=True)
    decision_reason = models.TextField(
        _("reden van het besluit"),
        blank=True,
        help_text=_(
            "Verplicht bij een afwijzing en wanneer landelijk beheer in de plaats van een kant "
            "besluit."
        ),
    )
    decided_on_behalf = models.BooleanField(
        _("besloten door landelijk beheer namens de andere kant"), default=False
    )
    agreed_before_consent = models.BooleanField(
        _("overeengekomen vóór tweezijdige instemming"),
        default=False,
        help_text=_(
            "Vastgelegd als overeengekomen voordat het register instemming van beide kanten "
            "vastlegde."
        ),
    )
    # A change to an agreed variation (ending it, another phase-out deadline), awaiting consent.
    change_kind = models.CharField(
        _("voorgestelde wijziging"), max_length=12, choices=consent.Change.choices, blank=True
    )
    change_date = models.DateField(_("voorgestelde datum"), null=True, blank=True)
    change_reason = models.TextField(_("reden van de voorgestelde wijziging"), blank=True)
    change_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("wijziging voorgesteld door"),
    )
    change_side = models.CharField(
        _("wijziging voorgesteld namens"), max_length=8, choices=Side.choices, blank=True
    )
    change_at = models.DateTimeField(_("wijziging voorgesteld op"), null=True, blank=True)
    phase_out_by = models.DateField(_("afgebouwd uiterlijk"), null=True, blank=True)
    ended_on = models.DateField(_("beëindigd op"), null=True, blank=True)
    review_by = models.DateField(_("herbeoordelen vóór"), null=True, blank=True)
    standard_version = models.ForeignKey(
        StandardVersion,
        on_delete=models.PROTECT,
        related_name="variations",
        verbose_name=_("vastgelegd tegen standaardversie"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vastgelegd door"),
    )

    objects = VariationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lokale afwijking")
        verbose_name_plural = _("lokale afwijkingen")
        ordering = ["house", "role__position", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="aanvulling", task__isnull=True)
                | (~Q(kind="aanvulling") & Q(task__isnull=False)),
                name="variation_task_matches_kind",
                violation_error_message=_(
                    "Een aanvulling heeft geen standaardtaak; de andere soorten wel."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(kind="aanvulling") | ~Q(title=""),
                name="addition_has_title",
                violation_error_message=_("Een aanvulling beschrijft de extra taak."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="aanpassing") | ~Q(local_norm=""),
                name="adjustment_has_local_norm",
                violation_error_message=_("Een aanpassing heeft een lokale norm."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="afbouw") | Q(phase_out_by__isnull=False),
                name="phase_out_has_deadline",
                violation_error_message=_("Een afbouw heeft een uiterste datum."),
            ),
            models.CheckConstraint(
                condition=~Q(rationale=""),
                name="variation_has_rationale",
                violation_error_message=_("Een afwijking heeft een onderbouwing."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["overeengekomen", "beeindigd"])
                | (
                    Q(agreed_on__isnull=False)
                    & (Q(decided_at__isnull=False) | Q(agreed_before_consent=True))
                ),
                name="agreed_variation_has_consent",
                violation_error_message=_(
                    "Een overeengekomen afwijking vermeldt wanneer en wie instemde."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="beeindigd") | Q(ended_on__isnull=False),
                name="ended_variation_has_end_date",
                violation_error_message=_("Een beëindigde afwijking heeft een einddatum."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(agreed_on__isnull=True)
                | Q(ended_on__gte=F("agreed_on")),
                name="variation_ends_after_agreement",
                violation_error_message=_("De einddatum ligt vóór de datum van de afspraak."),
            ),
            models.UniqueConstraint(
                fields=["house", "task"],
                condition=Q(status="overeengekomen"),
                name="one_agreed_variation_per_house_task",
                violation_error_message=_(
                    "Voor deze taak is in dit huis al een afwijking overeengekomen; beëindig die "
                    "eerst."
                ),
            ),
        ]
        indexes = [
            # ?verlopen=: agreed phase-outs past their deadline (the prefix serves status, kind).
            models.Index(fields=["status", "kind", "phase_out_by"], name="variation_overdue_idx"),
            # The task package and ?heeftAfwijkingen=: a house's open variations.
            models.Index(fields=["house", "status"], name="variation_house_status_idx"),
        ]

    def __str__(self):
        subject = self.title if self.kind == self.Kind.ADDITION else (self.task or self.role)
        return f"{self.get_kind_display()}: {subject} ({self.house})"

    @property
    def subject_title(self):
        if self.kind == self.Kind.ADDITION:
            return self.title
        return self.task.title if self.task_id else ""

    # The named rules of a variation: each has one definition here, as a database condition
    # (for querysets and filters) and as a method on a loaded object (pages, API, exports).

    @staticmethod
    def overdue_condition(today=None) -> Q:
        """Overdue: an agreed phase-out whose deadline has passed."""
        return Q(
            status=Variation.Status.AGREED,
            kind=Variation.Kind.PHASE_OUT,
            phase_out_by__lt=today or timezone.localdate(),
        )

    def overdue_on(self, today) -> bool:
        return (
            self.kind == self.Kind.PHASE_OUT
            and self.status == self.Status.AGREED
            and self.phase_out_by is not None
            and self.overdue_from <= today
        )

    @property
    def overdue_from(self) -> datetime.date | None:
        """The first day on which this phase-out is overdue: the day after its deadline."""
        if self.phase_out_by is None:
            return None
        return self.phase_out_by + datetime.timedelta(days=1)

    @property
    def is_overdue(self):
        return self.overdue_on(timezone.localdate())

    @staticmethod
    def review_condition() -> Q:
        """Needs review: open, and recorded against a standard version no longer published."""
        return Q(status__in=Variation.OPEN_STATUSES) & ~Q(
            standard_version__status=StandardVersion.Status.PUBLISHED
        )

    @property
    def needs_review(self):
        return (
            self.status in self.OPEN_STATUSES
            and self.standard_version.status != StandardVersion.Status.PUBLISHED
        )

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get("status")
        instance._loaded_terms = {
            name: instance.__dict__[name] for name in consent.TERMS if name in instance.__dict__
        }
        return instance

    @property
    def previous_status(self):
        """The status this object had when it was read from the database (None if new)."""
        return getattr(self, "_loaded_status", None)

    @property
    def loaded_terms(self):
        """The agreed terms as read from the database (None if new); see houses/consent.py."""
        return getattr(self, "_loaded_terms", None)

    @property
    def awaiting_side(self):
        """The side whose decision this variation awaits, or "" (houses/consent.py)."""
        return consent.awaiting_side(self)

    def consent_refusal(self, user, step, **options):
        """Why ``user`` may not take consent ``step`` here (None: allowed); for rights.py."""
        return consent.refusal(user, step, self, **options)

    def clean(self):
        """Check every rule of ``VARIATION_RULES``; all broken ones are reported together."""
        errors = {}
        for rule in VARIATION_RULES:
            for field, message in rule(self):
                errors.setdefault(field, message)
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if not self.standard_version_id and self.role_id:
            self.standard_version_id = self.role.standard_version_id
        super().save(*args, **kwargs)

    def mark_reviewed(self, user=None):
        """Re-point this variation to the published standard: the role and task there with the
        same codes. Raises ``ValidationError`` (and changes nothing) when there is no published
        version, or it no longer has that role or task. Saves, with ``user`` in the history."""
        published = StandardVersion.objects.current()
        if published is None:
            raise ValidationError(_("Er is geen gepubliceerde standaard om tegen te toetsen."))
        if self.standard_version_id == published.pk:
            return
        role = Role.objects.filter(standard_version=published, code=self.role.code).first()
        if role is None:
            raise ValidationError(
                _("Standaard %(version)s heeft de rol '%(role)s' niet meer; pas de afwijking aan.")
                % {"version": published.version, "role": self.role.name}
            )
        task = None
        if self.task_id:
            task = Task.objects.filter(role=role, code=self.task.code).first()
            if task is None:
                raise ValidationError(
                    _(
                        "Standaard %(version)s heeft de taak '%(task)s' niet meer; beëindig of "
                        "wijzig de afwijking."
                    )
                    % {"version": published.version, "task": self.task.title}
                )
        before = (self.role, self.task, self.standard_version)
        self.role, self.task, self.standard_version = role, task, published
        try:
            self.full_clean()
        except ValidationError:
            self.role, self.task, self.standard_version = before
            raise
        if user is not None:
            self._history_user = user
        # Stored history is read by everyone: in the registry's language, not the editor's.
        self._change_reason = f"Herbeoordeeld tegen standaard {published.version}"
        self.save()


#: The workflow: from each status, the statuses a variation may move to.
TRANSITIONS = {
    Variation.Status.PROPOSED: {Variation.Status.AGREED, Variation.Status.REJECTED},
    Variation.Status.AGREED: {Variation.Status.ENDED},
    Variation.Status.REJECTED: set(),
    Variation.Status.ENDED: set(),
}


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# The rules of a variation, each a function yielding (field, message) for what it finds wrong.
# ``Variation.clean`` runs them all, in this order; the first message per field is shown.


def status_moves_along_the_workflow(v):
    previous = v.previous_status
    if previous and v.status != previous and v.status not in TRANSITIONS[previous]:
        yield (
            "status",
            _("Een afwijking gaat niet van '%(old)s' naar '%(new)s'.")
            % {
                "old": Variation.Status(previous).label,
                "new": Variation.Status(v.status).label,
            },
        )


def addition_names_its_own_task(v):
    if v.kind != Variation.Kind.ADDITION:
        return
    if v.task_id:
        yield "task", _("Een aanvulling is een extra taak en verwijst niet naar een standaardtaak.")
    if not v.title.strip():
        yield "title", _("Beschrijf de taak die hier extra wordt geleverd.")


def standard_task_fits_the_kind(v):
    """Omission, adjustment and phase-out name a standard task of the chosen role; omission
    and adjustment only of a task of the standard, phase-out only of an excluded one."""
    if not v.kind or v.kind == Variation.Kind.ADDITION:
        return
    task = v.task if v.task_id else None
    role = v.role if v.role_id else None
    if not task:
        yield "task", _("Kies de standaardtaak waarop deze afwijking ziet.")
    elif role and task.role_id != role.pk:
        yield "task", _("Deze taak hoort niet bij de gekozen rol.")
    elif v.kind == Variation.Kind.OMISSION and task.is_excluded:
        yield (
            "task",
            _(
                "Een uitgesloten taak hoort niet tot de standaard en kan niet worden "
                "weggelaten; leg een afbouw vast als die taak hier nog wordt uitgevoerd."
            ),
        )
    elif v.kind == Variation.Kind.ADJUSTMENT and task.is_excluded:
        yield "task", _("Een uitgesloten taak kan niet worden aangepast; alleen afgebouwd.")
    elif v.kind == Variation.Kind.PHASE_OUT and not task.is_excluded:
        yield "task", _("Alleen een uitgesloten taak (geen politietaak) kan worden afgebouwd.")


def adjustment_has_local_norm(v):
    if v.kind == Variation.Kind.ADJUSTMENT and not v.local_norm.strip():
        yield "local_norm", _("Vul de lokale norm in van deze aanpassing.")


def phase_out_has_deadline_within_term(v):
    if v.kind != Variation.Kind.PHASE_OUT:
        return
    if not v.phase_out_by:
        yield "phase_out_by", _("Vul in wanneer de afbouw uiterlijk klaar is.")
    elif v.agreed_on and v.phase_out_by > add_years(v.agreed_on, settings.PHASE_OUT_MAX_YEARS):
        yield (
            "phase_out_by",
            _("Een afbouw duurt hoogstens %(years)s jaar na de afspraak.")
            % {"years": settings.PHASE_OUT_MAX_YEARS},
        )


def phase_out_ends_after_agreement(v):
    """A phase-out ends after the day it was agreed (the maximum term counts from that day)."""
    if (
        v.kind == Variation.Kind.PHASE_OUT
        and v.phase_out_by
        and v.agreed_on
        and v.phase_out_by <= v.agreed_on
    ):
        yield (
            "phase_out_by",
            _("De afbouw eindigt na de datum van de afspraak (%(date)s).")
            % {"date": v.agreed_on.strftime("%d-%m-%Y")},
        )


def new_variation_uses_the_published_standard(v):
    """A new variation, or one given another role or task, names a role (and task) of the
    published standard. One recorded against an older version keeps working as it is, and is
    moved to the published version by re-review (``mark_reviewed``)."""
    role = v.role if v.role_id else None
    if role is None:
        return
    if not v._state.adding and v.pk is not None:
        stored = Variation.objects.filter(pk=v.pk).values_list("role_id", "task_id").first()
        if stored == (v.role_id, v.task_id):
            return
    if role.standard_version.status != StandardVersion.Status.PUBLISHED:
        yield (
            "role",
            _(
                "Deze rol hoort bij standaard %(version)s, die niet (meer) geldt; kies een rol "
                "van de gepubliceerde standaard."
            )
            % {"version": role.standard_version.version},
        )


def has_rationale(v):
    if not (v.rationale or "").strip():
        yield "rationale", _("Leg uit waarom hier van de standaard wordt afgeweken.")


def agreement_is_recorded(v):
    if v.status not in {Variation.Status.AGREED, Variation.Status.ENDED}:
        return
    if not v.agreed_on:
        yield "agreed_on", _("Vul in wanneer de afwijking is overeengekomen.")


def end_is_recorded_after_agreement(v):
    if v.status == Variation.Status.ENDED and not v.ended_on:
        yield "ended_on", _("Vul in wanneer de afwijking is beëindigd.")
    if v.ended_on and v.agreed_on and v.ended_on < v.agreed_on:
        yield "ended_on", _("De einddatum ligt vóór de datum van de afspraak.")


def role_belongs_to_the_version(v):
    role = v.role if v.role_id else None
    if role and v.standard_version_id and role.standard_version_id != v.standard_version_id:
        yield "role", _("Deze rol hoort niet bij de standaardversie van de afwijking.")


VARIATION_RULES = [
    status_moves_along_the_workflow,
    addition_names_its_own_task,
    standard_task_fits_the_kind,
    adjustment_has_local_norm,
    phase_out_has_deadline_within_term,
    has_rationale,
    agreement_is_recorded,
    end_is_recorded_after_agreement,
    role_belongs_to_the_version,
    phase_out_ends_after_agreement,
    new_variation_uses_the_published_standard,
    # Two-sided consent: the data rules, defined in houses/consent.py.
    consent.agreement_names_both_sides,
    consent.nobody_agrees_their_own_proposal,
    consent.decision_in_a_sides_place_has_a_reason,
    consent.rejection_has_a_reason,
    consent.agreed_terms_change_only_by_consent,
]


class HouseSummary(models.Model):
    """The conformance figures of one house's task package (``houses.package.Summary``), kept
    in the database so that national totals are one aggregate query (``houses.summaries``).

    Derived data, never edited: each row is stamped with the revisions it was computed at (the
    shared counter and the house's own, ``registry.lib.cache``, which tell whether it is
    current, and the registry-wide one, which tells which of two rows is newer) and the days
    its overdue count holds for, and is computed again on read when a write or the date has
    made it stale."""

    # No constraint in the database: a reader may store a house's row while another request
    # deletes that house, and the delete must not fail at its commit for it (Django still
    # deletes the row with the house; a row left by that race belongs to no listed house).
    house = models.OneToOneField(
        House,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="summary",
        db_constraint=False,
    )
    #: ``houses.package.SUMMARY_RULES`` when it was computed: a release that changes what a
    #: summary counts makes every row stale.
    rules = models.PositiveSmallIntegerField()
    shared_revision = models.BigIntegerField()
    house_revision = models.BigIntegerField()
    #: The registry-wide counter when it was computed: which of two computations is newer.
    revision = models.BigIntegerField()
    computed_on = models.DateField()
    #: The first day on which a phase-out counted here as on schedule is overdue (none: never).
    valid_until = models.DateField(null=True, blank=True)
    standard_tasks = models.PositiveIntegerField()
    delivered_as_standard = models.PositiveIntegerField()
    varied = models.PositiveIntegerField()
    vacant_tasks = models.PositiveIntegerField()
    additions = models.PositiveIntegerField()
    phase_outs = models.PositiveIntegerField()
    overdue_phase_outs = models.PositiveIntegerField()
    needs_review = models.PositiveIntegerField()
    vacant_roles = models.PositiveIntegerField()
    proposed = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("samenvatting van een takenpakket")
        verbose_name_plural = _("samenvattingen van takenpakketten")

    def __str__(self):
        return f"{self.house_id}: {self.delivered_as_standard}/{self.standard_tasks}"
