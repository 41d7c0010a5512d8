"""Periodic work of the ratelimit app."""

from __future__ import annotations

from datetime import timedelta

from tsunagari.jobs import periodic

from .services import forget_expired


@periodic(every=timedelta(hours=1))
def forget_expired_counters() -> str:
    """Counters whose window is over are deleted."""
    return f"deleted {forget_expired()} expired counter(s)"
