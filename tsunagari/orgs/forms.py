from __future__ import annotations

import unicodedata
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import District, Membership, Organization
from .services import assignable_roles
from .validators import clean_digits


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, by: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (r.value, r.label) for r in assignable_roles(by)
        ]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, by: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (r.value, r.label) for r in assignable_roles(by)
        ]


class OrganizationProfileForm(forms.ModelForm):
    districts = forms.ModelMultipleChoiceField(
        label=_("Districts served"),
        queryset=District.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    public_profile = forms.CharField(
        label=_("Public profile"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )

    corporate_number = forms.CharField(
        label=_("Corporate number (法人番号)"),
        required=False,
        max_length=30,
        help_text=_("13 digits, optional. Full-width digits and hyphens are fine."),
    )

    def clean_corporate_number(self) -> str:
        return clean_digits(self.cleaned_data.get("corporate_number", ""))

    def clean_phone(self) -> str:
        return unicodedata.normalize("NFKC", self.cleaned_data.get("phone", "")).strip()

    class Meta:
        model = Organization
        fields = [
            "name",
            "kana",
            "kind",
            "corporate_number",
            "districts",
            "public_profile",
            "website",
            "phone",
        ]
        error_messages = {
            "slug": {"invalid": _("Use only letters a–z, digits and hyphens, e.g. yorisoi-net.")},
            "name": {"unique": _("An organisation with this name is already registered.")},
        }


class OrganizationCreateForm(OrganizationProfileForm):
    admin_email = forms.EmailField(
        label=_("E-mail of its first admin"),
        help_text=_("We send this person an invitation to join as admin."),
    )

    class Meta(OrganizationProfileForm.Meta):
        fields = ["slug", "tier", *OrganizationProfileForm.Meta.fields]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise forms.ValidationError(_("This text contains a character that cannot be stored."))
    return value.strip()


def clean_phone_text(value: str) -> str:
    """A phone number as typed in a public form (full-width digits and hyphens made plain), kept as typed
    otherwise; refused if it holds a character that cannot be stored."""
    return _no_nul(unicodedata.normalize("NFKC", value or ""))


class PublicForm(forms.Form):
    """A form anyone may send: a honeypot field people never see (hidden by CSS, skipped by keyboard);
    a submission that fills it is treated as spam (accepted in appearance, not stored)."""

    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("homepage"))


class ApplicationForm(PublicForm):
    organization_name = forms.CharField(label=_("Organisation name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of organisation"), choices=Organization.Kind.choices)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    email = forms.EmailField(label=_("E-mail address"))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    offer = forms.CharField(
        label=_("What your organisation offers"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Activities, services or places, and who they are for."),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the secretariat keeps these details to review the application (privacy notice)."
        ),
    )

    def clean_organization_name(self) -> str:
        name = _no_nul(self.cleaned_data["organization_name"])
        if Organization.objects.filter(name=name).exists():
            raise forms.ValidationError(_("An organisation with this name is already registered."))
        return name

    def clean_contact_name(self) -> str:
        return _no_nul(self.cleaned_data["contact_name"])

    def clean_offer(self) -> str:
        return _no_nul(self.cleaned_data["offer"])

    def clean_phone(self) -> str:
        return clean_phone_text(self.cleaned_data.get("phone", ""))


class ApproveApplicationForm(forms.Form):
    slug = forms.SlugField(
        label=_("Short name for addresses"),
        max_length=50,
        help_text=_("Letters a–z, digits and hyphens, e.g. yorisoi-net."),
    )
    tier = forms.ChoiceField(label=_("Membership tier"), choices=Organization.Tier.choices)

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].lower()
        if Organization.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("This short name is already used."))
        return slug


class DeclineApplicationForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the applicant"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_note(self) -> str:
        return _no_nul(self.cleaned_data.get("note", ""))
