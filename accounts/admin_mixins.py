"""What every admin page of a child's record does, in one place.

- Nothing is deleted: a child's records are kept until their 75th birthday (reg 50; docs/domain.md,
  "Record keeping"), so the delete view answers 403 and "delete selected" is not offered. A record
  with an archive of its own (children.records.KeptRecord) gets "archive" instead, with a reason.
- The admin keeps the application's access log: a change form read (GET) or saved (POST), a
  record's history, and an archive write a row naming the child; a list page writes one row
  for the list (object type the admin view's name, no child), as the application's own lists
  do. Refusals (403, 404) are logged by accounts.middleware.AuditRefusalsMiddleware.

The rows are written inside the request's transaction (ATOMIC_REQUESTS), like the
application's: a change whose row cannot be written rolls back.
"""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from .audit import access_log_write
from .models import AccessAction

SAVED_OBJECT = "_admin_saved_object"


class ArchiveActionForm(ActionForm):
    reason = forms.CharField(label="Reason (to archive)", required=False, max_length=500)


@admin.action(description="Archive the selected records (they are kept, never deleted)")
def archive_selected(modeladmin: "KeptRecordAdmin", request: HttpRequest, queryset: QuerySet[Any]) -> None:
    reason = request.POST.get("reason", "").strip()
    if not reason:
        modeladmin.message_user(request, "Give a reason for archiving.", level=messages.ERROR)
        return
    archived = 0
    for record in queryset.filter(archived_at__isnull=True):
        record.archive(by=request.user, reason=reason)
        modeladmin.log_access(request, action=AccessAction.CHANGE, object_id=record.pk, status_code=200)
        archived += 1
    modeladmin.message_user(request, f"Archived {archived} record{'s' if archived != 1 else ''}.")


# The mixins below are mixed into ModelAdmin and InlineModelAdmin classes: for the type checker
# they are one.
if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
    _Inline = admin.options.InlineModelAdmin[Any, Any]
else:
    _ModelAdmin = _Inline = object


class KeptRecordAdmin(_ModelAdmin):
    """Mix into the ModelAdmin of every model that is part of a child's record (first in the
    bases). `child_path` is the lookup from the model to its child's id."""

    child_path = "child_id"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per admin, as its model can be archived or not (the stubs declare it a class variable).
        self.action_form = ArchiveActionForm if self.archivable else ActionForm  # type: ignore[misc]

    @property
    def archivable(self) -> bool:
        return callable(getattr(self.model, "archive", None))

    # --- Kept, never deleted -------------------------------------------------------------------

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # reg 50: records are kept until the child's 75th birthday; nothing is deleted here.
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        if self.archivable and self.has_change_permission(request):
            actions["archive_selected"] = self.get_action(archive_selected)
        return actions

    # --- The access log ------------------------------------------------------------------------

    def child_id_of(self, object_id: object) -> int | None:
        try:
            child_id = self.model._default_manager.filter(pk=object_id).values_list(self.child_path, flat=True).first()
        except (ValueError, ValidationError):  # not a key of this model: no such record
            return None
        return child_id if isinstance(child_id, int) else None

    def log_access(self, request: HttpRequest, *, action: str, object_id: object = None, status_code: int) -> None:
        match = request.resolver_match
        access_log_write(
            request=request,
            action=action,
            child_id=self.child_id_of(object_id) if object_id is not None else None,
            object_type=match.view_name if match else "",
            object_id=object_id if object_id is not None else "",
            status_code=status_code,
        )

    def _log_record(self, request: HttpRequest, response: HttpResponse, object_id: str | None) -> HttpResponse:
        if response.status_code >= 400:
            return response  # a refusal: logged by AuditRefusalsMiddleware
        saved = getattr(request, SAVED_OBJECT, None)
        record_id: object = None
        if saved is not None:
            record_id = saved.pk
        elif object_id is not None:
            record_id = unquote(object_id)
        if request.method == "POST":
            self.log_access(request, action=AccessAction.CHANGE, object_id=record_id, status_code=response.status_code)
        elif record_id is not None and self.child_id_of(record_id) is not None:
            # A read of a record (not of an empty "add" form, nor of one that does not exist).
            self.log_access(request, action=AccessAction.VIEW, object_id=record_id, status_code=response.status_code)
        return response

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        setattr(request, SAVED_OBJECT, obj)  # an added record's id is known only now

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().changeform_view(request, object_id, form_url, extra_context)
        return self._log_record(request, response, object_id)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().history_view(request, object_id, extra_context)
        return self._log_record(request, response, object_id)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # simple_history: one past version of a record (GET), or reverting to it (POST).
        # (SimpleHistoryAdmin's, which every admin with this mixin also has, and which is untyped)
        response: HttpResponse = super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]
        return self._log_record(request, response, object_id)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if response.status_code < 400:
            action = AccessAction.CHANGE if request.method == "POST" else AccessAction.VIEW
            self.log_access(request, action=action, status_code=response.status_code)
        return response


class KeptInline(_Inline):
    """Mix into an inline of a kept model: rows are added or changed, never deleted."""

    can_delete = False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
