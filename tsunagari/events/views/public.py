"""Public event pages: the list, an event, its iCal files, registering without an account and the
signed manage link."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from tsunagari.audit.services import client_ip
from tsunagari.pagecache import public_page
from tsunagari.ratelimit import services as ratelimit
from tsunagari.training.selectors import training_links

from .. import calendar, qr, services
from ..forms import ChangeForm, RegistrationForm
from ..models import Registration, SurveyAnswer
from ..selectors import public_events, upcoming_public_events


def over_registration_limit(request: HttpRequest) -> bool:
    """True once this client has sent more than TSUNAGARI_EVENT_REGISTRATIONS_PER_HOUR registrations
    this hour (the client as audit.services.client_ip sees it)."""
    limit = settings.TSUNAGARI_EVENT_REGISTRATIONS_PER_HOUR
    if limit <= 0:
        return False
    key = f"event-registrations:{client_ip(request) or 'unknown'}:{int(time.time() // 3600)}"
    return ratelimit.over(key, limit=limit, seconds=7200)


@login_not_required
@require_GET
@public_page
def event_list(request: HttpRequest) -> HttpResponse:
    return render(request, "events/event_list.html", {"events": upcoming_public_events()[:100]})


@login_not_required
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(public_events(), pk=pk)
    return render(
        request, "events/event_detail.html", {"event": event, "seats_left": services.seats_left(event)}
    )


@login_not_required
@require_GET
def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(public_events(), pk=pk)
    response = HttpResponse(
        calendar.to_ical([event], request=request), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


@login_not_required
@require_GET
def calendar_feed(request: HttpRequest) -> HttpResponse:
    events = upcoming_public_events()[:500]
    return HttpResponse(
        calendar.to_ical(list(events), request=request), content_type="text/calendar; charset=utf-8"
    )


@login_not_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(upcoming_public_events(), pk=pk)
    form = RegistrationForm(request.POST or None, event=event)
    error = ""
    status = 200
    if request.method == "POST":
        if over_registration_limit(request):
            error = _(
                "Too many registrations from this connection. Please try again in an hour, or call the organiser."
            )
            status = 429
        elif form.is_spam():
            return redirect("events:registered")  # a robot: nothing is stored, nothing is said
        elif form.is_valid():
            try:
                registration = services.register(event=event, data=form.registration_data())
            except services.RegistrationError as problem:
                error = str(problem)
            else:
                return redirect("events:manage", token=services.manage_token(registration))
    response = render(
        request,
        "events/register.html",
        {"event": event, "form": form, "error": error, "seats_left": services.seats_left(event)},
        status=status,
    )
    add_never_cache_headers(response)
    return response


@login_not_required
@require_GET
def registered(request: HttpRequest) -> HttpResponse:
    return render(request, "events/registered.html")


@login_not_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The registrant's own page (from the link in their e-mail): see, change or cancel."""
    registration = services.registration_for_token(token)
    if registration is None:
        raise Http404
    event = registration.event
    initial = {
        "people": registration.people,
        "mode": registration.mode,
        "accessibility": registration.accessibility_codes,
        "note": registration.note,
        "future_events": registration.future_events,
    }
    form = ChangeForm(event=event, initial=initial)
    error = ""
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            services.cancel_registration(registration=registration)
            return redirect("events:manage", token=token)
        form = ChangeForm(request.POST, event=event, initial=initial)
        if form.is_valid():
            try:
                services.change_registration(
                    registration=registration,
                    people=form.cleaned_data["people"],
                    mode=form.cleaned_data["mode"],
                    accessibility=list(form.cleaned_data.get("accessibility", [])),
                    note=form.cleaned_data.get("note", ""),
                    future_events=form.cleaned_data.get("future_events", False),
                )
            except services.RegistrationError as problem:
                error = str(problem)
            else:
                return redirect("events:manage", token=token)
    show_stream = bool(event.stream_url) and registration.status != Registration.Status.CANCELLED
    show_qr = (
        registration.status == Registration.Status.CONFIRMED
        and registration.mode == Registration.Mode.IN_PERSON
        and registration.attended_at is None
    )
    response = render(
        request,
        "events/manage.html",
        {"registration": registration, "event": event, "form": form, "error": error, "show_stream": show_stream,
         "manage_url": request.build_absolute_uri(reverse("events:manage", args=[token])),
         "qr": mark_safe(qr.qr_svg(qr.check_in_url(registration))) if show_qr else "",  # noqa: S308 - segno's SVG, no input of ours but ids
         "certificate": training_links(registration)},
    )  # fmt: skip
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "same-origin"  # the token must not leak to the streaming site
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    """The short anonymous survey after an event: one choice a question, counted, linked to nobody."""
    event = get_object_or_404(public_events(), pk=pk)
    questions = list(event.survey_questions.all())
    if not questions:
        raise Http404
    errors = False
    if request.method == "POST":
        if over_registration_limit(request):
            return render(
                request,
                "events/survey.html",
                {"event": event, "questions": questions, "limited": True},
                status=429,
            )
        answers = []
        for question in questions:
            value = request.POST.get(f"q{question.pk}", "")
            if value == "":
                continue
            if not value.isdigit() or int(value) >= len(question.choices):
                errors = True
                break
            answers.append(SurveyAnswer(question=question, choice=int(value)))
        if not errors:
            SurveyAnswer.objects.bulk_create(answers)
            return render(request, "events/survey_thanks.html", {"event": event})
    return render(request, "events/survey.html", {"event": event, "questions": questions, "errors": errors})
