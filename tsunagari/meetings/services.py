"""Writes of the meetings app: convening (invitations with an .ics), the agenda, releasing material (which
shares a 支援会議's cases on their legal basis), confidentiality, minutes with actions that become tasks,
approval and amendments, publishing platform minutes, and the private calendar feed.

Sharing rule (one place: ``_share_item`` and ``_keep_for_action``, through ``cases.services``): a case item of
a kind whose ``case_legal_basis`` is 支援会議 or 協議会 is shared with every invited organisation (other than the
one that owns the case and the secretariat itself) from the moment the material is released until
TSUNAGARI_MEETING_SHARING_DAYS after the meeting, covering the kinds of information chosen for that item. An
organisation given an action keeps it until the action's due date (or the item's next review, if later) plus
that period."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.accounts.models import User
from tsunagari.audit.services import log_action
from tsunagari.cases.models import Case, InfoKind
from tsunagari.cases.selectors import cases_visible_to, owns_case, unassigned_queue_for
from tsunagari.cases.services import extend_sharing, share_case
from tsunagari.cases.tasks import assign_task
from tsunagari.needs.models import GapIssue, GapIssueEntry
from tsunagari.needs.services import add_gap_entry, check_description
from tsunagari.orgs.models import Membership, Organization, Role

from . import ical
from .models import (
    Action,
    AgendaItem,
    Attendee,
    CalendarFeed,
    CaseProposal,
    Meeting,
    MeetingKind,
    MinutesVersion,
)
from .selectors import attendee_for


def _coordinator(by: Membership) -> None:
    if not by.is_coordinator:
        raise PermissionDenied


def _not_personal(**fields: str) -> None:
    for name, text in fields.items():
        if text:
            check_description(text, field=name)


def _secretariat_membership(user: User) -> Membership | None:
    return (
        Membership.objects.filter(user=user, organization__is_secretariat=True, is_active=True)
        .select_related("organization", "user")
        .first()
    )


@transaction.atomic
def create_meeting(
    *, by: Membership, kind: MeetingKind, title: str, starts_at: datetime, ends_at: datetime, place: str = "",
    online_url: str = "", chair: User, recorder: User,
) -> Meeting:  # fmt: skip
    """The secretariat convenes a meeting. The chair is a secretariat coordinator (they approve the minutes
    and record the decisions on gap issues), the recorder a member of the secretariat. Items of earlier
    meetings of the same kind whose next review falls on or before this meeting's day are carried onto its
    agenda (each once)."""
    _coordinator(by)
    errors: dict[str, str] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = _("The meeting must end after it starts.")
    if not place.strip() and not online_url.strip():
        errors["place"] = _("Give a place or an online meeting link.")
    chair_membership = _secretariat_membership(chair)
    if chair_membership is None or not chair_membership.is_coordinator:
        errors["chair"] = _("The chair must be one of the secretariat's coordinators.")
    recorder_membership = _secretariat_membership(recorder)
    if recorder_membership is None or not recorder_membership.has_role(Role.STAFF):
        errors["recorder"] = _("The recorder must be a member of the secretariat's staff.")
    if errors:
        raise ValidationError(errors)
    _not_personal(title=title, place=place)
    meeting = Meeting.objects.create(
        kind=kind, title=title.strip(), starts_at=starts_at, ends_at=ends_at, place=place.strip(),
        online_url=online_url.strip(), chair=chair, recorder=recorder, convened_by=by.organization,
        created_by=by.user,
    )  # fmt: skip
    meeting.organizations.add(by.organization)
    for user in {chair.pk: chair, recorder.pk: recorder}.values():
        Attendee.objects.create(meeting=meeting, user=user, organization=by.organization)
    log_action(meeting, actor=by, action="meetings.meeting.created", data={"kind": kind.code})
    carry_reviews(by=by, meeting=meeting)
    return meeting


def carry_reviews(*, by: Membership, meeting: Meeting) -> list[AgendaItem]:
    """Put items due for review onto this meeting: case items of earlier, approved meetings of the same kind
    whose next review date is on or before this meeting's day and that no meeting has taken up yet."""
    day = timezone.localtime(meeting.starts_at).date()
    due = AgendaItem.objects.filter(
        meeting__kind=meeting.kind, meeting__starts_at__lt=meeting.starts_at,
        meeting__minutes_status=Meeting.Minutes.APPROVED, next_review_on__isnull=False, next_review_on__lte=day,
        carried_to__isnull=True, case__isnull=False, case__status=Case.Status.OPEN,
    ).prefetch_related("kinds")  # fmt: skip
    carried = []
    for earlier in due:
        item = _add_item(
            meeting, source=AgendaItem.Source.REVIEW, case=earlier.case, carried_from=earlier,
            kinds=[k.code for k in earlier.kinds.all()],
        )  # fmt: skip
        log_action(
            meeting, actor=by, action="meetings.item.carried", data={"item": item.pk, "from": earlier.pk}
        )
        carried.append(item)
    return carried


