"""Crisis escalations, what was done about them, and follow-up call-backs."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinyuan.contacts.models import Contact
from xinyuan.core.crypto import EncryptedTextField
from xinyuan.core.models import Hotline


class Stage(models.IntegerChoices):
    """Who is alerted. Each stage that passes unacknowledged widens the circle; none is ever dropped."""

    SUPERVISORS_ON_DUTY = 0, _("supervisors on duty")
    ALL_SUPERVISORS = 1, _("every supervisor")
    CRISIS_RESPONDERS = 2, _("every supervisor and crisis responder")


class EscalationState(models.TextChoices):
    OPEN = "open", _("waiting for someone to act")
    ACKNOWLEDGED = "acknowledged", _("being handled")
    RESOLVED = "resolved", _("resolved")


class Escalation(models.Model):
    hotline = models.ForeignKey(Hotline, on_delete=models.PROTECT, related_name="escalations")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="escalations")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # None: raised by the triage engine
    reason = models.TextField(blank=True)
    state = models.CharField(max_length=15, choices=EscalationState.choices, default=EscalationState.OPEN)
    stage = models.PositiveSmallIntegerField(choices=Stage.choices, default=Stage.SUPERVISORS_ON_DUTY)
    # The acknowledgement timer, claimed by the worker with a conditional UPDATE.
    ack_deadline_at = models.DateTimeField(null=True, blank=True, db_index=True)
    alerted = models.JSONField(default=list, blank=True)  # user ids alerted so far
    raised_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = EncryptedTextField(blank=True, default="")
    team_status = models.CharField(max_length=12, blank=True)  # en_route / arrived / resolved

    class Meta:
        ordering: ClassVar[list[str]] = ["-raised_at"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["contact"],
                condition=~models.Q(state="resolved"),
                name="one_open_escalation_per_contact",
            )
        ]

    def __str__(self) -> str:
        return f"escalation {self.pk} ({self.state})"


class StepKind(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    CALLED_110 = "called_110", _("called the police (110)")
    CALLED_119 = "called_119", _("called the fire service (119)")
    CALLED_120 = "called_120", _("called an ambulance (120)")
    TEAM_DISPATCHED = "team_dispatched", _("offline crisis team dispatched")
    TEAM_ARRIVED = "team_arrived", _("crisis team arrived")
    TEAM_RESOLVED = "team_resolved", _("crisis team finished")
    GUARDIAN_CONTACTED = "guardian_contacted", _("guardian or family contacted")
    LOCATION_SHARED = "location_shared", _("location shared by the seeker")
    IDENTIFIERS_OPENED = "identifiers_opened", _("identifiers opened in an emergency")
    NOTE = "note", _("note")
    RESOLVED = "resolved", _("resolved")


class EscalationStep(models.Model):
    """One thing done about an escalation, by whom and when."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=20, choices=StepKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    team = models.CharField(max_length=80, blank=True)
    # Addresses and locations are encrypted; the note may hold anything the responder wrote.
    address = EncryptedTextField(blank=True, default="")
    note = EncryptedTextField(blank=True, default="")

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.escalation_id} {self.kind}"


class FollowUp(models.Model):
    """A call-back owed to a seeker after a high or imminent contact."""

    hotline = models.ForeignKey(Hotline, on_delete=models.PROTECT, related_name="follow_ups")
    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, related_name="follow_up")
    due_at = models.DateTimeField(db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = EncryptedTextField(blank=True, default="")

    class Meta:
        ordering: ClassVar[list[str]] = ["due_at"]

    def __str__(self) -> str:
        return f"follow-up {self.contact_id} due {self.due_at:%Y-%m-%d %H:%M}"


class Assessment(models.Model):
    """A screening instrument on a contact: requested (sent to the seeker), then answered and scored."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="assessments")
    instrument = models.CharField(max_length=20)
    requested_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    # Who answered: the seeker (PHQ-9, GAD-7) or the counsellor (C-SSRS, ratings).
    answered_by_seeker = models.BooleanField(default=False)
    answers = models.JSONField(default=list, blank=True)
    recency = models.CharField(max_length=20, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    max_score = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=30, blank=True)
    flags = models.JSONField(default=list, blank=True)
    risk_level = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["requested_at", "pk"]

    def __str__(self) -> str:
        return f"{self.instrument} on {self.contact_id}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "instrument": self.instrument,
            "completed": self.completed_at is not None,
            "by_seeker": self.answered_by_seeker,
            "score": self.score,
            "max_score": self.max_score,
            "band": self.band,
            "flags": self.flags,
            "risk_level": self.risk_level,
        }


SAFETY_PLAN_SECTIONS = (
    ("warning_signs", _("Warning signs that a crisis may be starting")),
    ("coping", _("Things I can do on my own to cope")),
    ("distractions", _("People and places that take my mind off things")),
    ("people", _("People I can ask for help")),
    ("professionals", _("Professionals and services I can contact")),
    ("safe_environment", _("Making my surroundings safe")),
)


class SafetyPlan(models.Model):
    """A Stanley–Brown safety plan, built with the seeker during the conversation and given to them."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="safety_plan")
    # The sections as JSON, encrypted: they name the seeker's people, places and means.
    sections_json = EncryptedTextField(default="{}")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"safety plan of {self.contact_id}"
