"""The scoped admin every registry model uses.

``ScopedAdminMixin`` (and ``ScopedInlineMixin`` for inlines) connects the Django admin to the
edit rights of ``registry.lib.rights``: every active staff account may view everything,
read-only; adding, changing and deleting need both the Django model permission (from the
account's group) and ``editable_by(user)`` / ``is_editable_by(user)``. Foreign-key choices are
narrowed to what the user may edit, a save that would move a record out of the user's reach is
refused, and a save based on a stale copy is refused with what changed since (no lost updates).
History pages show per-field differences; reverting is for national staff only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.forms.models import _get_foreign_key
from django.http import HttpResponseRedirect
from django.utils.text import capfirst
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from registry.lib import rights
from registry.lib.editable import BOOKKEEPING_FIELDS, StaleEditError

REVISION_FIELD = "loaded_revision"
REVERT_REASON = "Teruggezet naar een eerdere versie"
TIMESTAMPS = ["revision", "created_at", "updated_at"]


def frozen_reason(obj) -> str | None:
    """Why nobody may change ``obj`` any more (``EditableModel.read_only_reason``), or None."""
    check = getattr(obj, "read_only_reason", None)
    return check() if check and getattr(obj, "pk", None) is not None else None


def is_staff(user) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_staff", False))


def unit_model_of(model):
    """The model at the end of ``model.unit_field`` (the eenheid), or None."""
    if not getattr(model, "unit_field", None):
        return None
    target = model
    for step in model.unit_field.split("__"):
        target = target._meta.get_field(step).related_model
    return target


def display_value(field, value) -> str:
    if value is None or value == "":
        return _t("(leeg)")
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _t("ja") if value else _t("nee")
    return str(value)


def describe_changes(model, delta) -> list[str]:
    lines = []
    for change in delta.changes:
        if change.field in BOOKKEEPING_FIELDS:
            continue
        field = model._meta.get_field(change.field)
        lines.append(
            f"{field.verbose_name}: {display_value(field, change.old)} → "
            f"{display_value(field, change.new)}"
        )
    return lines


def changes_since(model, pk, revision: int) -> str:
    """A Dutch sentence on who changed what in ``model`` ``pk`` after ``revision``."""
    history = model.history.filter(**{model._meta.pk.attname: pk}).select_related("history_user")
    later = list(history.filter(revision__gt=revision).order_by("history_date"))
    if not later:
        return ""
    users = sorted({str(record.history_user) for record in later if record.history_user})
    who = ", ".join(users) or _t("onbekend")
    since = history.filter(revision=revision).order_by("-history_date").first()
    lines = []
    if since is not None:
        delta = later[-1].diff_against(since, foreign_keys_are_objs=True)
        lines = describe_changes(model, delta)
    detail = "; ".join(lines) if lines else _t("geen inhoudelijke velden")
    return _t("Gewijzigd door %(who)s: %(detail)s.") % {"who": who, "detail": detail}


class ScopedModelForm(forms.ModelForm):
    """Carries the revision the user loaded and checks scope and staleness on validation."""

    loaded_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    #: Set per request by the admin (see ``scoped_form``).
    request_user = None
    reverting = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk is not None and hasattr(instance, "revision"):
            revision = instance.revision
            if self.reverting:
                # A revert starts from an old version; the copy it replaces is the current one,
                # and state read from the database (such as a workflow status) is taken from it.
                current = type(instance)._base_manager.filter(pk=instance.pk).first()
                if current is not None:
                    revision = current.revision
                    for name, value in vars(current).items():
                        if name.startswith("_loaded_"):
                            setattr(instance, name, value)
            self.fields[REVISION_FIELD].initial = revision

    def current_revision(self):
        model = type(self.instance)
        return (
            model._base_manager.filter(pk=self.instance.pk)
            .values_list("revision", flat=True)
            .first()
        )

    @property
    def changed_data(self):
        return [name for name in super().changed_data if name != REVISION_FIELD]

    def has_changed(self):
        return bool(self.changed_data)

    def _post_clean(self):
        super()._post_clean()
        instance = self.instance
        user = self.request_user
        if (
            user is not None
            and hasattr(instance, "is_editable_by")
            and not rights.may(user, "add" if instance.pk is None else "change", instance)
        ):
            self.add_error(
                None,
                _(
                    "U mag dit record niet onder een andere eenheid brengen dan uw eigen "
                    "eenheid; er is niets opgeslagen."
                ),
            )
        if instance.pk is None or not hasattr(instance, "revision"):
            return
        loaded = self.cleaned_data.get(REVISION_FIELD)
        if not self.has_changed() and not self.reverting:
            # Nothing to protect: the posted values are the current ones.
            instance.revision = self.current_revision() or instance.revision
            return
        if loaded is None:
            self.add_error(
                None,
                _(
                    "Het formulier mist de revisie waarop het is gebaseerd; open het opnieuw "
                    "en breng uw wijziging daarin aan."
                ),
            )
            return
        current = self.current_revision()
        if current is not None and loaded != current:
            self.add_error(None, stale_message(type(instance), instance.pk, loaded))
            return
        # The save itself checks this revision again (conditional update), so a change
        # that slips in between this check and the save is refused as well.
        instance.revision = loaded


def stale_message(model, pk, loaded) -> str:
    return " ".join(
        part
        for part in (
            _t(
                "Deze %(name)s is gewijzigd sinds u het formulier opende; uw wijziging is "
                "niet opgeslagen en er is niets overschreven."
            )
            % {"name": model._meta.verbose_name},
            changes_since(model, pk, loaded),
            _t("Open het formulier opnieuw en breng uw wijziging aan in de actuele versie."),
        )
        if part
    )


def scoped_form(form_class, request, reverting=False):
    """``form_class`` bound to the user of ``request``."""
    if not issubclass(form_class, ScopedModelForm):
        return form_class
    return type(
        form_class.__name__,
        (form_class,),
        {"request_user": request.user, "reverting": reverting},
    )


class LinesField(forms.Field):
    """A list of short texts (former names, municipalities, ...) edited one per line, stored
    as the JSON list the model keeps."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 60})

    def __init__(self, *args, **kwargs):
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.setdefault("help_text", _("Eén per regel."))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        if isinstance(value, list | tuple):
            return [str(item).strip() for item in value if str(item).strip()]
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def has_changed(self, initial, data):
        return self.to_python(initial or []) != self.to_python(data)


