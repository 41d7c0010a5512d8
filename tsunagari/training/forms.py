from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagari.events.forms import kana_name
from tsunagari.orgs.models import District, Organization
from tsunagari.orgs.validators import validate_phone_number

from .models import ContactWay, WayToHelp
from .services import SupporterData


class SupporterForm(forms.Form):
    """Joining the register of つながりサポーター (opt-in, with consent)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    kana = forms.CharField(label=_("Name in kana"), max_length=100, help_text=_("For example: かくう はなこ"))
    district = forms.ModelChoiceField(
        label=_("District where you live or would like to help"), queryset=District.objects.all()
    )
    ways = forms.MultipleChoiceField(
        label=_("How you would like to help"), choices=WayToHelp.choices, widget=forms.CheckboxSelectMultiple
    )
    contact_by = forms.ChoiceField(
        label=_("How should we contact you?"), choices=ContactWay.choices, widget=forms.RadioSelect
    )
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
    phone = forms.CharField(
        label=_("Phone"), required=False, max_length=30, validators=[validate_phone_number]
    )
    contact_note = forms.CharField(
        label=_("When and how best to reach you (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    consent = forms.BooleanField(label=_("I agree to be listed as described above"))

    def clean_kana(self) -> str:
        return kana_name(self.cleaned_data["kana"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("contact_by") == ContactWay.EMAIL
            and not data.get("email")
            and not self.has_error("email")
        ):
            self.add_error("email", _("Please give your e-mail address, or choose the phone."))
        if (
            data.get("contact_by") == ContactWay.PHONE
            and not data.get("phone")
            and not self.has_error("phone")
        ):
            self.add_error("phone", _("Please give your phone number, or choose e-mail."))
        return data

    def supporter_data(self) -> SupporterData:
        d = self.cleaned_data
        return SupporterData(
            name=d["name"].strip(),
            kana=d["kana"],
            district=d["district"],
            ways=list(d["ways"]),
            email=d.get("email", ""),
            phone=d.get("phone", ""),
            contact_by=d["contact_by"],
            contact_note=d.get("contact_note", ""),
        )


class InviteForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organization.objects.filter(is_active=True, tier=Organization.Tier.FULL),
        help_text=_("The supporter is invited as a volunteer (つながりサポーター) of this organisation."),
    )


class RegisterFilterForm(forms.Form):
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.all(), required=False)
    way = forms.ChoiceField(
        label=_("How they would like to help"),
        choices=[("", "---------"), *WayToHelp.choices],
        required=False,
    )
