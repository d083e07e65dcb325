from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from houses.models import Assignment, District, House, HouseCaseMeeting, PoliceUnit, Variation

TIMESTAMPS = ["revision", "created_at", "updated_at"]


class DistrictInline(admin.TabularInline):
    model = District
    fields = ["code", "name"]
    extra = 0


@admin.register(PoliceUnit)
class PoliceUnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    readonly_fields = TIMESTAMPS
    inlines = [DistrictInline]


@admin.register(District)
class DistrictAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "police_unit"]
    list_filter = ["police_unit"]
    search_fields = ["code", "name"]
    list_select_related = ["police_unit"]
    readonly_fields = TIMESTAMPS


class HouseCaseMeetingInline(admin.TabularInline):
    model = HouseCaseMeeting
    fields = ["meeting_type", "local_name", "police_participates"]
    extra = 0


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fields = ["role", "police_unit", "presence", "hours_per_week", "status", "start_date"]
    extra = 0
    show_change_link = True


class VariationInline(admin.TabularInline):
    model = Variation
    fields = ["role", "task", "kind", "status", "phase_out_by"]
    extra = 0
    show_change_link = True


@admin.register(House)
class HouseAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "code",
        "police_unit",
        "safety_region",
        "framework_status",
        "confidence",
        "active",
    ]
    list_filter = ["police_unit", "framework_status", "confidence", "active"]
    search_fields = ["code", "name", "seat", "safety_region"]
    list_select_related = ["police_unit"]
    readonly_fields = TIMESTAMPS
    inlines = [HouseCaseMeetingInline, AssignmentInline, VariationInline]


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["house", "role", "police_unit", "presence", "hours_per_week", "status"]
    list_filter = ["status", "presence", "police_unit", "role__code"]
    search_fields = ["house__name", "house__code", "role__name", "contact_mailbox"]
    list_select_related = ["house", "role", "police_unit"]
    autocomplete_fields = ["house"]
    readonly_fields = TIMESTAMPS


@admin.register(Variation)
class VariationAdmin(SimpleHistoryAdmin):
    list_display = ["house", "role", "kind", "status", "phase_out_by", "standard_version"]
    list_filter = ["kind", "status", "house__police_unit", "role__code"]
    search_fields = ["house__name", "house__code", "title", "rationale", "task__title"]
    list_select_related = ["house", "role", "task", "standard_version"]
    autocomplete_fields = ["house"]
    readonly_fields = [*TIMESTAMPS, "recorded_by", "agreed_by"]
