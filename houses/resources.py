"""CSV/XLSX import and export of assignments and variations (and export of houses).

Columns carry codes, not database ids, so a file can be read and edited by people: the house
code, role and task codes within the named standard version, eenheid codes, and for choices
the values the API uses (their Dutch labels are accepted too). A row that changes nothing is
skipped, whoever owns the record. A row that creates or changes a record goes through the same
rules as the admin form: the edit-rights module (a row for a house of another eenheid is
refused for unit staff, with a message on that row), the revision in the file (a changing row
must carry the revision it was exported at; a row exported before someone else changed the
record is refused, not overwritten) and ``full_clean()`` with the workflow rules. Every
imported change is saved one by one, so it lands in the history with the user and the change
reason "Import". Reading and checking the file itself is ``houses.imports``.
"""

from __future__ import annotations

import datetime
import decimal

from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _t
from import_export import fields, instance_loaders, resources, widgets

from houses import consent
from houses.imports import ChoiceWidget
from houses.models import Assignment, District, House, PoliceUnit, Variation
from registry.lib import rights
from roles.models import Role, StandardVersion, Task

IMPORT_REASON = "Import"


#: The row's columns a code lookup may depend on (see the ``scope`` functions below).
SCOPE_COLUMNS = ("standaard", "rol", "leverendeEenheid")


class CodeWidget(widgets.ForeignKeyWidget):
    """Looks up a related record by code; an unknown code is a row error in Dutch.

    Each resource (one per import) has its own copy of the widget, so the lookups are
    remembered for the length of one import: a file names the same few houses and roles on
    every row.
    """

    def __init__(self, model, field="code", scope=None, **kwargs):
        self.scope = scope
        self.found = {}
        super().__init__(model, field, **kwargs)

    def __deepcopy__(self, memo):
        copy = type(self).__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.found = {}
        return copy

    def get_queryset(self, value, row, *args, **kwargs):
        queryset = self.model.objects.all()
        return self.scope(queryset, row) if self.scope else queryset

    def clean(self, value, row=None, **kwargs):
        key = (value, *((row or {}).get(column) for column in SCOPE_COLUMNS))
        if key not in self.found:
            self.found[key] = self.lookup(value, row, **kwargs)
        return self.found[key]

    def lookup(self, value, row, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (ObjectDoesNotExist, MultipleObjectsReturned) as exc:
            raise ValueError(
                _t("Onbekende %(name)s: '%(value)s'.")
                % {"name": self.model._meta.verbose_name, "value": value}
            ) from exc


def standard_label(row) -> str | None:
    return (row or {}).get("standaard") or None


def roles_in_row_version(queryset, row):
    label = standard_label(row)
    if label:
        return queryset.filter(standard_version__version=label)
    return queryset.filter(standard_version__status=StandardVersion.Status.PUBLISHED)


def tasks_in_row_role(queryset, row):
    label = standard_label(row)
    queryset = queryset.filter(role__code=(row or {}).get("rol"))
    if label:
        return queryset.filter(role__standard_version__version=label)
    return queryset.filter(role__standard_version__status=StandardVersion.Status.PUBLISHED)


#: Dutch column names for plain model fields (codes for choices, ISO dates).
COLUMN_NAMES = {
    "presence": "aanwezigheid",
    "hours_per_week": "urenPerWeek",
    "contact_mailbox": "functioneleMailbox",
    "contact_phone": "telefoon",
    "officer_name": "naamFunctionaris",
    "start_date": "startdatum",
    "end_date": "einddatum",
    "notes": "opmerkingen",
    "kind": "soort",
    "title": "omschrijvingExtraTaak",
    "local_norm": "lokaleNorm",
    "rationale": "onderbouwing",
    "agreed_on": "overeengekomenOp",
    "agreed_with": "overeengekomenMet",
    "decision_reason": "redenBesluit",
    "phase_out_by": "afgebouwdUiterlijk",
    "ended_on": "beeindigdOp",
    "review_by": "herbeoordelenVoor",
    "name": "naam",
    "seat": "vestigingsplaats",
    "safety_region": "veiligheidsregio",
    "framework_status": "kaderStatus",
    "framework_target_date": "kaderStreefdatum",
    "confidence": "zekerheid",
    "active": "actief",
}


class DutchColumnsResource(resources.ModelResource):
    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        field.column_name = COLUMN_NAMES.get(field_name, field_name)
        if django_field.choices:
            field.widget = ChoiceWidget(django_field.choices, field.column_name)
        elif (
            isinstance(django_field, (models.CharField, models.TextField)) and not django_field.null
        ):
            # An empty cell is an empty text, never NULL (XLSX reads empty cells as None).
            field.widget = widgets.CharWidget(allow_blank=True)
        return field


def comparable(value):
    """A field value as the no-change check compares it: blank is blank, a record its key."""
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, decimal.Decimal):
        return value.normalize()
    return value


