"""Admin for the national standard: versions (with the draft and publish actions), roles,
tasks and case-meeting types, on the scoped admin of ``registry.lib.admin``."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from registry.lib.admin import (
    TIMESTAMPS,
    ScopedHistoryAdmin,
    ScopedTabularInline,
)
from roles.models import CaseMeetingType, Role, StandardVersion, Task


class RoleInline(ScopedTabularInline):
    model = Role
    fields = ["code", "name", "expected_presence", "allows_multiple", "position"]
    extra = 0
    show_change_link = True


class TaskInline(ScopedTabularInline):
    model = Task
    fields = ["code", "title", "kind", "norm", "position"]
    extra = 0


def next_version_label(label: str) -> str:
    """1.0 → 1.1, 1.2.3 → 1.3; a label that is taken moves on to the next free one."""
    parts = label.split(".")
    try:
        major, minor = int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        major, minor = 1, 0
    taken = set(StandardVersion.objects.values_list("version", flat=True))
    candidate = f"{major}.{minor + 1}"
    while candidate in taken:
        minor += 1
        candidate = f"{major}.{minor + 1}"
    return candidate


class MakeDraftForm(forms.Form):
    version = forms.CharField(
        label=_("Versienummer van het concept"),
        max_length=20,
        help_text=_("Bijvoorbeeld 1.1; moet nog niet bestaan."),
    )
    title = forms.CharField(label=_("Titel"), max_length=200)

    def clean_version(self):
        version = self.cleaned_data["version"].strip()
        field = StandardVersion._meta.get_field("version")
        for validator in field.validators:
            validator(version)
        if StandardVersion.objects.filter(version=version).exists():
            raise ValidationError(_("Versie %(version)s bestaat al.") % {"version": version})
        return version


class RoleFilter(admin.SimpleListFilter):
    """Filter on a role by its name (the same role across standard versions shares a code)."""

    title = _("rol")
    parameter_name = "rol"

    def lookups(self, request, model_admin):
        names = {}
        for code, name in Role.objects.order_by(
            "-standard_version__status", "position", "code"
        ).values_list("code", "name"):
            names.setdefault(code, name)
        return sorted(names.items(), key=lambda item: item[1])

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        field = "code" if queryset.model is Role else "role__code"
        return queryset.filter(**{field: self.value()})


class PublishForm(forms.Form):
    changes = forms.CharField(
        label=_("Wat verandert er"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Wat deze versie verandert ten opzichte van de vorige; wordt bij de versie getoond."
        ),
    )
    published_on = forms.DateField(label=_("Publicatiedatum"), widget=AdminDateWidget)


@admin.register(StandardVersion)
class StandardVersionAdmin(ScopedHistoryAdmin):
    list_display = ["version", "title", "status", "published_on", "updated_at"]
    list_filter = ["status"]
    search_fields = ["version", "title"]
    # The status changes only through the publish action.
    readonly_fields = ["status", "published_on", *TIMESTAMPS]
    inlines = [RoleInline]
    actions = ["make_draft", "publish"]

    def _confirm(self, request, queryset, action, title, form, text):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "queryset": queryset,
            "action": action,
            "form": form,
            "text": text,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/registry/confirm_action.html", context)

    @admin.action(
        description=_("Conceptkopie maken van de gepubliceerde versie"), permissions=["add"]
    )
    def make_draft(self, request, queryset):
        selected = list(queryset)
        source = selected[0] if len(selected) == 1 else None
        if source is None or source.status != StandardVersion.Status.PUBLISHED:
            self.message_user(
                request,
                _t("Kies de gepubliceerde versie om er een conceptkopie van te maken."),
                messages.ERROR,
            )
            return None
        if "apply" in request.POST:
            form = MakeDraftForm(request.POST)
            if form.is_valid():
                draft = source.make_draft(form.cleaned_data["version"], form.cleaned_data["title"])
                self.message_user(
                    request,
                    _t("Concept %(draft)s gemaakt als kopie van %(source)s.")
                    % {"draft": draft.version, "source": source.version},
                    messages.SUCCESS,
                )
                return None
        else:
            form = MakeDraftForm(
                initial={"version": next_version_label(source.version), "title": source.title}
            )
        return self._confirm(
            request,
            queryset,
            "make_draft",
            _t("Conceptkopie van versie %(version)s") % {"version": source.version},
            form,
            _t(
                "Het concept krijgt een kopie van alle rollen en taken van de gepubliceerde "
                "versie %(version)s. Daarna kunt u het concept bewerken en publiceren."
            )
            % {"version": source.version},
        )

    @admin.action(description=_("Deze conceptversie publiceren"), permissions=["change"])
    def publish(self, request, queryset):
        drafts = list(queryset)
        if len(drafts) != 1 or drafts[0].status != StandardVersion.Status.DRAFT:
            self.message_user(
                request, _t("Kies precies één conceptversie om te publiceren."), messages.ERROR
            )
            return None
        draft = drafts[0]
        if "apply" in request.POST:
            form = PublishForm(request.POST)
            if form.is_valid():
                try:
                    draft.publish(
                        on=form.cleaned_data["published_on"],
                        changes=form.cleaned_data["changes"],
                        user=request.user,
                    )
                except ValidationError as exc:
                    for message in exc.messages:
                        self.message_user(request, message, messages.ERROR)
                    return None
                self.message_user(
                    request,
                    _t(
                        "Versie %(version)s is gepubliceerd; de vorige versie is vervangen. "
                        "Afwijkingen tegen de vorige versie staan nu op 'te herbeoordelen'."
                    )
                    % {"version": draft.version},
                    messages.SUCCESS,
                )
                return None
        else:
            form = PublishForm(
                initial={"published_on": timezone.localdate(), "changes": draft.changes}
            )
        current = StandardVersion.objects.current()
        return self._confirm(
            request,
            queryset,
            "publish",
            _t("Versie %(version)s publiceren") % {"version": draft.version},
            form,
            _t(
                "Na publicatie is %(version)s de geldende standaard en wordt %(current)s "
                "vervangen. Dit gebeurt in één keer."
            )
            % {"version": draft.version, "current": current.version if current else "–"},
        )


def draft_versions_only(field):
    """New and changed roles and tasks belong to a draft version."""
    if field is not None:
        field.help_text = _("Alleen conceptversies: een gepubliceerde versie is onveranderlijk.")
    return field


@admin.register(Role)
class RoleAdmin(ScopedHistoryAdmin):
    list_display = ["name", "code", "standard_version", "expected_presence", "allows_multiple"]
    list_filter = ["standard_version", "expected_presence"]
    search_fields = ["code", "name", "purpose"]
    list_select_related = ["standard_version"]
    readonly_fields = TIMESTAMPS
    inlines = [TaskInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "standard_version" and field is not None:
            field.queryset = field.queryset.filter(status=StandardVersion.Status.DRAFT)
        return draft_versions_only(field) if db_field.name == "standard_version" else field


@admin.register(Task)
class TaskAdmin(ScopedHistoryAdmin):
    list_display = ["title", "code", "role", "kind", "norm", "standard_version"]
    list_filter = ["kind", "role__standard_version", RoleFilter]
    search_fields = ["code", "title", "description"]
    list_select_related = ["role", "role__standard_version"]
    readonly_fields = TIMESTAMPS

    @admin.display(description=_("standaardversie"), ordering="role__standard_version")
    def standard_version(self, obj):
        return obj.role.standard_version.version

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "role" and field is not None:
            field.queryset = field.queryset.filter(
                standard_version__status=StandardVersion.Status.DRAFT
            ).select_related("standard_version")
            field.label_from_instance = lambda role: (
                _t("%(name)s (concept %(version)s)")
                % {"name": role.name, "version": role.standard_version.version}
            )
            return draft_versions_only(field)
        return field


@admin.register(CaseMeetingType)
class CaseMeetingTypeAdmin(ScopedHistoryAdmin):
    list_display = ["name", "code", "police_involvement"]
    list_filter = ["police_involvement"]
    search_fields = ["code", "name", "theme"]
    readonly_fields = TIMESTAMPS
