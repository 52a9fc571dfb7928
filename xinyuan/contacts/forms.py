from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

CATEGORIES = [
    ("", _("Choose a category")),
    ("epidemic_anxiety", _("Epidemic and quarantine anxiety")),
    ("family", _("Family relations")),
    ("study_stress", _("Study and exam stress")),
    ("work_stress", _("Work stress")),
    ("relationships", _("Relationships")),
    ("grief", _("Grief")),
    ("sleep", _("Sleep")),
    ("loneliness", _("Loneliness and the elderly")),
    ("money", _("Money and job loss")),
    ("self_harm_suicide", _("Self-harm and suicide")),
    ("other", _("Other")),
]


class WrapUpForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), strip=True
    )
    category = forms.ChoiceField(label=_("Category"), choices=CATEGORIES)


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
