"""CSV/XLSX import and export of assignments and variations (and export of houses).

Columns carry codes, not database ids, so a file can be read and edited by people: the house
code, role and task codes within the named standard version, eenheid codes. Each import row
goes through the same rules as the admin form: ``full_clean()`` (the workflow rules included),
the edit-rights module (a row for a house of another eenheid is refused for unit staff, with
a message on that row), and the revision in the file (a row exported before someone else
changed the record is refused, not overwritten). Every imported change is saved one by one,
so it lands in the history with the user and the change reason "Import".
"""

from __future__ import annotations

from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext as _t
from import_export import fields, resources, widgets

from houses import consent
from houses.models import Assignment, District, House, PoliceUnit, Variation
from registry.lib import rights
from roles.models import Role, StandardVersion, Task

IMPORT_REASON = "Import"


class CodeWidget(widgets.ForeignKeyWidget):
    """Looks up a related record by code; an unknown code is a row error in Dutch."""

    def __init__(self, model, field="code", scope=None, **kwargs):
        self.scope = scope
        super().__init__(model, field, **kwargs)

    def get_queryset(self, value, row, *args, **kwargs):
        queryset = self.model.objects.all()
        return self.scope(queryset, row) if self.scope else queryset

    def clean(self, value, row=None, **kwargs):
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
        return field


class ScopedResource(DutchColumnsResource):
    """Import rules shared by assignments and variations."""

    revision = fields.Field(attribute="revision", column_name="revisie", readonly=True)

    def before_import_row(self, row, **kwargs):
        if "id" in row and row["id"] in ("", None):
            row["id"] = None

    def after_init_instance(self, instance, new, row, **kwargs):
        user = kwargs.get("user")
        if not new and not rights.may(user, "change", instance):
            raise ValidationError(
                _t(
                    "Regel voor %(record)s geweigerd: dit record hoort bij een andere eenheid "
                    "dan de uwe."
                )
                % {"record": instance}
            )
        if not new:
            loaded = row.get("revisie")
            if loaded not in (None, "") and str(loaded).strip() != str(instance.revision):
                raise ValidationError(
                    _t(
                        "Regel voor %(record)s geweigerd: het record is gewijzigd sinds deze "
                        "export (revisie %(loaded)s, nu %(current)s). Exporteer opnieuw."
                    )
                    % {"record": instance, "loaded": loaded, "current": instance.revision}
                )

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        user = kwargs.get("user")
        if instance.house_id and not rights.may(user, "change" if instance.pk else "add", instance):
            raise ValidationError(
                {
                    "house": _t(
                        "Veiligheidshuis '%(house)s' hoort bij een andere eenheid; u mag "
                        "alleen records van uw eigen eenheid invoeren."
                    )
                    % {"house": instance.house.code}
                }
            )

    def before_save_instance(self, instance, row, **kwargs):
        user = kwargs.get("user")
        if user is not None and getattr(user, "is_authenticated", False):
            instance._history_user = user
        instance._change_reason = IMPORT_REASON


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
    # Filled by the consent steps: exported, never imported.
    agreed_on = fields.Field(attribute="agreed_on", column_name="overeengekomenOp", readonly=True)
    ended_on = fields.Field(attribute="ended_on", column_name="beeindigdOp", readonly=True)

    class Meta:
        model = Variation
        name = "Lokale afwijkingen"
        import_id_fields = ["id"]
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
            "agreed_by",
            "revision",
        ]
        export_order = fields
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True

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
