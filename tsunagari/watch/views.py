"""Watching-over pages: a supporter's people and the phone contact form; the responsible organisation's
watch list and alerts; SOS reports for anyone, triage and the district picture for the secretariat."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from tsunagari.cases.notes import EditConflict
from tsunagari.cases.selectors import cases_visible_to
from tsunagari.charts import Chart, Series
from tsunagari.directory.hotlines import Hotline, lines_for
from tsunagari.orgs.access import OrgRequest, conflict_page, org_view
from tsunagari.orgs.models import District, Role
from tsunagari.pagination import paginate

from . import ladder, services, urgency
from .forms import (
    AcknowledgeForm,
    ContactForm,
    DistrictContactForm,
    FollowUpForm,
    LinkForm,
    OnCallShiftForm,
    OpenCaseFromSosForm,
    SosForm,
    SupportersForm,
    TargetForm,
    TriageForm,
)
from .models import Alert, ContactLog, DistrictContact, OnCallShift, SosReport, Urgency, WatchTarget
from .selectors import (
    alerts_visible_to,
    cases_to_link,
    sos_for_triage,
    sos_matches,
    sos_reported_by,
    targets_assigned_to,
    targets_contactable_by,
    targets_managed_by,
)

SYNC_HEADER = "X-Tsunagari-Sync"  # sent by static/js/offline-contact.js when it replays a queued entry


def _with_due(targets: Sequence[WatchTarget]) -> Sequence[WatchTarget]:
    """Annotate each target with its last contact and whether a contact is overdue."""
    now = timezone.now()
    for target in targets:
        start = services.clock_start(target, getattr(target, "last_contact", None))
        target.due_at = start + timedelta(days=target.every_days)  # type: ignore[attr-defined]
        target.overdue = target.due_at < now  # type: ignore[attr-defined]
    return targets


@org_view(Role.VOLUNTEER)
def home(request: OrgRequest) -> HttpResponse:
    """The supporter's people (and, for staff, the organisation's watch list and open alerts)."""
    membership = request.membership
    latest = ContactLog.objects.filter(target=OuterRef("pk")).order_by("-contacted_at")
    mine = _with_due(
        list(
            targets_assigned_to(membership)
            .annotate(
                last_contact=Max("contacts__contacted_at"),
                last_method=Subquery(latest.values("method")[:1]),
                last_result=Subquery(latest.values("result")[:1]),
            )
            .order_by("pk")
        )
    )
    managed = None
    if membership.has_role(Role.STAFF):
        managed = _with_due(
            list(
                targets_managed_by(membership)
                .filter(organization=membership.organization)
                .select_related("district")
                .annotate(
                    last_contact=Max("contacts__contacted_at"),
                    open_alerts=Count(
                        "alerts", filter=Q(alerts__acknowledged_at__isnull=True), distinct=True
                    ),
                )
                .order_by("-active", "pk")
            )
        )
    open_alerts = (
        alerts_visible_to(membership).filter(acknowledged_at__isnull=True).count()
        if membership.has_role(Role.STAFF)
        else 0
    )
    return render(request, "watch/home.html", {"mine": mine, "managed": managed, "open_alerts": open_alerts})


@org_view(Role.VOLUNTEER)
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def contact(request: OrgRequest, target_pk: int) -> HttpResponse:
    """Record a contact: under 30 seconds on a phone; a retry of the same entry is stored once."""
    membership = request.membership
    target = get_object_or_404(targets_contactable_by(membership), pk=target_pk)
    form = ContactForm(request.POST or None, initial={"method": target.usual_method})
    syncing = request.headers.get(SYNC_HEADER) == "1"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        recorded = services.record_contact(
            by=membership, target=target, method=data["method"], result=data["result"], note=data["note"],
            contacted_at=data["contacted_at"], client_id=data["client_id"],
        )  # fmt: skip
        # 緊急: not a green 「記録しました」 but the red screen, 119 first (offline-contact.js goes there too).
        urgent_page = (
            reverse("watch:contact_urgent", args=[request.org.slug, recorded.contact.pk])
            if recorded.contact.urgency == Urgency.EMERGENCY
            else ""
        )
        if not urgent_page:
            messages.success(request, _("Recorded. Thank you."))
        if syncing:  # offline-contact.js: it moves on by itself
            return JsonResponse({"saved": True, "duplicate": not recorded.created, "next": urgent_page})
        return redirect(urgent_page or reverse("watch:home", args=[request.org.slug]))
    if syncing and request.method == "POST":
        return JsonResponse({"saved": False, "errors": form.errors.get_json_data()}, status=400)
    recent = target.contacts.select_related("by__user")[:5]
    return render(
        request, "watch/contact_form.html", {"target": target, "form": form, "recent": recent},
    )  # fmt: skip


def _on_call() -> list[OnCallShift]:
    return list(urgency.on_call_at())


@org_view(Role.VOLUNTEER)
def contact_urgent(request: OrgRequest, contact_pk: int) -> HttpResponse:
    """The red screen after a 緊急 contact: 119 first, then what to do next and whom to call."""
    contact = get_object_or_404(
        ContactLog.objects.filter(
            urgency=Urgency.EMERGENCY, target__in=targets_contactable_by(request.membership)
        ).select_related("target__organization", "target__district"),
        pk=contact_pk,
    )
    target = contact.target
    district_step = ladder.STEPS["district_welfare"]
    context = {
        "target": target,
        "contact": contact,
        "words": urgency.crisis_words(contact.note),
        "on_call": _on_call(),
        "district": ladder.whom_to_call(district_step, district_id=target.district_id, organization=None),
        "organization": target.organization,
        "organization_tel": ladder.tel_uri(target.organization.phone),
    }
    return render(request, "watch/contact_urgent.html", context)


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def target_new(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    form = TargetForm(request.POST or None, organization=membership.organization)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "supporters"}
        try:
            target = services.create_target(
                by=membership, data=data, supporters=list(form.cleaned_data["supporters"])
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The person is now under watch."))
            return redirect("watch:target_detail", org_slug=request.org.slug, target_pk=target.pk)
    return render(request, "watch/target_form.html", {"form": form})


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
def target_detail(request: OrgRequest, target_pk: int) -> HttpResponse:
    membership = request.membership
    target = get_object_or_404(
        targets_managed_by(membership).select_related("district", "organization"), pk=target_pk
    )
    services.record_target_view(by=membership, target=target)
    form = None
    if target.organization_id == membership.organization_id:
        form = SupportersForm(
            request.POST or None,
            organization=membership.organization,
            initial={"supporters": list(target.supporters.all())},
        )
        if request.method == "POST" and form.is_valid():
            services.set_supporters(
                by=membership,
                target=target,
                supporters=list(form.cleaned_data["supporters"]),
            )
            messages.success(request, _("Saved."))
            return redirect("watch:target_detail", org_slug=request.org.slug, target_pk=target.pk)
    elif request.method == "POST":
        raise PermissionDenied
    target.last_contact = services.last_contact_at(target)  # type: ignore[attr-defined]
    context = {
        "target": _with_due([target])[0],
        "contacts": target.contacts.select_related("by__user", "by__organization")[:50],
        "alerts": target.alerts.order_by("-raised_at")[:20],
        "form": form,
        "district_contacts": ladder.whom_to_call(
            ladder.STEPS["district_welfare"], district_id=target.district_id, organization=None
        ),
    }
    return render(request, "watch/target_detail.html", context)


def _prepare(alerts: list[Alert], membership: Any, contacts: dict[int | None, list[ladder.Callee]]) -> None:
    """What each alert row shows: its step, whom to call at that step, its response clock, and whether
    another organisation's person is named (only while the alert is open: someone must act on it)."""
    for alert in alerts:
        step = ladder.step_of(alert)
        alert.ladder_step = step  # type: ignore[attr-defined]
        district_id = (
            alert.target.district_id if alert.target else (alert.sos.district_id if alert.sos else None)
        )
        alert.whom = (  # type: ignore[attr-defined]
            contacts.get(district_id, [])
            if step.code == "district_welfare"
            else ladder.whom_to_call(step, district_id=district_id, organization=alert.organization)
        )
        alert.respond_by = urgency.due(alert.urgency, alert.stepped_at)  # type: ignore[attr-defined]
        alert.shows_name = alert.target_id is not None and (  # type: ignore[attr-defined]
            alert.acknowledged_at is None or alert.organization_id == membership.organization_id
        )


