"""Scheduling periodic jobs by unique slot, running them, and the worker's heartbeat."""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tsunagari.jobs import discover, job_named

from .models import JobStatus, PeriodicSlot, WorkerHeartbeat
from .tasks import run_periodic_job

logger = logging.getLogger("tsunagari.worker")

# Periods are counted from a fixed instant, so every scheduler computes the same slots (a daily job's
# period starts at 00:00 UTC = 09:00 in Japan).
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class JobFailed(Exception):
    """A periodic job ended in failure (its message says why)."""


def period_start(every: timedelta, now: datetime) -> datetime:
    return EPOCH + ((now - EPOCH) // every) * every


def claim_slot(*, job: str, start: datetime) -> bool:
    """Queue one run of ``job`` for the period starting at ``start``, unless someone already did.
    The slot row and the queued task are written in one transaction: both or neither."""
    try:
        with transaction.atomic():
            PeriodicSlot.objects.create(job=job, period_start=start)
            run_periodic_job.enqueue(job)
    except IntegrityError:
        return False
    return True


def schedule_due(*, now: datetime | None = None) -> list[str]:
    """Queue every periodic job whose current period has no run yet; return the names queued.

    Several schedulers may call this at once (one per worker): the unique slot lets one of them win.
    A scheduler that starts after downtime finds the current periods empty and queues them, so a
    restart never skips the current run (earlier missed periods are not replayed)."""
    now = now or timezone.now()
    starts = {job.name: period_start(job.every, now) for job in discover()}
    taken = set(
        PeriodicSlot.objects.filter(job__in=starts, period_start__in=set(starts.values())).values_list(
            "job", "period_start"
        )
    )
    return [
        name
        for name, start in starts.items()
        if (name, start) not in taken and claim_slot(job=name, start=start)
    ]


def enqueue_all_now() -> list[str]:
    """Queue one run of every periodic job now, whatever their periods (``tsunagari worker --once``)."""
    names = [job.name for job in discover()]
    for name in names:
        run_periodic_job.enqueue(name)
    return names


def run_job(name: str) -> str:
    """Run one periodic job and record how it ended. A failure is recorded, the admins are e-mailed
    (through the queue, with retries) and the task itself fails, so that it shows as failed too."""
    job = job_named(name)
    started = timezone.now()
    JobStatus.objects.update_or_create(job=name, defaults={"last_started_at": started})
    try:
        result = job.func()
    except Exception as error:
        message = f"{type(error).__name__}: {error}"[:500]
        logger.exception("job %s failed", name)
        JobStatus.objects.filter(job=name).update(
            last_finished_at=timezone.now(), last_ok=False, last_message=message
        )
        _tell_admins(f"Tsunagari: job {name} failed", message)
        raise
    message = str(result)[:500]
    JobStatus.objects.filter(job=name).update(
        last_finished_at=timezone.now(), last_ok=True, last_message=message
    )
    logger.info("job %s done: %s", name, message)
    return message


def _tell_admins(subject: str, message: str) -> None:
    from tsunagari.notifications.services import queue_email

    queue_email(to=[email for _name, email in settings.ADMINS], subject=subject, body=message)


def beat(*, worker_id: str, started_at: datetime) -> None:
    """Record that this worker is alive (read by /healthz)."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:200],
            "pid": os.getpid(),
            "started_at": started_at,
            "last_seen": timezone.now(),
        },
    )


def requeue_abandoned(*, now: datetime | None = None) -> int:
    """Tasks left "running" by a worker that is gone (killed, machine lost) go back to the queue, so that
    another worker runs them: work is done at least once, never silently dropped."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.TSUNAGARI_WORKER_STALE_SECONDS)
    alive = set(
        WorkerHeartbeat.objects.filter(last_seen__gte=stale_before).values_list("worker_id", flat=True)
    )
    running = DBTaskResult.objects.running().filter(started_at__lt=stale_before).only("id", "worker_ids")
    abandoned = [task.pk for task in running if not task.worker_ids or task.worker_ids[-1] not in alive]
    if abandoned:
        logger.warning("re-queued %s task(s) left running by workers that are gone", len(abandoned))
    return DBTaskResult.objects.filter(pk__in=abandoned, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY
    )


def prune(*, now: datetime | None = None) -> dict[str, int]:
    """Forget old slots, finished tasks and workers not seen for a day."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    slots, _ = PeriodicSlot.objects.filter(period_start__lt=now - timedelta(days=30)).delete()
    tasks, _ = DBTaskResult.objects.finished().filter(finished_at__lt=now - timedelta(days=30)).delete()
    workers, _ = WorkerHeartbeat.objects.filter(last_seen__lt=now - timedelta(days=1)).delete()
    return {"slots": slots, "tasks": tasks, "workers": workers}
