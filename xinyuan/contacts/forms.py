from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

SPECIALTIES = [
    ("minor", _("Minors")),
    ("medical_worker", _("Medical workers")),
    ("elderly", _("The elderly")),
]


class CounsellorSkillsForm(forms.Form):
    chat_limit = forms.IntegerField(label=_("Chats at once"), min_value=1, max_value=10)
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple
    )
    specialties = forms.MultipleChoiceField(
        label=_("Specialties"), choices=SPECIALTIES, required=False, widget=forms.CheckboxSelectMultiple
    )
    crisis_trained = forms.BooleanField(
        label=_("Crisis-trained (may take high and imminent risk)"), required=False
    )
