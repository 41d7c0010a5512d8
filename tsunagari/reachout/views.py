"""Residents: the self-check (/check/), 「相談したい」 (/soudan/) and its status page. Members: the contact
requests (the secretariat assigns them or opens a case; the organisation given one marks it contacted).

Nothing typed into the self-check is stored; the contact request stores what was typed, encrypted, and
only once it is sent. Both pages are posted (the text is never in an address or a server log) and sent
back with Cache-Control: no-store.
"""

from __future__ import annotations

import numpy as np
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from tsunagari.directory.crisis import Assessment, assess
from tsunagari.directory.embeddings import DIM as EMBEDDING_DIM
from tsunagari.directory.load import answering_slot, over_rate_limit
from tsunagari.directory.navigator import assess_danger
from tsunagari.orgs.access import OrgRequest, conflict_page, org_view
from tsunagari.orgs.models import District, Role
from tsunagari.pagination import paginate

from . import check, services
from .forms import AssignForm, CheckForm, ContactRequestForm, OpenCaseForm, StatusForm
from .models import ContactRequest
from .selectors import requests_visible_to

STATUS_STEPS = [
    ContactRequest.Status.RECEIVED,
    ContactRequest.Status.ASSIGNED,
    ContactRequest.Status.CONTACTED,
]


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


@sensitive_variables("text")
def _danger(text: str, *, quick: bool = False) -> Assessment | None:
    """The navigator's crisis detector on what the person wrote (None when nothing was written).
    ``quick``: the curated patterns only (no embedding), for a client that is over its rate limit."""
    if not text.strip():
        return None
    if not quick:
        # The model is the navigator's: share its answering slots, so that these public forms cannot
        # crowd it out; with none free in time, the patterns alone answer (as for the navigator).
        with answering_slot() as answering:
            if answering:
                return assess_danger(text)
    return assess(text, np.zeros(EMBEDDING_DIM, dtype=np.float32))


