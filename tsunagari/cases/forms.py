from __future__ import annotations

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagari.orgs.validators import validate_phone_number

from .models import Person


class PersonForm(forms.ModelForm):
    phone = forms.CharField(
        label=_("Phone"), required=False, max_length=30, validators=[validate_phone_number]
    )
    register_anyway = forms.BooleanField(
        label=_("This is a different person: register anyway"), required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = Person
        fields = ["name", "kana", "birth_date", "phone", "address", "district", "contact_preference"]
        widgets = {"name": forms.TextInput(), "kana": forms.TextInput(), "address": forms.TextInput()}

    def clean_phone(self) -> str:
        return unicodedata.normalize("NFKC", self.cleaned_data.get("phone", "")).strip()
