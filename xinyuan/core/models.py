"""Tenancy, people, roles, sign-in records and the audit log."""

from __future__ import annotations

from typing import Any, ClassVar
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinyuan.core import hours
from xinyuan.core.roles import Role


class User(AbstractUser):
    """A person who signs in: counsellor, supervisor, coordinator… Seekers never have one."""

    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    language = models.CharField(
        _("interface language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )

    def __str__(self) -> str:
        return self.display_name or self.get_username()


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def default_transcript_roles() -> list[str]:
    return [Role.SUPERVISOR]


def default_record_roles() -> list[str]:
    return [Role.SUPERVISOR, Role.COORDINATOR, Role.ADMIN]


def default_export_roles() -> list[str]:
    return [Role.ADMIN]


class Hotline(models.Model):
    """The tenant: one hotline or counselling service, with its own people and contacts."""

    slug = models.SlugField(
        _("address name"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]*$", _("Use lower-case letters, digits and -."))],
        help_text=_("Used in web addresses, e.g. /h/<address name>/."),
    )
    name = models.CharField(_("name"), max_length=120)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    languages = models.JSONField(
        _("languages"), default=list, help_text=_("Languages the counsellors answer in.")
    )
    always_open = models.BooleanField(_("open 24 hours a day, 7 days a week"), default=False)
    after_hours_message = models.TextField(_("after-hours message"), blank=True)
    # Roles whose members must confirm sign-in with a one-time code.
    two_factor_roles = models.JSONField(_("roles that need two-factor sign-in"), default=list)
    # Live contacts.
    offer_seconds = models.PositiveSmallIntegerField(
        _("seconds a counsellor has to accept an offer"), default=30
    )
    max_wait_minutes = models.PositiveSmallIntegerField(
        _("longest wait before seekers are offered to leave a message"),
        default=10,
        help_text=_("When the estimated wait is longer, or nobody is on duty, the page offers a call-back."),
    )
    counsellor_grace_seconds = models.PositiveSmallIntegerField(
        _("seconds a disconnected counsellor keeps their contacts"), default=60
    )
    seeker_timeout_minutes = models.PositiveSmallIntegerField(
        _("minutes before a waiting seeker who left counts as abandoned"), default=5
    )
    intake_fields = models.JSONField(_("pre-chat questions"), default=list, blank=True)
    consent_version = models.CharField(_("consent version"), max_length=20, default="2026-1")
    # PIPL art. 31: personal information of children under 14 needs their guardian's consent.
    under_14_needs_guardian = models.BooleanField(
        _("seekers under 14 confirm their guardian's consent"), default=True
    )
    consent_text = models.TextField(_("consent notice"), blank=True)
    # Access rules (deny by default; the contact's own counsellor always reads its transcript).
    transcript_roles = models.JSONField(
        _("roles that may read any transcript"), default=default_transcript_roles
    )
    record_roles = models.JSONField(_("roles that may read any contact record"), default=default_record_roles)
    export_roles = models.JSONField(_("roles that may export records"), default=default_export_roles)
    counsellors_see_history = models.BooleanField(
        _("counsellors see a returning seeker's earlier contacts"), default=True
    )
    # Retention (China's 2021 guideline: keep records at least 3 years). Transcripts may go sooner:
    # 0 deletes them as soon as the record is written.
    transcript_retention_days = models.PositiveIntegerField(_("days transcripts are kept"), default=1095)
    record_retention_days = models.PositiveIntegerField(
        _("days records are kept before pseudonymising"), default=1095
    )
    record_before_next = models.BooleanField(
        _("counsellors write the record before their next contact"), default=True
    )
    crisis_ack_seconds = models.PositiveSmallIntegerField(
        _("seconds to acknowledge a crisis before it goes to more people"), default=60
    )
    quick_exit_url = models.URLField(
        _("quick exit page"), default="https://www.weather.com.cn/", help_text=_("A neutral page.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hotline")
        verbose_name_plural = _("hotlines")
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name

    def schedule(self) -> hours.Schedule:
        return hours.Schedule(
            time_zone=self.time_zone,
            always_open=self.always_open,
            periods=tuple(
                hours.Period(weekday=p.weekday, opens=p.opens, closes=p.closes)
                for p in self.opening_periods.all()
            ),
            closed_days=frozenset(h.date for h in self.holidays.all()),
        )


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningPeriod(models.Model):
    """Open on a weekday from `opens` to `closes` (local time; past midnight if closes ≤ opens)."""

    hotline = models.ForeignKey(Hotline, on_delete=models.CASCADE, related_name="opening_periods")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening period")
        ordering: ClassVar[list[str]] = ["weekday", "opens"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Holiday(models.Model):
    """A local date the line is closed, whatever its weekday hours say."""

    hotline = models.ForeignKey(Hotline, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("holiday")
        ordering: ClassVar[list[str]] = ["date"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["hotline", "date"], name="one_holiday_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class CrisisResource(models.Model):
    """A number to call when the hotline cannot help in time (120, 110, another line…)."""

    hotline = models.ForeignKey(Hotline, on_delete=models.CASCADE, related_name="crisis_resources")
    name = models.CharField(_("name"), max_length=120)
    number = models.CharField(_("number"), max_length=40)
    when_to_use = models.CharField(_("when to use"), max_length=240, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("crisis resource")
        ordering: ClassVar[list[str]] = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"


class Membership(models.Model):
    """A user serving a hotline. One person may serve several hotlines."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    hotline = models.ForeignKey(Hotline, on_delete=models.CASCADE, related_name="memberships")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["user", "hotline"], name="one_membership_per_hotline")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.hotline}"

    @property
    def roles(self) -> frozenset[str]:
        cached = getattr(self, "_roles", None)
        if cached is None:
            cached = frozenset(self.role_grants.values_list("role", flat=True))
            self._roles = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class MembershipRole(models.Model):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("role")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["membership", "role"], name="one_grant_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.membership} {self.role}"


class SessionRecord(models.Model):
    """A signed-in browser session, so a user can see and end their other sessions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_records"
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.last_seen_at:%Y-%m-%d %H:%M}"


class AuditEvent(models.Model):
    """Who did what, to what, in which hotline, when, from where and why. Written once, never changed."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The name at the time, kept even if the account changes, and for failed sign-ins of unknown names.
    actor_name = models.CharField(_("who"), max_length=150, blank=True)
    hotline = models.ForeignKey(Hotline, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("from"), null=True, blank=True)
    reason = models.TextField(_("why"), blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        ordering: ClassVar[list[str]] = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError("Audit events cannot be deleted.")
