from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import BaseModelAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin_mixins import KeptInline, KeptRecordAdmin

from .models import Allocation, Child, Episode, PeriodOfCare


def _editable_fields(model: type[Model]) -> list[str]:
    return [field.name for field in model._meta.fields if field.editable and not field.primary_key]


# The mixins below are mixed into ModelAdmin and InlineModelAdmin classes: for the type checker
# they are one (as in accounts.admin_mixins).
if TYPE_CHECKING:
    _BaseAdmin = BaseModelAdmin[Any]
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _BaseAdmin = _ModelAdmin = object


class ClockFieldsReadOnly(_BaseAdmin):
    """Periods of care and episodes hold the dates and codes the review clock rests on (start,
    end, REC, RNE, legal status, placement). A change here would skip the clock's refresh, so the
    admin shows them read-only and adds none: care events are recorded on the child's "Care
    events" pages (reviews/care_events.py), which refresh the clock in the same transaction."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*_editable_fields(self.model), *super().get_readonly_fields(request, obj)]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ClockRecordAdmin(ClockFieldsReadOnly, _ModelAdmin):
    if TYPE_CHECKING:  # KeptRecordAdmin's: every admin with this mixin has that one first in its bases

        def child_id_of(self, object_id: object) -> int | None: ...

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        child_id = self.child_id_of(object_id) if object_id is not None else None
        if child_id is not None:
            messages.info(
                request,
                format_html(
                    "Dates and codes here move the review clock, so they are read-only in the admin: record a change "
                    'on the child\'s <a href="{}">Care events</a> page.',
                    reverse("reviews:care_events", args=[child_id]),
                ),
            )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True  # reverting to an old version would move the clock without its refresh

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "POST":
            raise PermissionDenied("Reverting would move the review clock: record a care event instead.")
        # SimpleHistoryAdmin's, which every admin with this mixin also has, and which is untyped.
        response: HttpResponse = super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]
        return response


class PeriodOfCareInline(ClockFieldsReadOnly, KeptInline, admin.TabularInline[PeriodOfCare, Child]):
    model = PeriodOfCare
    extra = 0


class AllocationInline(KeptInline, admin.TabularInline[Allocation, Child]):
    model = Allocation
    extra = 0
    autocomplete_fields = ["iro"]


class EpisodeInline(ClockFieldsReadOnly, KeptInline, admin.TabularInline[Episode, PeriodOfCare]):
    model = Episode
    extra = 0


@admin.register(Child)
class ChildAdmin(KeptRecordAdmin, SimpleHistoryAdmin):
    list_display = ["local_id", "last_name", "first_name", "date_of_birth", "sex"]
    search_fields = ["local_id", "last_name", "first_name", "preferred_name"]
    inlines = [PeriodOfCareInline, AllocationInline]
    child_path = "pk"

    def save_model(self, request: HttpRequest, obj: Child, form: forms.ModelForm[Child], change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "date_of_birth" in form.changed_data:
            # The clock rests on the date of birth (no review after the 18th birthday, PN0 to
            # 4): the open periods' due dates follow a correction at once.
            from reviews.services import review_due_dates_refresh  # noqa: PLC0415 - reviews sits above children

            for period in obj.periods_of_care.order_by("start"):
                review_due_dates_refresh(period_of_care=period)


@admin.register(PeriodOfCare)
class PeriodOfCareAdmin(KeptRecordAdmin, ClockRecordAdmin, SimpleHistoryAdmin):
    list_display = ["child", "start", "end", "reason_ended"]
    list_select_related = ["child"]
    search_fields = ["child__local_id", "child__last_name"]
    raw_id_fields = ["child"]
    inlines = [EpisodeInline]


@admin.register(Allocation)
class AllocationAdmin(KeptRecordAdmin, admin.ModelAdmin[Allocation]):
    list_display = ["child", "iro", "kind", "start", "end"]
    list_filter = ["kind"]
    list_select_related = ["child", "iro"]
    raw_id_fields = ["child", "iro"]


@admin.register(Episode)
class EpisodeAdmin(KeptRecordAdmin, ClockRecordAdmin, SimpleHistoryAdmin):
    list_display = ["period_of_care", "start", "end", "legal_status", "placement_type"]
    list_select_related = ["period_of_care__child"]
    raw_id_fields = ["period_of_care"]
    child_path = "period_of_care__child_id"