@login_not_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def self_check(request: HttpRequest) -> HttpResponse:
    form = CheckForm(request.POST or None)
    context: dict = {"form": form, "sources": check.sources()}
    limited = request.method == "POST" and over_rate_limit(
        request, scope="self-check", limit=settings.TSUNAGARI_PUBLIC_FORMS_PER_MINUTE
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        district = data.get("district")
        context |= {
            "outcome": check.outcome(data),
            "answer": _danger(data.get("text", ""), quick=limited),
            "places": check.places(district),
            "district": district,
        }
    elif request.method == "POST":  # an answer is missing: the crisis lines still come first if needed
        context["answer"] = _danger(request.POST.get("text", ""), quick=True)
    return _no_store(render(request, "reachout/check.html", context))


def _source(value: str) -> str:
    return value if value in ContactRequest.Source.values else ContactRequest.Source.DIRECT


@login_not_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    """「相談したい」. ``?from=`` names the page the person came from, ``?district=`` its district, and
    ``?line=`` the LINE webhook's encrypted link (``line.replies.contact_url``) holding their LINE user id:
    only then is LINE offered as a way to be contacted."""
    params = request.POST if request.method == "POST" else request.GET
    line_token = params.get("line", "")
    line_user_id = services.line_user_id_from(line_token)
    source = ContactRequest.Source.LINE if line_user_id else _source(params.get("from", ""))
    initial: dict = {}
    district_pk = request.GET.get("district", "")
    if district_pk.isascii() and district_pk.isdigit() and len(district_pk) < 10:
        initial["district"] = District.objects.filter(pk=int(district_pk)).first()
    if line_user_id:
        initial["means"] = ContactRequest.Means.LINE
    form = ContactRequestForm(request.POST or None, initial=initial, line_user_id=line_user_id)
    context: dict = {"form": form, "source": source, "line_token": line_token if line_user_id else ""}
    status = 200
    if request.method == "POST":
        limited = over_rate_limit(
            request, scope="contact-request", limit=settings.TSUNAGARI_PUBLIC_FORMS_PER_MINUTE
        ) or over_rate_limit(
            request,
            scope="contact-request-hour",
            limit=settings.TSUNAGARI_CONTACT_REQUESTS_PER_HOUR,
            seconds=3600,
        )
        text = "\n".join(request.POST.get(name, "") for name in ("message", "when_note"))
        if limited:
            context["answer"] = _danger(text, quick=True)
            form.add_error(
                None,
                _(
                    "Too many requests from your connection. Please wait a while and send again, or call one of the lines on the home page."
                ),
            )
            status = 429
        elif not form.is_valid():  # what was typed stays; the crisis lines still come first if needed
            context["answer"] = _danger(text, quick=True)
        else:
            if form.is_spam:
                return _no_store(render(request, "reachout/received.html", {"spam": True}))
            data = form.cleaned_data
            answer = _danger("\n".join([data["message"], data["when_note"]]))
            urgent = bool(answer and answer.danger)
            received = services.submit_request(
                data=data, source=source, urgent=urgent, line_user_id=line_user_id
            )
            return _no_store(
                render(
                    request,
                    "reachout/received.html",
                    {"request_": received.request, "pin": received.pin, "answer": answer},
                )
            )
    return _no_store(render(request, "reachout/contact_form.html", context, status=status))


@login_not_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    """The person's own page: their reference code and PIN show the status, and nothing else."""
    form = StatusForm(request.POST or None)
    context: dict = {"form": form, "steps": ContactRequest.Status.choices}
    code = 200
    if request.method == "POST":
        if over_rate_limit(
            request, scope="contact-status", limit=settings.TSUNAGARI_PUBLIC_FORMS_PER_MINUTE * 2
        ):
            form.add_error(None, _("Too many tries from your connection. Please wait a minute."))
            code = 429
        elif form.is_valid():
            try:
                found = services.check_status(
                    reference=form.cleaned_data["reference"], pin=form.cleaned_data["pin"]
                )
            except services.TooManyAttempts:
                form.add_error(
                    None, _("Too many wrong PINs for this reference code. Please try again in an hour.")
                )
                code = 429
            else:
                if found is None:
                    form.add_error(None, _("The reference code or the PIN is not right. Please check them."))
                else:
                    context["found_status"] = found.status
                    context["found_label"] = found.get_status_display()
    return _no_store(render(request, "reachout/status.html", context, status=code))


# --- members ---------------------------------------------------------------------------------------------


@org_view(Role.STAFF)
def request_list(request: OrgRequest) -> HttpResponse:
    """Requests waiting first, then by their answer time; the list decrypts nothing (reference, dates,
    statuses and the district only)."""
    rows = (
        requests_visible_to(request.membership)
        .select_related("district", "assigned_to")
        .only(
            "pk",
            "reference",
            "status",
            "urgent",
            "created_at",
            "due_at",
            "district__name",
            "assigned_to__name",
        )
        # Waiting ones first on both databases (PostgreSQL sorts NULL last ascending, SQLite first),
        # then 緊急, then the earliest answer time; the id makes pages stable.
        .order_by(F("contacted_at").asc(nulls_first=True), "-urgent", "due_at", "pk")
    )
    return render(request, "reachout/request_list.html", {"page": paginate(request, rows)})


@org_view(Role.STAFF)
@require_http_methods(["GET"])
def request_detail(request: OrgRequest, request_pk: int) -> HttpResponse:
    contact_request = get_object_or_404(
        requests_visible_to(request.membership).select_related("district", "assigned_to", "case"),
        pk=request_pk,
    )
    services.record_view(request=contact_request, by=request.membership)
    context = {
        "item": contact_request,
        "categories": list(contact_request.categories.all()),
        "assign_form": AssignForm(),
        "case_form": OpenCaseForm(),
        "may_mark_contacted": services.may_mark_contacted(request.membership, contact_request),
    }
    return _no_store(render(request, "reachout/request_detail.html", context))


def _back(request: OrgRequest, pk: int) -> str:
    return reverse("reachout_staff:request_detail", args=[request.org.slug, pk])


def _conflict(request: OrgRequest, item: ContactRequest) -> HttpResponse:
    item.refresh_from_db()
    return conflict_page(request, now=item.get_status_display(), back=_back(request, item.pk))


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_POST
def request_assign(request: OrgRequest, request_pk: int) -> HttpResponse:
    item = get_object_or_404(requests_visible_to(request.membership), pk=request_pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the member organisation that will contact the person."))
        return redirect(_back(request, item.pk))
    try:
        services.assign_request(
            by=request.membership, request=item, organization=form.cleaned_data["organization"]
        )
    except services.AlreadyChanged:
        return _conflict(request, item)
    messages.success(request, _("Assigned. The organisation's staff have been told."))
    return redirect(_back(request, item.pk))


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_POST
def request_open_case(request: OrgRequest, request_pk: int) -> HttpResponse:
    item = get_object_or_404(requests_visible_to(request.membership), pk=request_pk)
    form = OpenCaseForm(request.POST)
    form.is_valid()  # a checkbox: always valid
    try:
        case = services.open_case_from_request(
            by=request.membership, request=item, lead_self=bool(form.cleaned_data.get("lead_self"))
        )
    except services.AlreadyChanged:
        return _conflict(request, item)
    messages.success(
        request, _("The person is registered and a case is open (basis: the person's own request).")
    )
    return redirect("cases:case_detail", org_slug=request.org.slug, case_pk=case.pk)


@org_view(Role.STAFF)
@require_POST
def request_contacted(request: OrgRequest, request_pk: int) -> HttpResponse:
    item = get_object_or_404(requests_visible_to(request.membership), pk=request_pk)
    if not services.may_mark_contacted(request.membership, item):
        return redirect(_back(request, item.pk))
    try:
        services.mark_contacted(by=request.membership, request=item)
    except services.AlreadyChanged:
        return _conflict(request, item)
    messages.success(request, _("Marked as contacted. The person's status page now says so."))
    return redirect(_back(request, item.pk))