def is_list_field(db_field) -> bool:
    return isinstance(db_field, models.JSONField) and db_field.default is list


def unit_of(obj):
    """The eenheid an object belongs to, following its model's ``unit_field`` (or None)."""
    path = getattr(type(obj), "unit_field", None)
    target = obj
    for name in (path or "").split("__") if path else []:
        target = getattr(target, name, None)
        if target is None:
            return None
    return target if path else None


def _unit_phrase(unit) -> str:
    """ "eenheid Oost-Nederland" for a unit named "Eenheid Oost-Nederland", inside a sentence."""
    name = str(unit)
    return name[0].lower() + name[1:] if name.startswith("Eenheid ") else name


def view_only_reason(user, obj) -> str:
    """Why ``user`` may look at ``obj`` in the admin but not change it: one line, in Dutch."""
    frozen = frozen_reason(obj)
    if frozen:
        return frozen
    unit = unit_of(obj)
    own_unit = getattr(user, "editable_unit_id", None)
    if unit is not None and own_unit and unit.pk != own_unit:
        model = obj._meta.model_name
        phrase = _unit_phrase(unit)
        if model == "house":
            return _("Dit huis hoort bij %(unit)s; u kunt het bekijken, niet wijzigen.") % {
                "unit": phrase
            }
        return _(
            "Dit gegeven (%(what)s) hoort bij een huis van %(unit)s; u kunt het bekijken, "
            "niet wijzigen."
        ) % {"what": obj._meta.verbose_name, "unit": phrase}
    if getattr(user, "editable_unit_id", None) and not getattr(type(obj), "unit_field", None):
        return _("Dit wijzigt alleen landelijk beheer; u kunt het bekijken, niet wijzigen.")
    return _("U kunt dit bekijken, niet wijzigen: uw account heeft hier geen wijzigrechten.")


