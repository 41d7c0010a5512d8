"""Writing shared needs: reports (one by one or from a spreadsheet) with their tallies kept in step, and
the gap issues the secretariat raises from them."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.audit.services import log_action
from tsunagari.directory.models import TaxonomyTerm
from tsunagari.orgs.models import Membership, Organization, Role
from tsunagari.text.personal_data import find_personal_data

from .models import GapIssue, GapIssueEntry, NeedReport, NeedTally, TallyVersion

TallyKey = tuple[date, int, Any, str, str]  # month, district, category, household type, system fit


@dataclass(frozen=True)
class ReportData:
    period: date
    district_id: int
    categories: Sequence[TaxonomyTerm]
    age_band: str
    household_type: str
    count: int
    system_fit: str
    description: str = ""


def can_report(membership: Membership) -> bool:
    """Any member organisation's staff (directory-only members and partner companies included)."""
    return membership.has_role(Role.STAFF)


def check_description(text: str, *, field: str = "description") -> None:
    """Refuse personal data in the description, naming what was found so it can be removed."""
    findings = find_personal_data(text)
    if findings:
        kinds = {
            "name": _("a name"), "phone": _("a phone number"), "address": _("an address"),
            "birth_date": _("a date of birth"), "email": _("an e-mail address"),
        }  # fmt: skip
        listed = "、".join(f"「{f.text}」（{kinds[f.kind]}）" for f in findings)
        raise ValidationError(
            {
                field: _(
                    "Remove personal data before saving: %(found)s. Describe the situation without it (e.g. 「70代の女性」)."
                )
                % {"found": listed}
            }
        )


@transaction.atomic
def report_need(*, by: Membership, data: ReportData) -> NeedReport:
    if not can_report(by):
        raise PermissionDenied
    check_description(data.description)
    report = NeedReport.objects.create(
        organization=by.organization, reported_by=by.user, period=data.period.replace(day=1),
        district_id=data.district_id, age_band=data.age_band, household_type=data.household_type,
        count=data.count, system_fit=data.system_fit, description=data.description.strip(),
    )  # fmt: skip
    report.categories.set(data.categories)
    _add_to_tallies(_tally_keys(report, data.categories), sign=+1)
    log_action(report, actor=by, action="needs.report.created")
    return report


@transaction.atomic
def import_reports(*, by: Membership, rows: Sequence[ReportData]) -> int:
    """All rows or none (the caller has validated every row and shown the errors by row)."""
    if not can_report(by):
        raise PermissionDenied
    for row in rows:
        check_description(row.description)
    reports = NeedReport.objects.bulk_create(
        [
            NeedReport(
                organization=by.organization,
                reported_by=by.user,
                period=row.period.replace(day=1),
                district_id=row.district_id,
                age_band=row.age_band,
                household_type=row.household_type,
                count=row.count,
                system_fit=row.system_fit,
                description=row.description.strip(),
            )  # fmt: skip
            for row in rows
        ]
    )
    through = NeedReport.categories.through
    through.objects.bulk_create(
        [
            through(needreport_id=report.pk, taxonomyterm_id=term.pk)
            for report, row in zip(reports, rows, strict=True)
            for term in row.categories
        ]
    )
    keys: Counter[TallyKey] = Counter()
    reports_per_key: Counter[TallyKey] = Counter()
    for report, row in zip(reports, rows, strict=True):
        for key, people in _tally_keys(report, row.categories).items():
            keys[key] += people
            reports_per_key[key] += 1
    _add_counts(keys, reports_per_key, sign=+1)
    log_action(None, actor=by, action="needs.report.imported", data={"rows": len(reports)})
    return len(reports)


@transaction.atomic
def delete_report(*, by: Membership, report: NeedReport) -> None:
    """The reporting organisation withdraws a report (a mistake); the secretariat may too."""
    if not (report.organization_id == by.organization_id and can_report(by)) and not by.is_coordinator:
        raise PermissionDenied
    _add_to_tallies(_tally_keys(report, list(report.categories.all())), sign=-1)
    log_action(report, actor=by, action="needs.report.deleted")
    report.delete()


def _tally_keys(report: NeedReport, categories: Iterable[TaxonomyTerm]) -> dict[TallyKey, int]:
    return {
        (report.period, report.district_id, term.pk, report.household_type, report.system_fit): report.count
        for term in categories
    }


def _add_to_tallies(people: dict[TallyKey, int], *, sign: int) -> None:
    _add_counts(Counter(people), Counter(dict.fromkeys(people, 1)), sign=sign)


