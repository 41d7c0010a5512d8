"""Reads of the meetings app, and who may see what. A meeting itself (kind, date, place, the agenda as case
numbers and topics, attendance) is not personal; its case material is, and has its own rule
(``may_see_material``)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from tsunagari.cases.selectors import live_bases, owns_case
from tsunagari.orgs.models import Membership, Role

from .models import Action, AgendaItem, Attendee, CaseProposal, Meeting


def meetings_visible_to(membership: Membership) -> QuerySet[Meeting]:
    """Meetings the member's organisation is invited to, for its staff and up; every meeting for the
    secretariat's coordinators (who convene them). Other organisations cannot learn that a meeting exists."""
    if not membership.has_role(Role.STAFF):
        return Meeting.objects.none()
    if membership.is_coordinator:
        return Meeting.objects.all()
    return Meeting.objects.filter(organizations=membership.organization)


def attendee_for(membership: Membership, meeting: Meeting) -> Attendee | None:
    """The member's invitation to this meeting, as a member of the organisation of the page (a person invited
    for one organisation is not invited for another they also belong to)."""
    return Attendee.objects.filter(
        meeting=meeting, user_id=membership.user_id, organization_id=membership.organization_id
    ).first()


def may_see_material(membership: Membership, meeting: Meeting, attendee: Attendee | None) -> bool:
    """Case material of a meeting: only named attendees (not their colleagues), staff and up, once the
    secretariat has released the material, and — for kinds with a duty of confidentiality — once they have
    confirmed it. Everyone else gets 404 for it."""
    return (
        attendee is not None
        and membership.has_role(Role.STAFF)
        and meeting.material_released_at is not None
        and (attendee.confirmed_at is not None or not meeting.kind.requires_confidentiality)
    )


def material_open_to(membership: Membership, item: AgendaItem) -> bool:
    """A case item of a meeting that shares on its own basis (支援会議, 協議会) stays open to an invited
    organisation only while its basis from this item is live (until the sharing period ends, or longer for an
    organisation given an action); the organisation that owns the case and the secretariat keep it. The
    caller has checked ``may_see_material``."""
    if item.case is None or not item.meeting.kind.creates_sharing:
        return True
    if membership.organization.is_secretariat or owns_case(membership, item.case):
        return True
    return live_bases(membership).filter(pk__in=item.bases.values("pk")).exists()


def items_of(meeting: Meeting) -> QuerySet[AgendaItem]:
    """A meeting's agenda with what its page shows (no personal text: summaries and policies stay deferred)."""
    return (
        meeting.items.select_related("gap_issue", "lead", "carried_from__meeting")
        .defer("summary", "policy")
        .prefetch_related(
            "kinds", "actions__organization", "actions__task",
            "carried_from__actions__organization", "carried_from__actions__task",
        )
    )  # fmt: skip


def items_for_case(case_id: int) -> QuerySet[AgendaItem]:
    """The meeting items on one case (for the case page; the caller has checked the member sees the case)."""
    return (
        AgendaItem.objects.filter(case_id=case_id)
        .select_related("meeting__kind", "lead")
        .prefetch_related("actions__organization", "actions__task")
        .order_by("-meeting__starts_at", "pk")
    )


def _open() -> Q:
    return Q(task__isnull=False, task__done_at__isnull=True) | Q(task__isnull=True, done_at__isnull=True)


def overdue_actions() -> QuerySet[Action]:
    """Meeting actions not done by their due date (all meetings): the secretariat follows them up."""
    return Action.objects.filter(_open(), due_on__lt=timezone.localdate())


def upcoming_for_user(user_id: int) -> QuerySet[Meeting]:
    """The meetings a person is invited to (their calendar feed): from 90 days ago on."""
    since = timezone.now() - timedelta(days=90)
    return (
        Meeting.objects.filter(attendees__user_id=user_id, starts_at__gte=since)
        .select_related("kind")
        .distinct()
        .order_by("starts_at")
    )


def action_is_done(action: Action) -> bool:
    return (action.task.done_at if action.task_id and action.task else action.done_at) is not None


def waiting_proposals() -> QuerySet[CaseProposal]:
    """Cases member organisations asked to discuss, not yet handled: for the secretariat's coordinators
    (the caller checks the role), oldest first."""
    return CaseProposal.objects.filter(status=CaseProposal.Status.WAITING).order_by("created_at", "pk")
