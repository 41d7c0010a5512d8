"""Who may see which need reports and gap issues."""

from __future__ import annotations

from django.db.models import QuerySet

from tsunagari.orgs.models import Membership, Role

from .models import GapIssue, NeedReport


def sees_all_reports(membership: Membership) -> bool:
    return membership.organization.is_secretariat and membership.has_role(Role.STAFF)


def reports_visible_to(membership: Membership) -> QuerySet[NeedReport]:
    """The secretariat's staff see every report; another organisation's staff see the reports it made
    itself (to check and withdraw them). Everyone else sees aggregates only (aggregates.py)."""
    if sees_all_reports(membership):
        return NeedReport.objects.all()
    if membership.has_role(Role.STAFF):
        return NeedReport.objects.filter(organization=membership.organization)
    return NeedReport.objects.none()


def gap_issues_visible_to(membership: Membership) -> QuerySet[GapIssue]:
    """Gap issues are the platform's shared agenda: every member sees them (their linked reports stay
    with the secretariat; members see only how many there are)."""
    return GapIssue.objects.all()
