"""Admin for eenheden, houses, assignments and local variations, scoped by the edit rights."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.forms.models import construct_instance
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ExportMixin, ImportExportMixin

from houses import consent, imports
from houses.import_admin import ImportScopeMixin, SpreadsheetExportMixin
from houses.models import Assignment, District, House, HouseCaseMeeting, PoliceUnit, Variation
from houses.resources import AssignmentResource, HouseResource, VariationResource
from registry.lib import rights
from registry.lib.admin import (
    TIMESTAMPS,
    LastEditorMixin,
    ScopedHistoryAdmin,
    ScopedModelForm,
    ScopedTabularInline,
)
from roles.admin import RoleFilter
from roles.models import Role, StandardVersion, Task

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
    Assignment.Status.ACTIVE: "ok",
    Variation.Status.AGREED: "ok",
    House.FrameworkStatus.CONFORM: "ok",
    Assignment.Status.PLANNED: "info",
    Variation.Status.PROPOSED: "info",
    House.FrameworkStatus.IN_TRANSITION: "info",
    House.FrameworkStatus.PIONEER: "info",
    Assignment.Status.VACANT: "warn",
    Variation.Status.REJECTED: "off",
    Variation.Status.ENDED: "off",
}


def badge(value, label):
    if not value:
        return "–"
    return format_html(
        '<span class="registry-badge registry-badge-{}">{}</span>',
        BADGE_COLOURS.get(value, "info"),
        label,
    )


class TaskByRoleSelect(forms.Select):
    """A task dropdown whose options name their role (``data-role``), so that
    ``registry-admin-tasks.js`` offers only the tasks of the role chosen beside it."""

    class Media:
        js = ["registry-admin-tasks.js"]

    def __init__(self, attrs=None, choices=()):
        super().__init__({**(attrs or {}), "data-task-by-role": ""}, choices)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-role"] = str(instance.role_id)
        return option


def published_or_kept(model, request):
    """Roles or tasks of the published standard, plus the ones the records on this form point
    at already (a record against an older version keeps working until it is re-reviewed)."""
    published = (
        Q(standard_version__status=StandardVersion.Status.PUBLISHED)
        if model is Role
        else Q(role__standard_version__status=StandardVersion.Status.PUBLISHED)
    )
    return published | Q(pk__in=getattr(request, "_kept_standard_ids", {}).get(model, ()))


class StandardChoicesMixin:
    """Role and task choices: those of the published standard (and the ones already chosen on
    this form), naming their standard version, in one query each; the task list follows the
    chosen role."""

    def _keep_chosen(self, request, obj):
        kept = {Role: set(), Task: set()}
        if obj is not None and obj.pk is not None:
            if isinstance(obj, Assignment | Variation):
                records = [obj]
            else:  # a house with its assignments and variations inline
                records = [*obj.assignments.all(), *obj.variations.all()]
            for record in records:
                kept[Role].add(record.role_id)
                if getattr(record, "task_id", None):
                    kept[Task].add(record.task_id)
        request._kept_standard_ids = kept

    def get_form(self, request, obj=None, *args, **kwargs):
        self._keep_chosen(request, obj)
        return super().get_form(request, obj, *args, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        self._keep_chosen(request, obj)
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Task:
            kwargs.setdefault("widget", TaskByRoleSelect)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is None:
            return field
        if db_field.related_model in (Role, Task):
            field.queryset = field.queryset.filter(
                published_or_kept(db_field.related_model, request)
            )
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
    list_display = ["name", "code", "kind", "contact_mailbox"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    readonly_fields = TIMESTAMPS
    inlines = [DistrictInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "kind", "safety_regions", "source"]}),
        (
            _("Aanspreekpunt voor de Veiligheidshuizen"),
            {
                "fields": ["contact_label", "contact_mailbox", "contact_phone"],
                "description": _(
                    "Getoond bij rollen die in een huis van deze eenheid vacant zijn."
                ),
            },
        ),
        (_("Vastlegging"), {"fields": TIMESTAMPS}),
    ]


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
        "officer_name",
        "contact_mailbox",
        "contact_phone",
        "status",
        "start_date",
        "end_date",
    ]
    extra = 0
    show_change_link = True


@admin.register(House)
class HouseAdmin(SpreadsheetExportMixin, ExportMixin, LastEditorMixin, ScopedHistoryAdmin):
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
    # Variations are not inlined: a house can have hundreds, and a form holding them all grows
    # past what a post may carry. The house form links to the list of its variations instead.
    readonly_fields = [*TIMESTAMPS, "variations_link"]
    inlines = [HouseCaseMeetingInline, AssignmentInline]
    resource_classes = [HouseResource]
    formats = imports.formats_for(HouseResource)

    @admin.display(description=_("status Landelijk kader"), ordering="framework_status")
    def framework_status_badge(self, obj):
        return badge(obj.framework_status, obj.get_framework_status_display())

    @admin.display(description=_("lokale afwijkingen"))
    def variations_link(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        count = obj.variations.count()
        listing = reverse("admin:houses_variation_changelist") + f"?house__id__exact={obj.pk}"
        adding = reverse("admin:houses_variation_add") + f"?house={obj.pk}"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            listing,
            ngettext("%(count)d afwijking bekijken", "%(count)d afwijkingen bekijken", count)
            % {"count": count},
            adding,
            _t("afwijking toevoegen"),
        )

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def before_save(self, request, obj, change):
        if isinstance(obj, Variation):
            prepare_variation(request, obj, change)


# Assignments and variations ------------------------------------------------------------------


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
        RoleFilter,
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
    formats = imports.formats_for(AssignmentResource)

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
        RoleFilter,
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
    formats = imports.formats_for(VariationResource)
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
                date_format(obj.phase_out_by),
                _t("verlopen"),
            )
        return date_format(obj.phase_out_by)

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
