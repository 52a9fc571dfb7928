"""The contacts part of the demo: counsellors ready to go on duty, with skills."""

from __future__ import annotations

from xinyuan.contacts.actions import counsellor_state
from xinyuan.contacts.models import CounsellorState
from xinyuan.core.models import Membership
from xinyuan.core.roles import Role

CRISIS_TRAINED = {"counsellor", "supervisor", "lead"}


def load() -> None:
    for membership in (
        Membership.objects.select_related("user", "hotline")
        .filter(role_grants__role__in=[Role.COUNSELLOR, Role.SUPERVISOR, Role.TEAM_LEAD])
        .distinct()
    ):
        state = counsellor_state(membership)
        CounsellorState.objects.filter(pk=state.pk).update(
            crisis_trained=membership.user.username in CRISIS_TRAINED,
            chat_limit=3 if membership.user.username == "counsellor" else 2,
            specialties=["minor"] if membership.user.username == "counsellor2" else [],
        )
