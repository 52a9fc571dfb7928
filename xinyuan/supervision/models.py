"""Supervision: which contacts are reviewed, the reviews and their feedback, group supervision
sessions, and debriefs offered after a crisis."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinyuan.contacts.models import Contact
from xinyuan.core.crypto import EncryptedTextField
from xinyuan.core.models import Hotline

# The seeds' five-dimension supervision model.
DEFAULT_DIMENSIONS = ("psychiatry", "counselling", "social_work", "volunteer_service", "administration")
DIMENSION_LABELS = {
    "psychiatry": _("Mental health and psychiatry"),
    "counselling": _("Psychological counselling"),
    "social_work": _("Social work"),
    "volunteer_service": _("Volunteer service"),
    "administration": _("Administration"),
}


def dimension_label(key: str) -> str:
    """A default dimension's translated name; a hotline's own dimension is named by its key."""
    return str(DIMENSION_LABELS.get(key, key))


class ReviewPolicy(models.Model):
    """Which of a hotline's contacts go to the review queue, and what a review scores."""

    hotline = models.OneToOneField(Hotline, on_delete=models.CASCADE, related_name="review_policy")
    review_high_risk = models.BooleanField(_("review every high and imminent contact"), default=True)
    review_low_ratings = models.BooleanField(_("review every contact the seeker rated 1 or 2"), default=True)
    sample_percent = models.PositiveSmallIntegerField(
        _("share of the other contacts reviewed at random (%)"),
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    # Dimension keys; empty means the five defaults (DEFAULT_DIMENSIONS).
    dimensions = models.JSONField(_("review dimensions"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"review policy of {self.hotline}"

    def dimension_keys(self) -> list[str]:
        return list(self.dimensions) or list(DEFAULT_DIMENSIONS)


class ReviewReason(models.TextChoices):
    HIGH_RISK = "high_risk", _("high or imminent risk")
    LOW_RATING = "low_rating", _("rated low by the seeker")
    RANDOM = "random", _("random sample")


class ReviewItem(models.Model):
    """The sampling decision on one ended contact; selected ones make the review queue."""

    hotline = models.ForeignKey(Hotline, on_delete=models.CASCADE, related_name="review_items")
    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="review_item")
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Every answered contact gets one decision; only selected ones wait for a review.
    selected = models.BooleanField(default=False)
    reasons = models.JSONField(default=list)
    sampled_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["sampled_at"]

    def __str__(self) -> str:
        return f"review item {self.contact_id}"

    def reason_labels(self) -> list[str]:
        labels = dict(ReviewReason.choices)
        return [str(labels.get(reason, reason)) for reason in self.reasons]


class Review(models.Model):
    """A supervisor's review of one contact: a 1–5 score per dimension and a comment, shared back
    to the counsellor (who sees only their own)."""

    hotline = models.ForeignKey(Hotline, on_delete=models.CASCADE, related_name="reviews")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    scores = models.JSONField(default=dict)  # dimension key -> 1..5
    comment = EncryptedTextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    shared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["contact", "reviewer"], name="one_review_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"review {self.pk}"

    def labelled_scores(self) -> list[tuple[str, int]]:
        return [(dimension_label(key), score) for key, score in self.scores.items()]


class GroupSession(models.Model):
    """A group supervision session; counted in the attendees' service hours."""

    hotline = models.ForeignKey(Hotline, on_delete=models.CASCADE, related_name="group_sessions")
    held_at = models.DateTimeField(_("held at"))
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="group_sessions_led",
        verbose_name=_("supervisor"),
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="group_sessions_attended", verbose_name=_("attendees")
    )
    topic = models.CharField(_("topic"), max_length=200)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-held_at"]

    def __str__(self) -> str:
        return f"{self.topic} ({self.held_at:%Y-%m-%d})"


class DebriefState(models.TextChoices):
    OFFERED = "offered", _("offered")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    SCHEDULED = "scheduled", _("scheduled")
    DONE = "done", _("done")


class Debrief(models.Model):
    """After a crisis contact ends, its counsellor is offered a debrief with a supervisor."""

    hotline = models.ForeignKey(Hotline, on_delete=models.CASCADE, related_name="debriefs")
    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="debrief")
    counsellor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20)  # high, imminent, escalation
    state = models.CharField(max_length=10, choices=DebriefState.choices, default=DebriefState.OFFERED)
    created_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    scheduled_for = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"debrief {self.pk} ({self.state})"
