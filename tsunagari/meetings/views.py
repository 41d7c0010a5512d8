"""Meeting pages: the list, convening, a meeting (agenda, attendance, confidentiality, release, approval), an
agenda item (its material and minutes), the 支援会議 register, the private calendar; public minutes and the
calendar feed (no sign-in: the feed's address is its key)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tsunagari.cases import disclosure
from tsunagari.cases.models import Person
from tsunagari.cases.selectors import cases_visible_to, owns_case
from tsunagari.needs.selectors import gap_issues_visible_to
from tsunagari.orgs.access import OrgRequest, org_view
from tsunagari.orgs.models import Role
from tsunagari.pagination import paginate

from . import ical, selectors, services
from .forms import (
    ActionForm,
    AmendForm,
    CaseItemForm,
    InviteForm,
    MeetingForm,
    MinutesForm,
    ProposalForm,
    PublishForm,
    TopicItemForm,
)
from .models import Action, AgendaItem, Meeting, MeetingKind


def _error(request: HttpRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


def _form_errors(request: HttpRequest, form) -> None:  # type: ignore[no-untyped-def]
    for errors in form.errors.values():
        for text in errors:
            messages.error(request, text)


def _meeting(request: OrgRequest, meeting_pk: int) -> Meeting:
    return get_object_or_404(
        selectors.meetings_visible_to(request.membership).select_related("kind", "chair", "recorder"),
        pk=meeting_pk,
    )


def _back(request: OrgRequest, meeting: Meeting) -> HttpResponse:
    return redirect("meetings:meeting_detail", org_slug=request.org.slug, meeting_pk=meeting.pk)


@org_view(Role.STAFF)
@require_GET
def meeting_list(request: OrgRequest) -> HttpResponse:
    """The meetings the organisation is invited to (every meeting, for the secretariat's coordinators)."""
    meetings = (
        selectors.meetings_visible_to(request.membership).select_related("kind").order_by("-starts_at", "pk")
    )
    listing = paginate(request, meetings)
    proposals = (
        selectors.waiting_proposals().select_related("organization")
        if request.membership.is_coordinator
        else None
    )
    return render(
        request,
        "meetings/meeting_list.html",
        {"meetings": listing.page, "page": listing.page, "query": listing.query, "proposals": proposals},
    )


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
def case_propose(request: OrgRequest, case_pk: int) -> HttpResponse:
    """A member organisation asks the secretariat for a 支援会議 on one of its own open cases."""
    case = get_object_or_404(cases_visible_to(request.membership), pk=case_pk)
    if not owns_case(request.membership, case):
        raise Http404
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_case(by=request.membership, case=case, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, _("The secretariat has been told; you will hear when it is decided."))
            return redirect("cases:case_detail", org_slug=request.org.slug, case_pk=case.pk)
    return render(request, "meetings/case_propose.html", {"case": case, "form": form})


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_POST
def proposal_decline(request: OrgRequest, proposal_pk: int) -> HttpResponse:
    proposal = get_object_or_404(selectors.waiting_proposals(), pk=proposal_pk)
    services.decline_proposal(by=request.membership, proposal=proposal)
    messages.success(request, _("The proposing organisation has been told."))
    return redirect("meetings:meeting_list", org_slug=request.org.slug)


def _attach(form: Any, error: ValidationError) -> None:
    """A service's refusal shown on the form, beside the field it names (the text typed is kept)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_http_methods(["GET", "POST"])
def meeting_create(request: OrgRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None, secretariat=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.create_meeting(by=request.membership, **form.cleaned_data)
        except ValidationError as error:
            for field, texts in error.message_dict.items():
                form.add_error(field if field in form.fields else None, texts)
        else:
            messages.success(request, _("Meeting created. Invite organisations and set the agenda."))
            return _back(request, meeting)
    return render(request, "meetings/meeting_form.html", {"form": form})


@org_view(Role.STAFF)
@require_GET
def meeting_detail(request: OrgRequest, meeting_pk: int) -> HttpResponse:
    membership = request.membership
    meeting = _meeting(request, meeting_pk)
    attendee = selectors.attendee_for(membership, meeting)
    coordinator = membership.is_coordinator
    writer = membership.organization.is_secretariat and membership.user_id in {
        meeting.chair_id,
        meeting.recorder_id,
    }
    items = list(selectors.items_of(meeting))
    context: dict[str, Any] = {
        "meeting": meeting,
        "attendee": attendee,
        "may_see_material": selectors.may_see_material(membership, meeting, attendee),
        "items": items,
        "attendees": meeting.attendees.select_related("user", "organization"),
        "organizations": meeting.organizations.all(),
        "coordinator": coordinator,
        "writer": writer,
        "is_chair": coordinator and membership.user_id == meeting.chair_id,
        "today": timezone.localdate(),
        "versions": meeting.versions.select_related("approved_by").only(
            "number", "approved_at", "approved_by__display_name", "meeting_id"
        ),
    }
    if coordinator and not meeting.is_approved:
        context["invite_form"] = InviteForm(meeting=meeting, prefix="invite")
        if meeting.kind.carries_cases:
            context["case_form"] = CaseItemForm(prefix="case")
        context["topic_form"] = TopicItemForm(issues=gap_issues_visible_to(membership), prefix="topic")
    if coordinator and not meeting.kind.closed and not meeting.kind.carries_cases:
        context["publish_form"] = PublishForm(initial={"text": meeting.public_minutes}, prefix="publish")
    return render(request, "meetings/meeting_detail.html", context)


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_POST
def meeting_invite(request: OrgRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk)
    form = InviteForm(request.POST, meeting=meeting, prefix="invite")
    if form.is_valid():
        try:
            invited = services.invite(
                by=request.membership, meeting=meeting,
                organizations=list(form.cleaned_data["organizations"]), members=list(form.cleaned_data["members"]),
            )  # fmt: skip
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("Invited. %(count)s member(s) were told.") % {"count": len(invited)})
    else:
        _form_errors(request, form)
    return _back(request, meeting)


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_POST
def item_add_case(request: OrgRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk)
    form = CaseItemForm(request.POST, prefix="case")
    if form.is_valid():
        try:
            services.add_case_item(
                by=request.membership, meeting=meeting, case=form.cleaned_data["case"],
                source=form.cleaned_data["source"], kinds=[k.code for k in form.cleaned_data["kinds"]],
            )  # fmt: skip
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("The case is on the agenda."))
    else:
        _form_errors(request, form)
    return _back(request, meeting)


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_POST
def item_add_topic(request: OrgRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk)
    form = TopicItemForm(request.POST, issues=gap_issues_visible_to(request.membership), prefix="topic")
    if form.is_valid():
        try:
            services.add_topic_item(
                by=request.membership, meeting=meeting, gap_issue=form.cleaned_data["gap_issue"],
                topic=form.cleaned_data["topic"],
            )  # fmt: skip
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("The topic is on the agenda."))
    else:
        _form_errors(request, form)
    return _back(request, meeting)


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_POST
def meeting_release(request: OrgRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk)
    try:
        services.release_material(by=request.membership, meeting=meeting)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("The material is released to the invited members."))
    return _back(request, meeting)


@org_view(Role.STAFF)
@require_POST
def meeting_confirm(request: OrgRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk)
    if selectors.attendee_for(request.membership, meeting) is None:
        raise Http404
    services.confirm_confidentiality(by=request.membership, meeting=meeting)
    messages.success(request, _("Your confirmation of the duty of confidentiality is recorded."))
    return _back(request, meeting)


@org_view(Role.STAFF, secretariat_only=True)
@require_POST
def meeting_attendance(request: OrgRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk)
    present = [int(v) for v in request.POST.getlist("present") if v.isdigit()]
    try:
        services.record_attendance(by=request.membership, meeting=meeting, present=present)
    except ValidationError as error:
        _error(request, error)
    except services.PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("Attendance recorded."))
    return _back(request, meeting)


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_POST
def meeting_approve(request: OrgRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk)
    try:
        services.approve_minutes(by=request.membership, meeting=meeting)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("The minutes are approved."))
    return _back(request, meeting)


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_POST
def meeting_publish(request: OrgRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk)
    form = PublishForm(request.POST, prefix="publish")
    if form.is_valid():
        try:
            services.publish_minutes(by=request.membership, meeting=meeting, text=form.cleaned_data["text"])
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("The public minutes are saved."))
    else:
        _form_errors(request, form)
    return _back(request, meeting)


def _item(request: OrgRequest, meeting_pk: int, item_pk: int) -> tuple[Meeting, AgendaItem]:
    """The item, and for a case item only for a member who may see the meeting's material (else 404)."""
    meeting = _meeting(request, meeting_pk)
    item = get_object_or_404(meeting.items.select_related("case", "gap_issue", "lead"), pk=item_pk)
    if item.is_case:
        attendee = selectors.attendee_for(request.membership, meeting)
        if not selectors.may_see_material(request.membership, meeting, attendee):
            raise Http404
        if not selectors.material_open_to(request.membership, item):
            raise Http404
    return meeting, item


@org_view(Role.STAFF)
@require_GET
def item_detail(request: OrgRequest, meeting_pk: int, item_pk: int) -> HttpResponse:
    membership = request.membership
    meeting, item = _item(request, meeting_pk, item_pk)
    context: dict = {"meeting": meeting, "item": item, "now": timezone.localtime()}
    if item.case is not None:
        case = item.case
        if meeting.kind.creates_sharing:
            shows = disclosure.shown(k.code for k in item.kinds.all())
        elif cases_visible_to(membership).filter(pk=case.pk).exists():
            shows = disclosure.disclosure(membership, case).shows
        else:
            shows = disclosure.shown([])
        context.update(
            shows=shows, case=case, people=Person.objects.filter(pk__in=disclosure.case_people([case])[case.pk]).order_by("pk")
            if shows["person_name"] else [],
            household=case.household if case.household_id and shows["household_label"] else None,
            categories=case.categories.all() if shows["case_categories"] else [],
        )  # fmt: skip
        services.record_material_view(by=membership, item=item)
    writer = (
        membership.organization.is_secretariat
        and membership.user_id in {meeting.chair_id, meeting.recorder_id}
        and not meeting.is_approved
    )
    if writer:
        context["minutes_form"] = MinutesForm(
            meeting=meeting, prefix="minutes",
            initial={"summary": item.summary, "policy": item.policy, "lead": item.lead_id, "next_review_on": item.next_review_on},
        )  # fmt: skip
        context["action_form"] = ActionForm(meeting=meeting, prefix="action")
    if meeting.is_approved and membership.is_coordinator and membership.user_id == meeting.chair_id:
        context["amend_form"] = AmendForm(
            initial={"summary": item.summary, "policy": item.policy}, prefix="amend"
        )
    context["actions"] = item.actions.select_related("organization", "task", "member")
    context["previous"] = (
        item.carried_from.actions.select_related("organization", "task")
        if item.carried_from_id and item.carried_from
        else None
    )
    return render(request, "meetings/item_detail.html", context)


def _item_redirect(request: OrgRequest, meeting: Meeting, item: AgendaItem) -> HttpResponse:
    return redirect("meetings:item_detail", org_slug=request.org.slug, meeting_pk=meeting.pk, item_pk=item.pk)


@org_view(Role.STAFF, secretariat_only=True)
@require_POST
def item_minutes(request: OrgRequest, meeting_pk: int, item_pk: int) -> HttpResponse:
    meeting, item = _item(request, meeting_pk, item_pk)
    form = MinutesForm(request.POST, meeting=meeting, prefix="minutes")
    if form.is_valid():
        try:
            services.record_minutes(by=request.membership, item=item, **form.cleaned_data)
        except ValidationError as error:
            _error(request, error)
        except services.PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Minutes saved."))
    else:
        _form_errors(request, form)
    return _item_redirect(request, meeting, item)


@org_view(Role.STAFF, secretariat_only=True)
@require_POST
def item_action(request: OrgRequest, meeting_pk: int, item_pk: int) -> HttpResponse:
    meeting, item = _item(request, meeting_pk, item_pk)
    form = ActionForm(request.POST, meeting=meeting, prefix="action")
    if form.is_valid():
        try:
            services.add_action(by=request.membership, item=item, **form.cleaned_data)
        except ValidationError as error:
            _error(request, error)
        except services.PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Action added."))
    else:
        _form_errors(request, form)
    return _item_redirect(request, meeting, item)


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_POST
def item_amend(request: OrgRequest, meeting_pk: int, item_pk: int) -> HttpResponse:
    meeting, item = _item(request, meeting_pk, item_pk)
    form = AmendForm(request.POST, prefix="amend")
    if form.is_valid():
        try:
            services.amend_minutes(by=request.membership, item=item, **form.cleaned_data)
        except ValidationError as error:
            _error(request, error)
        except services.PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("The minutes are amended (a new version)."))
    else:
        _form_errors(request, form)
    return _item_redirect(request, meeting, item)


