"""Admin for eenheden, houses, assignments and local variations, scoped by the edit rights."""

from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.forms.models import construct_instance
from django.utils.html import format_html
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from houses import consent
from houses.models import Assignment, District, House, HouseCaseMeeting, PoliceUnit, Variation
from houses.resources import AssignmentResource, HouseResource, VariationResource
from registry.lib import rights
from registry.lib.admin import (
    TIMESTAMPS,
    LastEditorMixin,
    ScopedHistoryAdmin,
    ScopedModelForm,
    ScopedStackedInline,
    ScopedTabularInline,
)
from roles.models import Role, Task

# Filters -------------------------------------------------------------------------------------


class EditableByMeFilter(admin.SimpleListFilter):
    title = _("bewerkbaar door mij")
    parameter_name = "bewerkbaar"

    def lookups(self, request, model_admin):
        return [("ja", _("Ja")), ("nee", _("Nee"))]

    def queryset(self, request, queryset):
        mine = rights.editable(queryset.model.objects.all(), request.user).values("pk")
        if self.value() == "ja":
            return queryset.filter(pk__in=mine)
        if self.value() == "nee":
            return queryset.exclude(pk__in=mine)
        return queryset


class YesNoFilter(admin.SimpleListFilter):
    def lookups(self, request, model_admin):
        return [("ja", _("Ja")), ("nee", _("Nee"))]

    def queryset(self, request, queryset):
        if self.value() not in {"ja", "nee"}:
            return queryset
        matching = self.matching(queryset.model.objects.all()).values("pk")
        if self.value() == "ja":
            return queryset.filter(pk__in=matching)
        return queryset.exclude(pk__in=matching)


class OverdueVariationFilter(YesNoFilter):
    title = _("verlopen afbouw")
    parameter_name = "verlopen"

    def matching(self, queryset):
        return queryset.overdue()


class NeedsReviewFilter(YesNoFilter):
    title = _("te herbeoordelen")
    parameter_name = "herbeoordelen"

    def matching(self, queryset):
        return queryset.needing_review()


class HouseOverdueFilter(YesNoFilter):
    title = _("met verlopen afbouw")
    parameter_name = "verlopen"

    def matching(self, queryset):
        return queryset.filter(Exists(Variation.objects.overdue().filter(house=OuterRef("pk"))))


# Shared pieces -------------------------------------------------------------------------------

BADGE_COLOURS = {
    "active": "ok",
    "agreed": "ok",
    "conform": "ok",
    "planned": "info",
    "proposed": "info",
    "in_transition": "info",
    "pioneer": "info",
    "vacant": "warn",
    "rejected": "off",
    "ended": "off",
}


def badge(value, label):
    if not value:
        return "–"
    return format_html(
        '<span class="registry-badge registry-badge-{}">{}</span>',
        BADGE_COLOURS.get(value, "info"),
        label,
    )


class StandardChoicesMixin:
    """Role and task choices name their standard version, in one query each."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is None:
            return field
        if db_field.related_model is Role:
            field.queryset = field.queryset.select_related("standard_version").order_by(
                "-standard_version__status", "standard_version__version", "position"
            )
            field.label_from_instance = lambda role: (
                _t("%(name)s (standaard %(version)s)")
                % {
                    "name": role.name,
                    "version": role.standard_version.version,
                }
            )
        elif db_field.related_model is Task:
            field.queryset = field.queryset.select_related("role__standard_version").order_by(
                "role__standard_version__version", "role__position", "position"
            )
            field.label_from_instance = lambda task: (
                _t("%(role)s › %(task)s (%(kind)s, standaard %(version)s)")
                % {
                    "role": task.role.name,
                    "task": task.title,
                    "kind": task.get_kind_display().lower(),
                    "version": task.role.standard_version.version,
                }
            )
        return field


def prepare_variation(request, variation, change):
    """Who recorded a new variation (the consent step ran when the form was validated)."""
    if not change and not variation.recorded_by_id:
        variation.recorded_by = request.user


class VariationForm(ScopedModelForm):
    """A status change in the form is a consent step (houses/consent.py), with the form's
    "reden van het besluit" as its reason; a new variation is a proposal of the user's side."""

    def _post_clean(self):
        instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        if self.request_user is not None and not self.reverting and not self.errors:
            try:
                consent.record_edit(instance, self.request_user)
            except rights.Refused as exc:
                self.add_error(None, exc.refusal.message)
                return
        super()._post_clean()

    def _update_errors(self, errors):
        # Rules may name fields the consent steps fill (read-only here): show them on the form.
        if hasattr(errors, "error_dict"):
            moved = {}
            for field, messages in errors.error_dict.items():
                key = field if field in self.fields else NON_FIELD_ERRORS
                moved.setdefault(key, []).extend(messages)
            errors = ValidationError(moved)
        super()._update_errors(errors)


