from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Allocation, Child, Episode, PeriodOfCare


@admin.action(description="Archive the selected records (they are kept, never deleted)")
def archive_selected(modeladmin, request, queryset) -> None:
    for record in queryset.filter(archived_at__isnull=True):
        record.archive(by=request.user, reason=f"Archived in the admin by {request.user}")


class PeriodOfCareInline(admin.TabularInline):
    model = PeriodOfCare
    extra = 0
    can_delete = False


class AllocationInline(admin.TabularInline):
    model = Allocation
    extra = 0
    can_delete = False
    autocomplete_fields = ["iro"]


class EpisodeInline(admin.TabularInline):
    model = Episode
    extra = 0
    can_delete = False


@admin.register(Child)
class ChildAdmin(SimpleHistoryAdmin):
    list_display = ["local_id", "last_name", "first_name", "date_of_birth", "sex"]
    search_fields = ["local_id", "last_name", "first_name", "preferred_name"]
    inlines = [PeriodOfCareInline, AllocationInline]
    actions = [archive_selected]

    def has_delete_permission(self, request, obj=None) -> bool:
        # reg 50: records are kept until the child's 75th birthday; nothing is deleted here.
        return False


@admin.register(PeriodOfCare)
class PeriodOfCareAdmin(SimpleHistoryAdmin):
    list_display = ["child", "start", "end", "reason_ended"]
    list_select_related = ["child"]
    search_fields = ["child__local_id", "child__last_name"]
    raw_id_fields = ["child"]
    inlines = [EpisodeInline]
    actions = [archive_selected]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Allocation)
class AllocationAdmin(admin.ModelAdmin):
    list_display = ["child", "iro", "kind", "start", "end"]
    list_filter = ["kind"]
    list_select_related = ["child", "iro"]
    raw_id_fields = ["child", "iro"]


@admin.register(Episode)
class EpisodeAdmin(SimpleHistoryAdmin):
    list_display = ["period_of_care", "start", "end", "legal_status", "placement_type"]
    list_select_related = ["period_of_care__child"]
    raw_id_fields = ["period_of_care"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
