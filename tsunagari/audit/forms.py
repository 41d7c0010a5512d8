from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tsunagari.orgs.models import Organization

from .actions import ACTION_LABELS
from .models import ActivityLog, LegalBasis


class ActivityFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.all(), required=False
    )
    actor = forms.CharField(label=_("Actor's e-mail contains"), required=False)
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"), required=False, choices=[("", _("Any")), *LegalBasis.choices[1:]]
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = sorted(((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda c: c[1])
        self.fields["action"].choices = [("", _("Any")), *choices]  # type: ignore[attr-defined]

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def filter(self, qs: QuerySet[ActivityLog]) -> QuerySet[ActivityLog]:
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data["action"]:
            qs = qs.filter(action=data["action"])
        if data["organization"]:
            qs = qs.filter(organization=data["organization"])
        if data["actor"]:
            qs = qs.filter(actor__email__icontains=data["actor"])
        if data["legal_basis"]:
            qs = qs.filter(legal_basis=data["legal_basis"])
        if data["since"]:
            qs = qs.filter(created_at__date__gte=data["since"])
        if data["until"]:
            qs = qs.filter(created_at__date__lte=data["until"])
        return qs
