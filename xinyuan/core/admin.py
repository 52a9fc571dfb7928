"""Django admin, for superusers only, who must also have confirmed a one-time code."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from xinyuan.core.models import (
    AuditEvent,
    CrisisResource,
    Holiday,
    Hotline,
    Membership,
    MembershipRole,
    OpeningPeriod,
    User,
)


class OpeningPeriodInline(admin.TabularInline):
    model = OpeningPeriod
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


class CrisisResourceInline(admin.TabularInline):
    model = CrisisResource
    extra = 0


@admin.register(Hotline)
class HotlineAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "time_zone", "always_open")
    inlines = (OpeningPeriodInline, HolidayInline, CrisisResourceInline)


class MembershipRoleInline(admin.TabularInline):
    model = MembershipRole
    extra = 0


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "hotline", "is_active")
    list_filter = ("hotline",)
    inlines = (MembershipRoleInline,)


admin.site.register(User, UserAdmin)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: nothing in the app edits or deletes audit events."""

    list_display = ("at", "actor_name", "hotline", "action", "object_type", "object_id", "ip_address")
    list_filter = ("action", "hotline")
    search_fields = ("actor_name", "object_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
