"""Periodic checks run by ``tsunagari worker``. Each app registers its own in ``<app>/jobs.py``."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import mail_admins
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger("tsunagari.worker")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    func: Callable[[], object]


REGISTRY: dict[str, PeriodicJob] = {}


def periodic(*, every: timedelta) -> Callable[[Callable[[], object]], Callable[[], object]]:
    def register(func: Callable[[], object]) -> Callable[[], object]:
        name = f"{func.__module__}.{func.__name__}"
        REGISTRY[name] = PeriodicJob(name=name, every=every, func=func)
        return func

    return register


def discover() -> list[PeriodicJob]:
    autodiscover_modules("jobs")
    return sorted(REGISTRY.values(), key=lambda job: job.name)


def run_job(job: PeriodicJob) -> bool:
    """Run one job; a failure is logged and does not stop the others."""
    try:
        result = job.func()
    except Exception as error:
        logger.exception("job %s failed", job.name)
        mail_admins(f"Tsunagari: job {job.name} failed", repr(error), fail_silently=True)
        return False
    logger.info("job %s done: %s", job.name, result)
    return True


def run_cycle(last_run: dict[str, datetime], *, force: bool = False) -> list[str]:
    """Run every job that is due (all of them with ``force``); return the names that ran."""
    now = timezone.now()
    ran = []
    for job in discover():
        previous = last_run.get(job.name)
        if force or previous is None or now - previous >= job.every:
            run_job(job)
            last_run[job.name] = now
            ran.append(job.name)
    return ran


def run_forever(*, tick_seconds: float = 30.0) -> None:
    last_run: dict[str, datetime] = {}
    logger.info("worker started with jobs: %s", ", ".join(job.name for job in discover()))
    while True:
        run_cycle(last_run)
        time.sleep(tick_seconds)
