from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinyuan.volunteers import files
from xinyuan.volunteers.models import (
    LANGUAGES,
    SPECIALTIES,
    Application,
    Course,
    Education,
    Gender,
    Profession,
    Stage,
)

# Professions that practise under a licence or certificate: the application must show it.
CERTIFIED = {Profession.PSYCHIATRIST, Profession.NURSE, Profession.PSYCHOTHERAPIST, Profession.COUNSELLOR}


class ApplicationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    birth_year = forms.IntegerField(label=_("Year of birth"))
    education = forms.ChoiceField(label=_("Education"), choices=Education.choices)
    profession = forms.ChoiceField(label=_("Profession"), choices=Profession.choices)
    credential_kind = forms.CharField(
        label=_("Certificate"),
        max_length=120,
        required=False,
        help_text=_("e.g. psychological counsellor, national level 2; licensed nurse."),
    )
    certificate_number = forms.CharField(label=_("Certificate number"), max_length=60, required=False)
    certificate_scan = forms.FileField(
        label=_("Scan or photo of the certificate"),
        required=False,
        help_text=_("PDF, JPEG or PNG, up to 5 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )
    experience = forms.CharField(
        label=_("Crisis intervention experience"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Where, how long, what kind of crises (optional)."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you can counsel in"), choices=LANGUAGES, widget=forms.CheckboxSelectMultiple
    )
    specialties = forms.MultipleChoiceField(
        label=_("Groups you are trained for"),
        choices=SPECIALTIES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.CharField(
        label=_("When you can serve"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. two evenings a week, weekends."),
    )
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        validators=[
            RegexValidator(r"^\+?[0-9][0-9 -]{5,18}$", _("Enter a phone number: digits, spaces, + and -."))
        ],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that this hotline processes my personal information, including my certificate "
            "and phone number, to screen my application and, if accepted, to organise my service."
        )
    )

    scan_type = ""  # the scan's type, as its first bytes show

    def clean_birth_year(self) -> int:
        year = int(self.cleaned_data["birth_year"])
        this_year = timezone.now().year
        if not this_year - 90 <= year <= this_year - 16:
            raise forms.ValidationError(_("Volunteers are 16 to 90 years old; check the year."))
        return year

    def clean_certificate_scan(self) -> Any:
        upload = self.cleaned_data.get("certificate_scan")
        if not upload:
            return None
        if upload.size > files.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        head = upload.read(16)
        upload.seek(0)
        content_type = files.sniff(head, upload.name or "")
        if content_type is None:
            raise forms.ValidationError(_("Upload a PDF, JPEG or PNG file."))
        self.scan_type = content_type
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, number = data.get("credential_kind", ""), data.get("certificate_number", "")
        has_scan = bool(data.get("certificate_scan")) or "certificate_scan" in self.errors
        if kind or number or has_scan or data.get("profession") in CERTIFIED:
            if not kind:
                self.add_error("credential_kind", _("Name the certificate."))
            if not number:
                self.add_error("certificate_number", _("Give the certificate number."))
            if not has_scan:
                self.add_error("certificate_scan", _("Upload a scan or photo of the certificate."))
        return data


class MoveForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Move to"), required=False)
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_stage"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("(stay; add the note only)")), *application.next_stages()]


class StageFilterForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("All stages")), *Stage.choices]
    )


class RequirementsForm(forms.Form):
    verified_credential = forms.BooleanField(
        label=_("A credential verified by a coordinator"), required=False
    )
    courses = forms.ModelMultipleChoiceField(
        label=_("Courses passed (and not expired)"),
        queryset=Course.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    only_applicants = forms.BooleanField(
        label=_("Only for volunteers who joined through an application"),
        required=False,
        help_text=_(
            "Leave on so members added by hand (supervisors, earlier volunteers) are not locked out."
        ),
    )

    def __init__(self, *args: Any, hotline_courses: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["courses"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = hotline_courses


class QuizForm(forms.Form):
    """One radio group per question of the course."""

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in course.questions.prefetch_related("choices"):
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=question.text,
                choices=[(choice.pk, choice.text) for choice in question.choices.all()],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer this question.")},
            )

    def answers(self) -> dict[int, int]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items()}