def _add_item(meeting: Meeting, *, source: str, kinds: list[str] | None = None, **fields: Any) -> AgendaItem:
    position = (meeting.items.aggregate(m=Max("position"))["m"] or 0) + 1
    item = AgendaItem.objects.create(meeting=meeting, position=position, source=source, **fields)
    if kinds:
        item.kinds.set(InfoKind.objects.filter(code__in=kinds))
    return item


@transaction.atomic
def invite(
    *, by: Membership, meeting: Meeting, organizations: list[Organization], members: list[Membership]
) -> list[Attendee]:
    """Invite organisations and named members (each a staff member of an invited organisation). The new
    invitees are told in the app and by e-mail with the meeting as an .ics file: kind, time and place only."""
    _coordinator(by)
    meeting.organizations.add(*organizations)
    invited = set(meeting.organizations.values_list("pk", flat=True))
    new = []
    for member in members:
        if member.organization_id not in invited or not member.has_role(Role.STAFF) or not member.is_active:
            raise ValidationError(
                {"members": _("Invite members of the invited organisations (staff and up).")}
            )
        attendee, created = Attendee.objects.get_or_create(
            meeting=meeting, user=member.user, defaults={"organization": member.organization}
        )
        if created:
            new.append(attendee)
    log_action(
        meeting, actor=by, action="meetings.meeting.invited",
        data={"organizations": sorted(o.pk for o in organizations), "members": sorted(a.user_id for a in new)},
    )  # fmt: skip
    _send_invitations(meeting, new)
    return new


def _send_invitations(meeting: Meeting, attendees: list[Attendee]) -> None:
    from tsunagari.notifications.services import notify

    start = timezone.localtime(meeting.starts_at)
    for attendee in Attendee.objects.filter(pk__in=[a.pk for a in attendees]).select_related(
        "user", "organization"
    ):
        url = reverse("meetings:meeting_detail", args=[attendee.organization.slug, meeting.pk])
        ics = ical.calendar([meeting], org_slug_of={meeting.pk: attendee.organization.slug}).decode()
        notify(
            [attendee.user],
            subject=_("[Tsunagari] Invitation: %(kind)s on %(date)s")
            % {"kind": meeting.kind.name_ja, "date": f"{start:%Y-%m-%d %H:%M}"},
            body=_(
                "You are invited to a %(kind)s on %(date)s (%(place)s). The agenda and any material are on the "
                "site; the calendar entry is attached."
            )
            % {
                "kind": meeting.kind.name_ja,
                "date": f"{start:%Y-%m-%d %H:%M}",
                "place": meeting.place or _("online"),
            },
            url=url,
            attachments=[{"filename": "meeting.ics", "content_type": "text/calendar", "content": ics}],
        )


