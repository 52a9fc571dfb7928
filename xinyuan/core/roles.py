"""The roles a member of a hotline can hold."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNSELLOR = "counsellor", _("Counsellor")
    TEAM_LEAD = "team_lead", _("Team lead")
    SUPERVISOR = "supervisor", _("Supervisor")
    CRISIS_RESPONDER = "crisis_responder", _("Crisis responder")
    COORDINATOR = "coordinator", _("Coordinator")
    ADMIN = "admin", _("Administrator")


# Who may change a hotline's settings.
SETTINGS_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})
