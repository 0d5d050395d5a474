from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin_mixins import KeptInline, KeptRecordAdmin

from .facts import review_facts_refresh
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

    def save_model(self, request: HttpRequest, obj: Review, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if {"status", "held_on", "period_of_care", "child"} & set(form.changed_data):
            # The stored pre-review visit facts of the child's reviews rest on these.
            child_ids = {obj.child_id, form.initial.get("child") or obj.child_id}  # before and after
            review_facts_refresh(child_ids=child_ids)


@admin.register(Document)
class DocumentAdmin(KeptRecordAdmin, SimpleHistoryAdmin):
    # Documents are never overwritten or deleted: every version stays retrievable.
    list_display = ["review", "kind", "version", "state", "issued_on", "issued_on_time"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["review", "created_by"]
    readonly_fields = ["file_name", "sha256", "issued_on_time"]
    child_path = "review__child_id"
