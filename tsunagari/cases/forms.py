from __future__ import annotations

import unicodedata
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagari.audit.models import LegalBasis
from tsunagari.orgs.models import Organization
from tsunagari.orgs.validators import validate_phone_number

from .models import Case, CaseNote, Consent, HouseholdMember, InfoKind, Person, Referral, SharingBasis, Task


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


class _KindsField(forms.ModelMultipleChoiceField):
    """The kinds of information (cases.InfoKind rows), as checkboxes in their set order."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=InfoKind.objects.all(),
            widget=forms.CheckboxSelectMultiple,
            to_field_name="code",
            **kwargs,
        )


class ConsentForm(forms.Form):
    """A consent as the person gave it. On a household case each member gives their own: ``people`` are the
    case's people registered by this organisation."""

    person = _PersonChoiceField(label=_("Whose consent"), queryset=Person.objects.none())
    recipients = forms.ModelMultipleChoiceField(
        label=_("May be shared with"),
        queryset=Organization.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    info_kinds = _KindsField(label=_("Kinds of information"))
    purpose = forms.CharField(
        label=_("Purpose"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the information will be used for, as explained to the person."),
    )  # fmt: skip
    method = forms.ChoiceField(label=_("How it was given"), choices=Consent.Method.choices)
    witness = forms.CharField(label=_("Witness (for verbal consent)"), required=False, max_length=100)
    given_on = forms.DateField(
        label=_("Given on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    call_time = forms.TimeField(
        label=_("Time of the call (for consent by phone)"), required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )  # fmt: skip
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    scan = forms.FileField(
        label=_("Scanned consent form (optional)"), required=False,
        help_text=_("PDF, JPEG or PNG, up to 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )  # fmt: skip

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["person"])
        field.queryset = people
        only = list(people[:2])
        if len(only) == 1:  # a person's case: their consent, chosen already
            field.initial = only[0].pk

    def clean_scan(self) -> Any:
        upload = self.cleaned_data.get("scan")
        if upload:
            from .consents import check_scan

            check_scan(upload)  # raises ValidationError with the reason; the rest of the form is kept
        return upload


def _narrow_to_case(
    form: forms.Form, *, case: Case, by_org: Organization, organization_field: str, coordinator: bool,
    show_names: bool,
) -> None:  # fmt: skip
    """Other active organisations as recipients; the live consents of the case's people; the bases without
    consent this member may use (services.check_sharing_basis: 支援会議 and 協議会 for coordinators only)."""
    from .disclosure import case_people

    recipients = cast(forms.ModelChoiceField, form.fields[organization_field])
    recipients.queryset = Organization.objects.filter(is_active=True).exclude(pk=by_org.pk)
    consents = Consent.objects.filter(person__in=case_people([case])[case.pk], withdrawn_at__isnull=True)
    field = form.fields["consent"]
    field.queryset = consents.select_related("person")  # type: ignore[attr-defined]
    # A coordinator may share a case it sees only in part: the person's name only when it is shown to them.
    field.label_from_instance = lambda c: (  # type: ignore[attr-defined]
        f"{c.person.name if show_names else '#' + str(c.person_id)}: {c.given_on:%Y-%m-%d} ({c.get_method_display()})"
    )
    basis = cast(forms.ChoiceField, form.fields["legal_basis"])
    if not coordinator:
        choices = cast(list[tuple[str, Any]], basis.choices)
        basis.choices = [(v, label) for v, label in choices if v not in COORDINATOR_BASES]


# Bases without consent that only the secretariat's coordinators may choose (services.check_sharing_basis).
COORDINATOR_BASES = {LegalBasis.SUPPORT_MEETING, LegalBasis.REGIONAL_COUNCIL}


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
        help_text=_(
            "Protection of life: only in an emergency; the secretariat is told at once and reviews it the next "
            "business day."
        ),
    )
    consent = forms.ModelChoiceField(label=_("Consent"), queryset=Consent.objects.none(), required=False)
    kinds = _KindsField(
        label=_("Kinds of information the meeting decided to share (support meeting or council)"),
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason (when not by consent)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )
    ends_on = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: Any,
        case: Case,
        by_org: Organization,
        coordinator: bool,
        show_names: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _narrow_to_case(
            self,
            case=case,
            by_org=by_org,
            organization_field="organization",
            coordinator=coordinator,
            show_names=show_names,
        )


class ReferralForm(forms.Form):
    to_org = forms.ModelChoiceField(label=_("Refer to"), queryset=Organization.objects.none())
    message = forms.CharField(
        label=_("What the receiving organisation should know"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    consent = forms.ModelChoiceField(label=_("Consent"), queryset=Consent.objects.none(), required=False)
    legal_basis = forms.ChoiceField(
        label=_("Basis without consent"), required=False,
        choices=[("", "—"), *[(b.value, b.label) for b in (LegalBasis.SUPPORT_MEETING, LegalBasis.REGIONAL_COUNCIL, LegalBasis.VITAL_INTEREST)]],
        help_text=_("Support meeting and council: secretariat coordinators only. Protection of life: only in an emergency, reviewed by the secretariat."),
    )  # fmt: skip
    kinds = _KindsField(
        label=_("Kinds of information the meeting decided to share (support meeting or council)"),
        required=False,
    )
    override_reason = forms.CharField(
        label=_("Reason (without consent)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )

    def __init__(
        self,
        *args: Any,
        case: Case,
        by_org: Organization,
        coordinator: bool,
        show_names: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _narrow_to_case(
            self,
            case=case,
            by_org=by_org,
            organization_field="to_org",
            coordinator=coordinator,
            show_names=show_names,
        )


class SharingReviewForm(forms.Form):
    """A coordinator's review of sharing to protect life: keep it or end it."""

    basis = forms.ModelChoiceField(queryset=SharingBasis.objects.none())
    decision = forms.ChoiceField(choices=[("keep", _("Keep the sharing")), ("end", _("End the sharing"))])

    def __init__(self, *args: Any, pending: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["basis"]).queryset = pending


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


class CaseFilterForm(forms.Form):
    """The case list's filters (GET, kept in the page links); none chosen lists every case, open first."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Case.Status.choices]
    )
    risk = forms.ChoiceField(label=_("Risk"), required=False, choices=[("", _("Any")), *Case.Risk.choices])

    def chosen(self) -> dict[str, str]:
        """The filters chosen, as field lookups on cases; an invalid choice filters nothing (the form shows
        why)."""
        if not self.is_valid():
            return {}
        return {field: value for field, value in self.cleaned_data.items() if value}


class ReferralFilterForm(forms.Form):
    """The referral inbox's filter: what still needs an answer, or every referral."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Referral.Status.choices]
    )

    def filter(self, referrals: QuerySet[Referral]) -> QuerySet[Referral]:
        if not self.is_valid() or not self.cleaned_data["status"]:
            return referrals
        return referrals.filter(status=self.cleaned_data["status"])


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
