"""Shared needs pages: reporting (one by one or a spreadsheet), the picture of the city as members see
it, coverage and gaps, exports, the printable summary and the gap issues."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.timezone import localdate
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tsunagari import fragments, spreadsheets
from tsunagari.charts import Chart, Series
from tsunagari.orgs.access import OrgRequest, org_view
from tsunagari.orgs.models import Role
from tsunagari.pagination import paginate

from . import aggregates, services, suicide_stats
from .forms import GapEntryForm, GapIssueForm, GapStatusForm, NeedReportForm, UploadForm
from .models import GapIssue, GapIssueEntry
from .selectors import gap_issues_visible_to, reports_visible_to, sees_all_reports
from .spreadsheet import TEMPLATE_HEADER, aggregate_rows, read_upload, report_rows, template_example

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _picture() -> dict:
    """What the dashboard and the printable summary both show."""
    city = aggregates.city_table()
    months = aggregates.monthly(city)
    households = aggregates.household_types(city)
    cells = aggregates.coverage(city=city)
    covered = aggregates.coverage_by_category(cells, city.categories)
    return {
        "city": city,
        "months": months,
        "households": households,
        "month_chart": Chart(
            id="needs-monthly",
            title=_("Reported people by month"),
            kind="line",
            labels=months.labels,
            series=[Series(_("People (延べ数)"), months.values())],
            y_min=0,
            y_title=_("Number of people"),
            notes=[_("Months under %(k)s are not drawn.") % {"k": city.table.k}],
        ),  # fmt: skip
        "household_chart": Chart(
            id="needs-households",
            title=_("Reported people by household type"),
            kind="bar",
            labels=households.labels,
            series=[Series(_("People (延べ数)"), households.values())],
            y_min=0,
            y_title=_("Number of people"),
        ),  # fmt: skip
        "unreached": aggregates.unreached_needs(cells, limit=10),
        "coverage": covered,
        "coverage_chart": Chart(
            id="needs-coverage",
            title=_("Districts with reported needs, by whether a service there is accepting people"),
            kind="bar",
            labels=[c.label for c, _yes, _no in covered],
            series=[
                Series(_("A service is accepting"), [yes for _c, yes, _no in covered]),
                Series(_("No service accepting"), [no for _c, _yes, no in covered]),
            ],
            y_min=0,
            y_title=_("Districts"),
            stacked=True,
        ),  # fmt: skip
        "k": city.table.k,
    }


# The picture is the same for every member (de-identified totals): rendered once and kept (fragments.py)
# under the tallies' and the directory's tokens, so a new report or a changed service shows at once; what
# no token covers (a district or a kind of trouble renamed) shows within this time.
PICTURE_SECONDS = 60


def _rendered_picture(request: OrgRequest) -> str:
    def render_picture() -> str:
        context = _picture() | {
            "suicide_chart": suicide_stats.trend_chart(),
            "suicide_years": suicide_stats.years(),
        }
        return render_to_string("needs/_picture.html", context, request=request)

    tokens = aggregates.versions()
    if tokens is None:
        return render_picture()
    key = ("needs picture", request.org.slug, get_language(), aggregates.k_threshold(), localdate(), tokens)
    return fragments.kept(key, PICTURE_SECONDS, render_picture)


@org_view(Role.VIEWER)
def dashboard(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    context = {
        "picture": _rendered_picture(request),
        "k": aggregates.k_threshold(),
        "can_report": services.can_report(membership),
        "sees_reports": sees_all_reports(membership),
        "gap_count": gap_issues_visible_to(membership).exclude(status="solved").count(),
    }
    return render(request, "needs/dashboard.html", context)


@org_view(Role.VIEWER)
def summary(request: OrgRequest) -> HttpResponse:
    """One printable page for council meetings."""
    context = _picture() | {
        "gaps": gap_issues_visible_to(request.membership).exclude(status="solved"),
    }
    return render(request, "needs/summary.html", context)


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
def report_new(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    form = NeedReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_need(by=membership, data=form.report_data())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Thank you. The need was reported; it counts in the city's picture at once.")
            )
            return redirect("needs:report_list", org_slug=request.org.slug)
    return render(request, "needs/report_form.html", {"form": form})


@org_view(Role.STAFF)
def report_list(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    reports = (
        reports_visible_to(membership)
        .select_related("district", "organization")
        .prefetch_related("categories")
        .order_by("-period", "-pk")
    )
    listing = paginate(request, reports)
    context = {
        "reports": listing.page,
        "page": listing.page,
        "query": listing.query,
        "all_reports": sees_all_reports(membership),
        "total": listing.page.paginator.count,
        "can_raise": membership.is_coordinator,
    }
    return render(request, "needs/report_list.html", context)


@org_view(Role.STAFF)
@require_POST
def report_delete(request: OrgRequest, report_pk: int) -> HttpResponse:
    membership = request.membership
    report = get_object_or_404(reports_visible_to(membership), pk=report_pk)
    services.delete_report(by=membership, report=report)
    messages.success(request, _("The report was withdrawn."))
    return redirect("needs:report_list", org_slug=request.org.slug)


@org_view(Role.STAFF)
@require_http_methods(["GET", "POST"])
def upload(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    form = UploadForm(request.POST or None, request.FILES or None)
    results = None
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            results = read_upload(upload_file.name, upload_file.read())
        except spreadsheets.UnreadableFile as error:
            form.add_error(
                "file", _("This file cannot be read as the template: %(reason)s") % {"reason": error}
            )
        else:
            if results and not any(r.errors for r in results):
                rows = [r.data for r in results if r.data is not None]
                saved = services.import_reports(by=membership, rows=rows)
                messages.success(request, _("%(count)s reports were saved.") % {"count": saved})
                return redirect("needs:report_list", org_slug=request.org.slug)
    errors = [r for r in results or [] if r.errors]
    return render(request, "needs/upload.html", {"form": form, "errors": errors, "rows": len(results or [])})


@org_view(Role.STAFF)
def upload_template(request: OrgRequest, fmt: str) -> HttpResponse:
    """The header only (an example row would be uploaded as a report); the Excel file shows an example
    in its second sheet."""
    if fmt != "xlsx":
        return _download(fmt, "needs-template", TEMPLATE_HEADER, [], title=_("Need reports"))
    example = [(_("Example"), TEMPLATE_HEADER, [template_example()])]
    body = spreadsheets.to_xlsx(_("Need reports"), TEMPLATE_HEADER, [], extra_sheets=example)
    return _file(body, "needs-template", "xlsx")


@org_view(Role.VIEWER)
def export_aggregate(request: OrgRequest, fmt: str) -> HttpResponse:
    header, rows = aggregate_rows(aggregates.city_table())
    return _download(fmt, "needs-by-district", header, rows, title=_("Needs by district"))


@org_view(Role.STAFF, secretariat_only=True)
def export_reports(request: OrgRequest, fmt: str) -> HttpResponse:
    reports = (
        reports_visible_to(request.membership)
        .select_related("district", "organization")
        .prefetch_related("categories")
        .order_by("period", "pk")
    )
    header, rows = report_rows(reports)
    return _download(fmt, "need-reports", header, rows, title=_("Need reports"))


def _download(fmt: str, name: str, header: list, rows: list, *, title: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    body = spreadsheets.to_csv(header, rows) if fmt == "csv" else spreadsheets.to_xlsx(title, header, rows)
    return _file(body, name, fmt)


def _file(body: bytes, name: str, fmt: str) -> HttpResponse:
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@org_view(Role.VIEWER)
def coverage(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    exact = sees_all_reports(membership)
    cells = aggregates.coverage(exact=exact)
    unreached = aggregates.unreached_needs(cells)
    return render(request, "needs/coverage.html", {"cells": cells, "unreached": unreached, "exact": exact})


# --- Gap issues ------------------------------------------------------------------------------------


@org_view(Role.VIEWER)
def gap_list(request: OrgRequest) -> HttpResponse:
    issues = (
        gap_issues_visible_to(request.membership)
        .annotate(
            report_count=Count("reports", distinct=True),
            participant_count=Count("participants", distinct=True),
        )
        .order_by("status", "-updated_at")
    )
    return render(request, "needs/gap_list.html", {"issues": issues})


@org_view(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def gap_new(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    reports = reports_visible_to(membership).select_related("district")
    if request.method == "POST":
        form = GapIssueForm(request.POST, reports=reports)
        if form.is_valid():
            data = form.cleaned_data
            issue = services.raise_gap_issue(
                by=membership, title=data["title"], summary=data["summary"], reports=list(data["reports"]),
                responsible=list(data["responsible"]),
            )  # fmt: skip
            messages.success(request, _("The gap issue was raised. Members can now see and join it."))
            return redirect("needs:gap_detail", org_slug=request.org.slug, issue_pk=issue.pk)
    else:
        chosen = [pk for pk in request.GET.getlist("reports") if pk.isdigit() and len(pk) < 10]
        form = GapIssueForm(initial={"reports": chosen}, reports=reports)
    ids = [str(pk) for pk in form["reports"].value() or []]
    chosen_reports = reports.filter(pk__in=[pk for pk in ids if pk.isdigit() and len(pk) < 10])
    chosen_reports = chosen_reports.prefetch_related("categories")
    return render(request, "needs/gap_form.html", {"form": form, "chosen": chosen_reports})


@org_view(Role.VIEWER)
def gap_detail(request: OrgRequest, issue_pk: int) -> HttpResponse:
    issue = get_object_or_404(gap_issues_visible_to(request.membership), pk=issue_pk)
    return _gap_page(request, issue)


def _gap_page(request: OrgRequest, issue: GapIssue, entry_form: GapEntryForm | None = None) -> HttpResponse:
    membership = request.membership
    participating = issue.participants.filter(pk=membership.organization_id).exists()
    context = {
        "issue": issue,
        "participating": participating,
        "participants": issue.participants.order_by("name"),
        "responsible": issue.responsible.order_by("name"),
        "entries": issue.entries.select_related("organization", "author"),
        "report_count": issue.reports.count(),
        "reports": issue.reports.select_related("district").prefetch_related("categories")
        if sees_all_reports(membership)
        else None,
        "entry_form": entry_form
        or (
            GapEntryForm(can_decide=membership.is_coordinator)
            if participating and membership.has_role(Role.STAFF)
            else None
        ),
        "status_form": GapStatusForm(
            initial={"status": issue.status, "responsible": list(issue.responsible.all())}
        )
        if membership.is_coordinator
        else None,
        "can_join": not participating and membership.has_role(Role.STAFF),
    }
    return render(request, "needs/gap_detail.html", context)


@org_view(Role.STAFF)
@require_POST
def gap_join(request: OrgRequest, issue_pk: int) -> HttpResponse:
    issue = get_object_or_404(gap_issues_visible_to(request.membership), pk=issue_pk)
    services.join_gap_issue(by=request.membership, issue=issue)
    messages.success(request, _("Your organisation takes part in this issue now."))
    return redirect("needs:gap_detail", org_slug=request.org.slug, issue_pk=issue.pk)


@org_view(Role.STAFF)
@require_POST
def gap_entry(request: OrgRequest, issue_pk: int) -> HttpResponse:
    membership = request.membership
    issue = get_object_or_404(gap_issues_visible_to(membership), pk=issue_pk)
    form = GapEntryForm(request.POST, can_decide=membership.is_coordinator)
    if form.is_valid():
        try:
            services.add_gap_entry(
                by=membership,
                issue=issue,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            kind = GapIssueEntry.Kind(form.cleaned_data["kind"]).label
            messages.success(request, _("%(kind)s added.") % {"kind": kind})
            return redirect("needs:gap_detail", org_slug=request.org.slug, issue_pk=issue.pk)
    return _gap_page(request, issue, entry_form=form)


@org_view(Role.COORDINATOR)
@require_POST
def gap_status(request: OrgRequest, issue_pk: int) -> HttpResponse:
    membership = request.membership
    issue = get_object_or_404(gap_issues_visible_to(membership), pk=issue_pk)
    form = GapStatusForm(request.POST)
    if form.is_valid():
        services.update_gap_issue(
            by=membership, issue=issue, status=form.cleaned_data["status"],
            responsible=list(form.cleaned_data["responsible"]),
        )  # fmt: skip
        messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Choose a status."))
    return redirect("needs:gap_detail", org_slug=request.org.slug, issue_pk=issue.pk)
