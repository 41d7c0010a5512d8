"""What waits for a member today: the figures of the today view (the dashboard) and of the header's badge.

Every figure is a count over a visibility selector (cases/selectors.py, watch/selectors.py), so a member
never sees a count of things they may not see; a role that sees none of a kind gets no query for it (the
selectors return ``.none()``). Counts only: no row is loaded, so no name is decrypted. The number of
queries does not depend on how much is waiting (tests/test_today.py holds both).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, IntegerField, Q, QuerySet, Subquery
from django.db.models.functions import Now
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from tsunagari.accounts.models import User
from tsunagari.cases.models import Case, Referral
from tsunagari.cases.selectors import (
    cases_visible_to,
    inbox_for,
    open_tasks_for,
    overdue_referrals,
    unassigned_queue_for,
)
from tsunagari.meetings.models import Action
from tsunagari.meetings.selectors import overdue_actions
from tsunagari.notifications.models import Notification
from tsunagari.orgs.applications import applications_visible_to
from tsunagari.orgs.models import Membership, MembershipApplication, Organization, Role
from tsunagari.orgs.selectors import memberships_of, pick_membership
from tsunagari.outreach.selectors import inquiries_visible_to
from tsunagari.reachout.selectors import waiting_requests
from tsunagari.watch import ladder
from tsunagari.watch.models import Alert, SosReport
from tsunagari.watch.selectors import alerts_visible_to, sos_for_triage

URGENT_RISKS = [Case.Risk.URGENT, Case.Risk.HIGH]


@dataclass(frozen=True)
class Figure:
    label: Any  # lazy translation
    count: int
    url: str
    urgent: bool = False


@dataclass
class Today:
    urgent: list[Figure] = field(default_factory=list)  # shown first, in red, when not zero
    figures: list[Figure] = field(default_factory=list)  # everything else that waits
    alerts_by_step: list[Figure] = field(default_factory=list)
    waiting: int = 0  # what waits for this member's action (the badge): everything above but urgent cases
    unread: int = 0  # the member's unread notifications (the badge's other number)


def _high_step() -> int:
    """Alerts from the home-visit step up are urgent (an urgent contact starts there)."""
    codes = [step.code for step in ladder.ladder()]
    return codes.index("home_visit") if "home_visit" in codes else len(codes) - 1


class _Count(Subquery):
    """COUNT(*) of a queryset as a scalar subquery, so that every figure of a page costs one query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


# The count query is built from up to eighteen querysets of the visibility selectors; building and compiling
# it cost more than running it (a third of the today view's CPU on PostgreSQL). Its SQL depends only on the
# member (organisation, role, user), today's date and the watch ladder, never on the data: it is compiled
# once per member and day in each process and run afresh on every page, so the counts are never old.
KEPT_QUERIES = 512
_kept_sql: OrderedDict[tuple[Any, ...], CountQuery] = OrderedDict()
_kept_lock = threading.Lock()


@dataclass(frozen=True)
class CountQuery:
    names: list[str]  # every figure, in order
    asked: list[str]  # the figures the query counts (a selector's ``.none()`` is 0 without a query)
    sql: str
    params: tuple[Any, ...]


def clear_kept_queries() -> None:
    """Forget every kept count query (tests start each with none: an id may be reused by a new member)."""
    with _kept_lock:
        _kept_sql.clear()


def _sql_key(kind: str, membership: Membership) -> tuple[Any, ...]:
    """What the count query's SQL depends on (the selectors read nothing else of the member)."""
    return (
        kind,
        connection.vendor,
        membership.pk,
        membership.role,
        membership.organization_id,
        membership.user_id,
        membership.is_coordinator,
        timezone.localdate(),
        tuple(settings.TSUNAGARI_WATCH_LADDER),
    )


