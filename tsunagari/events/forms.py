from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagari.orgs.validators import validate_phone_number

from .models import Accessibility, Event, Format, Registration
from .services import RegistrationData


def kana_name(value: str) -> str:
    """A name in kana as typed (spaces around it dropped), or a clear message (registrants, supporters)."""
    kana = value.strip()
    if not _is_kana(kana):
        raise forms.ValidationError(_("Please write your name in hiragana or katakana."))
    return kana


def _is_kana(value: str) -> bool:
    return all(
        ("ぁ" <= ch <= "ゖ") or ("ァ" <= ch <= "ヺ") or ch in "ー・ 　ｰ" or ("ｦ" <= ch <= "ﾟ") for ch in value
    )


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kana = forms.CharField(label=_("Name in kana"), max_length=100, help_text=_("For example: かくう はなこ"))
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
    phone = forms.CharField(
        label=_("Phone"), required=False, max_length=30, validators=[validate_phone_number]
    )
    people = forms.IntegerField(label=_("Number of people"), min_value=1, max_value=10, initial=1)
    mode = forms.ChoiceField(
        label=_("How you join"), choices=Registration.Mode.choices, widget=forms.RadioSelect
    )
    accessibility = forms.MultipleChoiceField(
        label=_("Support you need"), required=False, choices=[], widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Anything else we should know"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    future_events = forms.BooleanField(
        label=_("Tell me about future events (your details are then kept)"), required=False
    )
    consent = forms.BooleanField(label=_("I agree to the privacy notice above"))
    # A honeypot: hidden from people (CSS and aria-hidden), filled in by spam robots.
    website = forms.CharField(label=_("Leave this empty"), required=False, max_length=200)

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        offered = [(c, label) for c, label in Accessibility.choices if c in event.accessibility]
        cast(forms.ChoiceField, self.fields["accessibility"]).choices = offered
        if not offered:
            del self.fields["accessibility"]
        modes = [
            (c, label)
            for c, label in Registration.Mode.choices
            if (c == Registration.Mode.ONLINE and event.has_online)
            or (c == Registration.Mode.IN_PERSON and event.has_hall)
        ]
        cast(forms.ChoiceField, self.fields["mode"]).choices = modes
        if len(modes) == 1:
            self.fields["mode"].initial = modes[0][0]

    def clean_kana(self) -> str:
        return kana_name(self.cleaned_data["kana"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not data.get("email")
            and not data.get("phone")
            and not self.has_error("email")
            and not self.has_error("phone")
        ):
            raise forms.ValidationError(
                _("Please give an e-mail address or a phone number so that we can reach you.")
            )
        return data

    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def registration_data(self) -> RegistrationData:
        d = self.cleaned_data
        return RegistrationData(
            name=d["name"].strip(),
            kana=d["kana"],
            email=d.get("email", ""),
            phone=d.get("phone", ""),
            people=d["people"],
            mode=d["mode"],
            accessibility=list(d.get("accessibility", [])),
            note=d.get("note", ""),
            future_events=d.get("future_events", False),
        )


class WalkInForm(RegistrationForm):
    """At the door: a name and kana are enough; no consent box on a tablet, the staff explain."""

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, event=event, **kwargs)
        for name in ("consent", "future_events", "website", "note"):
            del self.fields[name]

    def clean(self) -> dict[str, Any]:
        return forms.Form.clean(self) or {}


class ChangeForm(forms.Form):
    people = forms.IntegerField(label=_("Number of people"), min_value=1, max_value=10)
    mode = forms.ChoiceField(
        label=_("How you join"), choices=Registration.Mode.choices, widget=forms.RadioSelect
    )
    accessibility = forms.MultipleChoiceField(
        label=_("Support you need"), required=False, choices=[], widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Anything else we should know"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    future_events = forms.BooleanField(
        label=_("Tell me about future events (your details are then kept)"), required=False
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = [(c, label) for c, label in Accessibility.choices if c in event.accessibility]
        cast(forms.ChoiceField, self.fields["accessibility"]).choices = offered
        if not offered:
            del self.fields["accessibility"]
        cast(forms.ChoiceField, self.fields["mode"]).choices = [
            (c, label)
            for c, label in Registration.Mode.choices
            if (c == Registration.Mode.ONLINE and event.has_online)
            or (c == Registration.Mode.IN_PERSON and event.has_hall)
        ]


class EventForm(forms.ModelForm):
    accessibility = forms.MultipleChoiceField(
        label=_("Accessibility offered"),
        required=False,
        choices=Accessibility.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Event
        fields = [
            "kind", "title", "description", "starts_at", "ends_at", "format", "place", "capacity",
            "accessibility", "stream_url", "stream_public", "is_published",
        ]  # fmt: skip
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("The event cannot end before it starts."))
        fmt = data.get("format")
        if fmt in {Format.IN_PERSON, Format.HYBRID} and not data.get("place"):
            self.add_error("place", _("Please give the place."))
        if data.get("stream_public") and not data.get("stream_url"):
            self.add_error("stream_url", _("Please give the streaming link, or do not show it publicly."))
        return data
