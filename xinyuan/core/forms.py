"""Forms of the core app: sign-in, two-factor, hotline settings."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from xinyuan.core.models import Hotline, Weekday
from xinyuan.core.roles import Role


class SigninForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("One-time code"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the 6 digits your authenticator app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        return str(self.cleaned_data["token"]).strip()


class HttpsURLField(forms.URLField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(assume_scheme="https", **kwargs)


class HotlineSettingsForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple
    )
    two_factor_roles = forms.MultipleChoiceField(
        label=_("Roles that need two-factor sign-in"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    transcript_roles = forms.MultipleChoiceField(
        label=_("Roles that may read any transcript"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The contact's own counsellor always may."),
    )
    record_roles = forms.MultipleChoiceField(
        label=_("Roles that may read any contact record"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    export_roles = forms.MultipleChoiceField(
        label=_("Roles that may export records"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    intake_fields = forms.MultipleChoiceField(
        label=_("Pre-chat questions"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: all of them are asked."),
    )

    class Meta:
        model = Hotline
        # A quick-exit address typed without a scheme is taken as https (Django 6's default).
        field_classes: ClassVar[dict[str, Any]] = {"quick_exit_url": HttpsURLField}
        fields = [
            "name",
            "time_zone",
            "languages",
            "always_open",
            "after_hours_message",
            "two_factor_roles",
            "offer_seconds",
            "max_wait_minutes",
            "counsellor_grace_seconds",
            "seeker_timeout_minutes",
            "intake_fields",
            "consent_version",
            "consent_text",
            "under_14_needs_guardian",
            "quick_exit_url",
            "transcript_roles",
            "record_roles",
            "export_roles",
            "counsellors_see_history",
            "record_before_next",
            "crisis_ack_seconds",
            "transcript_retention_days",
            "record_retention_days",
        ]
        widgets = {
            "after_hours_message": forms.Textarea(attrs={"rows": 4}),
            "consent_text": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from xinyuan.contacts.intake import QUESTIONS

        intake_field = self.fields["intake_fields"]
        assert isinstance(intake_field, forms.MultipleChoiceField)
        intake_field.choices = [(q.key, q.label) for q in QUESTIONS]
        self.fields["offer_seconds"].validators.append(MinValueValidator(10))


class OpeningPeriodForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=Weekday.choices, coerce=int)
    opens = forms.TimeField(label=_("Opens"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    closes = forms.TimeField(
        label=_("Closes"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("A closing time at or before the opening time runs past midnight."),
    )


class HolidayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    name = forms.CharField(label=_("Name"), max_length=80, required=False)


class CrisisResourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    number = forms.RegexField(
        label=_("Number"),
        max_length=40,
        regex=r"^[0-9+\-() ]{3,40}$",
        error_messages={"invalid": _("Use digits, spaces and + - ( ) only.")},
    )
    when_to_use = forms.CharField(label=_("When to use"), max_length=240, required=False)


class UniqueDatesFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        seen: set[Any] = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            day = form.cleaned_data["date"]
            if day in seen:
                raise ValidationError(_("Each holiday date may appear only once."))
            seen.add(day)


def _formset(form: type[forms.Form], base: type[forms.BaseFormSet] = forms.BaseFormSet) -> Any:
    return forms.formset_factory(form, formset=base, extra=2, can_delete=True)


OpeningPeriodFormSet = _formset(OpeningPeriodForm)
HolidayFormSet = _formset(HolidayForm, UniqueDatesFormSet)
CrisisResourceFormSet = _formset(CrisisResourceForm)


def kept_rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """The cleaned rows of a formset, without blank extra rows and rows marked for deletion."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class AuditFilterForm(forms.Form):
    person = forms.CharField(label=_("Person"), max_length=150, required=False)
    seeker = forms.CharField(
        label=_("Seeker or contact"), max_length=64, required=False, help_text=_("A contact's id.")
    )
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[])
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, actions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action_field = self.fields["action"]
        assert isinstance(action_field, forms.ChoiceField)
        action_field.choices = [("", "—"), *[(action, action) for action in actions]]
