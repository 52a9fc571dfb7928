"""The pre-chat questions a hotline can ask, and checking a seeker's answers to them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

WHAT_IS_HAPPENING = "what_is_happening"
MAX_TEXT = 2000


@dataclass(frozen=True)
class Question:
    key: str
    label: Promise
    choices: tuple[tuple[str, Promise], ...] = ()  # empty: free text

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": str(self.label),
            "kind": "choice" if self.choices else "text",
            "choices": [{"value": value, "label": str(label)} for value, label in self.choices],
        }


QUESTIONS: tuple[Question, ...] = (
    Question("about", _("Who is this about?"), (("self", _("Myself")), ("other", _("Someone else")))),
    Question(
        "age_band",
        _("Age"),
        (
            ("under_14", _("Under 14")),
            ("14_17", _("14–17")),
            ("18_24", _("18–24")),
            ("25_44", _("25–44")),
            ("45_64", _("45–64")),
            ("65_plus", _("65 or older")),
        ),
    ),
    Question(
        "gender",
        _("Gender"),
        (
            ("female", _("Female")),
            ("male", _("Male")),
            ("other", _("Other")),
            ("unsaid", _("Prefer not to say")),
        ),
    ),
    Question("region", _("Region (province or city)")),
    Question(
        "population",
        _("Which describes you best?"),
        (
            ("student", _("Student")),
            ("parent", _("Parent")),
            ("medical_worker", _("Medical worker")),
            ("quarantined", _("Quarantined resident")),
            ("patient_family", _("Patient or family of a patient")),
            ("worker", _("Worker")),
            ("elderly", _("Elderly")),
            ("other", _("Other")),
        ),
    ),
    Question(WHAT_IS_HAPPENING, _("What is happening? (optional)")),
)
BY_KEY = {question.key: question for question in QUESTIONS}
DEFAULT_KEYS = [question.key for question in QUESTIONS]
# Groups whose contacts prefer a counsellor trained for them.
SPECIALTY_OF_POPULATION = {"medical_worker": "medical_worker", "elderly": "elderly"}


def questions_for(keys: list[str]) -> list[Question]:
    return [BY_KEY[key] for key in (keys or DEFAULT_KEYS) if key in BY_KEY]


def clean_answers(keys: list[str], answers: dict[str, Any]) -> tuple[dict[str, str], str, dict[str, str]]:
    """Split and check answers: (choices and short answers, the free text, errors by key).

    Unknown keys are errors, so nothing unexpected is stored. Every answer is optional.
    """
    asked = {question.key: question for question in questions_for(keys)}
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    text = ""
    for key, raw in answers.items():
        question = asked.get(key)
        if question is None:
            errors[key] = str(_("This question is not asked here."))
            continue
        if raw is None or raw == "":
            continue
        if not isinstance(raw, str):
            errors[key] = str(_("Answer with text."))
            continue
        value = raw.strip()
        if question.choices and value not in {choice for choice, _label in question.choices}:
            errors[key] = str(_("Choose one of the answers offered."))
        elif key == WHAT_IS_HAPPENING:
            if len(value) > MAX_TEXT:
                errors[key] = str(_("Please keep this under %(count)d characters.") % {"count": MAX_TEXT})
            text = value
        elif len(value) > 80:
            errors[key] = str(_("Please keep this under %(count)d characters.") % {"count": 80})
        else:
            values[key] = value
    return values, text, errors


def specialty_for(values: dict[str, str]) -> str:
    if values.get("age_band") in {"under_14", "14_17"}:
        return "minor"
    return SPECIALTY_OF_POPULATION.get(values.get("population", ""), "")
