"""Forms of the supervision pages: the review, the review policy, a group session, a debrief's time."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinyuan.core.models import Hotline, User
from xinyuan.supervision import queries
from xinyuan.supervision.models import DEFAULT_DIMENSIONS, ReviewPolicy, dimension_label

SCORE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class ReviewForm(forms.Form):
    """One 1–5 score per dimension of the hotline's policy, a comment, and whether to share it."""

    comment = forms.CharField(
        label=_("Comments for the counsellor"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    share = forms.BooleanField(label=_("Share with the counsellor now"), required=False, initial=True)

    def __init__(self, *args: Any, dimensions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dimensions = dimensions
        scores = {
            f"score_{key}": forms.TypedChoiceField(
                label=dimension_label(key),
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
            )
            for key in dimensions
        }
        self.fields = {**scores, **self.fields}

    def score_fields(self) -> list[forms.BoundField]:
        return [self[f"score_{key}"] for key in self.dimensions]

    def scores(self) -> dict[str, int]:
        return {key: self.cleaned_data[f"score_{key}"] for key in self.dimensions}


class PolicyForm(forms.ModelForm):
    dimensions_text = forms.CharField(
        label=_("Review dimensions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line. Leave empty for the five standard dimensions."),
    )

    class Meta:
        model = ReviewPolicy
        fields = ("review_high_risk", "review_low_ratings", "sample_percent")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.dimensions:
            self.fields["dimensions_text"].initial = "\n".join(self.instance.dimensions)

    def clean_dimensions_text(self) -> list[str]:
        lines = [line.strip()[:60] for line in self.cleaned_data["dimensions_text"].splitlines()]
        names = list(dict.fromkeys(line for line in lines if line))
        if len(names) > 12:
            raise forms.ValidationError(_("At most 12 dimensions."))
        standard = {str(dimension_label(key)): key for key in DEFAULT_DIMENSIONS}
        # A standard dimension typed by its (translated) name keeps its key, so it stays translated.
        return [standard.get(name, name) for name in names]


class GroupSessionForm(forms.Form):
    held_at = forms.DateTimeField(
        label=_("Held at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    topic = forms.CharField(label=_("Topic"), max_length=200)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=24 * 60)
    supervisor = forms.ModelChoiceField(label=_("Supervisor"), queryset=User.objects.none())
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, hotline: Hotline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        supervisor, attendees = self.fields["supervisor"], self.fields["attendees"]
        assert isinstance(supervisor, forms.ModelChoiceField)
        assert isinstance(attendees, forms.ModelMultipleChoiceField)
        supervisor.queryset = queries.supervisors_of(hotline)
        attendees.queryset = queries.hotline_people(hotline).distinct()


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
