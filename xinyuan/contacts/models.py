"""Seekers, contacts (conversations), their messages, and counsellors' availability."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinyuan.core.crypto import EncryptedJSONField, EncryptedTextField
from xinyuan.core.models import Hotline, Membership


class RiskLevel(models.TextChoices):
    NONE = "none", _("none")
    ELEVATED = "elevated", _("elevated")
    HIGH = "high", _("high")
    IMMINENT = "imminent", _("imminent")


RISK_ORDER = [RiskLevel.NONE, RiskLevel.ELEVATED, RiskLevel.HIGH, RiskLevel.IMMINENT]


class Channel(models.TextChoices):
    CHAT = "chat", _("chat")
    VOICE = "voice", _("voice")
    VIDEO = "video", _("video")


class State(models.TextChoices):
    QUEUED = "queued", _("waiting")
    OFFERED = "offered", _("offered")
    ACTIVE = "active", _("in conversation")
    WRAP_UP = "wrap_up", _("wrap-up")
    CLOSED = "closed", _("closed")
    ABANDONED = "abandoned", _("abandoned")
    TRANSFERRED = "transferred", _("transferred")
    MISSED = "missed", _("missed")


# States in which a contact takes up a counsellor's capacity.
HOLDING_STATES = (State.OFFERED, State.ACTIVE)
OPEN_STATES = (State.QUEUED, State.OFFERED, State.ACTIVE)


class Seeker(models.Model):
    """Someone who reached out. Anonymous: known only by a token their browser keeps."""

    hotline = models.ForeignKey(Hotline, on_delete=models.PROTECT, related_name="seekers")
    # SHA-256 of the browser's token: the token itself is never stored.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Consent to be remembered on this device, so counsellors see earlier conversations
    # (records/queries.py); versioned, with its time, and withdrawable.
    remembered_at = models.DateTimeField(null=True, blank=True)
    remember_consent_version = models.CharField(max_length=20, blank=True)
    forgotten_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"seeker {self.pk}"

    @property
    def remembered(self) -> bool:
        """Consent given and not withdrawn since."""
        if self.remembered_at is None:
            return False
        return self.forgotten_at is None or self.forgotten_at < self.remembered_at


class Contact(models.Model):
    """One conversation between a seeker and the hotline, from the queue to the record."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hotline = models.ForeignKey(Hotline, on_delete=models.PROTECT, related_name="contacts")
    seeker = models.ForeignKey(Seeker, on_delete=models.PROTECT, related_name="contacts")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.CHAT)
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED, db_index=True)
    language = models.CharField(max_length=10, default="zh-hans")
    source = models.CharField(_("source platform"), max_length=40, blank=True)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, default=RiskLevel.NONE)
    # The phrases behind the level quote the seeker's words: encrypted.
    risk_evidence = EncryptedJSONField(default=list, blank=True)
    # Pre-chat answers; free text is encrypted in `intake_text`.
    intake = models.JSONField(default=dict, blank=True)
    intake_text = EncryptedTextField(blank=True, default="")
    specialty = models.CharField(max_length=30, blank=True)
    consent_version = models.CharField(max_length=20, blank=True)
    # Separate consent to processing sensitive personal information (PIPL art. 29), and a guardian's
    # for under-14s (art. 31), as given with this contact.
    sensitive_consent = models.BooleanField(default=False)
    guardian_consent = models.BooleanField(default=False)
    # A message left for a call-back while the line was closed: waits until `deferred_until`.
    callback = models.BooleanField(default=False)
    callback_phone = EncryptedTextField(blank=True, default="")
    # A keyed hash (HMAC) of the normalised phone number, to recognise a returning seeker without
    # storing the number in clear (records/phones.py); deleted with the number.
    callback_phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    deferred_until = models.DateTimeField(null=True, blank=True)

    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="contacts"
    )
    # Routing: queue order key (queued_at minus the level's head start), see contacts/routing.py.
    priority_at = models.DateTimeField(null=True, blank=True, db_index=True)
    front = models.BooleanField(default=False)
    declined_by = models.JSONField(default=list, blank=True)  # user ids
    offered_to_supervisors = models.BooleanField(default=False)
    preferred_counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    help_requested_at = models.DateTimeField(null=True, blank=True)
    # A supervisor who joined the conversation (the seeker is told): writes beside the counsellor.
    joined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Timestamps of every state change.
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    wrapped_up_at = models.DateTimeField(null=True, blank=True)
    abandoned_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=20, blank=True)  # seeker, counsellor, quick_exit, system
    seeker_seen_at = models.DateTimeField(null=True, blank=True)

    # The last message sequence number given out; messages are numbered 1, 2, 3 … per contact.
    last_seq = models.PositiveIntegerField(default=0)

    class Meta:
        indexes: ClassVar[list[Any]] = [models.Index(fields=["hotline", "state", "priority_at"])]

    def __str__(self) -> str:
        return f"contact {self.pk}"

    @property
    def waited_seconds(self) -> float | None:
        if self.queued_at is None:
            return None
        end = self.answered_at or self.abandoned_at or self.ended_at
        return (end - self.queued_at).total_seconds() if end else None


class Sender(models.TextChoices):
    SEEKER = "seeker", _("seeker")
    COUNSELLOR = "counsellor", _("counsellor")
    SUPERVISOR = "supervisor", _("supervisor")
    SYSTEM = "system", _("system")


class Message(models.Model):
    """One message of a contact, numbered by `seq`. Stored before it is announced."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveIntegerField()
    sender = models.CharField(max_length=12, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body = EncryptedTextField()
    # Staff-only notes (transfer notes, system notes for counsellors) are never sent to the seeker.
    staff_only = models.BooleanField(default=False)
    # The sender's idempotency key: re-sending with the same key returns the stored message.
    key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["seq"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["contact", "seq"], name="one_message_per_seq"),
            models.UniqueConstraint(
                fields=["contact", "sender", "key"], condition=~models.Q(key=""), name="one_message_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} #{self.seq}"


class Status(models.TextChoices):
    ON_DUTY = "on_duty", _("on duty")
    PAUSED = "paused", _("paused")
    OFF_DUTY = "off_duty", _("off duty")


class CounsellorState(models.Model):
    """A counsellor's availability and routing skills in one hotline."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="counsellor_state")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFF_DUTY)
    status_since = models.DateTimeField(null=True, blank=True)
    # When they last became free for more work (routing picks the longest idle).
    idle_since = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Set when the heartbeat went stale: their contacts go back to the queue after the grace period.
    disconnected_at = models.DateTimeField(null=True, blank=True)
    chat_limit = models.PositiveSmallIntegerField(_("chats at once"), default=2)
    languages = models.JSONField(default=list, blank=True)
    specialties = models.JSONField(default=list, blank=True)
    crisis_trained = models.BooleanField(_("crisis-trained"), default=False)

    def __str__(self) -> str:
        return f"{self.membership} {self.status}"
