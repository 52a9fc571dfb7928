"""Changes made by the reports app: a seeker's survey answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyuan.contacts.models import Contact, State
from xinyuan.core import audit
from xinyuan.reports.models import Change, SurveyResponse

# A conversation that really took place, and is over.
SURVEY_STATES = (State.WRAP_UP, State.CLOSED)
MAX_COMMENT = 1000


class SurveyError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SurveyAnswer:
    rating: int
    helpful: bool | None = None
    change: str = ""
    comment: str = ""
    language: str = ""


def validate(answer: SurveyAnswer) -> None:
    if not 1 <= answer.rating <= 5:
        raise SurveyError("rating", _("Choose a rating from 1 to 5."))
    if answer.change not in ("", *Change.values):
        raise SurveyError("change", _("Choose better, about the same or worse."))
    if len(answer.comment) > MAX_COMMENT:
        raise SurveyError(
            "comment", _("Please keep the comment under %(count)d characters.") % {"count": MAX_COMMENT}
        )


@transaction.atomic
def do_answer_survey(
    contact: Contact, answer: SurveyAnswer, *, now: datetime | None = None
) -> SurveyResponse:
    """The seeker's one answer about a conversation that took place and has ended."""
    validate(answer)
    contact = Contact.objects.select_for_update().select_related("hotline").get(pk=contact.pk)
    if contact.state not in SURVEY_STATES or contact.answered_at is None:
        raise SurveyError("not_ended", _("The survey opens when the conversation has ended."))
    if SurveyResponse.objects.filter(contact=contact).exists():
        raise SurveyError("answered", _("You have already answered. Thank you."))
    languages = {code for code, _name in settings.LANGUAGES}
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                contact=contact,
                rating=answer.rating,
                helpful=answer.helpful,
                change=answer.change,
                comment=answer.comment.strip(),
                language=answer.language if answer.language in languages else contact.language,
                created_at=now or timezone.now(),
            )
    except IntegrityError as error:  # answered at the same moment from another tab
        raise SurveyError("answered", _("You have already answered. Thank you.")) from error
    audit.log(
        audit.Action.SURVEY_ANSWERED,
        actor_name="seeker",
        hotline=contact.hotline,
        obj=contact,
        rating=answer.rating,
    )
    return response