def _district_contacts() -> dict[int | None, list[ladder.Callee]]:
    """Every district's contacts at once (one query for the whole alert list)."""
    found: dict[int | None, list[ladder.Callee]] = {}
    for c in DistrictContact.objects.filter(active=True).order_by("kind", "pk"):
        found.setdefault(c.district_id, []).append(
            ladder.Callee(f"{c.get_kind_display()}：{c.name}", c.phone, c.hours, c.note)
        )
    return found


@org_view(Role.STAFF)
def alert_list(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    listing = paginate(
        request,
        alerts_visible_to(membership)
        .select_related("organization", "target__district", "sos", "acknowledged_by")
        .order_by(F("acknowledged_at").asc(nulls_first=True), "-raised_at", "-pk"),
    )
    alerts = list(listing.page)
    _prepare(alerts, membership, _district_contacts())
    services.log_alert_list_viewed(by=membership, alerts=alerts)
    open_urgent = any(a.acknowledged_at is None and a.urgency == Urgency.EMERGENCY for a in alerts)
    context = {
        "alerts": alerts, "page": listing.page, "query": listing.query,
        "ladder": ladder.ladder(), "on_call": _on_call(), "open_urgent": open_urgent,
    }  # fmt: skip
    return render(request, "watch/alert_list.html", context)


def _alert_for(request: OrgRequest, alert_pk: int) -> Alert:
    alert = get_object_or_404(
        alerts_visible_to(request.membership).select_related(
            "organization", "target__district", "sos", "acknowledged_by"
        ),
        pk=alert_pk,
    )
    _prepare([alert], request.membership, _district_contacts())
    return alert


def _conflict(request: OrgRequest, current: Any) -> HttpResponse:
    now = _("Acknowledged by %(who)s, %(when)s") % {
        "who": current.acknowledged_by,
        "when": timezone.localtime(current.acknowledged_at).strftime("%m/%d %H:%M")
        if current.acknowledged_at
        else "—",
    }
    return conflict_page(request, now=now, back=reverse("watch:alert_list", args=[request.org.slug]))


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def alert_acknowledge(request: OrgRequest, alert_pk: int) -> HttpResponse:
    """「対応を引き受ける」: whom to call at this step, then what will be done and when it is checked again."""
    membership = request.membership
    alert = _alert_for(request, alert_pk)
    if not services.may_handle(membership, alert):
        raise PermissionDenied
    form = AcknowledgeForm(
        request.POST or None, initial={"follow_up_on": timezone.localdate() + timedelta(days=1)}
    )
    if request.method == "POST" and alert.acknowledged_at is not None:  # taken on meanwhile (a second press)
        return _conflict(request, alert)
    if request.method == "POST" and form.is_valid():
        try:
            services.acknowledge_alert(
                by=membership, alert=alert, note=form.cleaned_data["note"],
                follow_up_on=form.cleaned_data["follow_up_on"],
            )  # fmt: skip
        except EditConflict as conflict:
            return _conflict(request, conflict.current)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Taken on. The alert stops climbing; it opens again if the follow-up date passes.")
            )
            return redirect("watch:alert_list", org_slug=request.org.slug)
    if alert.target is not None and alert.shows_name:  # type: ignore[attr-defined]
        services.log_alert_list_viewed(by=membership, alerts=[alert])
    context = {"alert": alert, "form": form, "on_call": _on_call()}
    return render(request, "watch/alert_acknowledge.html", context)


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def alert_follow_up(request: OrgRequest, alert_pk: int) -> HttpResponse:
    """Record that the follow-up promised when the alert was taken on is done (it will not re-open)."""
    membership = request.membership
    alert = _alert_for(request, alert_pk)
    if not services.may_handle(membership, alert):
        raise PermissionDenied
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.complete_follow_up(by=membership, alert=alert, note=form.cleaned_data["note"])
        except EditConflict as conflict:
            return _conflict(request, conflict.current)
        messages.success(request, _("The follow-up is recorded as done."))
        return redirect("watch:alert_list", org_slug=request.org.slug)
    return render(request, "watch/alert_follow_up.html", {"alert": alert, "form": form})


