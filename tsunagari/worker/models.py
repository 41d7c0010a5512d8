"""What the background worker leaves behind for others to check: which periodic runs were queued, how
each periodic job last ended, and when each worker was last seen alive."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class PeriodicSlot(models.Model):
    """One run of a periodic job per period. The unique pair is what lets any number of schedulers run
    side by side: whoever inserts the row first queues the run, the others find it taken."""

    job = models.CharField(max_length=200)
    period_start = models.DateTimeField()
    enqueued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "period_start"], name="one_run_per_job_period")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.period_start:%Y-%m-%d %H:%M}"


class JobStatus(models.Model):
    """How each periodic job last ended (e.g. the hourly audit verification, read by /healthz)."""

    job = models.CharField(max_length=200, unique=True)
    last_started_at = models.DateTimeField(null=True)
    last_finished_at = models.DateTimeField(null=True)
    last_ok = models.BooleanField(null=True)
    last_message = models.CharField(max_length=500, blank=True)  # counts and codes, never personal data

    def __str__(self) -> str:
        return f"{self.job}: {'ok' if self.last_ok else 'failed'}"


class WorkerHeartbeat(models.Model):
    """A running worker writes its row every few seconds; /healthz reads the freshest one."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.hostname}"
