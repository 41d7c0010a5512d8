"""Periodic work of the reachout app."""

from __future__ import annotations

from datetime import timedelta

from tsunagari.jobs import periodic

from . import services


@periodic(every=timedelta(minutes=15))
def escalate_unanswered_requests() -> str:
    """Contact requests nobody contacted in time reach the secretariat's coordinators (once each)."""
    return f"escalated {services.escalate_unanswered()} contact request(s)"


@periodic(every=timedelta(days=1))
def forget_answered_requests() -> str:
    """Answered contact requests are deleted TSUNAGARI_CONTACT_REQUEST_KEEP_DAYS after the answer (see
    services.forget_answered); requests nobody has answered are kept until someone does."""
    return f"deleted {services.forget_answered()} answered contact request(s)"
