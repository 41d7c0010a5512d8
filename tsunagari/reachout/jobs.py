"""Periodic work of the reachout app."""

from __future__ import annotations

from datetime import timedelta

from tsunagari.jobs import periodic

from . import services


@periodic(every=timedelta(minutes=15))
def escalate_unanswered_requests() -> str:
    """Contact requests nobody contacted in time reach the secretariat's coordinators (once each)."""
    return f"escalated {services.escalate_unanswered()} contact request(s)"