@org_view(Role.PARTNER)
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def sos_new(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    form = SosForm(
        request.POST or None,
        initial={
            "noticed_at": timezone.localtime().replace(second=0, microsecond=0),
            "urgency": Urgency.ROUTINE,
        },
    )
    if request.method == "POST" and form.is_valid():
        report = services.report_sos(by=membership, data=form.cleaned_data)
        if report.urgency == Urgency.EMERGENCY:  # what to do now, not a generic 受け付けました
            return redirect("watch:sos_guidance", org_slug=request.org.slug, sos_pk=report.pk)
        messages.success(
            request, _("Received. The secretariat will act on it; you can follow its status here.")
        )
        return redirect("watch:sos_mine", org_slug=request.org.slug)
    return render(request, "watch/sos_form.html", {"form": form})


def _gatekeeper_lines(now: Any) -> list[Hotline]:
    """#いのちSOS first (free, long hours), then the other suicide-danger phone lines open now."""
    phones = [shown.line for shown in lines_for("suicide", when=now, limit=10)["phone"]]
    first = [line for line in phones if line.name == "#いのちSOS"]
    return (first + [line for line in phones if line not in first])[:3]


@org_view(Role.PARTNER)
def sos_guidance(request: OrgRequest, sos_pk: int) -> HttpResponse:
    """For the reporter of a 緊急 report: 119 first; with words of suicide danger, how to stay with the
    person (gatekeeper guidance: listen, do not leave them alone, call #いのちSOS or 119)."""
    report = get_object_or_404(
        sos_reported_by(request.membership).filter(urgency=Urgency.EMERGENCY), pk=sos_pk
    )
    words = urgency.crisis_words(f"{report.details} {report.place}")
    now = timezone.now()
    context = {
        "report": report,
        "suicide": "suicide" in words,
        "violence": "violence" in words,
        "lines": _gatekeeper_lines(now) if "suicide" in words else [],
        "on_call": _on_call(),
    }
    return render(request, "watch/sos_guidance.html", context)


@org_view(Role.PARTNER)
def sos_mine(request: OrgRequest) -> HttpResponse:
    reports = sos_reported_by(request.membership).only("pk", "sign", "status", "urgency", "created_at")
    return render(request, "watch/sos_mine.html", {"reports": reports})


@org_view(Role.COORDINATOR, secretariat_only=True)
def sos_queue(request: OrgRequest) -> HttpResponse:
    reports = sos_for_triage(request.membership).select_related("organization", "district")
    now = timezone.now()
    waiting = list(reports.exclude(status=SosReport.Status.DONE).order_by("due_at"))
    context = {
        "reports": waiting,
        "handled": reports.filter(status=SosReport.Status.DONE).order_by("-closed_at")[:50],
        "now": now,
        "on_call": _on_call(),
        "office_hours": urgency.is_office_hours(now),
        "urgent_waiting": any(r.urgency == Urgency.EMERGENCY for r in waiting),
    }
    return render(request, "watch/sos_queue.html", context)


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def sos_detail(request: OrgRequest, sos_pk: int) -> HttpResponse:
    membership = request.membership
    report = get_object_or_404(
        sos_for_triage(membership).select_related(
            "organization", "district", "reported_by", "case", "target"
        ),
        pk=sos_pk,
    )
    here = reverse("watch:sos_detail", args=[request.org.slug, report.pk])
    triage = TriageForm(
        request.POST if "triage" in request.POST else None,
        initial={"status": report.status, "urgency": report.urgency, "seen": report.status},
    )
    open_form = OpenCaseFromSosForm(request.POST if "open_case" in request.POST else None)
    link = LinkForm(request.POST if ("link_case" in request.POST or "link_target" in request.POST) else None)
    matches = sos_matches(membership, report) if report.target_id is None else []
    query = request.GET.get("case_q", "").strip()[:100]
    found = cases_to_link(membership, query) if query and report.case_id is None else []
    if triage.is_bound and triage.is_valid():
        try:
            services.triage_sos(
                by=membership, report=report, status=triage.cleaned_data["status"],
                level=triage.cleaned_data["urgency"] or None, expected_status=triage.cleaned_data["seen"] or None,
            )  # fmt: skip
        except EditConflict as conflict:
            return conflict_page(request, now=conflict.current.get_status_display(), back=here)  # type: ignore[attr-defined]
        messages.success(
            request,
            _("Saved. The reporter now sees: %(status)s") % {"status": report.get_status_display()},
        )
        return redirect(here)
    if link.is_bound and link.is_valid() and "link_case" in request.POST:
        # Only a case the secretariat may see: the same search that offered it.
        case = cases_visible_to(membership).filter(pk=link.cleaned_data["pk"]).first()
        if case is None or report.case_id is not None:
            messages.error(request, _("This case cannot be linked: it is not one the secretariat may see."))
            return redirect(here)
        services.triage_sos(
            by=membership, report=report, status=SosReport.Status.IN_PROGRESS, case=case, level=report.urgency
        )
        messages.success(request, _("The case is linked to the report."))
        return redirect(here)
    if link.is_bound and link.is_valid() and "link_target" in request.POST:
        offered = {m.target.pk: m.target for m in sos_matches(membership, report)}
        target = offered.get(link.cleaned_data["pk"])
        if target is None:
            messages.error(request, _("This person cannot be linked: choose one of the people offered."))
            return redirect(here)
        services.link_sos_target(by=membership, report=report, target=target)
        messages.success(request, _("The report is linked to the person under watch."))
        return redirect(here)
    if open_form.is_bound and open_form.is_valid():
        try:
            case = services.open_case_from_sos(
                by=membership, report=report, name=open_form.cleaned_data["name"]
            )
        except ValidationError as error:  # a case was linked meanwhile (a second press)
            open_form.add_error(None, error)
        else:
            messages.success(request, _("A case was opened; it waits in the queue for a lead."))
            return redirect("cases:case_detail", org_slug=request.org.slug, case_pk=case.pk)
    services.record_sos_view(by=membership, report=report)
    context = {
        "report": report, "triage": triage, "open_form": open_form, "matches": matches, "query": query,
        "found": found, "on_call": _on_call(),
        "district": ladder.whom_to_call(
            ladder.STEPS["district_welfare"], district_id=report.district_id, organization=None
        ),
    }  # fmt: skip
    return render(request, "watch/sos_detail.html", context)


# --- the on-call rota and the district contacts ----------------------------------------------------------


@org_view(Role.COORDINATOR, secretariat_only=True)
def oncall_list(request: OrgRequest) -> HttpResponse:
    """The rota: who is on call now, and the shifts from a day ago on."""
    since = timezone.now() - timedelta(days=1)
    shifts = (
        OnCallShift.objects.filter(ends_at__gte=since).select_related("member__user").order_by("starts_at")
    )
    context = {"shifts": shifts[:200], "on_call": _on_call(), "office_hours": urgency.is_office_hours()}
    return render(request, "watch/oncall_list.html", context)


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def oncall_edit(request: OrgRequest, shift_pk: int | None = None) -> HttpResponse:
    shift = get_object_or_404(OnCallShift, pk=shift_pk) if shift_pk else None
    if request.method == "POST" and shift is not None and "delete" in request.POST:
        services.delete_shift(by=request.membership, shift=shift)
        messages.success(request, _("The shift was removed."))
        return redirect("watch:oncall_list", org_slug=request.org.slug)
    form = OnCallShiftForm(request.POST or None, instance=shift, organization=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_shift(by=request.membership, shift=form.save(commit=False))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("watch:oncall_list", org_slug=request.org.slug)
    return render(request, "watch/oncall_form.html", {"form": form, "shift": shift})


@org_view(Role.STAFF)
def district_contacts(request: OrgRequest) -> HttpResponse:
    """Whom to call in each district: staff read it (the ladder shows it too); the secretariat keeps it."""
    contacts = DistrictContact.objects.select_related("district").order_by(
        "district__sort_order", "kind", "pk"
    )
    return render(request, "watch/district_contacts.html", {"contacts": contacts})


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def district_contact_edit(request: OrgRequest, district_contact_pk: int | None = None) -> HttpResponse:
    contact = get_object_or_404(DistrictContact, pk=district_contact_pk) if district_contact_pk else None
    form = DistrictContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        services.save_district_contact(by=request.membership, contact=form.save(commit=False))
        messages.success(request, _("Saved."))
        return redirect("watch:district_contacts", org_slug=request.org.slug)
    return render(request, "watch/district_contact_form.html", {"form": form, "contact": contact})


@org_view(Role.COORDINATOR, secretariat_only=True)
def overview(request: OrgRequest) -> HttpResponse:
    """Per district: people under watch, contacts this month, overdue contacts, open alerts, SOS reports."""
    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    districts = list(District.objects.all())
    targets = list(
        WatchTarget.objects.filter(active=True).annotate(last_contact=Max("contacts__contacted_at"))
    )
    _with_due(targets)
    watched = Counter(t.district_id for t in targets)
    overdue = Counter(t.district_id for t in targets if t.overdue)  # type: ignore[attr-defined]
    contacts = Counter(
        dict(
            ContactLog.objects.filter(contacted_at__gte=month_start)
            .values_list("target__district")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    alerts = Counter(
        dict(
            Alert.objects.filter(acknowledged_at__isnull=True, target__isnull=False)
            .values_list("target__district")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    sos = Counter(
        dict(
            SosReport.objects.filter(created_at__gte=month_start)
            .values_list("district")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    rows = [(d, watched[d.pk], contacts[d.pk], overdue[d.pk], alerts[d.pk], sos[d.pk]) for d in districts]
    chart = Chart(
        id="watch-districts", title=_("Watching over, by district"), kind="bar", labels=[d.name for d in districts],
        series=[Series(_("People under watch"), [r[1] for r in rows]), Series(_("Contacts this month"), [r[2] for r in rows]),
                Series(_("Overdue contacts"), [r[3] for r in rows]), Series(_("Open alerts"), [r[4] for r in rows]),
                Series(_("SOS reports this month"), [r[5] for r in rows])],
        y_min=0,
    )  # fmt: skip
    return render(request, "watch/overview.html", {"rows": rows, "chart": chart})
