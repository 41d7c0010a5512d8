"""Periodic work of the needs app."""

from __future__ import annotations

from datetime import timedelta

from tsunagari.jobs import periodic

from . import aggregates


@periodic(every=timedelta(minutes=1))
def keep_dashboard_warm() -> None:
    """Compute the dashboard's tables and coverage under the current version tokens, so that after a new
    report or a change in the directory the first member to open the dashboard is not the one who waits
    for them (cold p95 0.55 s against 0.08 s warm at a million reports: docs/operations.md). When
    nothing changed this is a handful of cache hits."""
    city = aggregates.city_table()
    aggregates.monthly(city)
    aggregates.household_types(city)
    aggregates.coverage(city=city)