def _add_counts(people: Counter[TallyKey], reports: Counter[TallyKey], *, sign: int) -> None:
    tallies_changed()
    for key, amount in people.items():
        month, district_id, category_id, household_type, system_fit = key
        cell = NeedTally.objects.filter(
            month=month, district_id=district_id, category_id=category_id, household_type=household_type,
            system_fit=system_fit,
        )  # fmt: skip
        change = {"people": F("people") + sign * amount, "reports": F("reports") + sign * reports[key]}
        if cell.update(**change) or sign < 0:
            continue
        try:
            with transaction.atomic():  # a savepoint: another request may create the same cell first
                NeedTally.objects.create(
                    month=month, district_id=district_id, category_id=category_id, household_type=household_type,
                    system_fit=system_fit, people=amount, reports=reports[key],
                )  # fmt: skip
        except IntegrityError:
            cell.update(**change)
    if sign < 0:
        NeedTally.objects.filter(reports__lte=0).delete()


def tallies_changed() -> None:
    """Give the tallies a new version token (in the caller's transaction): the aggregates cached under
    the old one are no longer read (aggregates.py). Every write to the tallies calls this."""
    if not TallyVersion.objects.filter(pk=1).update(token=uuid.uuid4()):
        TallyVersion.objects.get_or_create(pk=1)  # the row is gone (a test flushed it): a new token


@transaction.atomic
def rebuild_tallies() -> int:
    """Recount every tally from the reports in one statement (after a bulk load, or to check them)."""
    tallies_changed()
    NeedTally.objects.all().delete()
    tally, report, through = (
        NeedTally._meta.db_table,
        NeedReport._meta.db_table,
        NeedReport.categories.through._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {tally} (month, district_id, category_id, household_type, system_fit, people, reports) "  # noqa: S608 (table names only)
            f"SELECT r.period, r.district_id, t.taxonomyterm_id, r.household_type, r.system_fit, SUM(r.count), COUNT(*) "
            f"FROM {report} r JOIN {through} t ON t.needreport_id = r.id "
            f"GROUP BY r.period, r.district_id, t.taxonomyterm_id, r.household_type, r.system_fit"
        )
    return NeedTally.objects.count()


# --- Gap issues (はざまの課題) ----------------------------------------------------------------------


def _require_coordinator(by: Membership) -> None:
    if not by.is_coordinator:
        raise PermissionDenied


@transaction.atomic
def raise_gap_issue(
    *, by: Membership, title: str, summary: str, reports: Sequence[NeedReport],
    responsible: Sequence[Organization] = (),
) -> GapIssue:  # fmt: skip
    _require_coordinator(by)
    issue = GapIssue.objects.create(title=title.strip(), summary=summary.strip(), created_by=by.user)
    issue.reports.set(reports)
    issue.responsible.set(responsible)
    issue.participants.set({*responsible, by.organization})
    log_action(issue, actor=by, action="needs.gap.raised", data={"reports": len(reports)})
    return issue


@transaction.atomic
def update_gap_issue(
    *, by: Membership, issue: GapIssue, status: str, responsible: Sequence[Organization],
) -> GapIssue:  # fmt: skip
    _require_coordinator(by)
    old_status = issue.status
    issue.status = status
    issue.updated_at = timezone.now()
    issue.save(update_fields=["status", "updated_at"])
    issue.responsible.set(responsible)
    issue.participants.add(*responsible)
    log_action(issue, actor=by, action="needs.gap.updated", data={"status": [old_status, status]})
    return issue


@transaction.atomic
def join_gap_issue(*, by: Membership, issue: GapIssue) -> None:
    if not by.has_role(Role.STAFF):
        raise PermissionDenied
    issue.participants.add(by.organization)
    log_action(issue, actor=by, action="needs.gap.joined")


@transaction.atomic
def add_gap_entry(*, by: Membership, issue: GapIssue, kind: str, text: str) -> GapIssueEntry:
    """Organisations taking part write notes; decisions are the secretariat's to record."""
    if not by.has_role(Role.STAFF) or not issue.participants.filter(pk=by.organization_id).exists():
        raise PermissionDenied
    if kind == GapIssueEntry.Kind.DECISION and not by.is_coordinator:
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Write something first.")})
    check_description(text, field="text")
    entry = GapIssueEntry.objects.create(
        issue=issue, kind=kind, text=text.strip(), organization=by.organization, author=by.user
    )
    GapIssue.objects.filter(pk=issue.pk).update(updated_at=timezone.now())
    log_action(issue, actor=by, action=f"needs.gap.{kind}_added")
    return entry
