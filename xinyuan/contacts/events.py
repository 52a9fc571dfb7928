"""Real-time announcements. The channel layer is only a doorbell: everything is in the database
first, and every announcement is sent after the transaction that stored it has committed."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def contact_group(contact_id: UUID | str) -> str:
    return f"contact.{contact_id}"


def member_group(hotline_id: int, user_id: int) -> str:
    """One person in one hotline: their offers, status changes and crisis alerts."""
    return f"member.{hotline_id}.{user_id}"


def staff_group(hotline_id: int) -> str:
    return f"staff.{hotline_id}"


def send_now(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, event)


def send_many(items: list[tuple[str, dict[str, Any]]]) -> None:
    """Send many announcements in one trip to the event loop (not one trip each)."""
    layer = get_channel_layer()
    if layer is None or not items:
        return

    async def send_all() -> None:
        for group, event in items:
            await layer.group_send(group, event)

    async_to_sync(send_all)()


def announce(group: str, event: dict[str, Any]) -> None:
    """Send `event` to `group` once the current transaction commits (at once outside one)."""
    # robust: a failing send (Redis unreachable) is logged and does not stop the next ones.
    transaction.on_commit(lambda: send_now(group, event), robust=True)


def crisis_group(hotline_id: int) -> str:
    """Everyone watching the hotline's crisis board."""
    return f"crisis.{hotline_id}"
