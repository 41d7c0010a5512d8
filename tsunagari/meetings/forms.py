"""Forms of the meetings app: validation only; every choice is narrowed to what the member may pick."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tsunagari.accounts.models import User
from tsunagari.cases.models import Case, InfoKind
from tsunagari.needs.models import GapIssue
from tsunagari.orgs.models import Membership, Organization, Role

from .models import AgendaItem, Meeting, MeetingKind


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_short_name()


class _MemberChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.get_short_name()}（{obj.organization.name}）"


class _KindChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MeetingForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("Kind of meeting"), queryset=MeetingKind.objects.all())
    title = forms.CharField(
        label=_("Title"), max_length=120, help_text=_("For example: 第3回 支援会議. No names of people.")
    )
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=_DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=_DATETIME)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Online meeting link"), required=False, assume_scheme="https")
    chair = _UserChoice(label=_("Chair"), queryset=User.objects.none())
    recorder = _UserChoice(label=_("Recorder"), queryset=User.objects.none())

    def __init__(self, *args: Any, secretariat: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = User.objects.filter(
            memberships__organization=secretariat, memberships__is_active=True
        ).order_by("pk")
        self.fields["chair"].queryset = members.filter(memberships__role=Role.COORDINATOR)  # type: ignore[attr-defined]
        self.fields["recorder"].queryset = members.filter(  # type: ignore[attr-defined]
            memberships__role__in=[Role.STAFF, Role.ADMIN, Role.COORDINATOR]
        )


class InviteForm(forms.Form):
    organizations = forms.ModelMultipleChoiceField(
        label=_("Organisations"), queryset=Organization.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    members = _MemberChoice(
        label=_("Named members"), queryset=Membership.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members of the invited organisations (staff and up). Choose the organisations first."),
    )  # fmt: skip

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            is_active=True, tier=Organization.Tier.FULL
        ).exclude(pk__in=meeting.organizations.values("pk"))
        self.fields["members"].queryset = (  # type: ignore[attr-defined]
            Membership.objects.filter(
                organization__in=meeting.organizations.all(), is_active=True,
                role__in=[Role.STAFF, Role.ADMIN, Role.COORDINATOR],
            )
            .exclude(user__in=meeting.attendees.values("user"))
            .select_related("user", "organization")
            .order_by("organization__kana", "pk")
        )  # fmt: skip


class CaseItemForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Where the case comes from"),
        choices=[
            (AgendaItem.Source.QUEUE, _("Unassigned queue")),
            (AgendaItem.Source.PROPOSED, _("Proposed by a member")),
            (AgendaItem.Source.SOS, _("SOS report")),
        ],
    )
    case = forms.IntegerField(label=_("Case number"), min_value=1)
    kinds = _KindChoice(
        label=_("Kinds of information the meeting may see"), queryset=InfoKind.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def clean_case(self) -> Case:
        case = Case.objects.filter(pk=self.cleaned_data["case"]).first()
        if case is None:
            raise forms.ValidationError(_("There is no open case with that number."))
        return case


class TopicItemForm(forms.Form):
    gap_issue = forms.ModelChoiceField(label=_("Gap issue"), queryset=GapIssue.objects.none(), required=False)
    topic = forms.CharField(label=_("Or a topic"), max_length=200, required=False)

    def __init__(self, *args: Any, issues: QuerySet[GapIssue], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["gap_issue"]
        field.queryset = issues  # type: ignore[attr-defined]
        field.label_from_instance = lambda issue: issue.title  # type: ignore[attr-defined]


class MinutesForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary of the discussion"), widget=forms.Textarea, required=False, max_length=4000
    )
    policy = forms.CharField(
        label=_("Support policy decided (支援方針)"), widget=forms.Textarea, required=False, max_length=2000
    )
    lead = forms.ModelChoiceField(
        label=_("Lead organisation (主担当)"), queryset=Organization.objects.none(), required=False
    )
    next_review_on = forms.DateField(
        label=_("Next review"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The item is put on the agenda of the first later meeting of this kind on or after this day."),
    )  # fmt: skip

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = meeting.organizations.all()  # type: ignore[attr-defined]


class ActionForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Organisation"), queryset=Organization.objects.none())
    member = _UserChoice(label=_("Member (optional)"), queryset=User.objects.none(), required=False)
    what = forms.CharField(label=_("What to do"), max_length=300)
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = meeting.organizations.all()  # type: ignore[attr-defined]
        self.fields["member"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=meeting.attendees.values("user")
        ).order_by("pk")


class AmendForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary of the discussion"), widget=forms.Textarea, required=False, max_length=4000
    )
    policy = forms.CharField(
        label=_("Support policy decided (支援方針)"), widget=forms.Textarea, required=False, max_length=2000
    )
    reason = forms.CharField(label=_("Why the minutes are amended"), max_length=500)


class PublishForm(forms.Form):
    text = forms.CharField(
        label=_("Public minutes"), widget=forms.Textarea, required=False, max_length=4000,
        help_text=_("Shown on the public site. No personal data. Leave empty to withdraw."),
    )  # fmt: skip


class RegisterForm(forms.Form):
    year = forms.IntegerField(label=_("Fiscal year"), min_value=2000, max_value=2100, required=False)


class ProposalForm(forms.Form):
    reason = forms.CharField(
        label=_("Why a meeting is needed"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Without names, phone numbers or addresses: e.g. 「80代の母と50代の息子。介護と借金が重なり、"
                    "当団体だけでは支えきれない」. The secretariat reads this before it may see the case."),
    )  # fmt: skip
