"""The admin site: superusers only, who must also have confirmed a one-time code."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


class SuperuserAdminSite(admin.AdminSite):
    site_header = "xinyuan 心援"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser and user.is_verified())  # type: ignore[attr-defined]

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # One sign-in for everyone, with its lock-out and two-factor step.
        user = request.user
        if user.is_authenticated:
            if not user.is_superuser:
                raise PermissionDenied
            logout(request)  # a superuser signed in without a one-time code signs in again with one
        next_url = request.GET.get("next", reverse("admin:index"))
        return redirect(reverse("signin") + "?" + urlencode({"next": next_url}))
