"""Names of the triage engine's evidence kinds, for people (the engine itself stays Django-free)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LABELS: dict[str, Promise] = {
    "ideation": _("suicidal thoughts"),
    "intent": _("intent"),
    "passive_wish": _("wish to be dead"),
    "plan": _("plan"),
    "method": _("method"),
    "method_inquiry": _("asking about methods"),
    "means": _("means at hand"),
    "timeframe": _("timeframe"),
    "act_in_progress": _("act in progress"),
    "act_now": _("act in progress"),
    "farewell": _("farewell or giving things away"),
    "self_harm": _("self-harm"),
    "past_attempt": _("past attempt"),
    "hopelessness": _("hopelessness"),
    "burden": _("feeling a burden"),
    "worthlessness": _("worthlessness"),
    "harm_to_others": _("harm to others"),
    "pact": _("suicide pact"),
    "diagnosis": _("diagnosis with despair"),
    "place": _("dangerous place"),
    "dose": _("dose"),
    "lethal": _("lethal means"),
    "learned": _("like urgent messages the model learned from"),
}


def labels() -> dict[str, str]:
    return {kind: str(label) for kind, label in LABELS.items()}