@transaction.atomic
def add_case_item(
    *, by: Membership, meeting: Meeting, case: Case, source: str, kinds: list[str]
) -> AgendaItem:
    """Put a case on the agenda: from the unassigned queue, proposed by an invited organisation that owns it
    (the member gives the secretariat its number), or a case an SOS report was linked to (SOS triage). A kind that shares on its own basis needs the kinds of
    information the meeting may see; if the material is already released, the case is shared at once."""
    _coordinator(by)
    if not meeting.kind.carries_cases:
        raise ValidationError(_("This kind of meeting has no personal data: add topics instead."))
    if meeting.is_approved:
        raise ValidationError(_("The minutes are approved: the agenda is fixed."))
    if source == AgendaItem.Source.QUEUE:
        if not unassigned_queue_for(by).filter(pk=case.pk).exists():
            raise ValidationError({"case": _("That case is not in the queue of cases without a lead.")})
    elif source == AgendaItem.Source.PROPOSED:
        owner = case.lead_id or case.opened_by_id
        if case.status != Case.Status.OPEN or not meeting.organizations.filter(pk=owner).exists():
            raise ValidationError(
                {"case": _("Only an open case of an invited organisation can be proposed.")}
            )
        _proposal_handled(case, meeting=meeting, status=CaseProposal.Status.ADDED)
    elif source == AgendaItem.Source.SOS:
        from tsunagari.watch.models import SosReport

        if case.status != Case.Status.OPEN or not SosReport.objects.filter(case=case).exists():
            raise ValidationError({"case": _("That case was not opened from or linked to an SOS report.")})
    else:
        raise ValidationError({"source": _("Choose where the case comes from.")})
    if meeting.items.filter(case=case).exists():
        raise ValidationError({"case": _("That case is already on the agenda.")})
    if meeting.kind.creates_sharing and not InfoKind.objects.filter(code__in=kinds).exists():
        raise ValidationError({"kinds": _("Choose the kinds of information the meeting may see.")})
    item = _add_item(meeting, source=source, case=case, kinds=kinds)
    log_action(meeting, actor=by, action="meetings.item.added", data={"item": item.pk, "case": case.pk})
    if meeting.material_released_at is not None:
        _share_item(by, item)
    return item


@transaction.atomic
def add_topic_item(*, by: Membership, meeting: Meeting, gap_issue: GapIssue | None, topic: str) -> AgendaItem:
    """A topic: a gap issue (はざまの課題), or a short free topic without personal data."""
    _coordinator(by)
    if meeting.is_approved:
        raise ValidationError(_("The minutes are approved: the agenda is fixed."))
    if gap_issue is None and not topic.strip():
        raise ValidationError({"topic": _("Choose a gap issue or write a topic.")})
    _not_personal(topic=topic)
    item = _add_item(meeting, source=AgendaItem.Source.TOPIC, gap_issue=gap_issue, topic=topic.strip())
    log_action(
        meeting,
        actor=by,
        action="meetings.item.added",
        data={"item": item.pk, "gap_issue": item.gap_issue_id},
    )
    return item


def sharing_reason(meeting: Meeting) -> str:
    day = timezone.localtime(meeting.starts_at).date()
    return f"{meeting.kind.name_ja}（{meeting.title}・{day:%Y-%m-%d}）"


def sharing_ends_on(meeting: Meeting) -> date:
    return timezone.localtime(meeting.ends_at).date() + timedelta(
        days=settings.TSUNAGARI_MEETING_SHARING_DAYS
    )


def _share_item(by: Membership, item: AgendaItem) -> None:
    """The sharing rule (module docstring): one basis per invited organisation, through ``share_case``."""
    meeting = item.meeting
    if not meeting.kind.creates_sharing or item.case is None:
        return
    case = item.case
    kinds = [k.code for k in item.kinds.all()]
    for org in meeting.organizations.exclude(pk=by.organization_id):
        if owns_case(Membership(organization=org), case) or item.bases.filter(organization=org).exists():
            continue
        basis = share_case(
            by=by, case=case, organization=org, legal_basis=meeting.kind.case_legal_basis,
            reason=sharing_reason(meeting), ends_on=sharing_ends_on(meeting), kinds=kinds,
        )  # fmt: skip
        item.bases.add(basis)


