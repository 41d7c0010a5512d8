from __future__ import annotations

from datetime import timedelta

from tsunagari.jobs import periodic

from .referrals import escalate_overdue, escalate_unassigned


@periodic(every=timedelta(hours=1))
def escalate_overdue_referrals() -> str:
    """Referrals nobody answered in time reach the secretariat within the hour."""
    return f"escalated {escalate_overdue()} referral(s)"


@periodic(every=timedelta(hours=1))
def escalate_unassigned_cases() -> str:
    """Cases in 制度のはざま do not wait unseen: after N days the coordinators are told."""
    return f"escalated {escalate_unassigned()} case(s)"


@periodic(every=timedelta(days=1))
def delete_after_retention() -> str:
    """Closed cases, and people with nothing left, are deleted after the retention period."""
    from .retention import purge_expired

    purged = purge_expired()
    return f"deleted {purged.cases} case(s), {purged.people} person(s), {purged.households} household(s)"
