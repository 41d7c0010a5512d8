from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import District, Membership, Organization
from .services import assignable_roles


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
        widgets = {"public_profile": forms.Textarea(attrs={"rows": 5})}


class OrganizationCreateForm(OrganizationProfileForm):
    admin_email = forms.EmailField(
        label=_("E-mail of its first admin"),
        help_text=_("We send this person an invitation to join as admin."),
    )

    class Meta(OrganizationProfileForm.Meta):
        fields = ["slug", "tier", *OrganizationProfileForm.Meta.fields]
