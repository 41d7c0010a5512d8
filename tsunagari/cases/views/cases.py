"""Case pages: my organisation's cases, a case with its sharing, consent, notes, tasks, plan and
assessments, the secretariat's queue and the outcome report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tsunagari.audit.models import ActivityLog
from tsunagari.charts import Chart, Series
from tsunagari.directory.hotlines import crisis_hotlines
from tsunagari.meetings.selectors import items_for_case
from tsunagari.orgs.access import OrgRequest, conflict_page, org_view
from tsunagari.orgs.models import Organization, Role
from tsunagari.pagination import paginate

from .. import assessments, disclosure, notes, selectors, services, tasks
from .. import consents as consent_scans
from ..forms import (
    AssessmentForm,
    CaseEditForm,
    CaseFilterForm,
    ConsentForm,
    NoteForm,
    OpenCaseForm,
    PlanForm,
    QueueAssignForm,
    ReferralForm,
    ShareForm,
    SharingReviewForm,
    TaskDoneForm,
    TaskForm,
)
from ..instruments import K6_CRISIS, instruments, score_range
from ..models import Case, Consent, ConsentScan, Household, Person, SupportPlan
from ..selectors import (
    cases_visible_to,
    households_visible_to,
    owns_case,
    persons_visible_to,
    unassigned_queue_for,
)


@org_view(Role.STAFF)
def case_list(request: OrgRequest) -> HttpResponse:
    """The cases the organisation sees, open first and newest first, fifty a page. Only the name of the
    person or household is decrypted (the rest of their record is deferred), and only what the
    organisation's basis covers is shown (``cases.disclosure``)."""
    form = CaseFilterForm(request.GET or None)
    listing = paginate(request, selectors.case_list_ids(request.membership, **form.chosen()))
    ids = [pk for pk, _status, _opened_at in listing.page]
    rows = (
        Case.objects.filter(pk__in=ids)
        .select_related("lead", "person", "household")
        .only(*LIST_COLUMNS)
        .prefetch_related("categories")
    )
    cases = sorted(rows, key=lambda case: ids.index(case.pk))
    shown_of = disclosure.disclosures(request.membership, cases)
    for case in cases:
        case.shows = shown_of[case.pk].shows  # type: ignore[attr-defined]
    context = {"form": form, "cases": cases, "page": listing.page, "query": listing.query}
    return render(request, "cases/case_list.html", context)


# What a line of the case list reads: no summary, and of the person only the name (each encrypted field
# costs a decryption per row).
LIST_COLUMNS = (
    "person_id", "household_id", "opened_by_id", "lead_id", "risk", "status", "opened_at",
    "lead__name", "person__name", "person__organization_id", "household__label", "household__organization_id",
)  # fmt: skip


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
def case_open(request: OrgRequest, person_pk: int) -> HttpResponse:
    person = get_object_or_404(persons_visible_to(request.membership), pk=person_pk)
    return _open_case(request, person=person)


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
def case_open_household(request: OrgRequest, household_pk: int) -> HttpResponse:
    household = get_object_or_404(households_visible_to(request.membership), pk=household_pk)
    return _open_case(request, household=household)


def _open_case(
    request: OrgRequest, *, person: Person | None = None, household: Household | None = None
) -> HttpResponse:
    form = OpenCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = services.open_case(
            by=request.membership, person=person, household=household,
            categories=list(data["categories"]), risk=data["risk"], summary=data["summary"],
            lead_self=data["lead_self"],
        )  # fmt: skip
        return redirect("cases:case_detail", org_slug=request.org.slug, case_pk=case.pk)
    name = person.name if person else household.label  # type: ignore[union-attr]
    return render(request, "cases/case_form.html", {"form": form, "subject_name": name})


@org_view(Role.STAFF)
def case_detail(request: OrgRequest, case_pk: int) -> HttpResponse:
    membership = request.membership
    case = get_object_or_404(
        cases_visible_to(membership).select_related("lead", "person", "household", "opened_by"), pk=case_pk
    )
    services.record_case_view(case=case, by=membership)
    return _case_page(request, case)


