from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LineLink


class ModeForm(forms.ModelForm):
    class Meta:
        model = LineLink
        fields = ["mode"]
        widgets = {"mode": forms.RadioSelect}
        labels = {"mode": _("What to send to LINE")}
