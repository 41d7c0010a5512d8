"""What monitoring needs to know about background work (read by /healthz)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max, Min
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from tsunagari.jobs import discover

from .models import JobStatus, WorkerHeartbeat


def _age(then: datetime | None, now: datetime) -> int | None:
    return None if then is None else max(0, int((now - then).total_seconds()))


def oldest_due_task() -> tuple[int, datetime | None]:
    """How many queued tasks are due now, and since when the oldest of them has been waiting."""
    ready = DBTaskResult.objects.ready()
    # A task queued for "as soon as possible" carries the far-future marker as its run_after.
    asap = ready.filter(run_after=get_date_max()).aggregate(since=Min("enqueued_at"))
    deferred = ready.exclude(run_after=get_date_max()).aggregate(since=Min("run_after"))
    candidates = [t for t in (asap["since"], deferred["since"]) if t is not None]
    return ready.count(), min(candidates) if candidates else None


def health(now: datetime | None = None) -> dict[str, Any]:
    """The background work's state, and the problems that mean urgent work is not being done:
    no worker seen lately, a due task waiting too long, or an urgent periodic job (見守り, the audit
    verification) whose last run failed."""
    now = now or timezone.now()
    problems: list[str] = []

    last_seen = WorkerHeartbeat.objects.aggregate(last=Max("last_seen"))["last"]
    worker_age = _age(last_seen, now)
    if worker_age is None or worker_age > settings.TSUNAGARI_WORKER_STALE_SECONDS:
        problems.append("worker")

    due, since = oldest_due_task()
    waiting = _age(since, now)
    if waiting is not None and waiting > settings.TSUNAGARI_QUEUE_DELAY_SECONDS:
        problems.append("queue")

    statuses = {status.job: status for status in JobStatus.objects.all()}
    failing = sorted(
        job.name
        for job in discover()
        if job.urgent and getattr(statuses.get(job.name), "last_ok", None) is False
    )
    problems.extend(f"job:{name}" for name in failing)

    from tsunagari.audit.jobs import verify_audit_chain

    audit = statuses.get(f"{verify_audit_chain.__module__}.{verify_audit_chain.__name__}")
    from tsunagari.line.models import LineDelivery
    from tsunagari.notifications.models import EmailDelivery

    return {
        "worker": {"last_seen": last_seen.isoformat() if last_seen else None, "age_seconds": worker_age},
        "queue": {"due": due, "oldest_due_seconds": waiting},
        "audit": {
            "last_verified_at": audit.last_finished_at.isoformat()
            if audit and audit.last_finished_at
            else None,
            "ok": audit.last_ok if audit else None,
        },
        "email": {
            "retrying": EmailDelivery.objects.filter(status=EmailDelivery.Status.RETRYING).count(),
            "failed_last_7_days": EmailDelivery.objects.filter(
                status=EmailDelivery.Status.FAILED, created_at__gte=now - timedelta(days=7)
            ).count(),
        },
        "line": {
            "retrying": LineDelivery.objects.filter(status=LineDelivery.Status.RETRYING).count(),
            "failed_last_7_days": LineDelivery.objects.filter(
                status=LineDelivery.Status.FAILED, created_at__gte=now - timedelta(days=7)
            ).count(),
        },
        "problems": problems,
    }
