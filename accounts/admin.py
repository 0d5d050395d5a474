from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from .admin_mixins import KeptRecordAdmin
from .models import AccessLog, IROProfile, Team, User


class IROProfileInline(admin.StackedInline[IROProfile, User]):
    model = IROProfile
    can_delete = False


@admin.register(User)
class IROServiceUserAdmin(UserAdmin[User]):
    inlines = [IROProfileInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    list_filter = ["groups", "is_active"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    search_fields = ["name"]


@admin.register(AccessLog)
class AccessLogAdmin(KeptRecordAdmin, admin.ModelAdmin[AccessLog]):
    """Read-only: the access log is append-only. Reading a row of it is logged too."""

    list_display = ["at", "user", "action", "child_id", "object_type", "object_id", "status_code", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["child_id", "user__username", "object_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
