from __future__ import annotations

from datetime import timedelta

from tsunagari.jobs import periodic

from .referrals import escalate_overdue


@periodic(every=timedelta(hours=1))
def escalate_overdue_referrals() -> str:
    """Referrals nobody answered in time reach the secretariat within the hour."""
    return f"escalated {escalate_overdue()} referral(s)"
