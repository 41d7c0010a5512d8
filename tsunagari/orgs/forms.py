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