def _case_page(
    request: OrgRequest,
    case: Case,
    consent_form: ConsentForm | None = None,
    assessment_form: AssessmentForm | None = None,
) -> HttpResponse:
    """The case as this member may see it: each field only under the kind of information it belongs to
    (``cases.disclosure``); the consent section for the organisation that registered the case's people."""
    membership = request.membership
    may_share = selectors.may_share(membership, case)
    show_views = request.GET.get("views") == "1"
    seen = disclosure.disclosure(membership, case)
    own_people = (
        persons_visible_to(membership).filter(pk__in=disclosure.case_people([case])[case.pk]).order_by("pk")
    )
    coordinator = membership.is_coordinator
    names = seen.shows["person_name"]  # the consent choices name the person only if they are shown
    context = {
        "case": case,
        "shows": seen.shows,
        "leads": selectors.leads(membership, case),
        "team": case.sharing.filter(revoked_at__isnull=True)
        .select_related("organization", "consent")
        .prefetch_related("kinds", "consent__kinds"),
        "timeline": _timeline(case, show_views=show_views),
        "show_views": show_views,
        "share_form": ShareForm(
            case=case,
            by_org=membership.organization,
            coordinator=coordinator,
            show_names=names,
            prefix="share",
        )
        if may_share
        else None,
        "referral_form": ReferralForm(
            case=case,
            by_org=membership.organization,
            coordinator=coordinator,
            show_names=names,
            prefix="refer",
        )
        if may_share
        else None,
        "referrals": case.referrals.select_related("from_org", "to_org"),
        "notes": disclosure.notes_shown(membership, case, seen).select_related("organization", "author"),
        "note_form": NoteForm(prefix="note"),
        "tasks": disclosure.tasks_shown(membership, case, seen).select_related("owner", "assignee"),
        "meeting_items": items_for_case(case.pk),
        "may_propose": case.status == Case.Status.OPEN and owns_case(membership, case),
        "task_form": TaskForm(organization=membership.organization, prefix="task"),
        **(_assessment_context(case, assessment_form) if seen.shows["assessments"] else {}),
        "plan": SupportPlan.objects.filter(case=case).first() if seen.shows["plan_goals"] else None,
        "consent_form": (consent_form or ConsentForm(people=own_people, prefix="consent"))
        if own_people
        else None,
        "consents": Consent.objects.filter(person__in=own_people)
        .annotate(has_scan=Exists(ConsentScan.objects.filter(consent=OuterRef("pk"))))
        .select_related("person")
        .prefetch_related("recipients", "kinds")
        .order_by("person_id", "given_on", "pk"),
    }
    return render(request, "cases/case_detail.html", context)


def _timeline(case: Case, *, show_views: bool) -> QuerySet[ActivityLog]:
    """The case's history. Openings (閲覧) are most of it and hide what happened, so they are left out
    unless asked for (?views=1); the activity log keeps them all."""
    entries = ActivityLog.objects.filter(object_type="cases.case", object_id=str(case.pk))
    if not show_views:
        entries = entries.exclude(action__endswith=".viewed")
    return entries.select_related("actor", "organization").order_by(
        "created_at", "id"
    )  # one order across the log's lanes


def _assessment_context(case: Case, refused: AssessmentForm | None = None) -> dict:
    """Each instrument's form, its results over time (baseline first), and the K6 crisis prompt.
    ``refused`` is a form sent with answers missing: it is shown again, open, with what was answered."""
    by_instrument: dict[str, list] = {code: [] for code in instruments()}
    for assessment in case.assessments.all():
        by_instrument.setdefault(assessment.instrument, []).append(assessment)
    refused_code = refused.prefix if refused is not None else None
    sections = [
        {
            "code": code,
            "spec": spec,
            "history": by_instrument[code],
            "trend": _trend_chart(code, spec, by_instrument[code]),
            "form": refused if code == refused_code else AssessmentForm(instrument=spec, prefix=code),
            "open": code == refused_code,
        }
        for code, spec in instruments().items()
    ]
    k6 = by_instrument.get("k6_ja") or []
    return {
        "assessment_sections": sections,
        "k6_crisis": bool(k6) and k6[-1].score >= K6_CRISIS,
        "hotlines": crisis_hotlines(),
    }


def _trend_chart(code: str, spec: dict, history: list) -> Chart | None:
    """Baseline and follow-ups as a line on the instrument's full scale (a trend needs two points)."""
    if len(history) < 2:
        return None
    low, high = score_range(code)
    return Chart(
        id=f"trend-{code}",
        title=_("%(name)s over time") % {"name": spec["name_ja"]},
        kind="line",
        labels=[a.administered_on.isoformat() for a in history],
        series=[Series(label=_("Score"), data=[a.score for a in history])],
        y_min=low,
        y_max=high,
        y_title=_("Score"),
    )


