"""The record each contact leaves (the wrap-up), and the hotline's taxonomy of issues."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinyuan.contacts.models import Contact, RiskLevel, Seeker
from xinyuan.core.crypto import EncryptedTextField
from xinyuan.core.models import Hotline


class CallType(models.TextChoices):
    COUNSELLING = "counselling", _("counselling")
    SUICIDE_RISK = "suicide_risk", _("suicide risk")
    SILENT = "silent", _("silent")
    REPEAT_OR_HARASSING = "repeat_or_harassing", _("repeat or harassing")
    WRONG_NUMBER = "wrong_number", _("wrong number")
    INFORMATION = "information_request", _("information request")


# Call types that need no categories, interventions or narrative.
BRIEF_CALL_TYPES = frozenset({CallType.SILENT, CallType.WRONG_NUMBER})


class Intervention(models.TextChoices):
    LISTENING = "listening", _("listening and emotional support")
    PSYCHOEDUCATION = "psychoeducation", _("psychoeducation")
    PROBLEM_SOLVING = "problem_solving", _("problem solving")
    CRISIS = "crisis_intervention", _("crisis intervention")
    REFERRAL = "referral", _("referral")


# The seeds' issues; each hotline starts with these and may add its own.
DEFAULT_CATEGORIES = (
    ("epidemic_anxiety", _("Epidemic and quarantine anxiety")),
    ("family", _("Family relations")),
    ("online_classes", _("Parent–child conflict over online classes")),
    ("study_stress", _("Study and exam stress")),
    ("work_stress", _("Work stress")),
    ("relationships", _("Relationships")),
    ("grief", _("Grief")),
    ("sleep", _("Sleep")),
    ("psychiatric_diagnosis", _("Prior psychiatric diagnosis")),
    ("medical_burnout", _("Medical-worker burnout")),
    ("loneliness", _("Loneliness and the elderly")),
    ("money", _("Money and job loss")),
    ("self_harm_suicide", _("Self-harm and suicide")),
)


class IssueCategory(models.Model):
    hotline = models.ForeignKey(Hotline, on_delete=models.CASCADE, related_name="issue_categories")
    key = models.SlugField(max_length=40)
    label = models.CharField(_("label"), max_length=80)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["hotline", "key"], name="one_category_per_key")
        ]

    def __str__(self) -> str:
        return self.label


class ContactRecord(models.Model):
    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="record")
    call_type = models.CharField(_("call type"), max_length=20, choices=CallType.choices)
    categories = models.ManyToManyField(IssueCategory, related_name="records", blank=True)
    population = models.CharField(_("population group"), max_length=20, blank=True)
    final_risk_level = models.CharField(_("final risk level"), max_length=10, choices=RiskLevel.choices)
    interventions = models.JSONField(default=list, blank=True)
    referral_target = models.CharField(_("referred to"), max_length=200, blank=True)
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    summary = EncryptedTextField(_("summary"), blank=True, default="")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"record of {self.contact_id}"


# Cases: a returning seeker's contacts, with notes and follow-up tasks ------------------------------


class CaseStatus(models.TextChoices):
    OPEN = "open", _("open")
    IN_PROGRESS = "in_progress", _("in progress")
    CLOSED = "closed", _("closed")


class Case(models.Model):
    """The contacts of one seeker who agreed to be remembered (their token, or a phone number
    they gave; records/queries.py `linked_seeker_ids`), followed over time."""

    hotline = models.ForeignKey(Hotline, on_delete=models.PROTECT, related_name="cases")
    seekers = models.ManyToManyField(Seeker, related_name="cases")
    status = models.CharField(_("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-updated_at"]

    def __str__(self) -> str:
        return f"case {self.pk}"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"note {self.pk} of {self.case_id}"


class CaseTask(models.Model):
    """A follow-up to do by a day (in the hotline's time zone); overdue once that day has passed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = EncryptedTextField(_("task"))
    due_on = models.DateField(_("due on"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"task {self.pk} of {self.case_id}"

    def is_overdue(self, today: date) -> bool:
        return self.done_at is None and self.due_on < today


# Flags on a seeker, each with an expiry -----------------------------------------------------------


class FlagKind(models.TextChoices):
    BLOCKED = "blocked", _("harassing: new contacts refused")
    REPEAT = "repeat", _("repeat caller")
    KNOWN_RISK = "known_risk", _("known risk")


# How long a flag lasts, in hours.
FLAG_DURATIONS = (
    (1, _("1 hour")),
    (24, _("24 hours")),
    (24 * 7, _("7 days")),
    (24 * 30, _("30 days")),
    (24 * 90, _("90 days")),
)


class SeekerFlag(models.Model):
    """A note on a seeker that expires by time (compared with now; no job needed). A `blocked` flag
    refuses the seeker's new contacts until it expires or is lifted."""

    hotline = models.ForeignKey(Hotline, on_delete=models.PROTECT, related_name="seeker_flags")
    seeker = models.ForeignKey(Seeker, on_delete=models.CASCADE, related_name="flags")
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(_("flag"), max_length=12, choices=FlagKind.choices)
    # Why: it may quote the seeker, so encrypted.
    reason = EncryptedTextField(_("reason"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.seeker_id}"

    def is_active(self, now: datetime) -> bool:
        return self.lifted_at is None and self.expires_at > now