@transaction.atomic
def release_material(*, by: Membership, meeting: Meeting) -> Meeting:
    """The secretariat releases the material: the case items are shared from now on (``_share_item``)."""
    _coordinator(by)
    if meeting.material_released_at is not None:
        return meeting
    meeting.material_released_at = timezone.now()
    meeting.save(update_fields=["material_released_at"])
    for item in meeting.items.filter(case__isnull=False).select_related("case", "meeting__kind"):
        _share_item(by, item)
    log_action(meeting, actor=by, action="meetings.material.released")
    return meeting


@transaction.atomic
def confirm_confidentiality(*, by: Membership, meeting: Meeting) -> Attendee:
    """The invited member confirms the duty of confidentiality, in the kind's wording (kept as confirmed)."""
    attendee = attendee_for(by, meeting)
    if attendee is None or not by.has_role(Role.STAFF):
        raise PermissionDenied
    if attendee.confirmed_at is None:
        attendee.confirmed_at = timezone.now()
        attendee.confirmed_text = meeting.kind.confidentiality_text
        attendee.save(update_fields=["confirmed_at", "confirmed_text"])
        log_action(
            meeting, actor=by, action="meetings.confidentiality.confirmed",
            data={"law": meeting.kind.confidentiality_law},
        )  # fmt: skip
    return attendee


def record_material_view(*, by: Membership, item: AgendaItem) -> None:
    """Every look at a case item's material is logged on the case, with the meeting's basis."""
    meeting = item.meeting
    basis = meeting.kind.case_legal_basis if meeting.kind.creates_sharing else ""
    if item.case is not None:
        from tsunagari.cases.selectors import basis_for

        basis = basis or basis_for(by, item.case)
        log_action(
            item.case, actor=by, action="meetings.material.viewed", legal_basis=basis,
            data={"meeting": meeting.pk, "item": item.pk},
        )  # fmt: skip


def _minutes_writer(by: Membership, meeting: Meeting) -> None:
    if by.user_id not in {meeting.chair_id, meeting.recorder_id} or not by.organization.is_secretariat:
        raise PermissionDenied
    if meeting.is_approved:
        raise ValidationError(_("The minutes are approved and fixed; the chair may amend them."))


@transaction.atomic
def record_minutes(
    *, by: Membership, item: AgendaItem, summary: str, policy: str, lead: Organization | None,
    next_review_on: date | None,
) -> AgendaItem:  # fmt: skip
    """The recorder (or chair) writes an item's minutes before approval. A topic's minutes are about the
    platform, not people: they are checked for personal data (a decision goes to the gap issue)."""
    _minutes_writer(by, item.meeting)
    if not item.is_case:
        _not_personal(summary=summary, policy=policy)
    if lead is not None and not item.meeting.organizations.filter(pk=lead.pk).exists():
        raise ValidationError({"lead": _("The lead must be an invited organisation.")})
    item.summary, item.policy, item.lead, item.next_review_on = (
        summary.strip(),
        policy.strip(),
        lead,
        next_review_on,
    )
    item.save(update_fields=["summary", "policy", "lead", "next_review_on"])
    log_action(item.meeting, actor=by, action="meetings.minutes.recorded", data={"item": item.pk})
    return item


