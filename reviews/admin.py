from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin_mixins import KeptInline, KeptRecordAdmin

from .models import Decision, Document, Review


class DecisionInline(KeptInline, admin.TabularInline[Decision, Review]):
    model = Decision
    extra = 0


@admin.register(Review)
class ReviewAdmin(KeptRecordAdmin, SimpleHistoryAdmin):
    list_display = ["child", "sequence", "due_date", "status", "held_on", "participation_code"]
    list_filter = ["status", "sequence", "participation_code"]
    list_select_related = ["child"]
    search_fields = ["child__local_id", "child__last_name"]
    raw_id_fields = ["child", "period_of_care", "chair"]
    inlines = [DecisionInline]


@admin.register(Document)
class DocumentAdmin(KeptRecordAdmin, SimpleHistoryAdmin):
    # Documents are never overwritten or deleted: every version stays retrievable.
    list_display = ["review", "kind", "version", "state", "issued_on", "issued_on_time"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["review", "created_by"]
    readonly_fields = ["file_name", "sha256", "issued_on_time"]
    child_path = "review__child_id"