def _compile(membership: Membership, querysets: dict[str, QuerySet]) -> CountQuery:
    """One query that counts each queryset, as COUNT(*) subqueries of a one-row query."""
    asked = [name for name, qs in querysets.items() if not qs.query.is_empty()]
    if not asked:
        return CountQuery(list(querysets), [], "", ())
    counting = (
        Organization.objects.filter(pk=membership.organization_id)
        .annotate(**{name: _Count(querysets[name].order_by().values("pk")) for name in asked})
        .values_list(*asked)
    )
    sql, params = counting.query.get_compiler(using=counting.db).as_sql()
    return CountQuery(list(querysets), asked, sql, tuple(params))


def _count(kind: str, membership: Membership, build: Callable[[], dict[str, QuerySet]]) -> dict[str, int]:
    """Count each queryset ``build`` gives (by name), all in one query, compiled once (see above)."""
    key = _sql_key(kind, membership)
    with _kept_lock:
        query = _kept_sql.get(key)
        if query is not None:
            _kept_sql.move_to_end(key)
    if query is None:
        query = _compile(membership, build())
        with _kept_lock:
            _kept_sql[key] = query
            while len(_kept_sql) > KEPT_QUERIES:
                _kept_sql.popitem(last=False)
    counts = dict.fromkeys(query.names, 0)
    if query.asked:
        with connection.cursor() as cursor:
            cursor.execute(query.sql, query.params)
            counts.update(zip(query.asked, cursor.fetchone(), strict=True))
    return counts


WAITING = ("alerts", "sos", "unassigned", "inbox", "tasks_due", "contact_requests")  # _waiting's names


def _waiting(membership: Membership) -> dict[str, QuerySet]:
    """What waits for this member's action (the badge's number is their sum)."""
    today = timezone.localdate()
    return {
        # An SOS report's alert is the report waiting for triage, counted once (as "sos").
        "alerts": alerts_visible_to(membership)
        .filter(acknowledged_at__isnull=True)
        .exclude(kind=Alert.Kind.SOS),
        "sos": sos_for_triage(membership).filter(status=SosReport.Status.RECEIVED),
        "unassigned": unassigned_queue_for(membership),
        "inbox": inbox_for(membership).filter(status=Referral.Status.SENT),
        # One count for the badge (due today or overdue); the today view splits it in two.
        "tasks_due": open_tasks_for(membership).filter(due_on__lte=today),
        # 「相談したい」: the secretariat's untaken requests; an organisation's assigned, not yet contacted.
        "contact_requests": waiting_requests(membership),
    }


def _unread(user_id: int) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True)


def waiting_for(membership: Membership, *, unread_of: User | None = None) -> tuple[int, int]:
    """(unread notifications of ``unread_of``, things waiting for this member's action), in one query."""

    def build() -> dict[str, QuerySet]:
        querysets = _waiting(membership)
        if unread_of is not None:
            querysets["unread"] = _unread(unread_of.pk)
        return querysets

    counts = _count(f"waiting:{unread_of.pk if unread_of else ''}", membership, build)
    unread = counts.pop("unread", 0)
    return unread, sum(counts.values())


def _today_querysets(membership: Membership) -> dict[str, QuerySet]:
    """The today view's figures as querysets, counted in one query (``_count``). Past-time is the database's
    clock (``Now()``), not a parameter, so the kept SQL stays right all day."""
    today = timezone.localdate()
    open_alerts = alerts_visible_to(membership).filter(acknowledged_at__isnull=True)
    return {
        **_waiting(membership),
        "urgent_cases": cases_visible_to(membership).filter(status=Case.Status.OPEN, risk__in=URGENT_RISKS),
        "urgent_alerts": open_alerts.filter(
            Q(kind__in=[Alert.Kind.URGENT, Alert.Kind.SOS]) | Q(step__gte=_high_step())
        ),
        "inbox_overdue": inbox_for(membership).filter(status=Referral.Status.SENT, due_on__lt=today),
        "overdue_anywhere": overdue_referrals() if membership.is_coordinator else Referral.objects.none(),
        "tasks_today": open_tasks_for(membership).filter(due_on=today),
        "tasks_overdue": open_tasks_for(membership).filter(due_on__lt=today),
        "overdue_actions": overdue_actions() if membership.is_coordinator else Action.objects.none(),
        # The secretariat's public door (selectors give .none() to anyone else: no query for them).
        "waiting_applications": applications_visible_to(membership).filter(
            status=MembershipApplication.Status.WAITING
        ),
        "waiting_inquiries": inquiries_visible_to(membership).filter(answered_at__isnull=True),
        "urgent_contact_requests": waiting_requests(membership).filter(urgent=True),
        "overdue_contact_requests": waiting_requests(membership).filter(due_at__lt=Now()),
        "unread": _unread(membership.user_id),
    }


