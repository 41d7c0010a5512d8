"""Periodic work of the events app."""

from __future__ import annotations

from datetime import timedelta

from tsunagari.jobs import periodic

from . import services


@periodic(every=timedelta(minutes=30))
def remind_registrants() -> str:
    """The reminder the day before an event."""
    return f"{services.send_reminders()} reminder(s) queued"


@periodic(every=timedelta(hours=6))
def erase_registrants_after_events() -> str:
    """Registrants' details go a configurable time after the event (TSUNAGARI_EVENT_RETENTION_DAYS)."""
    return f"{services.erase_after_events()} registration(s) erased"