#: Filled by the consent steps, never typed in.
CONSENT_READONLY = [
    "agreed_on",
    "ended_on",
    "proposed_by",
    "proposed_side",
    "proposed_at",
    "agreed_by",
    "rejected_by",
    "decided_at",
    "decided_on_behalf",
    "agreed_before_consent",
    "change_kind",
    "change_date",
    "change_reason",
    "change_by",
    "change_side",
    "change_at",
]


# Eenheden and districts ----------------------------------------------------------------------


class DistrictInline(ScopedTabularInline):
    model = District
    fields = ["code", "name"]
    extra = 0


@admin.register(PoliceUnit)
class PoliceUnitAdmin(ScopedHistoryAdmin):
    list_display = ["name", "code", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    readonly_fields = TIMESTAMPS
    inlines = [DistrictInline]


@admin.register(District)
class DistrictAdmin(ScopedHistoryAdmin):
    list_display = ["name", "code", "police_unit"]
    list_filter = ["police_unit", EditableByMeFilter]
    search_fields = ["code", "name", "police_unit__name"]
    list_select_related = ["police_unit"]
    readonly_fields = TIMESTAMPS


# Houses --------------------------------------------------------------------------------------


@admin.register(HouseCaseMeeting)
class HouseCaseMeetingAdmin(ScopedHistoryAdmin):
    list_display = ["house", "meeting_type", "local_name", "police_participates"]
    list_filter = [("house__police_unit", admin.RelatedOnlyFieldListFilter), "meeting_type"]
    search_fields = ["house__name", "local_name", "meeting_type__name"]
    list_select_related = ["house", "meeting_type"]
    autocomplete_fields = ["house"]
    readonly_fields = TIMESTAMPS


class HouseCaseMeetingInline(ScopedTabularInline):
    model = HouseCaseMeeting
    fields = ["meeting_type", "local_name", "police_participates"]
    extra = 0


class AssignmentInline(StandardChoicesMixin, ScopedTabularInline):
    model = Assignment
    fields = [
        "role",
        "police_unit",
        "district",
        "presence",
        "hours_per_week",
        "contact_mailbox",
        "status",
        "start_date",
        "end_date",
    ]
    extra = 0
    show_change_link = True


class VariationInline(StandardChoicesMixin, ScopedStackedInline):
    model = Variation
    form = VariationForm
    fieldsets = [
        (None, {"fields": [("role", "task", "kind"), "title", "local_norm", "rationale"]}),
        (
            _("Afspraak"),
            {
                "fields": [
                    ("status", "decision_reason", "agreed_with"),
                    ("phase_out_by", "review_by"),
                    ("proposed_by", "proposed_side", "proposed_at"),
                    ("agreed_by", "rejected_by", "decided_at", "agreed_on", "ended_on"),
                ]
            },
        ),
    ]
    readonly_fields = ["standard_version", *CONSENT_READONLY]
    extra = 0
    show_change_link = True


@admin.register(House)
class HouseAdmin(ExportMixin, LastEditorMixin, ScopedHistoryAdmin):
    list_display = [
        "name",
        "code",
        "police_unit",
        "safety_region",
        "framework_status_badge",
        "framework_target_date",
        "active",
        "last_changed_by",
    ]
    list_filter = [
        "police_unit",
        "framework_status",
        HouseOverdueFilter,
        "confidence",
        "active",
        EditableByMeFilter,
    ]
    search_fields = ["code", "name", "seat", "safety_region"]
    list_select_related = ["police_unit"]
    readonly_fields = TIMESTAMPS
    inlines = [HouseCaseMeetingInline, AssignmentInline, VariationInline]
    resource_classes = [HouseResource]
    formats = [CSV, XLSX]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("status Landelijk kader"), ordering="framework_status")
    def framework_status_badge(self, obj):
        return badge(obj.framework_status, obj.get_framework_status_display())

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def before_save(self, request, obj, change):
        if isinstance(obj, Variation):
            prepare_variation(request, obj, change)


# Assignments and variations ------------------------------------------------------------------


class ImportScopeMixin:
    """Import for those who may add or change records; export for whoever may view them."""

    formats = [CSV, XLSX]

    def has_import_permission(self, request):
        return self.has_add_permission(request) or self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)


