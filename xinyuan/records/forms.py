from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinyuan.contacts.intake import BY_KEY
from xinyuan.contacts.models import RiskLevel
from xinyuan.core.models import User
from xinyuan.records.models import (
    BRIEF_CALL_TYPES,
    FLAG_DURATIONS,
    CallType,
    CaseStatus,
    FlagKind,
    Intervention,
    IssueCategory,
)


class ContactRecordForm(forms.Form):
    """The wrap-up record. Categories, interventions and a narrative are required unless the contact
    was silent or a wrong number; a referral needs its target."""

    call_type = forms.ChoiceField(label=_("Call type"), choices=[("", "—"), *CallType.choices])
    categories = forms.ModelMultipleChoiceField(
        label=_("Issues"),
        queryset=IssueCategory.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    population = forms.ChoiceField(label=_("Population group"), required=False)
    final_risk_level = forms.ChoiceField(label=_("Final risk level"), choices=RiskLevel.choices)
    interventions = forms.MultipleChoiceField(
        label=_("Interventions"),
        choices=Intervention.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    referral_target = forms.CharField(label=_("Referred to"), max_length=200, required=False)
    follow_up_needed = forms.BooleanField(label=_("Follow-up needed"), required=False)
    summary = forms.CharField(
        label=_("Summary"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, hotline_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = self.fields["categories"]
        assert isinstance(categories, forms.ModelMultipleChoiceField)
        categories.queryset = IssueCategory.objects.filter(hotline_id=hotline_id, active=True)
        population = self.fields["population"]
        assert isinstance(population, forms.ChoiceField)
        population.choices = [("", "—"), *BY_KEY["population"].choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("call_type") in BRIEF_CALL_TYPES:
            return data
        if not data.get("categories"):
            self.add_error("categories", _("Choose at least one issue."))
        if not data.get("interventions"):
            self.add_error("interventions", _("Choose what you did (at least one intervention)."))
        if len((data.get("summary") or "").strip()) < 10:
            self.add_error("summary", _("Write a short summary (at least 10 characters)."))
        if Intervention.REFERRAL in (data.get("interventions") or []) and not data.get("referral_target"):
            self.add_error("referral_target", _("Say where you referred the seeker."))
        return data


class SeekerFlagForm(forms.Form):
    kind = forms.ChoiceField(label=_("Flag"), choices=FlagKind.choices)
    hours = forms.TypedChoiceField(label=_("For"), choices=FLAG_DURATIONS, coerce=int, initial=24)
    reason = forms.CharField(
        label=_("Reason"), min_length=5, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("any")), *CaseStatus.choices], required=False
    )
    overdue = forms.BooleanField(label=_("Only cases with overdue tasks"), required=False)


class CaseStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)


class CaseNoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_body(self) -> str:
        body = str(self.cleaned_data["body"]).strip()
        if not body:
            raise forms.ValidationError(_("Write the note."))
        return body


class CaseTaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=300)
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    assignee = forms.ModelChoiceField(label=_("Assigned to"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, hotline_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)
        # Only the hotline's active members may be given a task.
        assignee.queryset = User.objects.filter(
            memberships__hotline_id=hotline_id, memberships__is_active=True
        ).order_by("username")