def today_for(membership: Membership) -> Today:
    """The today view of one member in one organisation: one query for the counts (the header's badge
    included: ``Today.unread`` and ``Today.waiting``), one for the alerts by step (staff and up)."""
    slug = membership.organization.slug
    counts = _count("today", membership, lambda: _today_querysets(membership))
    result = Today(waiting=sum(counts[name] for name in WAITING), unread=counts["unread"])
    if not membership.has_role(Role.STAFF):
        return result  # viewers and volunteers see no cases, alerts or referrals here

    alert_url = reverse("watch:alert_list", args=[slug])
    result.urgent = [
        Figure(_("Open cases at high or urgent risk"), counts["urgent_cases"],
               reverse("cases:case_list", args=[slug]), urgent=True),
        Figure(_("Open alerts at a high step"), counts["urgent_alerts"], alert_url, urgent=True),
    ]  # fmt: skip
    requests_url = reverse("reachout_staff:request_list", args=[slug])
    result.urgent.append(
        Figure(_("Contact requests with crisis words (緊急) waiting"), counts["urgent_contact_requests"],
               requests_url, urgent=True)
    )  # fmt: skip
    if membership.is_coordinator:
        result.urgent.append(
            Figure(_("SOS reports waiting for triage"), counts["sos"], reverse("watch:sos_queue", args=[slug]),
                   urgent=True)
        )  # fmt: skip
        result.figures += [
            Figure(_("Cases without a lead"), counts["unassigned"], reverse("cases:case_queue", args=[slug])),
            Figure(_("Referrals past their response day (all organisations)"), counts["overdue_anywhere"],
                   reverse("cases:overdue", args=[slug])),
            Figure(_("Meeting actions past their due date"), counts["overdue_actions"],
                   reverse("meetings:meeting_list", args=[slug])),
            Figure(_("Membership applications waiting for review"), counts["waiting_applications"],
                   reverse("orgs:application_list", args=[slug])),
            Figure(_("Inquiries waiting for an answer"), counts["waiting_inquiries"],
                   reverse("outreach:inquiry_list", args=[slug])),
        ]  # fmt: skip
    result.figures += [
        Figure(_("Residents waiting to be contacted (相談したい)"), counts["contact_requests"], requests_url),
        Figure(
            _("Contact requests past their answer time"), counts["overdue_contact_requests"], requests_url
        ),
    ]
    inbox_url = reverse("cases:inbox", args=[slug])
    task_url = reverse("cases:task_list", args=[slug])
    result.figures += [
        Figure(_("Referrals waiting for your answer"), counts["inbox"], inbox_url),
        Figure(_("Referrals in your inbox past their response day"), counts["inbox_overdue"], inbox_url),
        Figure(_("Tasks due today"), counts["tasks_today"], task_url),
        Figure(_("Tasks overdue"), counts["tasks_overdue"], task_url),
    ]

    steps = ladder.ladder()
    open_alerts = alerts_visible_to(membership).filter(acknowledged_at__isnull=True)
    by_step: dict[str, Figure] = {}
    for row in open_alerts.values("kind", "step").annotate(n=Count("pk")).order_by("step", "kind"):
        step = ladder.TRIAGE if row["kind"] == Alert.Kind.SOS else steps[min(row["step"], len(steps) - 1)]
        before = by_step.get(step.code)
        by_step[step.code] = Figure(step.label, (before.count if before else 0) + row["n"], alert_url)
    result.alerts_by_step = list(by_step.values())
    return result