class ScopedResource(DutchColumnsResource):
    """Import rules shared by assignments and variations.

    A row that changes nothing is skipped, whoever owns the record: an unchanged export of
    the whole country can be imported by anyone. Only a row that would create or change a
    record is checked against the edit rights and must carry the revision it was exported at.
    """

    revision = fields.Field(attribute="revision", column_name="revisie", readonly=True)

    #: Columns a file must have to be imported at all.
    required_columns = ["veiligheidshuis", "rol"]

    def before_import(self, dataset, **kwargs):
        self.import_user = kwargs.get("user")

    def before_import_row(self, row, **kwargs):
        if "id" in row and row["id"] in ("", None):
            row["id"] = None

    def unchanged(self, instance, original) -> bool:
        for field in self.get_import_fields():
            if field.readonly or not field.attribute:
                continue
            if comparable(field.get_value(instance)) != comparable(field.get_value(original)):
                return False
        return True

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        new = original is None or original.pk is None
        if not new and self.unchanged(instance, original):
            return True
        self.check_change_allowed(instance, original, new, row)
        return False

    def check_change_allowed(self, instance, original, new, row):
        user = getattr(self, "import_user", None)
        if not new and not rights.may(user, "change", original):
            raise ValidationError(
                _t(
                    "Regel voor %(record)s geweigerd: dit record hoort bij een andere eenheid "
                    "dan de uwe. Laat de regel ongewijzigd of haal hem uit het bestand."
                )
                % {"record": original}
            )
        if instance.house_id and not rights.may(user, "add" if new else "change", instance):
            raise ValidationError(
                {
                    "house": _t(
                        "Veiligheidshuis '%(house)s' hoort bij een andere eenheid; u mag "
                        "alleen records van uw eigen eenheid invoeren."
                    )
                    % {"house": instance.house.code}
                }
            )
        if new:
            if row.get("id") not in (None, ""):
                raise ValidationError(
                    _t(
                        "Regel geweigerd: er is geen record met id %(id)s (meer). Laat de kolom "
                        "id leeg voor een nieuw record."
                    )
                    % {"id": row["id"]}
                )
            return
        if "revisie" not in row:
            raise ValidationError(
                _t(
                    "Regel voor %(record)s geweigerd: de kolom 'revisie' ontbreekt. Een regel "
                    "die een bestaand record wijzigt, moet de revisie uit de export meedragen; "
                    "exporteer opnieuw en laat de kolom staan."
                )
                % {"record": original}
            )
        loaded = revision_number(row.get("revisie"))
        if loaded is None:
            raise ValidationError(
                _t(
                    "Regel voor %(record)s geweigerd: de revisie is leeg of geen getal. "
                    "Exporteer opnieuw en laat de kolom 'revisie' ongewijzigd."
                )
                % {"record": original}
            )
        if loaded != original.revision:
            raise ValidationError(
                _t(
                    "Regel voor %(record)s geweigerd: het record is gewijzigd sinds deze "
                    "export (revisie %(loaded)s, nu %(current)s). Exporteer opnieuw."
                )
                % {"record": original, "loaded": loaded, "current": original.revision}
            )

    def before_save_instance(self, instance, row, **kwargs):
        user = kwargs.get("user")
        if user is not None and getattr(user, "is_authenticated", False):
            instance._history_user = user
        instance._change_reason = IMPORT_REASON

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """``full_clean()``, but the check constraints are left to ``clean()``, which states
        each of them with a Dutch message, and to the database: validating them here costs a
        query each, per row. The unique constraints, which only the database can answer, are
        validated."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=errors.keys(), validate_unique=validate_unique, validate_constraints=False
            )
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for constraint in instance._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint):
                try:
                    constraint.validate(type(instance), instance, exclude=set(errors))
                except ValidationError as exc:
                    errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        error = row_result.validation_error
        if error is not None and hasattr(error, "error_dict"):
            # Errors name the file's columns, not the model's fields.
            row_result.validation_error = ValidationError(
                {self.column_for(name): messages for name, messages in error.error_dict.items()}
            )
        return row_result

    def column_for(self, name: str) -> str:
        for field in self.get_export_fields():
            if field.attribute == name or (field.attribute or "").split("__")[0] == name:
                return field.column_name
        return name


def revision_number(value):
    try:
        number = decimal.Decimal(str(value).strip())
    except (decimal.InvalidOperation, ValueError):
        return None
    if number != number.to_integral_value():
        return None
    return int(number)


class AssignmentResource(ScopedResource):
    house = fields.Field(attribute="house", column_name="veiligheidshuis", widget=CodeWidget(House))
    role = fields.Field(
        attribute="role",
        column_name="rol",
        widget=CodeWidget(Role, scope=roles_in_row_version),
    )
    standard = fields.Field(
        attribute="role__standard_version__version", column_name="standaard", readonly=True
    )
    police_unit = fields.Field(
        attribute="police_unit", column_name="leverendeEenheid", widget=CodeWidget(PoliceUnit)
    )
    district = fields.Field(
        attribute="district",
        column_name="district",
        widget=CodeWidget(
            District,
            scope=lambda qs, row: qs.filter(police_unit__code=(row or {}).get("leverendeEenheid")),
        ),
    )

    class Meta:
        model = Assignment
        name = "Toewijzingen"
        import_id_fields = ["id"]
        instance_loader_class = instance_loaders.CachedInstanceLoader
        fields = [
            "id",
            "house",
            "role",
            "standard",
            "police_unit",
            "district",
            "presence",
            "hours_per_week",
            "contact_mailbox",
            "contact_phone",
            "officer_name",
            "status",
            "start_date",
            "end_date",
            "notes",
            "revision",
        ]
        export_order = fields
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        # An assignment is delivered by the house's own eenheid unless the file says otherwise.
        if not row.get("leverendeEenheid") and row.get("veiligheidshuis"):
            unit = (
                House.objects.filter(code=row["veiligheidshuis"])
                .values_list("police_unit__code", flat=True)
                .first()
            )
            if unit:
                row["leverendeEenheid"] = unit

    def get_queryset(self):
        return Assignment.objects.select_related(
            "house", "role__standard_version", "police_unit", "district"
        )


class VariationResource(ScopedResource):
    house = fields.Field(attribute="house", column_name="veiligheidshuis", widget=CodeWidget(House))
    standard_version = fields.Field(
        attribute="standard_version",
        column_name="standaard",
        widget=CodeWidget(StandardVersion, field="version"),
    )
    role = fields.Field(
        attribute="role", column_name="rol", widget=CodeWidget(Role, scope=roles_in_row_version)
    )
    task = fields.Field(
        attribute="task", column_name="taak", widget=CodeWidget(Task, scope=tasks_in_row_role)
    )
    recorded_by = fields.Field(
        attribute="recorded_by__username", column_name="vastgelegdDoor", readonly=True
    )
    agreed_by = fields.Field(
        attribute="agreed_by__username", column_name="ingestemdDoor", readonly=True
    )
    proposed_by = fields.Field(
        attribute="proposed_by__username", column_name="voorgesteldDoor", readonly=True
    )
    # Filled by the consent steps: exported, never imported. Who agreed on both sides and
    # when; "overeengekomenMet" stays the free-text note of who else was involved.
    proposed_side = fields.Field(
        attribute="proposed_side", column_name="voorgesteldNamens", readonly=True
    )
    proposed_on = fields.Field(column_name="voorgesteldOp", readonly=True)
    agreed_side = fields.Field(column_name="ingestemdNamens", readonly=True)
    agreed_at = fields.Field(column_name="ingestemdOp", readonly=True)
    decided_on_behalf = fields.Field(
        attribute="decided_on_behalf",
        column_name="ingestemdDoorLandelijkBeheer",
        readonly=True,
        widget=widgets.BooleanWidget(),
    )
    agreed_on = fields.Field(attribute="agreed_on", column_name="overeengekomenOp", readonly=True)
    ended_on = fields.Field(attribute="ended_on", column_name="beeindigdOp", readonly=True)

    required_columns = ["veiligheidshuis", "rol", "soort"]

    class Meta:
        model = Variation
        name = "Lokale afwijkingen"
        import_id_fields = ["id"]
        instance_loader_class = instance_loaders.CachedInstanceLoader
        fields = [
            "id",
            "house",
            "standard_version",
            "role",
            "task",
            "kind",
            "title",
            "local_norm",
            "rationale",
            "status",
            "agreed_on",
            "decision_reason",
            "agreed_with",
            "phase_out_by",
            "ended_on",
            "review_by",
            "recorded_by",
            "proposed_by",
            "proposed_side",
            "proposed_on",
            "agreed_by",
            "agreed_side",
            "agreed_at",
            "decided_on_behalf",
            "revision",
        ]
        export_order = fields
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True

    def dehydrate_proposed_on(self, variation):
        if not variation.proposed_at:
            return ""
        return timezone.localdate(variation.proposed_at).isoformat()

    def dehydrate_agreed_side(self, variation):
        if not variation.agreed_by_id:
            return ""
        return consent.other(variation.proposed_side or consent.Side.UNIT).value

    def dehydrate_agreed_at(self, variation):
        if not (variation.agreed_by_id and variation.decided_at):
            return ""
        return timezone.localdate(variation.decided_at).isoformat()

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        if not row.get("standaard"):
            current = StandardVersion.objects.current()
            if current is not None:
                row["standaard"] = current.version

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        # A new row is a proposal of the importer's side; a status change is a consent step
        # with the row's "redenBesluit" as its reason (houses/consent.py).
        try:
            consent.record_edit(instance, kwargs.get("user"))
        except rights.Refused as exc:
            raise ValidationError(
                _t("Regel voor %(record)s geweigerd: %(reason)s")
                % {"record": instance, "reason": exc.refusal.message}
            ) from exc

    def before_save_instance(self, instance, row, **kwargs):
        change_reason = getattr(instance, "_change_reason", None)
        super().before_save_instance(instance, row, **kwargs)
        if change_reason:
            instance._change_reason = consent.history_reason(f"{IMPORT_REASON}: {change_reason}")
        user = kwargs.get("user")
        if instance.pk is None and user is not None and user.is_authenticated:
            instance.recorded_by = user

    def get_queryset(self):
        return Variation.objects.select_related(
            "house", "standard_version", "role", "task", "recorded_by", "agreed_by", "proposed_by"
        )


class HouseResource(DutchColumnsResource):
    """Export only: the houses with their eenheid code."""

    police_unit = fields.Field(
        attribute="police_unit", column_name="eenheid", widget=CodeWidget(PoliceUnit)
    )
    revision = fields.Field(attribute="revision", column_name="revisie", readonly=True)

    class Meta:
        model = House
        name = "Veiligheidshuizen"
        fields = [
            "code",
            "name",
            "seat",
            "safety_region",
            "police_unit",
            "website",
            "framework_status",
            "framework_target_date",
            "confidence",
            "active",
            "revision",
        ]
        export_order = fields
