"""The seekers' satisfaction survey, and a hotline's report settings (its service-level target)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinyuan.contacts.models import Contact
from xinyuan.core.crypto import EncryptedTextField
from xinyuan.core.models import Hotline


class Change(models.TextChoices):
    BETTER = "better", _("better")
    SAME = "same", _("about the same")
    WORSE = "worse", _("worse")


# Ratings of 4 and 5 count as satisfied; 1 and 2 are low (reviewed by supervisors).
SATISFIED_RATINGS = (4, 5)
LOW_RATINGS = (1, 2)


class SurveyResponse(models.Model):
    """A seeker's answer to the short survey after a contact ended. One per contact."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="survey")
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    helpful = models.BooleanField(_("was it helpful"), null=True, blank=True)
    change = models.CharField(
        _("feel compared with before"), max_length=6, choices=Change.choices, blank=True
    )
    # The seeker's own words: encrypted, cleared with the rest of their words.
    comment = EncryptedTextField(_("comment"), blank=True, default="")
    language = models.CharField(max_length=10, blank=True)
    # Not auto_now_add: the demo history writes past answers.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("survey response")
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="rating_1_to_5")
        ]

    def __str__(self) -> str:
        return f"survey of {self.contact_id}: {self.rating}"

    @property
    def is_low(self) -> bool:
        return self.rating in LOW_RATINGS


class ReportSettings(models.Model):
    """Report settings of a hotline (kept here so core.Hotline needs no report fields)."""

    hotline = models.OneToOneField(Hotline, on_delete=models.CASCADE, related_name="report_settings")
    service_level_seconds = models.PositiveIntegerField(
        _("answer within (seconds)"),
        default=60,
        help_text=_("A contact answered within this many seconds of arriving counts as answered in time."),
    )
    service_level_target = models.PositiveSmallIntegerField(
        _("target share answered in time (%)"), default=80, validators=[MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")

    def __str__(self) -> str:
        return f"report settings of {self.hotline}"