class ScopedPermissionsMixin:
    """The permission questions shared by model admins and inlines."""

    form = ScopedModelForm
    # Web addresses typed without a scheme are https (Django 6's default, chosen here).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def _may_view(self, request) -> bool:
        user = request.user
        return is_staff(user) and (
            rights.has_model_permission(user, self.model, "view")
            or rights.has_model_permission(user, self.model, "change")
        )

    def _may_edit(self, request, action, obj=None) -> bool:
        user = request.user
        if not is_staff(user):
            return False
        if obj is None:
            return rights.may_some(user, action, self.model)
        return rights.may(user, action, obj) and not frozen_reason(obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if is_list_field(db_field):
            return LinesField(
                label=capfirst(db_field.verbose_name),
                required=not db_field.blank,
                help_text=db_field.help_text or _("Eén per regel."),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        user = request.user
        if field is None or getattr(user, "may_edit_everything", False):
            return field
        related = db_field.related_model
        if getattr(related, "unit_field", None):
            field.queryset = field.queryset.filter(
                pk__in=related.objects.editable_by(user).values("pk")
            )
            field.error_messages["invalid_choice"] = _(
                "Kies een %(name)s van uw eigen eenheid."
            ) % {"name": related._meta.verbose_name}
        elif related is unit_model_of(self.model):
            field.queryset = field.queryset.filter(pk=getattr(user, "editable_unit_id", None))
            field.error_messages["invalid_choice"] = _("Kies uw eigen eenheid.")
        return field

    def _with_revision_field(self, fieldsets, editable):
        """Render the hidden revision field in editable forms only."""
        result = []
        for name, options in fieldsets:
            fields = [f for f in options.get("fields", ()) if f != REVISION_FIELD]
            result.append((name, {**options, "fields": fields}))
        if editable and result:
            name, options = result[-1]
            result[-1] = (name, {**options, "fields": [*options["fields"], REVISION_FIELD]})
        return result


class ScopedAdminMixin(ScopedPermissionsMixin):
    """Model admin driven by the edit rights (``registry.lib.rights``)."""

    #: Shown on the history page: only real changes, not the bookkeeping fields.
    history_excluded_fields = BOOKKEEPING_FIELDS

    def has_module_permission(self, request):
        return self._may_view(request)

    def has_view_permission(self, request, obj=None):
        return self._may_view(request)

    def has_add_permission(self, request):
        return self._may_edit(request, "add")

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, "delete", obj)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.path.endswith("/autocomplete/") and self.model.unit_field:
            # Autocomplete feeds foreign-key fields: offer only what the user may edit.
            queryset = queryset.editable_by(request.user)
        return queryset, may_have_duplicates

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        editable = obj is not None and self.has_change_permission(request, obj)
        return self._with_revision_field(fieldsets, editable)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return scoped_form(form, request, reverting=getattr(request, "_reverting", False))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id) if object_id else None
        if obj is not None and not self.has_change_permission(request, obj):
            extra_context = {
                **(extra_context or {}),
                "readonly_reason": view_only_reason(request.user, obj),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEditError as exc:
            # Another save slipped in between validation and saving; the transaction of
            # the change view was rolled back, so nothing of this save was written.
            self.message_user(
                request,
                stale_message(type(exc.obj), exc.obj.pk, exc.obj.revision),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.path)

    def before_save(self, request, obj, change):
        """Hook: set fields derived from the user before ``obj`` (or an inline child of it)
        is saved."""

    def save_model(self, request, obj, form, change):
        self.before_save(request, obj, change)
        if getattr(request, "_reverting", False):
            obj._change_reason = REVERT_REASON  # stored: always in Dutch
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        obj._history_user = request.user
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # One by one, so that each deletion is recorded in history with the user.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj._history_user = request.user
            obj.delete()
        for instance in instances:
            instance._history_user = request.user
            self.before_save(request, instance, instance.pk is not None)
            instance.save()
        formset.save_m2m()

    # History: per-field differences, revert for national staff only, and recorded.

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current,
                    excluded_fields=self.history_excluded_fields,
                    foreign_keys_are_objs=foreign_keys_are_objs,
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    def has_change_history_permission(self, request, obj=None):
        return bool(
            getattr(request.user, "may_edit_everything", False)
            and self.has_change_permission(request, obj)
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            current = self.get_object(request, object_id)
            if current is None or not self.has_change_history_permission(request, current):
                raise PermissionDenied
            request._reverting = True
            try:
                with transaction.atomic():
                    return super().history_form_view(request, object_id, version_id, extra_context)
            except StaleEditError as exc:
                self.message_user(
                    request,
                    stale_message(type(exc.obj), exc.obj.pk, exc.obj.revision),
                    messages.ERROR,
                )
                return HttpResponseRedirect(request.path)
        request._reverting = True
        return super().history_form_view(request, object_id, version_id, extra_context)


class ScopedInlineMixin(ScopedPermissionsMixin):
    """Inline admin: rights follow the parent object (a new child of it is the probe)."""

    def _probe(self, obj):
        fk = _get_foreign_key(self.parent_model, self.model, fk_name=self.fk_name)
        probe = self.model()
        setattr(probe, fk.name, obj)
        return probe

    def _may_edit_inline(self, request, action, obj):
        user = request.user
        if not is_staff(user):
            return False
        if obj is None or obj.pk is None:
            return rights.may_some(user, action, self.model)
        # Editable inline rows only on a page the user may save, and only rows in reach.
        parent_editable = (
            not hasattr(obj, "is_editable_by") or obj.is_editable_by(user)
        ) and not frozen_reason(obj)
        return parent_editable and rights.may(user, action, self._probe(obj))

    def has_view_permission(self, request, obj=None):
        return self._may_view(request)

    def has_add_permission(self, request, obj=None):
        return self._may_edit_inline(request, "add", obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit_inline(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit_inline(request, "delete", obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return self._with_revision_field(fieldsets, self.has_change_permission(request, obj))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = scoped_form(formset.form, request)
        return formset


def with_last_editor(queryset):
    """Annotate ``last_changed_by``: the user of the latest history record (one subquery)."""
    model = queryset.model
    history = model.history.model
    latest = (
        history.objects.filter(**{model._meta.pk.attname: OuterRef("pk")})
        .order_by("-history_date", "-history_id")
        .values("history_user__username")[:1]
    )
    return queryset.annotate(last_changed_by=Subquery(latest))


class LastEditorMixin:
    """A "last changed by" column, computed in the changelist query itself."""

    def get_queryset(self, request):
        return with_last_editor(super().get_queryset(request))

    @admin.display(description=_("laatst gewijzigd door"), ordering="last_changed_by")
    def last_changed_by(self, obj):
        return obj.last_changed_by or "–"


class ScopedHistoryAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """The base of every registry model admin."""


def name_inputs(form):
    """Tabular inlines show labels only as column headings: name each input for assistive
    technology too (WCAG 4.1.2). Related-object selects sit inside a wrapper widget."""
    for field in form.fields.values():
        widget = getattr(field.widget, "widget", field.widget)
        widget.attrs.setdefault("aria-label", str(field.label or ""))


class LabelledWidgetsMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_inputs(self)


class LabelledFormSetMixin:
    def add_fields(self, form, index):  # the delete checkbox comes in here
        super().add_fields(form, index)
        name_inputs(form)


class ScopedTabularInline(ScopedInlineMixin, admin.TabularInline):
    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (LabelledWidgetsMixin, formset.form), {})
        return type(formset.__name__, (LabelledFormSetMixin, formset), {})


class ScopedStackedInline(ScopedInlineMixin, admin.StackedInline):
    pass
