"""Forms of the scheduling pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinyuan.core.models import Hotline, Weekday
from xinyuan.scheduling.models import SchedulingSettings, ShiftTemplate, Team
from xinyuan.scheduling.spreadsheets import MAX_FILE_BYTES


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=80)


class MemberForm(forms.Form):
    membership = forms.ChoiceField(label=_("Member"))
    is_lead = forms.BooleanField(label=_("Team lead"), required=False)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], allow_lead: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = choices  # type: ignore[attr-defined]
        if not allow_lead:
            del self.fields["is_lead"]


class TemplateForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"), choices=Weekday.choices, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ShiftTemplate
        fields = ("name", "weekdays", "opens", "closes", "block_hours", "seats", "team")
        widgets = {
            "opens": forms.TimeInput(attrs={"type": "time"}),
            "closes": forms.TimeInput(attrs={"type": "time"}),
        }
        help_texts = {"closes": _("An end at or before the start runs past midnight.")}

    def __init__(self, *args: Any, hotline: Hotline, team: Team | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(hotline=hotline)
        field = self.fields["team"]
        if team is not None:  # a lead's templates are their team's
            field.queryset = teams.filter(pk=team.pk)  # type: ignore[attr-defined]
            field.required = True
            field.empty_label = None  # type: ignore[attr-defined]
        else:
            field.queryset = teams  # type: ignore[attr-defined]


class GenerateForm(forms.Form):
    first_day = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        if isinstance(first, date) and isinstance(last, date) and last < first:
            self.add_error("last_day", _("The last day is before the first."))
        return data


class OfferForm(forms.Form):
    note = forms.CharField(label=_("Note for your team"), max_length=200, required=False)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = SchedulingSettings
        fields = (
            "target_seconds",
            "service_level",
            "aht_minutes",
            "shrinkage",
            "concurrency",
            "forecast_weeks",
            "reminder_hours",
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Roster (.xlsx)"),
        help_text=_("Columns: name, username, email, phone, team, roles, languages, specialties."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx)."))
        head = upload.read(4)
        upload.seek(0)
        if head != b"PK\x03\x04":  # xlsx files are zip archives
            raise forms.ValidationError(_("This is not an Excel (.xlsx) workbook."))
        return upload


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
