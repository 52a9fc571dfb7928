from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xinyuan.risk.models import StepKind

RECORDABLE = [
    (kind.value, kind.label)
    for kind in StepKind
    if kind not in (StepKind.ACKNOWLEDGED, StepKind.RESOLVED, StepKind.IDENTIFIERS_OPENED)
]


class StepForm(forms.Form):
    kind = forms.ChoiceField(label=_("What was done"), choices=RECORDABLE)
    team = forms.CharField(label=_("Team (for a dispatch)"), max_length=80, required=False)
    address = forms.CharField(
        label=_("Address or location"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class IdentifiersForm(forms.Form):
    reason = forms.CharField(label=_("Why you need them"), min_length=5, max_length=2000)


class FollowUpForm(forms.Form):
    note = forms.CharField(label=_("What happened on the call-back"), max_length=2000)
