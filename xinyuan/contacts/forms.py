from __future__ import annotations

from django import forms
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
