from django.contrib import admin

from .models import Decision, Review


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    can_delete = False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["child", "sequence", "due_date", "status", "held_on", "participation_code"]
    list_filter = ["status", "sequence", "participation_code"]
    list_select_related = ["child"]
    search_fields = ["child__local_id", "child__last_name"]
    raw_id_fields = ["child", "period_of_care", "chair"]
    inlines = [DecisionInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
