from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from registry.models import ApiToken, User


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ["username", "email", "kind", "police_unit", "is_active", "is_staff"]
    list_filter = ["kind", "police_unit", "is_active", "is_staff", "is_superuser"]
    list_select_related = ["police_unit"]
    filter_horizontal = ["houses", *DjangoUserAdmin.filter_horizontal]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Register"), {"fields": ["kind", "police_unit", "houses"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (_("Register"), {"fields": ["kind", "police_unit", "houses"]}),
    ]


admin.site.site_header = _("Register politie in Veiligheidshuizen")
admin.site.site_title = _("Register politie in Veiligheidshuizen")
admin.site.index_title = _("Beheer")


# --- API tokens ---------------------------------------------------------------------------------
@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """See and revoke (delete) API tokens. New tokens: ``manage.py create_api_token``."""

    list_display = ["name", "user", "token_key", "created", "expiry"]
    list_filter = ["user__kind"]
    search_fields = ["name", "token_key", "user__username"]
    list_select_related = ["user"]
    readonly_fields = ["user", "token_key", "created"]
    fields = ["name", "user", "token_key", "created", "expiry"]

    def has_add_permission(self, request):
        return False