@transaction.atomic
def add_action(
    *, by: Membership, item: AgendaItem, organization: Organization, what: str, due_on: date,
    member: User | None = None,
) -> Action:  # fmt: skip
    """An action decided on an item. On a case item it becomes a task of that organisation on the case, and
    the organisation keeps seeing the case for it (``_keep_for_action``)."""
    meeting = item.meeting
    _minutes_writer(by, meeting)
    if not meeting.organizations.filter(pk=organization.pk).exists():
        raise ValidationError({"organization": _("Give actions to invited organisations.")})
    if not what.strip():
        raise ValidationError({"what": _("Say what needs doing.")})
    if not item.is_case:
        _not_personal(what=what)
    action = Action.objects.create(
        item=item, organization=organization, member=member, what=what.strip(), due_on=due_on
    )
    if item.case is not None:
        coordinator = _acting_coordinator(by, meeting)
        _keep_for_action(coordinator, item, organization, due_on)
        owner = Membership(organization=organization, role=Role.STAFF)
        if not cases_visible_to(owner).filter(pk=item.case.pk).exists():
            raise ValidationError(
                {
                    "organization": _(
                        "That organisation does not see this case (no consent or other basis covers it)."
                    )
                }
            )
        action.task = assign_task(
            by=coordinator, case=item.case, owner=organization, title=what, due_on=due_on, assignee=member
        )
        action.save(update_fields=["task"])
    log_action(meeting, actor=by, action="meetings.action.added", data={"item": item.pk, "action": action.pk})
    return action


def _acting_coordinator(by: Membership, meeting: Meeting) -> Membership:
    """Sharing and tasks for another organisation are a coordinator's acts: the recorder writes them in the
    name of the meeting's chair (a coordinator, checked when the meeting was convened)."""
    if by.is_coordinator:
        return by
    chair = _secretariat_membership(meeting.chair)
    if chair is None or not chair.is_coordinator:
        raise PermissionDenied
    return chair


def _keep_for_action(by: Membership, item: AgendaItem, organization: Organization, due_on: date) -> None:
    until = max(due_on, item.next_review_on or due_on) + timedelta(
        days=settings.TSUNAGARI_MEETING_SHARING_DAYS
    )
    for basis in item.bases.filter(organization=organization, revoked_at__isnull=True):
        extend_sharing(by=by, basis=basis, ends_on=until)


def _snapshot(meeting: Meeting) -> str:
    items = []
    for item in meeting.items.prefetch_related("actions"):
        items.append(
            {
                "item": item.pk, "case": item.case_id, "gap_issue": item.gap_issue_id, "topic": item.topic,
                "summary": item.summary, "policy": item.policy, "lead": item.lead_id,
                "next_review_on": item.next_review_on.isoformat() if item.next_review_on else None,
                "actions": [
                    {"organization": a.organization_id, "what": a.what, "due_on": a.due_on.isoformat()}
                    for a in item.actions.all()
                ],
            }
        )  # fmt: skip
    return json.dumps(items, ensure_ascii=False)


@transaction.atomic
def approve_minutes(*, by: Membership, meeting: Meeting) -> MinutesVersion:
    """The chair approves the minutes: they are fixed as version 1. Decisions on gap issues are written to
    the gap issue (in the chair's name); the attendees are told."""
    if by.user_id != meeting.chair_id or not by.is_coordinator:
        raise PermissionDenied
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.is_approved:
        raise ValidationError(_("The minutes are already approved."))
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(minutes_status=Meeting.Minutes.APPROVED, approved_at=now)
    meeting.minutes_status, meeting.approved_at = Meeting.Minutes.APPROVED, now
    version = MinutesVersion.objects.create(
        meeting=meeting, number=1, content=_snapshot(meeting), approved_by=by.user
    )
    for item in meeting.items.filter(gap_issue__isnull=False).select_related("gap_issue"):
        if item.policy and item.gap_issue is not None:
            item.gap_issue.participants.add(by.organization)
            add_gap_entry(
                by=by, issue=item.gap_issue, kind=GapIssueEntry.Kind.DECISION,
                text=f"{meeting.kind.name_ja}「{meeting.title}」の決定: {item.policy}",
            )  # fmt: skip
    log_action(meeting, actor=by, action="meetings.minutes.approved", data={"version": 1})
    _tell_attendees(meeting, _("[Tsunagari] The minutes of a %(kind)s were approved"))
    return version