@dataclass(frozen=True)
class Badge:
    unread: int  # notifications not read yet
    waiting: int  # things waiting for this member's action in ``org_slug`` (the today view's sum)
    org_slug: str = ""

    @property
    def total(self) -> int:  # shown on the folded menu's button on a phone
        return self.unread + self.waiting


# The header's badge on an organisation's pages is kept in the member's session for this long: counting
# what waits is a query built from six visibility selectors (about a third of a simple staff page). Work
# that others send shows within this time; the member's own changes (any POST) and the today view count
# afresh at once.
BADGE_SESSION_KEY = "tsunagari_badge"
BADGE_SECONDS = 30


def _badge_owner(membership: Membership) -> str:
    """Whose counts a kept badge holds: this membership in its role (a new role counts afresh)."""
    return f"{membership.pk}:{membership.role}"


def _keep_in_session(request: HttpRequest, membership: Membership, counted: Badge) -> None:
    request.session[BADGE_SESSION_KEY] = {  # type: ignore[attr-defined]
        "owner": _badge_owner(membership),
        "at": time.time(),
        "unread": counted.unread,
        "waiting": counted.waiting,
    }


def _kept_in_session(request: HttpRequest, membership: Membership) -> Badge | None:
    kept = request.session.get(BADGE_SESSION_KEY)  # type: ignore[attr-defined]
    if (
        not isinstance(kept, dict)
        or kept.get("owner") != _badge_owner(membership)
        or not 0 <= time.time() - kept.get("at", 0) < BADGE_SECONDS
    ):
        return None
    return Badge(unread=kept["unread"], waiting=kept["waiting"], org_slug=membership.organization.slug)


def keep_badge(request: HttpRequest, today: Today) -> None:
    """The today view has counted the badge's figures already: the header shows those (no second query),
    and the next pages too, for BADGE_SECONDS."""
    membership: Membership = request.membership  # type: ignore[attr-defined]
    counted = Badge(unread=today.unread, waiting=today.waiting, org_slug=membership.organization.slug)
    request.waiting_badge = counted  # type: ignore[attr-defined]
    if _kept_in_session(request, membership) != counted:  # a session write only when something changed
        _keep_in_session(request, membership, counted)


class FreshBadgeMiddleware:
    """A member's own change (any request but GET or HEAD) may change what waits for them: the kept badge
    is dropped before the view runs, so the next page they see counts afresh."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if request.method not in ("GET", "HEAD") and session is not None and session.session_key:
            session.pop(BADGE_SESSION_KEY, None)
        return self.get_response(request)


def badge(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the header's counts on every signed-in page, for the organisation of the page
    (or, elsewhere, the one the person last worked in). Computed only if the page shows the header; on an
    organisation's pages (membership checked by ``org_view``) kept in the session for BADGE_SECONDS."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def compute() -> Badge:
        counted = getattr(request, "waiting_badge", None)
        if counted is not None:
            return counted
        page_membership = getattr(request, "membership", None)
        if page_membership is not None and (kept := _kept_in_session(request, page_membership)):
            return kept
        membership = page_membership or pick_membership(
            list(memberships_of(user)), request.session.get("current_org")
        )
        if membership is None:
            return Badge(unread=_unread(user.pk).count(), waiting=0)
        unread, waiting = waiting_for(membership, unread_of=user)
        counted = Badge(unread=unread, waiting=waiting, org_slug=membership.organization.slug)
        if page_membership is not None:
            _keep_in_session(request, membership, counted)
        return counted

    return {"waiting_badge": SimpleLazyObject(compute)}
