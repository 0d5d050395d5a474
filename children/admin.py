from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin_mixins import KeptInline, KeptRecordAdmin

from .models import Allocation, Child, Episode, PeriodOfCare


class PeriodOfCareInline(KeptInline, admin.TabularInline):
    model = PeriodOfCare
    extra = 0


class AllocationInline(KeptInline, admin.TabularInline):
    model = Allocation
    extra = 0
    autocomplete_fields = ["iro"]


class EpisodeInline(KeptInline, admin.TabularInline):
    model = Episode
    extra = 0


@admin.register(Child)
class ChildAdmin(KeptRecordAdmin, SimpleHistoryAdmin):
    list_display = ["local_id", "last_name", "first_name", "date_of_birth", "sex"]
    search_fields = ["local_id", "last_name", "first_name", "preferred_name"]
    inlines = [PeriodOfCareInline, AllocationInline]
    child_path = "pk"


@admin.register(PeriodOfCare)
class PeriodOfCareAdmin(KeptRecordAdmin, SimpleHistoryAdmin):
    list_display = ["child", "start", "end", "reason_ended"]
    list_select_related = ["child"]
    search_fields = ["child__local_id", "child__last_name"]
    raw_id_fields = ["child"]
    inlines = [EpisodeInline]


@admin.register(Allocation)
class AllocationAdmin(KeptRecordAdmin, admin.ModelAdmin):
    list_display = ["child", "iro", "kind", "start", "end"]
    list_filter = ["kind"]
    list_select_related = ["child", "iro"]
    raw_id_fields = ["child", "iro"]


@admin.register(Episode)
class EpisodeAdmin(KeptRecordAdmin, SimpleHistoryAdmin):
    list_display = ["period_of_care", "start", "end", "legal_status", "placement_type"]
    list_select_related = ["period_of_care__child"]
    raw_id_fields = ["period_of_care"]
    child_path = "period_of_care__child_id"
