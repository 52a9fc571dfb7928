"""WebSocket routes; each app adds its consumers here."""

from __future__ import annotations

from typing import Any

from django.urls import path

from xinyuan.contacts.consumers import ConsoleConsumer, CrisisConsumer, SeekerConsumer
from xinyuan.supervision.consumers import MonitorConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/seeker/", SeekerConsumer.as_asgi()),
    path("ws/console/<slug:hotline_slug>/", ConsoleConsumer.as_asgi()),
    path("ws/crisis/<slug:hotline_slug>/", CrisisConsumer.as_asgi()),
    path("ws/monitor/<slug:hotline_slug>/", MonitorConsumer.as_asgi()),
]
