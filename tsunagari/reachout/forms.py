from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagari.directory.forms import CategoryChoiceField
from tsunagari.directory.models import TaxonomyTerm
from tsunagari.directory.selectors import category_terms
from tsunagari.orgs.forms import PublicForm, _no_nul, clean_phone_text
from tsunagari.orgs.models import District, Organization
from tsunagari.orgs.validators import clean_digits

from . import check
from .models import ContactRequest


class CheckForm(forms.Form):
    """The self-check: one radio group per question (in the survey's words), a district, and words of
    the person's own if they want (never stored; read only for crisis words)."""

    district = forms.ModelChoiceField(
        label=_("Your district (optional)"), queryset=District.objects.all(), required=False,
        empty_label=_("Any district"), help_text=_("Places in your district are shown first."),
    )  # fmt: skip
    text = forms.CharField(
        label=_("Anything you want to say (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=_("What you write here is not saved."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        questions: dict[str, forms.Field] = {}
        for question in check.questions():
            questions[question["name"]] = forms.TypedChoiceField(
                label=question["text"], choices=question["options"], coerce=int, widget=forms.RadioSelect,
                error_messages={"required": _("Please choose one answer.")},
            )  # fmt: skip
        self.fields = {**questions, **self.fields}

    def clean_text(self) -> str:
        return _no_nul(self.cleaned_data.get("text", ""))

    @property
    def question_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if "__" in name]


MEANS_NEEDING: dict[str, tuple[str, ...]] = {
    ContactRequest.Means.PHONE: ("phone",),
    ContactRequest.Means.EMAIL: ("email",),
    ContactRequest.Means.VISIT: ("address", "phone"),
}


class ContactRequestForm(PublicForm):
    """「相談したい」. LINE is offered only when the person came from LINE (an encrypted link holding their
    LINE user id)."""

    means = forms.ChoiceField(label=_("How shall we contact you?"), widget=forms.RadioSelect)
    when = forms.ChoiceField(
        label=_("When is a good time?"), choices=ContactRequest.When.choices, initial=ContactRequest.When.ANYTIME,
        widget=forms.RadioSelect,
    )  # fmt: skip
    when_note = forms.CharField(
        label=_("Times that suit you, in your words (optional)"), max_length=200, required=False,
        help_text=_("For example: after 3 p.m., not on Wednesdays."),
    )  # fmt: skip
    name = forms.CharField(
        label=_("Your name or a nickname"), max_length=100,
        help_text=_("A nickname is fine. We use it when we call or write."),
    )  # fmt: skip
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    address = forms.CharField(label=_("Address (for a visit)"), max_length=300, required=False)
    district = forms.ModelChoiceField(
        label=_("Your district (optional)"), queryset=District.objects.all(), required=False,
        empty_label=_("I would rather not say"),
    )  # fmt: skip
    categories = CategoryChoiceField(
        label=_("What is it about? (optional, choose any)"), queryset=TaxonomyTerm.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, to_field_name="code",
    )  # fmt: skip
    message = forms.CharField(
        label=_("Anything you want to tell us first (optional)"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
    consent = forms.BooleanField(
        label=_("I agree that the platform keeps these details, encrypted, to contact me (privacy notice)."),
    )

    def __init__(self, *args: Any, line_user_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line_user_id = line_user_id
        self.fields["categories"].queryset = category_terms()  # type: ignore[attr-defined]
        self.fields["means"].choices = [  # type: ignore[attr-defined]
            (value, label)
            for value, label in ContactRequest.Means.choices
            if value != ContactRequest.Means.LINE or line_user_id
        ]

    def clean_name(self) -> str:
        return _no_nul(self.cleaned_data["name"])

    def clean_phone(self) -> str:
        return clean_phone_text(self.cleaned_data.get("phone", ""))

    def clean_address(self) -> str:
        return _no_nul(self.cleaned_data.get("address", ""))

    def clean_when_note(self) -> str:
        return _no_nul(self.cleaned_data.get("when_note", ""))

    def clean_message(self) -> str:
        return _no_nul(self.cleaned_data.get("message", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        means = data.get("means")
        messages = {
            "phone": _("Please give a phone number so that we can call you."),
            "email": _("Please give an e-mail address so that we can write to you."),
            "address": _("Please give the address where we may visit you."),
        }
        for name in MEANS_NEEDING.get(str(means), ()):
            if name not in self.errors and not data.get(name):
                self.add_error(name, messages[name])
        no_way = not (data.get("phone") or data.get("email"))
        if means == ContactRequest.Means.COUNTER and no_way and "phone" not in self.errors:
            self.add_error("phone", _("Please give a phone number or an e-mail address to arrange a time."))
        return data


class StatusForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference code"), max_length=20, help_text=_("For example: R-ACDE-3479")
    )
    pin = forms.CharField(
        label=_("PIN (6 digits)"), max_length=6, min_length=6,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )  # fmt: skip

    def clean_pin(self) -> str:
        pin = clean_digits(self.cleaned_data["pin"])
        if not (pin.isascii() and pin.isdigit() and len(pin) == 6):
            raise forms.ValidationError(_("The PIN is 6 digits."))
        return pin

    def clean_reference(self) -> str:
        return _no_nul(self.cleaned_data["reference"])


class AssignForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Member organisation that will contact the person"), queryset=Organization.objects.none()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            is_active=True, tier=Organization.Tier.FULL, is_secretariat=False
        ).order_by("name")


class OpenCaseForm(forms.Form):
    lead_self = forms.BooleanField(
        label=_("The secretariat leads the case (otherwise it waits in the queue for a lead)"), required=False,
        initial=True,
    )  # fmt: skip
