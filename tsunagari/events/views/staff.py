"""The organiser's pages: its events, registrations (logged whenever they are shown), the door list for
a tablet, walk-ins and the export."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tsunagari import spreadsheets
from tsunagari.audit.services import log_action
from tsunagari.charts import Chart, Series
from tsunagari.crypto import normalise_for_index
from tsunagari.orgs.access import OrgRequest, org_view
from tsunagari.orgs.models import Role

from .. import services
from ..forms import EventForm, WalkInForm
from ..models import Event, Registration
from ..selectors import events_of, registrations_visible_to

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@org_view(Role.STAFF)
def event_list(request: OrgRequest) -> HttpResponse:
    events = (
        events_of(request.membership)
        .annotate(
            registered=Count("registrations", filter=_live("confirmed")),
            waiting=Count("registrations", filter=_live("waitlisted")),
        )
        .order_by("-starts_at")
    )
    return render(request, "events/staff/event_list.html", {"events": events})


def _live(status: str):  # type: ignore[no-untyped-def]
    from django.db.models import Q

    return Q(registrations__status=status, registrations__erased_at__isnull=True)


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
def event_new(request: OrgRequest) -> HttpResponse:
    return _edit(request, Event(organization=request.org))


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
def event_edit(request: OrgRequest, event_pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(events_of(request.membership), pk=event_pk))


def _edit(request: OrgRequest, event: Event) -> HttpResponse:
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        event = services.save_event(event=form.save(commit=False), by=request.membership)
        messages.success(request, _("The event was saved."))
        return redirect("events_staff:registrations", org_slug=request.org.slug, event_pk=event.pk)
    return render(request, "events/staff/event_form.html", {"form": form, "event": event})


def _registrations(request: OrgRequest, event: Event):  # type: ignore[no-untyped-def]
    return registrations_visible_to(request.membership).filter(event=event).order_by("created_at", "pk")


@org_view(Role.STAFF)
def registrations(request: OrgRequest, event_pk: int) -> HttpResponse:
    event = get_object_or_404(events_of(request.membership), pk=event_pk)
    rows = list(_registrations(request, event))
    log_action(
        event, actor=request.membership, action="events.registrations.viewed", data={"shown": len(rows)}
    )
    totals = {
        "seats_taken": services.seats_taken(event),
        "online": sum(r.people for r in rows if r.status == "confirmed" and r.mode == "online"),
        "waiting": sum(1 for r in rows if r.status == "waitlisted"),
        "attended": sum(r.people for r in rows if r.attended_at),
    }
    survey = [
        (q, [(choice, counts.get(i, 0)) for i, choice in enumerate(q.choices)])
        for q in event.survey_questions.all()
        for counts in [
            dict(q.answers.values_list("choice").annotate(n=Count("pk")).values_list("choice", "n"))
        ]
    ]
    charts = [
        Chart(
            id=f"survey-{question.pk}",
            title=question.text,
            kind="bar",
            labels=[choice for choice, _n in counts],
            series=[Series(_("Answers"), [n for _choice, n in counts])],
            y_min=0,
            y_title=_("Answers"),
        )
        for question, counts in survey
    ]
    return render(
        request,
        "events/staff/registrations.html",
        {"event": event, "rows": rows, "totals": totals, "survey": list(zip(survey, charts, strict=True))},
    )


@org_view(Role.STAFF)
def attendance(request: OrgRequest, event_pk: int) -> HttpResponse:
    """The door list for a tablet: search by kana, one tap a person."""
    event = get_object_or_404(events_of(request.membership), pk=event_pk)
    query = normalise_for_index(request.GET.get("q", "")[:50])
    rows = [
        r
        for r in _registrations(request, event).exclude(status=Registration.Status.CANCELLED)
        if not query or query in normalise_for_index(r.kana) or query in normalise_for_index(r.name)
    ]
    rows.sort(key=lambda r: normalise_for_index(r.kana))
    log_action(
        event, actor=request.membership, action="events.registrations.viewed", data={"shown": len(rows)}
    )
    context = {
        "event": event,
        "rows": rows,
        "q": request.GET.get("q", "")[:50],
        "form": WalkInForm(event=event),
    }
    if request.htmx:
        return render(request, "events/staff/attendance.html#door-list", context)
    return render(request, "events/staff/attendance.html", context)


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
def check_in(request: OrgRequest, event_pk: int, registration_pk: int) -> HttpResponse:
    """One person at the door. GET is where the QR code in the confirmation e-mail leads (staff of the
    organiser only, signed in): the person and one button; POST checks in (or undoes it)."""
    registration = get_object_or_404(
        _registrations(request, get_object_or_404(events_of(request.membership), pk=event_pk)),
        pk=registration_pk,
    )
    if request.method == "GET":
        log_action(
            registration.event,
            actor=request.membership,
            action="events.registrations.viewed",
            data={"shown": 1, "via": "qr"},
        )
        return render(request, "events/staff/check_in.html", {"r": registration, "event": registration.event})
    services.set_attendance(
        registration=registration, attended=request.POST.get("attended") != "0", by=request.membership
    )
    if request.htmx:
        return render(
            request, "events/staff/attendance.html#door-row", {"r": registration, "event": registration.event}
        )
    if request.POST.get("next") == "person":
        messages.success(request, _("Checked in.") if registration.attended_at else _("Check-in undone."))
        return redirect(
            "events_staff:check_in",
            org_slug=request.org.slug,
            event_pk=event_pk,
            registration_pk=registration.pk,
        )
    return redirect("events_staff:attendance", org_slug=request.org.slug, event_pk=event_pk)


@org_view(Role.STAFF)
@require_POST
def walk_in(request: OrgRequest, event_pk: int) -> HttpResponse:
    event = get_object_or_404(events_of(request.membership), pk=event_pk)
    form = WalkInForm(request.POST, event=event)
    if form.is_valid():
        try:
            services.register(event=event, data=form.registration_data(), walk_in=True, by=request.membership)
        except services.RegistrationError as problem:
            messages.error(request, str(problem))
        else:
            messages.success(request, _("The walk-in was added and checked in."))
            return redirect("events_staff:attendance", org_slug=request.org.slug, event_pk=event.pk)
    rows = list(_registrations(request, event).exclude(status=Registration.Status.CANCELLED))
    return render(
        request, "events/staff/attendance.html", {"event": event, "rows": rows, "q": "", "form": form}
    )


@org_view(Role.STAFF)
def export(request: OrgRequest, event_pk: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    event = get_object_or_404(events_of(request.membership), pk=event_pk)
    rows = list(_registrations(request, event))
    header = [_("Status"), _("Name"), _("Name in kana"), _("E-mail"), _("Phone"), _("Number of people"),
              _("How you join"), _("Support you need"), _("Note"), _("Walk-in"), _("Attended"), _("Registered at")]  # fmt: skip
    data = [
        [r.get_status_display(), r.name, r.kana, r.email, r.phone, r.people, r.get_mode_display(),
         "、".join(r.accessibility_labels()), r.note, _("yes") if r.walk_in else "",
         r.attended_at.strftime("%Y-%m-%d %H:%M") if r.attended_at else "", r.created_at.strftime("%Y-%m-%d %H:%M")]
        for r in rows
    ]  # fmt: skip
    log_action(
        event,
        actor=request.membership,
        action="events.registrations.exported",
        data={"rows": len(rows), "format": fmt},
    )
    title = _("Registrations")
    body = spreadsheets.to_csv(header, data) if fmt == "csv" else spreadsheets.to_xlsx(title, header, data)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}-registrations.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
