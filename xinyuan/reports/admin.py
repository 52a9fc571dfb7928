"""Admin for a hotline's report settings (superusers only, like all of the admin). Survey answers
are not listed here: their comments are the seekers' words."""

from __future__ import annotations

from django.contrib import admin

from xinyuan.reports.models import ReportSettings


@admin.register(ReportSettings)
class ReportSettingsAdmin(admin.ModelAdmin):
    list_display = ("hotline", "service_level_seconds", "service_level_target")
