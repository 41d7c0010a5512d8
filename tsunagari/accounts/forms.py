from __future__ import annotations

import unicodedata
from typing import Any

from allauth.mfa.base.forms import AuthenticateForm as MFAAuthenticateForm
from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from .models import User


class AcceptInvitationForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=100)
    password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict:
        data = super().clean() or {}
        password = data.get("password1")
        if password and password != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif password:
            try:
                validate_password(
                    password, user=User(email=self.email, display_name=data.get("display_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class AuthenticateForm(MFAAuthenticateForm):
    """allauth's second-step form, accepting codes typed with full-width digits or spaces."""

    def clean_code(self) -> str:
        self.cleaned_data["code"] = unicodedata.normalize("NFKC", self.cleaned_data["code"]).replace(" ", "")
        return super().clean_code()