def _tell_attendees(meeting: Meeting, subject: str) -> None:
    from tsunagari.notifications.services import notify

    for attendee in meeting.attendees.select_related("user", "organization"):
        notify(
            [attendee.user], subject=subject % {"kind": meeting.kind.name_ja},
            url=reverse("meetings:meeting_detail", args=[attendee.organization.slug, meeting.pk]),
        )  # fmt: skip


@transaction.atomic
def amend_minutes(
    *, by: Membership, item: AgendaItem, summary: str, policy: str, reason: str
) -> MinutesVersion:
    """After approval the minutes are fixed: the chair amends an item with a reason, as a new version."""
    meeting = item.meeting
    if by.user_id != meeting.chair_id or not by.is_coordinator or not meeting.is_approved:
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the minutes are amended.")})
    if not item.is_case:
        _not_personal(summary=summary, policy=policy)
    item.summary, item.policy = summary.strip(), policy.strip()
    item.save(update_fields=["summary", "policy"])
    number = (meeting.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = MinutesVersion.objects.create(
        meeting=meeting, number=number, content=_snapshot(meeting), reason=reason.strip(), approved_by=by.user
    )
    log_action(
        meeting, actor=by, action="meetings.minutes.amended", data={"version": number, "item": item.pk}
    )
    return version


@transaction.atomic
def record_attendance(*, by: Membership, meeting: Meeting, present: list[int]) -> None:
    _minutes_writer(by, meeting)
    meeting.attendees.update(attended=False)
    meeting.attendees.filter(pk__in=present).update(attended=True)
    log_action(meeting, actor=by, action="meetings.attendance.recorded", data={"present": sorted(present)})


@transaction.atomic
def complete_action(*, by: Membership, action: Action) -> Action:
    """A topic item's action is ticked off by its organisation (a case item's through its task)."""
    if action.organization_id != by.organization_id or not by.has_role(Role.STAFF) or action.task_id:
        raise PermissionDenied
    if action.done_at is None:
        action.done_at = timezone.now()
        action.save(update_fields=["done_at"])
        log_action(action.item.meeting, actor=by, action="meetings.action.done", data={"action": action.pk})
    return action


@transaction.atomic
def publish_minutes(*, by: Membership, meeting: Meeting, text: str) -> Meeting:
    """Minutes of an open platform meeting on the public site, when the secretariat chooses (no personal
    data: checked). An empty text withdraws them."""
    _coordinator(by)
    if meeting.kind.closed or meeting.kind.carries_cases:
        raise ValidationError(_("Only the minutes of open platform meetings can be published."))
    _not_personal(public_minutes=text)
    meeting.public_minutes = text.strip()
    meeting.published_at = timezone.now() if text.strip() else None
    meeting.save(update_fields=["public_minutes", "published_at"])
    if text.strip():
        log_action(meeting, actor=by, action="meetings.minutes.published")
    else:
        log_action(meeting, actor=by, action="meetings.minutes.withdrawn")
    return meeting


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def new_calendar_token(*, user: User) -> str:
    """A new private calendar address (the old one stops working). Only its hash is stored."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_hash": _hash(token), "created_at": timezone.now()}
    )
    log_action(None, actor=user, action="meetings.calendar.created")
    return token


@transaction.atomic
def revoke_calendar(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()
    log_action(None, actor=user, action="meetings.calendar.revoked")


def feed_user(token: str) -> User | None:
    feed = CalendarFeed.objects.filter(token_hash=_hash(token)).select_related("user").first()
    return feed.user if feed and feed.user.is_active else None


# --- proposals: a member asks for a 支援会議 on one of its cases -------------------------------------------


@transaction.atomic
def propose_case(*, by: Membership, case: Case, reason: str) -> CaseProposal:
    """The organisation that owns an open case asks the secretariat to discuss it at a 支援会議. The reason
    goes to the secretariat, which may not see the case yet: it must name no one (checked). The secretariat's
    coordinators are told at once (in the app and by e-mail, with the case number only)."""
    if not by.has_role(Role.STAFF) or not owns_case(by, case):
        raise PermissionDenied
    if case.status != Case.Status.OPEN:
        raise ValidationError(_("Only an open case can be proposed for a meeting."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case needs a meeting (without names).")})
    _not_personal(reason=reason)
    if CaseProposal.objects.filter(case=case, status=CaseProposal.Status.WAITING).exists():
        raise ValidationError(_("This case is already proposed and waits for the secretariat."))
    proposal = CaseProposal.objects.create(
        case=case, organization=by.organization, proposed_by=by.user, reason=reason.strip()
    )
    log_action(case, actor=by, action="meetings.case.proposed", data={"proposal": proposal.pk})
    _tell_coordinators_of_proposal(proposal)
    return proposal


@transaction.atomic
def decline_proposal(*, by: Membership, proposal: CaseProposal) -> CaseProposal:
    """The secretariat will not put the case on an agenda now; the proposing organisation is told."""
    _coordinator(by)
    if proposal.status != CaseProposal.Status.WAITING:
        raise ValidationError(_("This proposal has already been handled."))
    _proposal_handled(proposal.case, meeting=None, status=CaseProposal.Status.DECLINED)
    log_action(
        proposal.case, actor=by, action="meetings.case.proposal_declined", data={"proposal": proposal.pk}
    )
    return proposal


def _proposal_handled(case: Case, *, meeting: Meeting | None, status: str) -> None:
    """Close the case's waiting proposal, if any, and tell its organisation's staff what became of it."""
    from tsunagari.notifications.services import notify

    proposal = CaseProposal.objects.filter(case=case, status=CaseProposal.Status.WAITING).first()
    if proposal is None:
        return
    proposal.status, proposal.meeting, proposal.handled_at = status, meeting, timezone.now()
    proposal.save(update_fields=["status", "meeting", "handled_at"])
    staff = Membership.objects.filter(
        organization=proposal.organization, role__in=[Role.STAFF, Role.ADMIN], is_active=True
    ).select_related("user")
    if status == CaseProposal.Status.ADDED and meeting is not None:
        subject = _("[Tsunagari] Case #%(case)s is on the agenda of a %(kind)s on %(date)s") % {
            "case": case.pk, "kind": meeting.kind.name_ja,
            "date": f"{timezone.localtime(meeting.starts_at):%Y-%m-%d}",
        }  # fmt: skip
    else:
        subject = _("[Tsunagari] The secretariat did not put case #%(case)s on an agenda for now") % {
            "case": case.pk
        }
    notify(
        [m.user for m in staff], subject=subject,
        body=_("Open the case to see its meetings. The secretariat can tell you more."),
        url=reverse("cases:case_detail", args=[proposal.organization.slug, case.pk]),
    )  # fmt: skip


def _tell_coordinators_of_proposal(proposal: CaseProposal) -> None:
    from tsunagari.notifications.services import notify

    coordinators = Membership.objects.filter(
        organization__is_secretariat=True, role=Role.COORDINATOR, is_active=True
    ).select_related("user", "organization")
    first = coordinators.first()
    if first is None:
        return
    notify(
        [m.user for m in coordinators],
        subject=_("[Tsunagari] %(org)s proposes case #%(case)s for a 支援会議")
        % {"org": proposal.organization.name, "case": proposal.case_id},
        body=_(
            "A member organisation asks for a meeting on one of its cases. Its reason is on the meetings page; "
            "put the case on a meeting's agenda (where the case comes from: proposed by a member) or decline."
        ),
        url=reverse("meetings:meeting_list", args=[first.organization.slug]),
    )  # fmt: skip
