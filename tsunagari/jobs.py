"""Registry of periodic checks. Each app registers its own in ``<app>/jobs.py``; the worker
(tsunagari/worker) queues each one once per period and runs it as a task."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    func: Callable[[], object]
    # An urgent job whose last run failed makes /healthz answer 503 (e.g. 見守り, the audit check).
    urgent: bool = False


REGISTRY: dict[str, PeriodicJob] = {}


def periodic(
    *, every: timedelta, urgent: bool = False
) -> Callable[[Callable[[], object]], Callable[[], object]]:
    def register(func: Callable[[], object]) -> Callable[[], object]:
        name = f"{func.__module__}.{func.__name__}"
        REGISTRY[name] = PeriodicJob(name=name, every=every, func=func, urgent=urgent)
        return func

    return register


def discover() -> list[PeriodicJob]:
    autodiscover_modules("jobs")
    return sorted(REGISTRY.values(), key=lambda job: job.name)


def job_named(name: str) -> PeriodicJob:
    discover()
    return REGISTRY[name]
