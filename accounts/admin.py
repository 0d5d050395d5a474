from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import IROProfile, Team, User


class IROProfileInline(admin.StackedInline):
    model = IROProfile
    can_delete = False


@admin.register(User)
class IROServiceUserAdmin(UserAdmin):
    inlines = [IROProfileInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    list_filter = ["groups", "is_active"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    search_fields = ["name"]
