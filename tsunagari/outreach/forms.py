from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagari.orgs.forms import PublicForm, _no_nul, clean_phone_text

from .models import NewsItem


class InquiryForm(PublicForm):
    name = forms.CharField(label=_("Name (optional)"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    message = forms.CharField(label=_("Message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6}))
    consent = forms.BooleanField(
        label=_("I agree that the secretariat keeps these details to answer me (privacy notice)."),
    )

    def clean_name(self) -> str:
        return _no_nul(self.cleaned_data.get("name", ""))

    def clean_phone(self) -> str:
        return clean_phone_text(self.cleaned_data.get("phone", ""))

    def clean_message(self) -> str:
        return _no_nul(self.cleaned_data["message"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("email") and not data.get("phone"):
            raise forms.ValidationError(_("Give an e-mail address or a phone number so that we can answer."))
        return data


class AnswerForm(forms.Form):
    note = forms.CharField(
        label=_("How it was answered"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_note(self) -> str:
        return _no_nul(self.cleaned_data["note"])


class NewsItemForm(forms.ModelForm):
    class Meta:
        model = NewsItem
        fields = ["title", "published_on", "body", "is_published"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 10}),
            "published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean_title(self) -> str:
        return _no_nul(self.cleaned_data["title"])

    def clean_body(self) -> str:
        return _no_nul(self.cleaned_data["body"])
