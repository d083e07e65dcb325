from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from roles.models import CaseMeetingType, Role, StandardVersion, Task


class RoleInline(admin.TabularInline):
    model = Role
    fields = ["code", "name", "expected_presence", "allows_multiple", "position"]
    extra = 0
    show_change_link = True


class TaskInline(admin.TabularInline):
    model = Task
    fields = ["code", "title", "kind", "norm", "position"]
    extra = 0


@admin.register(StandardVersion)
class StandardVersionAdmin(SimpleHistoryAdmin):
    list_display = ["version", "title", "status", "published_on"]
    list_filter = ["status"]
    search_fields = ["version", "title"]
    readonly_fields = ["revision", "created_at", "updated_at"]
    inlines = [RoleInline]


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "standard_version", "expected_presence", "allows_multiple"]
    list_filter = ["standard_version", "expected_presence"]
    search_fields = ["code", "name", "purpose"]
    list_select_related = ["standard_version"]
    readonly_fields = ["revision", "created_at", "updated_at"]
    inlines = [TaskInline]


@admin.register(Task)
class TaskAdmin(SimpleHistoryAdmin):
    list_display = ["title", "code", "role", "kind", "norm"]
    list_filter = ["kind", "role__standard_version", "role__code"]
    search_fields = ["code", "title", "description"]
    list_select_related = ["role", "role__standard_version"]
    readonly_fields = ["revision", "created_at", "updated_at"]


@admin.register(CaseMeetingType)
class CaseMeetingTypeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "police_involvement"]
    list_filter = ["police_involvement"]
    search_fields = ["code", "name", "theme"]
    readonly_fields = ["revision", "created_at", "updated_at"]