@org_view(Role.STAFF)
@require_POST
def action_done(request: OrgRequest, meeting_pk: int, action_pk: int) -> HttpResponse:
    meeting = _meeting(request, meeting_pk)
    action = get_object_or_404(
        Action.objects.filter(item__meeting=meeting, organization=request.org, task__isnull=True),
        pk=action_pk,
    )
    services.complete_action(by=request.membership, action=action)
    messages.success(request, _("Action done."))
    return _back(request, meeting)


def fiscal_year(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_GET
def register(request: OrgRequest) -> HttpResponse:
    """The 支援会議 register for the annual report: counts only, for one fiscal year (April to March)."""
    year = request.GET.get("year", "")
    fy = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else fiscal_year(timezone.localdate())
    kind = MeetingKind.objects.filter(case_legal_basis="support_meeting").first()
    meetings = Meeting.objects.filter(
        kind=kind, starts_at__date__gte=date(fy, 4, 1), starts_at__date__lt=date(fy + 1, 4, 1)
    )
    items = AgendaItem.objects.filter(meeting__in=meetings, case__isnull=False)
    actions = Action.objects.filter(item__in=items)
    counts = {
        "meetings": meetings.count(),
        "cases": items.values("case").distinct().count(),
        "households": items.values("case__household", "case__person").distinct().count(),
        # the policy is encrypted: counted here, never shown
        "decisions": sum(1 for policy in items.values_list("policy", flat=True) if policy),
        "actions": actions.count(),
        "on_time": actions.filter(
            task__done_at__isnull=False, task__due_on__gte=F("task__done_at__date")
        ).count(),
        "overdue": actions.filter(Q(task__done_at__isnull=True), due_on__lt=timezone.localdate()).count(),
    }
    return render(
        request, "meetings/register.html", {"counts": counts, "fy": fy, "years": range(fy - 3, fy + 2)}
    )


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
def calendar_settings(request: OrgRequest) -> HttpResponse:
    """The member's private calendar address: made (shown once), replaced or revoked."""
    from .models import CalendarFeed

    token = ""
    if request.method == "POST":
        if request.POST.get("revoke"):
            services.revoke_calendar(user=request.user)
            messages.success(request, _("Your calendar address no longer works."))
            return redirect("meetings:calendar", org_slug=request.org.slug)
        token = services.new_calendar_token(user=request.user)
    feed_url = request.build_absolute_uri(f"/meetings/calendar/{token}.ics") if token else ""
    has_feed = CalendarFeed.objects.filter(user=request.user).exists()
    return render(request, "meetings/calendar.html", {"feed_url": feed_url, "has_feed": has_feed})


@login_not_required
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed (its address is the key): the person's meetings, kind, time and place only."""
    user = services.feed_user(token)
    if user is None:
        raise Http404
    meetings = list(selectors.upcoming_for_user(user.pk))
    slugs = dict(meetings_attendee_slugs(user.pk, [m.pk for m in meetings]))
    response = HttpResponse(
        ical.calendar(meetings, org_slug_of=slugs), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def meetings_attendee_slugs(user_id: int, meeting_ids: list[int]) -> list[tuple[int, str]]:
    from .models import Attendee

    return list(
        Attendee.objects.filter(user_id=user_id, meeting_id__in=meeting_ids).values_list(
            "meeting_id", "organization__slug"
        )
    )


@login_not_required
@require_GET
def public_minutes(request: HttpRequest) -> HttpResponse:
    """Minutes of platform meetings the secretariat published (no personal data)."""
    meetings = (
        Meeting.objects.filter(published_at__isnull=False, kind__closed=False, kind__carries_cases=False)
        .select_related("kind")
        .order_by("-starts_at", "pk")
    )
    listing = paginate(request, meetings)
    return render(
        request,
        "meetings/public_minutes.html",
        {"meetings": listing.page, "page": listing.page, "query": listing.query},
    )
