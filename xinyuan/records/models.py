"""The record each contact leaves (the wrap-up), and the hotline's taxonomy of issues."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinyuan.contacts.models import Contact, RiskLevel
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
