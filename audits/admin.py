from django.contrib import admin

from .models import Escalation, MonitoringForm


@admin.register(MonitoringForm)
class MonitoringFormAdmin(admin.ModelAdmin):
    list_display = ["review", "scheme", "completed_on", "completed_by"]
    raw_id_fields = ["review", "completed_by"]


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ["child", "theme", "stage", "outcome", "raised_on"]
    list_filter = ["theme", "stage", "outcome"]
    raw_id_fields = ["child", "review", "raised_by"]
