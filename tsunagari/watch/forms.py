from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.audit.models import LegalBasis
from tsunagari.orgs.models import Membership, Role

from .models import ContactLog, DistrictContact, OnCallShift, SosReport, Urgency, WatchTarget


class _MemberChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.display_name or obj.user.email}（{obj.get_role_display()}）"


class TargetForm(forms.ModelForm):
    supporters = _MemberChoice(
        label=_("Supporters assigned"), queryset=Membership.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    class Meta:
        model = WatchTarget
        fields = [
            "name",
            "contact",
            "district",
            "legal_basis",
            "basis_note",
            "every_days",
            "plan",
            "usual_method",
        ]
        widgets = {
            "name": forms.TextInput(),
            "contact": forms.TextInput(),
            "basis_note": forms.TextInput(),
            "plan": forms.TextInput(),
        }

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["supporters"]).queryset = (
            Membership.objects.filter(organization=organization, is_active=True)
            .select_related("user")
            .order_by("pk")
        )
        basis = cast(forms.ChoiceField, self.fields["legal_basis"])
        basis.choices = [
            (v, label)
            for v, label in LegalBasis.choices
            if v not in {LegalBasis.NONE, LegalBasis.OWN_ORGANIZATION}
        ]


class SupportersForm(forms.Form):
    supporters = _MemberChoice(
        label=_("Supporters assigned"), queryset=Membership.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["supporters"]).queryset = (
            Membership.objects.filter(organization=organization, is_active=True)
            .select_related("user")
            .order_by("pk")
        )


class RecentDateTimeField(forms.DateTimeField):
    """A date and time from 2000 to next year: a typo such as 0001 or 2999 gets a clear message instead of
    failing deep in the time-zone conversion."""

    def to_python(self, value: Any) -> Any:
        match = re.match(r"\s*(\d{4})-", str(value or ""))
        if match and not 2000 <= int(match.group(1)) <= timezone.now().year + 1:
            raise forms.ValidationError(_("Enter a date between 2000 and now."), code="out_of_range")
        return super().to_python(value)


class ContactForm(forms.Form):
    """What a volunteer fills in on a phone: two taps and, if needed, a line of text."""

    method = forms.ChoiceField(
        label=_("How"),
        choices=ContactLog.Method.choices,
        widget=forms.RadioSelect,
        initial=ContactLog.Method.VISIT,
    )
    result = forms.ChoiceField(label=_("Result"), choices=ContactLog.Result.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    contacted_at = RecentDateTimeField(
        label=_("When"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."),
    )  # fmt: skip
    client_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def clean_contacted_at(self) -> Any:
        when = self.cleaned_data.get("contacted_at")
        if when and when > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("A contact cannot be in the future."))
        return when


class SosForm(forms.ModelForm):
    noticed_at = RecentDateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["sign"]).choices = SosReport.Sign.choices  # no blank radio
        urgency = cast(forms.ChoiceField, self.fields["urgency"])
        urgency.choices, urgency.required = (
            Urgency.choices,
            False,
        )  # left out: 通常 (words may still raise it)

    class Meta:
        model = SosReport
        fields = ["sign", "urgency", "place", "district", "noticed_at", "details", "reporter_contact"]
        widgets = {
            "sign": forms.RadioSelect,
            "urgency": forms.RadioSelect,
            "place": forms.TextInput(attrs={"autocomplete": "off"}),
            "details": forms.Textarea(attrs={"rows": 3}),
            "reporter_contact": forms.TextInput(attrs={"autocomplete": "tel"}),
        }


class TriageForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=SosReport.Status.choices)
    urgency = forms.ChoiceField(  # left out: the urgency stays as it is
        label=_("Urgency"), choices=Urgency.choices, widget=forms.RadioSelect, required=False
    )
    # The status the coordinator saw: a triage made meanwhile by someone else is a conflict.
    seen = forms.ChoiceField(choices=SosReport.Status.choices, required=False, widget=forms.HiddenInput)


class OpenCaseFromSosForm(forms.Form):
    name = forms.CharField(label=_("Name, if known"), required=False, max_length=100)


class LinkForm(forms.Form):
    """A case or a person under watch chosen from the offered list (the view checks it is one offered)."""

    pk = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("What will be done"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: 地区の民生委員に訪問を依頼した（15時に訪問予定）"),
    )  # fmt: skip
    follow_up_on = forms.DateField(
        label=_("Check again on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("If the follow-up is not recorded as done by then, the alert opens again."),
    )  # fmt: skip

    def clean_follow_up_on(self) -> Any:
        day = self.cleaned_data["follow_up_on"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The follow-up date cannot be in the past."))
        return day


class FollowUpForm(forms.Form):
    note = forms.CharField(
        label=_("How it was followed up"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class _ShiftMember(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.user.display_name or obj.user.email


class OnCallShiftForm(forms.ModelForm):
    """On call: the secretariat's coordinators (they see every alert and SOS report, so they can act)."""

    member = _ShiftMember(label=_("Who is on call"), queryset=Membership.objects.none())
    starts_at = RecentDateTimeField(
        label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    ends_at = RecentDateTimeField(
        label=_("Until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = OnCallShift
        fields = ["member", "phone", "starts_at", "ends_at"]
        widgets = {"phone": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"})}

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["member"]).queryset = (
            Membership.objects.filter(organization=organization, is_active=True, role=Role.COORDINATOR)
            .select_related("user")
            .order_by("pk")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The end must be after the start."))
        return data


class DistrictContactForm(forms.ModelForm):
    class Meta:
        model = DistrictContact
        fields = ["district", "kind", "name", "phone", "hours", "note", "active"]
        widgets = {
            "name": forms.TextInput(),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "hours": forms.TextInput(),
            "note": forms.TextInput(),
        }
