from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinyuan.contacts.models import Channel

MAX_DAYS = 400


class ReportFilterForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(label=_("Channel"), required=False)

    def __init__(self, *args: Any, teams: list[tuple[int, str]], today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        team = self.fields["team"]
        assert isinstance(team, forms.TypedChoiceField)
        team.choices = [("", _("All teams")), *teams]
        if not teams:
            team.widget = forms.HiddenInput()
        channel = self.fields["channel"]
        assert isinstance(channel, forms.ChoiceField)
        channel.choices = [("", _("All channels")), *Channel.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        until = data.get("until") or self.today
        since = data.get("since") or until - timedelta(days=27)
        if since > until:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        if (until - since).days > MAX_DAYS:
            raise forms.ValidationError(_("Choose at most %(days)d days.") % {"days": MAX_DAYS})
        data["since"], data["until"] = since, until
        return data


class WeekForm(forms.Form):
    week = forms.DateField(label=_("Week of"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
