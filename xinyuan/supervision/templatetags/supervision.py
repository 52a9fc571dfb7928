"""Template filters of the supervision pages."""

from __future__ import annotations

from datetime import datetime

from django import template

register = template.Library()


@register.filter
def elapsed(since: datetime | None, now: datetime) -> str:
    """`m:ss` (or `h:mm:ss`) from `since` to `now`; the page's script keeps it ticking."""
    if since is None:
        return "—"
    seconds = max(0, int((now - since).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
