"""Keeps the record of each signed-in session current."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from xinyuan.core import actions
from xinyuan.core.models import SessionRecord

# Write last-seen at most this often, not on every request.
TOUCH_EVERY = timedelta(seconds=60)


class SessionRecordMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and request.session.session_key:
            self._touch(request)
        return self.get_response(request)

    def _touch(self, request: HttpRequest) -> None:
        now = timezone.now()
        seen = request.session.get("seen_at")
        if seen is not None and now.timestamp() - float(seen) < TOUCH_EVERY.total_seconds():
            return
        request.session["seen_at"] = now.timestamp()
        record = SessionRecord.objects.filter(session_key=request.session.session_key).only("pk").first()
        if record is None:
            actions.do_record_session(request.user, request)  # type: ignore[arg-type]
        else:
            actions.do_touch_session(record.pk)