@org_view(Role.STAFF)
@require_POST
def case_share(request: OrgRequest, case_pk: int) -> HttpResponse:
    membership = request.membership
    case = get_object_or_404(cases_visible_to(membership), pk=case_pk)
    form = ShareForm(
        request.POST, case=case, by_org=membership.organization, coordinator=membership.is_coordinator,
        prefix="share",
    )  # fmt: skip
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.share_case(
                by=membership, case=case, organization=data["organization"], legal_basis=data["legal_basis"],
                consent=data["consent"], reason=data["reason"], ends_on=data["ends_on"],
                kinds=[k.code for k in data["kinds"]],
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Shared with %(org)s.") % {"org": data["organization"].name})
    else:
        messages.error(request, _("Choose an organisation and a legal basis."))
    return redirect("cases:case_detail", org_slug=request.org.slug, case_pk=case.pk)


@org_view(Role.STAFF)
@require_POST
def consent_record(request: OrgRequest, case_pk: int) -> HttpResponse:
    """Record a consent for one of the case's people; a refused form (a missing purpose, a file that is not
    a PDF or image, too large) comes back with what was typed and the reason beside the field."""
    membership = request.membership
    case = get_object_or_404(cases_visible_to(membership), pk=case_pk)
    people = persons_visible_to(membership).filter(pk__in=disclosure.case_people([case])[case.pk])
    if not people.exists():
        raise PermissionDenied
    form = ConsentForm(request.POST, request.FILES, people=people, prefix="consent")
    if form.is_valid():
        data = form.cleaned_data
        scan = data["scan"].read() if data["scan"] else None
        try:
            services.record_consent(
                by=membership, person=data["person"], recipients=list(data["recipients"]),
                info_kinds=[k.code for k in data["info_kinds"]], method=data["method"], purpose=data["purpose"],
                witness=data["witness"], given_on=data["given_on"], call_time=data["call_time"],
                valid_until=data["valid_until"], scan=scan,
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("cases:case_detail", org_slug=request.org.slug, case_pk=case.pk)
    return _case_page(request, case, consent_form=form)


@org_view(Role.STAFF)
def consent_scan(request: OrgRequest, case_pk: int, consent_pk: int) -> HttpResponse:
    """The scanned consent form, for the organisation that registered the person (logged)."""
    membership = request.membership
    case = get_object_or_404(cases_visible_to(membership), pk=case_pk)
    consent = get_object_or_404(
        selectors.consents_visible_to(membership).filter(
            person__in=disclosure.case_people([case])[case.pk], scan__isnull=False
        ),
        pk=consent_pk,
    )
    scan = services.read_consent_scan(by=membership, consent=consent)
    response = HttpResponse(consent_scans.decode(scan), content_type=scan.content_type)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[scan.content_type]
    response["Content-Disposition"] = f'inline; filename="consent-{consent.pk}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


@org_view(Role.STAFF)
@require_POST
def consent_withdraw(request: OrgRequest, case_pk: int, consent_pk: int) -> HttpResponse:
    membership = request.membership
    case = get_object_or_404(cases_visible_to(membership), pk=case_pk)
    consent = get_object_or_404(
        selectors.consents_visible_to(membership).filter(person__in=disclosure.case_people([case])[case.pk]),
        pk=consent_pk,
    )
    services.withdraw_consent(by=membership, consent=consent)
    messages.success(request, _("Consent withdrawn: sharing based on it has stopped."))
    return redirect("cases:case_detail", org_slug=request.org.slug, case_pk=case.pk)


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_http_methods(["GET", "POST"])
def sharing_reviews(request: OrgRequest) -> HttpResponse:
    """Sharing to protect life without consent, for the coordinators to review by the next business day."""
    membership = request.membership
    pending = services.bases_to_review(membership).select_related("case", "organization")
    if request.method == "POST":
        form = SharingReviewForm(request.POST, pending=pending)
        if form.is_valid():
            try:
                services.review_sharing(
                    by=membership,
                    basis=form.cleaned_data["basis"],
                    keep=form.cleaned_data["decision"] == "keep",
                )
            except notes.EditConflict:
                back = reverse("cases:sharing_reviews", args=[request.org.slug])
                return conflict_page(request, now=str(_("Reviewed")), back=back)
            messages.success(request, _("Review recorded."))
            return redirect("cases:sharing_reviews", org_slug=request.org.slug)
        messages.error(request, _("That sharing was already reviewed or has ended."))
    context = {"pending": pending, "today": timezone.localdate()}
    return render(request, "cases/sharing_reviews.html", context)


@org_view(Role.COORDINATOR, secretariat_only=True)
@require_http_methods(["GET", "POST"])
def case_queue(request: OrgRequest) -> HttpResponse:
    """Cases nobody leads, oldest first, without personal details; the coordinator assigns a lead."""
    membership = request.membership
    queue = (
        unassigned_queue_for(membership)
        .select_related("opened_by")
        .defer("summary")  # not shown: no decryption per row
        .prefetch_related("categories")
    )
    if request.method == "POST":
        form = QueueAssignForm(request.POST, queue=queue)
        if form.is_valid():
            services.assign_lead(
                by=membership, case=form.cleaned_data["case"], organization=form.cleaned_data["organization"],
            )  # fmt: skip
            messages.success(request, _("Lead assigned."))
            return redirect("cases:case_queue", org_slug=request.org.slug)
        messages.error(request, _("That case is no longer waiting, or the organisation cannot lead it."))
    organizations = Organization.objects.filter(is_active=True, is_secretariat=False)
    listing = paginate(request, queue.order_by("unassigned_since", "pk"))
    context = {
        "queue": listing.page,
        "page": listing.page,
        "query": listing.query,
        "organizations": organizations,
    }
    return render(request, "cases/case_queue.html", context)


@org_view(Role.STAFF)
@require_POST
def note_add(request: OrgRequest, case_pk: int) -> HttpResponse:
    membership = request.membership
    case = get_object_or_404(cases_visible_to(membership), pk=case_pk)
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        notes.add_note(
            by=membership,
            case=case,
            text=form.cleaned_data["text"],
            visibility=form.cleaned_data["visibility"],
        )
        messages.success(request, _("Note added."))
    else:
        messages.error(request, _("Write the note."))
    return redirect("cases:case_detail", org_slug=request.org.slug, case_pk=case.pk)


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
def note_edit(request: OrgRequest, case_pk: int, note_pk: int) -> HttpResponse:
    membership = request.membership
    case = get_object_or_404(cases_visible_to(membership), pk=case_pk)
    note = get_object_or_404(case.notes.filter(organization=membership.organization), pk=note_pk)
    conflict = None
    if request.method == "POST":
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                notes.edit_note(
                    by=membership, note=note, text=form.cleaned_data["text"],
                    expected_version=form.cleaned_data["version"] or 0,
                )  # fmt: skip
            except notes.EditConflict as error:
                conflict = error.current
                # Keep what this person typed; saving again (knowingly) replaces the newer version.
                again = request.POST.copy()
                again["version"] = str(conflict.version)
                form = NoteForm(again)
            else:
                messages.success(request, _("Note saved."))
                return redirect("cases:case_detail", org_slug=request.org.slug, case_pk=case.pk)
    else:
        form = NoteForm(initial={"text": note.text, "visibility": note.visibility, "version": note.version})
    return render(
        request, "cases/note_form.html", {"case": case, "note": note, "form": form, "conflict": conflict}
    )


@org_view(Role.STAFF)
@require_POST
def task_add(request: OrgRequest, case_pk: int) -> HttpResponse:
    membership = request.membership
    case = get_object_or_404(cases_visible_to(membership), pk=case_pk)
    form = TaskForm(request.POST, organization=membership.organization, prefix="task")
    if form.is_valid():
        data = form.cleaned_data
        try:
            tasks.add_task(
                by=membership,
                case=case,
                title=data["title"],
                due_on=data["due_on"],
                assignee=data["assignee"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Task added."))
    else:
        messages.error(request, _("Say what needs doing and by when."))
    return redirect("cases:case_detail", org_slug=request.org.slug, case_pk=case.pk)


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
def task_list(request: OrgRequest) -> HttpResponse:
    """The organisation's open tasks, overdue ones first; ticking one off."""
    membership = request.membership
    open_tasks = selectors.open_tasks_for(membership).select_related("assignee")
    if request.method == "POST":
        form = TaskDoneForm(request.POST, open_tasks=open_tasks)
        if form.is_valid():
            try:
                tasks.complete_task(by=membership, task=form.cleaned_data["task"])
            except notes.EditConflict:
                back = reverse("cases:task_list", args=[request.org.slug])
                return conflict_page(request, now=str(_("Done")), back=back)
            messages.success(request, _("Task done."))
            return redirect("cases:task_list", org_slug=request.org.slug)
        messages.error(request, _("That task is already done or is not one of your organisation's."))
    listing = paginate(request, open_tasks.order_by("due_on", "pk"))
    context = {
        "tasks": listing.page,
        "page": listing.page,
        "query": listing.query,
        "today": timezone.localdate(),
    }
    return render(request, "cases/task_list.html", context)


@org_view(Role.STAFF)
@require_POST
def assessment_add(request: OrgRequest, case_pk: int, instrument: str) -> HttpResponse:
    membership = request.membership
    case = get_object_or_404(cases_visible_to(membership), pk=case_pk)
    spec = instruments().get(instrument)
    if spec is None:
        raise Http404
    if not disclosure.disclosure(membership, case).shows["assessments"]:
        raise PermissionDenied  # results and history belong to 心身の状態, which this basis does not cover
    form = AssessmentForm(request.POST, instrument=spec, prefix=instrument)
    if form.is_valid():
        saved = assessments.record_assessment(
            by=membership, case=case, instrument=instrument, answers=form.cleaned_data
        )
        messages.success(request, _("Recorded: %(score)s") % {"score": saved.score})
        return redirect("cases:case_detail", org_slug=request.org.slug, case_pk=case.pk)
    # The page again with the answers given so far and the unanswered questions marked, never a blank form.
    messages.error(request, _("Answer every question."))
    return _case_page(request, case, assessment_form=form)


@org_view(Role.COORDINATOR, secretariat_only=True)
def outcomes(request: OrgRequest) -> HttpResponse:
    """Platform-level outcomes: how many cases improved between first and latest assessment."""
    report = [(instruments()[o.instrument]["name_ja"], o) for o in assessments.outcome_report()]
    return render(request, "cases/outcomes.html", {"report": report})


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
def plan_edit(request: OrgRequest, case_pk: int) -> HttpResponse:
    membership = request.membership
    case = get_object_or_404(selectors.cases_led_by(membership), pk=case_pk)
    plan = SupportPlan.objects.filter(case=case).first()
    conflict = None
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                notes.save_plan(
                    by=membership, case=case, goals=data["goals"], next_review=data["next_review"],
                    expected_version=data["version"] or 0,
                )  # fmt: skip
            except notes.EditConflict as error:
                conflict = SupportPlan.objects.get(pk=error.current.pk)
                again = request.POST.copy()
                again["version"] = str(conflict.version)
                form = PlanForm(again)
            else:
                messages.success(request, _("Plan saved."))
                return redirect("cases:case_detail", org_slug=request.org.slug, case_pk=case.pk)
    else:
        initial = (
            {"goals": plan.goals, "next_review": plan.next_review, "version": plan.version}
            if plan
            else {"version": 0}
        )
        form = PlanForm(initial=initial)
    return render(request, "cases/plan_form.html", {"case": case, "form": form, "conflict": conflict})


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
def case_edit(request: OrgRequest, case_pk: int) -> HttpResponse:
    membership = request.membership
    case = get_object_or_404(selectors.cases_led_by(membership), pk=case_pk)
    conflict = None
    if request.method == "POST":
        form = CaseEditForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            data["categories"] = list(data["categories"])
            try:
                services.update_case(by=membership, case=case, changes=data, expected_version=version)
            except notes.EditConflict as error:
                conflict = error.current
                again = request.POST.copy()
                again["version"] = str(conflict.version)
                form = CaseEditForm(again)
            else:
                messages.success(request, _("Case saved."))
                return redirect("cases:case_detail", org_slug=request.org.slug, case_pk=case.pk)
    else:
        form = CaseEditForm(
            initial={"risk": case.risk, "status": case.status, "summary": case.summary, "version": case.version,
                     "categories": list(case.categories.values_list("code", flat=True))}
        )  # fmt: skip
    return render(request, "cases/case_edit.html", {"case": case, "form": form, "conflict": conflict})
