"""Volunteers: applications and their credentials, profiles, training courses, duty requirements."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinyuan.core.crypto import EncryptedTextField
from xinyuan.core.models import Hotline, Membership


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class Education(models.TextChoices):
    SECONDARY = "secondary", _("Secondary school")
    ASSOCIATE = "associate", _("Associate degree (college)")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree")
    DOCTORATE = "doctorate", _("Doctorate")


class Profession(models.TextChoices):
    PSYCHIATRIST = "psychiatrist", _("Psychiatrist")
    NURSE = "nurse", _("Psychiatric or mental-health nurse")
    PSYCHOTHERAPIST = "psychotherapist", _("Psychotherapist")
    COUNSELLOR = "counsellor", _("Psychological counsellor (national level 2 or 3 certificate)")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    TEACHER = "teacher", _("Teacher")
    STUDENT = "student", _("Student")
    OTHER = "other", _("Other")


# Same codes as the routing specialties (contacts.forms.SPECIALTIES) where they overlap.
SPECIALTIES = [
    ("minor", _("Minors")),
    ("medical_worker", _("Medical workers")),
    ("elderly", _("The elderly")),
    ("family", _("Family and relationships")),
    ("grief", _("Grief and loss")),
    ("student", _("Students")),
    ("trauma", _("Trauma and disasters")),
]

LANGUAGES = [
    ("zh-hans", _("Mandarin Chinese")),
    ("yue", _("Cantonese")),
    ("en", _("English")),
    ("other", _("Another language or dialect")),
]


class Stage(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SCREENING = "screening", _("Screening")
    INTERVIEW = "interview", _("Interview")
    TRAINING = "training", _("Training")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")


# The moves a coordinator may make from each stage. Active and rejected are final.
NEXT_STAGES: dict[str, tuple[str, ...]] = {
    Stage.SUBMITTED: (Stage.SCREENING, Stage.REJECTED),
    Stage.SCREENING: (Stage.INTERVIEW, Stage.REJECTED),
    Stage.INTERVIEW: (Stage.TRAINING, Stage.REJECTED),
    Stage.TRAINING: (Stage.ACTIVE, Stage.REJECTED),
    Stage.ACTIVE: (),
    Stage.REJECTED: (),
}


class Application(models.Model):
    """Someone asking to volunteer for a hotline, from the public form."""

    hotline = models.ForeignKey(Hotline, on_delete=models.CASCADE, related_name="volunteer_applications")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.SUBMITTED)
    name = models.CharField(_("name"), max_length=80)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    education = models.CharField(_("education"), max_length=12, choices=Education.choices)
    profession = models.CharField(_("profession"), max_length=20, choices=Profession.choices)
    experience = EncryptedTextField(_("crisis intervention experience"), blank=True)
    languages = models.JSONField(_("languages"), default=list)
    specialties = models.JSONField(_("specialties"), default=list, blank=True)
    availability = models.TextField(_("availability"), blank=True)
    email = models.EmailField(_("e-mail"))
    phone = EncryptedTextField(_("phone"))
    consent_at = models.DateTimeField(_("consent given"))
    # The language the form was filled in, for the e-mails that follow.
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    stage_changed_at = models.DateTimeField(_("stage changed"), null=True, blank=True)
    # Set on activation: the membership this application became.
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="volunteer_applications"
    )

    class Meta:
        verbose_name = _("volunteer application")
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_stage_display()})"

    def next_stages(self) -> list[tuple[str, str]]:
        return [(stage, str(Stage(stage).label)) for stage in NEXT_STAGES[self.stage]]


class Credential(models.Model):
    """A certificate the applicant holds, with its number and an encrypted scan on private disk."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(_("certificate"), max_length=120)
    number = EncryptedTextField(_("certificate number"))
    # The scan: a random file name under VAR_DIR/uploads/credentials, encrypted with the key ring.
    file_name = models.CharField(_("file name"), max_length=120, blank=True)
    stored_as = models.CharField(max_length=80, blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    size = models.PositiveIntegerField(default=0)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("credential")
        ordering: ClassVar[list[str]] = ["id"]

    def __str__(self) -> str:
        return self.kind


class ApplicationNote(models.Model):
    """A coordinator's note, and the stage change it came with (if any)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_stage = models.CharField(max_length=12, choices=Stage.choices)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    text = EncryptedTextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class VolunteerProfile(models.Model):
    """Who a volunteer is, for rosters and reports (gender, age, education, profession)."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="volunteer_profile")
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, default=Gender.UNDISCLOSED)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    education = models.CharField(_("education"), max_length=12, choices=Education.choices, blank=True)
    profession = models.CharField(_("profession"), max_length=20, choices=Profession.choices, blank=True)
    application = models.OneToOneField(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="profile"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer profile")

    def __str__(self) -> str:
        return str(self.membership)


class Course(models.Model):
    """A training course of one hotline: materials to read and a quiz to pass."""

    hotline = models.ForeignKey(Hotline, on_delete=models.CASCADE, related_name="courses")
    # The standard courses have a key (ethics, crisis, platform) so they are added only once.
    key = models.SlugField(max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=120)
    summary = models.TextField(_("summary"), blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (percentage of questions right)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    validity_days = models.PositiveIntegerField(_("days a pass stays valid"), default=365)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("course")
        ordering: ClassVar[list[str]] = ["position", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["hotline", "key"], condition=~models.Q(key=""), name="one_standard_course_per_key"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Material(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), blank=True)
    url = models.URLField(_("link"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("answer"), max_length=200)
    is_correct = models.BooleanField(_("correct"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class Attempt(models.Model):
    """One try at a course's quiz."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="attempts")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="training_attempts")
    answers = models.JSONField(default=dict)  # question id -> choice id
    score = models.PositiveSmallIntegerField()  # percent right
    passed = models.BooleanField()
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.course_id} {self.score}%"


class Completion(models.Model):
    """A passed course, valid for the course's validity from `completed_at`."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="completions")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="training_completions")
    attempt = models.OneToOneField(
        Attempt, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(_("completed"))
    # The renewal reminder is sent once per completion; the worker claims it by setting this.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-completed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.course_id} {self.completed_at:%Y-%m-%d}"

    def expires_at(self) -> datetime:
        return self.completed_at + timedelta(days=self.course.validity_days)

    def is_valid(self, now: datetime) -> bool:
        return now < self.expires_at()


class DutyRequirements(models.Model):
    """What a hotline asks of a volunteer before they may go on duty. Nothing, by default."""

    hotline = models.OneToOneField(Hotline, on_delete=models.CASCADE, related_name="duty_requirements")
    verified_credential = models.BooleanField(_("a credential verified by a coordinator"), default=False)
    courses = models.ManyToManyField(Course, blank=True, related_name="+", verbose_name=_("courses passed"))
    only_applicants = models.BooleanField(
        _("only for volunteers who joined through an application"),
        default=True,
        help_text=_(
            "Leave on so members added by hand (supervisors, earlier volunteers) are not locked out."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("duty requirements")

    def __str__(self) -> str:
        return f"{self.hotline}"
