"""Admin: webhook subscriptions (national staff) with their delivery log, and the events."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.models import Delivery, Event, Subscription


def _national(request) -> bool:
    return bool(getattr(request.user, "may_edit_everything", False))


class NationalOnlyMixin:
    """Only national staff (and superusers) see and manage webhooks."""

    def has_module_permission(self, request):
        return _national(request)

    def has_view_permission(self, request, obj=None):
        return _national(request)

    def has_add_permission(self, request, *args):
        return _national(request)

    def has_change_permission(self, request, obj=None):
        return _national(request)

    def has_delete_permission(self, request, obj=None):
        return _national(request)


class SubscriptionForm(forms.ModelForm):
    resources = forms.MultipleChoiceField(
        label=_("Bronnen"),
        choices=Event.Resource.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Alleen gebeurtenissen van deze soorten bronnen; niets aangevinkt: alle."),
    )

    class Meta:
        model = Subscription
        fields = ["name", "url", "secret", "resources", "police_unit", "active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}


@admin.register(Subscription)
class SubscriptionAdmin(NationalOnlyMixin, admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["name", "url", "active", "police_unit", "delivery_log"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    autocomplete_fields = ["police_unit"]

    @admin.display(description=_("Afleverlog"))
    def delivery_log(self, obj):
        url = reverse("admin:notifications_delivery_changelist")
        return format_html('<a href="{}?subscription__id__exact={}">{}</a>', url, obj.pk, _("log"))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.action(description=_("Opnieuw afleveren"))
def deliver_again(modeladmin, request, queryset):
    from notifications.tasks import deliver_webhook

    ids = list(queryset.values_list("pk", flat=True))
    with transaction.atomic():
        Delivery.objects.filter(pk__in=ids).update(
            status=Delivery.Status.PENDING, next_attempt_at=timezone.now(), leased_until=None
        )
        for pk in ids:
            transaction.on_commit(lambda pk=pk: deliver_webhook.enqueue(pk))
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d aflevering staat opnieuw klaar.",
            "%(count)d afleveringen staan opnieuw klaar.",
            len(ids),
        )
        % {"count": len(ids)},
        messages.SUCCESS,
    )


@admin.register(Delivery)
class DeliveryAdmin(NationalOnlyMixin, admin.ModelAdmin):
    list_display = [
        "event",
        "subscription",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "subscription"]
    list_select_related = ["event", "subscription"]
    readonly_fields = [field.name for field in Delivery._meta.fields]
    actions = [deliver_again]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else _national(request)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return _national(request)

    def has_view_permission(self, request, obj=None):
        return _national(request)

    list_display = ["occurred_at", "kind", "resource", "label", "house_code", "username"]
    list_filter = ["kind", "resource"]
    search_fields = ["label", "house_code", "unit_code", "username"]
    readonly_fields = [field.name for field in Event._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
