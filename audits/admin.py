from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin_mixins import KeptInline, KeptRecordAdmin

from .models import Escalation, EscalationStageChange, MonitoringForm


@admin.register(MonitoringForm)
class MonitoringFormAdmin(KeptRecordAdmin, admin.ModelAdmin[MonitoringForm]):
    list_display = ["review", "scheme", "completed_on", "completed_by"]
    raw_id_fields = ["review", "completed_by"]
    child_path = "review__child_id"


class EscalationStageChangeInline(KeptInline, admin.TabularInline[EscalationStageChange, Escalation]):
    """Every move of the escalation, as the application recorded it: shown, never edited here."""

    model = EscalationStageChange
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Escalation)
class EscalationAdmin(KeptRecordAdmin, admin.ModelAdmin[Escalation]):
    list_display = ["child", "theme", "stage", "outcome", "raised_on"]
    list_filter = ["theme", "stage", "outcome"]
    raw_id_fields = ["child", "review", "raised_by"]
    inlines = [EscalationStageChangeInline]
