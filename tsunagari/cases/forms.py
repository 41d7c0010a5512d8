from __future__ import annotations

import unicodedata
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tsunagari.audit.models import LegalBasis
from tsunagari.orgs.models import Organization
from tsunagari.orgs.validators import validate_phone_number

from .models import Case, CaseNote, Consent, HouseholdMember, Person, Referral, Task


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


class _PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.kana}）" if obj.kana else obj.name


class HouseholdMemberForm(forms.Form):
    """Add one of the organisation's registered people to a household."""

    person = _PersonChoiceField(label=_("Person"), queryset=Person.objects.none())
    relation = forms.ChoiceField(label=_("Relation"), choices=HouseholdMember.Relation.choices)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = people


class HouseholdForm(HouseholdMemberForm):
    """A new household (世帯) with its first member; more members are added on the household's page."""

    label = forms.CharField(label=_("Household name"), max_length=100, help_text=_("For example: 架空家"))
    field_order = ["label", "person", "relation"]


class OpenCaseForm(forms.Form):
    categories: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Kinds of trouble"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
    )
    risk = forms.ChoiceField(label=_("Risk"), choices=Case.Risk.choices, initial=Case.Risk.MEDIUM)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    lead_self = forms.BooleanField(
        label=_("Our organisation leads this case (主担当)"), required=False, initial=True,
        help_text=_("Untick when nobody's system fits: the secretariat will look for a lead."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from tsunagari.directory.selectors import category_terms

        field = self.fields["categories"]
        field.queryset = category_terms()  # type: ignore[attr-defined]
        field.label_from_instance = lambda term: term.label  # type: ignore[attr-defined]


class ConsentForm(forms.Form):
    recipients = forms.ModelMultipleChoiceField(
        label=_("May be shared with"),
        queryset=Organization.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    info_kinds = forms.MultipleChoiceField(
        label=_("Kinds of information"), choices=Consent.InfoKind.choices, widget=forms.CheckboxSelectMultiple
    )
    method = forms.ChoiceField(label=_("How it was given"), choices=Consent.Method.choices)
    witness = forms.CharField(label=_("Witness (for verbal consent)"), required=False, max_length=100)
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _narrow_to_case(form: forms.Form, *, case: Case, by_org: Organization, organization_field: str) -> None:
    """Other active organisations as recipients, and the person's consents that are not withdrawn."""
    recipients = cast(forms.ModelChoiceField, form.fields[organization_field])
    recipients.queryset = Organization.objects.filter(is_active=True).exclude(pk=by_org.pk)
    consents = (
        Consent.objects.filter(person=case.person, withdrawn_at__isnull=True)
        if case.person_id
        else Consent.objects.none()
    )
    field = form.fields["consent"]
    field.queryset = consents  # type: ignore[attr-defined]
    field.label_from_instance = lambda c: f"{c.given_on:%Y-%m-%d} ({c.get_method_display()})"  # type: ignore[attr-defined]


class ShareForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Organisation"), queryset=Organization.objects.none())
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"),
        choices=[
            (b.value, b.label)
            for b in (
                LegalBasis.CONSENT,
                LegalBasis.SUPPORT_MEETING,
                LegalBasis.REGIONAL_COUNCIL,
                LegalBasis.VITAL_INTEREST,
            )
        ],
    )
    consent = forms.ModelChoiceField(label=_("Consent"), queryset=Consent.objects.none(), required=False)
    reason = forms.CharField(
        label=_("Reason (when not by consent)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )
    ends_on = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, case: Case, by_org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _narrow_to_case(self, case=case, by_org=by_org, organization_field="organization")


class ReferralForm(forms.Form):
    to_org = forms.ModelChoiceField(label=_("Refer to"), queryset=Organization.objects.none())
    message = forms.CharField(
        label=_("What the receiving organisation should know"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    consent = forms.ModelChoiceField(label=_("Consent"), queryset=Consent.objects.none(), required=False)
    legal_basis = forms.ChoiceField(
        label=_("Basis without consent (secretariat only)"), required=False,
        choices=[("", "—"), *[(b.value, b.label) for b in (LegalBasis.SUPPORT_MEETING, LegalBasis.REGIONAL_COUNCIL, LegalBasis.VITAL_INTEREST)]],
    )  # fmt: skip
    override_reason = forms.CharField(
        label=_("Reason (without consent)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )

    def __init__(self, *args: Any, case: Case, by_org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _narrow_to_case(self, case=case, by_org=by_org, organization_field="to_org")


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why"), choices=Referral.DeclineReason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Referral.Outcome.choices)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    visibility = forms.ChoiceField(label=_("Who may read it"), choices=CaseNote.Visibility.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("What to do"), max_length=300)
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from tsunagari.accounts.models import User

        people = User.objects.filter(
            memberships__organization=organization, memberships__is_active=True
        ).distinct()
        field = self.fields["assignee"]
        field.queryset = people  # type: ignore[attr-defined]
        field.label_from_instance = lambda user: user.get_short_name()  # type: ignore[attr-defined]


class QueueAssignForm(forms.Form):
    """The coordinator's pick on the queue page: a case still waiting and an active organisation."""

    case = forms.ModelChoiceField(queryset=Case.objects.none())
    organization = forms.ModelChoiceField(queryset=Organization.objects.none())

    def __init__(self, *args: Any, queue: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["case"]).queryset = queue
        organizations = Organization.objects.filter(is_active=True)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = organizations


class TaskDoneForm(forms.Form):
    """Ticking off one of the organisation's open tasks."""

    task = forms.ModelChoiceField(queryset=Task.objects.none())

    def __init__(self, *args: Any, open_tasks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["task"]).queryset = open_tasks


class AssessmentForm(forms.Form):
    """One field per item of an instrument, in its official wording, with its options."""

    def __init__(self, *args: Any, instrument: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        choices = [(str(o["value"]), o["label_ja"]) for o in instrument["options"]]
        for item in instrument["items"]:
            self.fields[item["code"]] = forms.TypedChoiceField(
                label=item["text_ja"], choices=choices, coerce=int, widget=forms.RadioSelect
            )


class PlanForm(forms.Form):
    goals = forms.CharField(
        label=_("Goals"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000,
        help_text=_("One per line, in the person's own words where possible."),
    )  # fmt: skip
    next_review = forms.DateField(
        label=_("Next review"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CaseEditForm(forms.Form):
    risk = forms.ChoiceField(label=_("Risk"), choices=Case.Risk.choices)
    status = forms.ChoiceField(label=_("Status"), choices=Case.Status.choices)
    categories: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Kinds of trouble"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from tsunagari.directory.selectors import category_terms

        self.fields["categories"].queryset = category_terms()  # type: ignore[attr-defined]
        self.fields["categories"].label_from_instance = lambda term: term.label  # type: ignore[attr-defined]
