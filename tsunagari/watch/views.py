"""Watching-over pages: a supporter's people and the phone contact form; the responsible organisation's
watch list and alerts; SOS reports for anyone, triage and the district picture for the secretariat."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from tsunagari.cases.notes import EditConflict
from tsunagari.cases.selectors import cases_visible_to
from tsunagari.charts import Chart, Series
from tsunagari.orgs.access import OrgRequest, conflict_page, org_view
from tsunagari.orgs.models import District, Role

from . import ladder, services
from .forms import ContactForm, OpenCaseFromSosForm, SosForm, SupportersForm, TargetForm, TriageForm
from .models import Alert, ContactLog, SosReport, WatchTarget
from .selectors import (
    alerts_visible_to,
    sos_for_triage,
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
    mine = _with_due(
        list(
            targets_assigned_to(membership)
            .annotate(last_contact=Max("contacts__contacted_at"))
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
    form = ContactForm(request.POST or None)
    syncing = request.headers.get(SYNC_HEADER) == "1"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        recorded = services.record_contact(
            by=membership, target=target, method=data["method"], result=data["result"], note=data["note"],
            contacted_at=data["contacted_at"], client_id=data["client_id"],
        )  # fmt: skip
        if recorded.contact.result == ContactLog.Result.URGENT:
            messages.warning(
                request,
                _(
                    "Recorded. The responsible organisation and the secretariat have been alerted. If life is in danger, call 119 now."
                ),
            )
        else:
            messages.success(request, _("Recorded. Thank you."))
        if syncing:  # offline-contact.js: it moves on by itself
            return JsonResponse({"saved": True, "duplicate": not recorded.created})
        return redirect("watch:home", org_slug=request.org.slug)
    if syncing and request.method == "POST":
        return JsonResponse({"saved": False, "errors": form.errors.get_json_data()}, status=400)
    recent = target.contacts.select_related("by__user")[:5]
    return render(
        request, "watch/contact_form.html", {"target": target, "form": form, "recent": recent},
    )  # fmt: skip


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
    }
    return render(request, "watch/target_detail.html", context)


@org_view(Role.STAFF)
def alert_list(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    alerts = list(
        alerts_visible_to(membership)
        .select_related("organization", "target__district", "sos", "acknowledged_by")
        .order_by("acknowledged_at", "-raised_at")[:200]
    )
    for alert in alerts:
        alert.ladder_step = ladder.step_of(alert)  # type: ignore[attr-defined]
        # Another organisation's person is named only while the alert is open (someone must act on it).
        alert.shows_name = alert.target_id is not None and (  # type: ignore[attr-defined]
            alert.acknowledged_at is None or alert.organization_id == membership.organization_id
        )
    services.log_alert_list_viewed(by=membership, alerts=alerts)
    return render(request, "watch/alert_list.html", {"alerts": alerts, "ladder": ladder.ladder()})


@org_view(Role.STAFF)
@require_POST
def alert_acknowledge(request: OrgRequest, alert_pk: int) -> HttpResponse:
    membership = request.membership
    alert = get_object_or_404(alerts_visible_to(membership), pk=alert_pk)
    try:
        services.acknowledge_alert(by=membership, alert=alert)
    except EditConflict as conflict:
        current = conflict.current
        now = _("Acknowledged by %(who)s, %(when)s") % {
            "who": current.acknowledged_by,  # type: ignore[attr-defined]
            "when": timezone.localtime(current.acknowledged_at).strftime("%m/%d %H:%M"),  # type: ignore[attr-defined]
        }
        return conflict_page(request, now=now, back=reverse("watch:alert_list", args=[request.org.slug]))
    messages.success(request, _("Acknowledged. The alert stops climbing the ladder."))
    return redirect("watch:alert_list", org_slug=request.org.slug)


@org_view(Role.PARTNER)
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def sos_new(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    form = SosForm(
        request.POST or None, initial={"noticed_at": timezone.localtime().replace(second=0, microsecond=0)}
    )
    if request.method == "POST" and form.is_valid():
        services.report_sos(by=membership, data=form.cleaned_data)
        messages.success(
            request, _("Received. The secretariat will act on it; you can follow its status here.")
        )
        return redirect("watch:sos_mine", org_slug=request.org.slug)
    return render(request, "watch/sos_form.html", {"form": form})


@org_view(Role.PARTNER)
def sos_mine(request: OrgRequest) -> HttpResponse:
    reports = sos_reported_by(request.membership).only("pk", "sign", "status", "created_at")
    return render(request, "watch/sos_mine.html", {"reports": reports})


@org_view(Role.COORDINATOR, secretariat_only=True)
def sos_queue(request: OrgRequest) -> HttpResponse:
    reports = sos_for_triage(request.membership).select_related("organization", "district")
    now = timezone.now()
    context = {
        "reports": reports.exclude(status=SosReport.Status.DONE).order_by("due_at"),
        "handled": reports.filter(status=SosReport.Status.DONE).order_by("-closed_at")[:50],
        "now": now,
    }
    return render(request, "watch/sos_queue.html", context)


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def sos_detail(request: OrgRequest, sos_pk: int) -> HttpResponse:
    membership = request.membership
    report = get_object_or_404(
        sos_for_triage(membership).select_related("organization", "district", "reported_by", "case"),
        pk=sos_pk,
    )
    triage = TriageForm(
        request.POST if "triage" in request.POST else None,
        initial={"status": report.status, "case": report.case_id, "seen": report.status},
    )
    open_form = OpenCaseFromSosForm(request.POST if "open_case" in request.POST else None)
    if triage.is_bound and triage.is_valid():
        case = None
        if triage.cleaned_data["case"]:
            case = cases_visible_to(membership).filter(pk=triage.cleaned_data["case"]).first()
            if case is None:
                triage.add_error("case", _("No case with this number that the secretariat may see."))
        if not triage.errors:
            try:
                services.triage_sos(
                    by=membership, report=report, status=triage.cleaned_data["status"], case=case,
                    expected_status=triage.cleaned_data["seen"] or None,
                )  # fmt: skip
            except EditConflict as conflict:
                back = reverse("watch:sos_detail", args=[request.org.slug, report.pk])
                return conflict_page(request, now=conflict.current.get_status_display(), back=back)  # type: ignore[attr-defined]
            messages.success(
                request,
                _("Saved. The reporter now sees: %(status)s") % {"status": report.get_status_display()},
            )
            return redirect("watch:sos_detail", org_slug=request.org.slug, sos_pk=report.pk)
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
    return render(
        request, "watch/sos_detail.html", {"report": report, "triage": triage, "open_form": open_form}
    )


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
