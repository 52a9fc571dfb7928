"""Teams, shift templates, shifts and sign-ups, swaps, duty periods, hours approvals, roster imports."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinyuan.core.crypto import EncryptedTextField
from xinyuan.core.models import Hotline, Membership


class SchedulingSettings(models.Model):
    """A hotline's staffing targets and reminder lead time (defaults until a coordinator sets them)."""

    hotline = models.OneToOneField(Hotline, on_delete=models.CASCADE, related_name="scheduling_settings")
    target_seconds = models.PositiveIntegerField(_("answer within (seconds)"), default=20)
    service_level = models.FloatField(
        _("share answered within that time"),
        default=0.8,
        validators=[MinValueValidator(0.01), MaxValueValidator(0.99)],
    )
    aht_minutes = models.FloatField(
        _("average handle time (minutes)"), default=20.0, validators=[MinValueValidator(0.1)]
    )
    shrinkage = models.FloatField(
        _("shrinkage (share of scheduled time off the floor)"),
        default=0.3,
        validators=[MinValueValidator(0), MaxValueValidator(0.9)],
    )
    # None: the average chat limit of the hotline's counsellors.
    concurrency = models.PositiveSmallIntegerField(
        _("contacts a counsellor handles at once"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Leave empty to use the counsellors' average chat limit."),
    )
    forecast_weeks = models.PositiveSmallIntegerField(
        _("weeks of history for the forecast"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
    )
    reminder_hours = models.PositiveSmallIntegerField(
        _("hours before a shift to send a reminder"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
    )

    def __str__(self) -> str:
        return f"scheduling settings of {self.hotline}"


class Team(models.Model):
    hotline = models.ForeignKey(Hotline, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["hotline", "name"], name="one_team_name_per_hotline")
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    """A member belongs to at most one team of their hotline; leads manage it."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="team_member")
    is_lead = models.BooleanField(_("team lead"), default=False)

    class Meta:
        verbose_name = _("team member")

    def __str__(self) -> str:
        return f"{self.membership} in {self.team}"


class ShiftTemplate(models.Model):
    """A repeating shift: on these weekdays from `opens` to `closes` (local; past midnight if
    closes ≤ opens), optionally cut into blocks, with this many seats."""

    hotline = models.ForeignKey(Hotline, on_delete=models.CASCADE, related_name="shift_templates")
    name = models.CharField(_("name"), max_length=80)
    weekdays = models.JSONField(_("weekdays"), default=list)  # 0 = Monday
    opens = models.TimeField(_("starts"))
    closes = models.TimeField(_("ends"))
    block_hours = models.PositiveSmallIntegerField(
        _("cut into blocks of (hours)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("E.g. 4 for 24/7 in 4-hour blocks. Empty: one shift."),
    )
    seats = models.PositiveSmallIntegerField(
        _("seats"), default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="templates",
        verbose_name=_("team"),
    )

    class Meta:
        verbose_name = _("shift template")
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    hotline = models.ForeignKey(Hotline, on_delete=models.CASCADE, related_name="shifts")
    template = models.ForeignKey(
        ShiftTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="shifts"
    )
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="shifts")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    seats = models.PositiveSmallIntegerField(default=1)
    # Kept equal to the number of sign-ups; the conditional UPDATE on it is what makes sign-up race-safe.
    taken = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["starts_at", "id"]
        constraints: ClassVar[list[Any]] = [
            # Generating twice makes nothing new.
            models.UniqueConstraint(fields=["template", "starts_at"], name="one_shift_per_template_start"),
            models.CheckConstraint(
                condition=models.Q(taken__lte=models.F("seats")), name="shift_not_overbooked"
            ),
        ]

    def __str__(self) -> str:
        return f"shift {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def free_seats(self) -> int:
        return max(0, self.seats - self.taken)


class SignUp(models.Model):
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="shift_signups")
    created_at = models.DateTimeField(auto_now_add=True)
    # The reminder timer: set once, by the conditional UPDATE that claims it.
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["shift", "membership"], name="one_signup_per_shift")
        ]

    def __str__(self) -> str:
        return f"{self.membership} on {self.shift}"


class SwapState(models.TextChoices):
    OPEN = "open", _("offered")
    TAKEN = "taken", _("waiting for the lead")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    CANCELLED = "cancelled", _("withdrawn")


class SwapRequest(models.Model):
    """A volunteer offers their sign-up; another takes it (cover), optionally giving one of theirs
    in return (swap); the lead approves and only then the sign-ups move."""

    hotline = models.ForeignKey(Hotline, on_delete=models.CASCADE, related_name="swap_requests")
    signup = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="swap_requests")
    offered_by = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    taken_by = models.ForeignKey(
        Membership, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # A swap: the taker's sign-up that goes to the offerer in return.
    in_return = models.ForeignKey(SignUp, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    state = models.CharField(max_length=10, choices=SwapState.choices, default=SwapState.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"swap {self.pk} {self.state}"


class CalendarFeed(models.Model):
    """A volunteer's secret calendar address; a new token revokes the old address."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar of {self.membership}"


class DutyPeriod(models.Model):
    """Time a counsellor was on duty, from the console's status changes."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="duty_periods")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["started_at"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["membership", "started_at"])]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["membership"], condition=models.Q(ended_at__isnull=True), name="one_open_duty_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership} {self.started_at:%Y-%m-%d %H:%M}"


class HoursApproval(models.Model):
    """A team's service hours for a month, approved by its lead or a coordinator."""

    hotline = models.ForeignKey(Hotline, on_delete=models.CASCADE, related_name="hours_approvals")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="hours_approvals")
    month = models.DateField()  # the 1st of the month
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField()
    # The figures as approved: {membership id: hours}.
    figures = models.JSONField(default=dict)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["team", "month"], name="one_approval_per_team_month")
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.month:%Y-%m}"


class RosterDetails(models.Model):
    """What a roster import brings that has no other home: the phone number (encrypted)."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="roster_details")
    phone = EncryptedTextField(blank=True, default="")

    def __str__(self) -> str:
        return f"details of {self.membership}"


class ImportState(models.TextChoices):
    PENDING = "pending", _("waiting")
    RUNNING = "running", _("checking")
    FAILED = "failed", _("not imported: see the errors")
    DONE = "done", _("imported")


class RosterImport(models.Model):
    """An uploaded roster, checked and saved by the worker; the page polls `processed`."""

    hotline = models.ForeignKey(Hotline, on_delete=models.CASCADE, related_name="roster_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=200)
    # The workbook, base64, encrypted (it holds phone numbers); emptied once processed.
    content = EncryptedTextField(blank=True, default="")
    state = models.CharField(max_length=10, choices=ImportState.choices, default=ImportState.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # [{"row": 3, "column": "team", "message": "…"}]
    summary = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"import {self.file_name}"

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