@admin.register(Assignment)
class AssignmentAdmin(
    ImportScopeMixin,
    ImportExportMixin,
    StandardChoicesMixin,
    LastEditorMixin,
    ScopedHistoryAdmin,
):
    list_display = [
        "house",
        "role",
        "police_unit",
        "presence",
        "hours_per_week",
        "status_badge",
        "start_date",
        "end_date",
        "last_changed_by",
    ]
    list_filter = [
        ("house__police_unit", admin.RelatedOnlyFieldListFilter),
        "role__code",
        "status",
        "presence",
        "house__framework_status",
        EditableByMeFilter,
    ]
    search_fields = [
        "house__name",
        "house__code",
        "role__name",
        "contact_mailbox",
        "officer_name",
    ]
    list_select_related = ["house", "role", "police_unit"]
    autocomplete_fields = ["house"]
    readonly_fields = TIMESTAMPS
    resource_classes = [AssignmentResource]

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return badge(obj.status, obj.get_status_display())


@admin.register(Variation)
class VariationAdmin(
    ImportScopeMixin,
    ImportExportMixin,
    StandardChoicesMixin,
    LastEditorMixin,
    ScopedHistoryAdmin,
):
    list_display = [
        "house",
        "role",
        "subject",
        "kind",
        "status_badge",
        "phase_out_deadline",
        "review_by",
        "needs_review_flag",
        "last_changed_by",
    ]
    list_filter = [
        ("house__police_unit", admin.RelatedOnlyFieldListFilter),
        "role__code",
        "kind",
        "status",
        "house__framework_status",
        OverdueVariationFilter,
        NeedsReviewFilter,
        EditableByMeFilter,
    ]
    search_fields = ["house__name", "house__code", "title", "rationale", "task__title"]
    list_select_related = ["house", "role", "task", "standard_version"]
    autocomplete_fields = ["house"]
    fieldsets = [
        (None, {"fields": ["house", "role", "task", "kind", "title", "local_norm", "rationale"]}),
        (
            _("Afspraak"),
            {
                "fields": [
                    "status",
                    "decision_reason",
                    "agreed_with",
                    "phase_out_by",
                    "review_by",
                ]
            },
        ),
        (
            _("Instemming van beide kanten"),
            {
                "fields": CONSENT_READONLY,
                "description": _(
                    "De ene kant stelt voor, de andere stemt in of wijst af; niemand besluit over "
                    "een voorstel van de eigen kant. Een besluit in de plaats van een kant vraagt "
                    "een reden. Wijzig hiervoor de status en vul de reden van het besluit in."
                ),
            },
        ),
        (
            _("Vastlegging"),
            {"fields": ["standard_version", "recorded_by", *TIMESTAMPS]},
        ),
    ]
    form = VariationForm
    readonly_fields = [*TIMESTAMPS, "standard_version", "recorded_by", *CONSENT_READONLY]
    resource_classes = [VariationResource]
    actions = ["mark_reviewed"]

    @admin.display(description=_("taak"))
    def subject(self, obj):
        return obj.subject_title or "–"

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return badge(obj.status, obj.get_status_display())

    @admin.display(description=_("afgebouwd uiterlijk"), ordering="phase_out_by")
    def phase_out_deadline(self, obj):
        if not obj.phase_out_by:
            return "–"
        if obj.is_overdue:
            return format_html(
                '{} <span class="registry-badge registry-badge-warn">{}</span>',
                obj.phase_out_by.strftime("%d-%m-%Y"),
                _t("verlopen"),
            )
        return obj.phase_out_by.strftime("%d-%m-%Y")

    @admin.display(description=_("te herbeoordelen"), boolean=True)
    def needs_review_flag(self, obj):
        return obj.needs_review

    def before_save(self, request, obj, change):
        prepare_variation(request, obj, change)

    @admin.action(
        description=_("Herbeoordeeld: koppelen aan de gepubliceerde standaard"),
        permissions=["change"],
    )
    def mark_reviewed(self, request, queryset):
        done = 0
        for variation in queryset.select_related("role", "task", "standard_version"):
            if not variation.needs_review:
                continue
            if not rights.may(request.user, "change", variation):
                self.message_user(
                    request,
                    _t("%(variation)s: hoort bij een andere eenheid; niet gewijzigd.")
                    % {"variation": variation},
                    messages.ERROR,
                )
                continue
            try:
                variation.mark_reviewed(request.user)
            except ValidationError as exc:
                self.message_user(
                    request,
                    _t("%(variation)s: %(reason)s")
                    % {"variation": variation, "reason": " ".join(exc.messages)},
                    messages.ERROR,
                )
                continue
            done += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d afwijking herbeoordeeld en gekoppeld aan de gepubliceerde standaard.",
                "%(count)d afwijkingen herbeoordeeld en gekoppeld aan de gepubliceerde standaard.",
                done,
            )
            % {"count": done},
            messages.SUCCESS if done else messages.WARNING,
        )
