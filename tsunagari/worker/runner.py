"""The worker loop: django-tasks-db's database worker, plus the scheduler tick and the heartbeat.

Each ``tsunagari worker`` process runs this; on PostgreSQL any number may run side by side (tasks are
claimed with ``SELECT … FOR UPDATE SKIP LOCKED``, periodic slots are unique), and on SQLite the demo
runs one beside its web server."""

from __future__ import annotations

import logging
import os
import threading
import time

from django.db import close_old_connections
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from . import services

logger = logging.getLogger("tsunagari.worker")

# How often the scheduler looks for due periodic jobs and the heartbeat is written.
TICK_SECONDS = 15.0


class QueueWorker(Worker):
    def __init__(self, *, interval: float = 1.0, worker_id: str | None = None) -> None:
        super().__init__(
            queue_names=["*"],
            interval=interval,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id or get_random_string(32),
            excluded_queue_names=[],
        )
        self.started_at = timezone.now()
        self._last_beat = self._last_schedule = -TICK_SECONDS

    def heartbeat(self) -> None:
        if time.monotonic() - self._last_beat >= TICK_SECONDS:
            services.beat(worker_id=self.worker_id, started_at=self.started_at)
            self._last_beat = time.monotonic()

    def schedule(self) -> None:
        if time.monotonic() - self._last_schedule >= TICK_SECONDS:
            services.requeue_abandoned()
            queued = services.schedule_due()
            if queued:
                logger.info("queued periodic job(s): %s", ", ".join(queued))
            self._last_schedule = time.monotonic()

    def claim_next(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
            except OperationalError as error:
                if not is_locked_database_exception(error):
                    raise
                return None  # SQLite busy: try again on the next round
        return task_result

    def drain(self) -> int:
        """Run every task that is due now (retries waiting for later stay queued); return how many ran."""
        ran = 0
        while self.running:
            task_result = self.claim_next()
            if task_result is None:
                return ran
            self.run_task(task_result)
            ran += 1
            self.heartbeat()
        return ran

    def run_forever(self, *, parent_pid: int | None = None) -> None:
        """Until SIGTERM/SIGINT (or, when started by another process, until that process is gone)."""
        logger.info("worker %s started (pid %s)", self.worker_id, os.getpid())
        self.configure_signals()
        # The heartbeat has its own thread, so that a long task does not make a live worker look dead (and
        # its task look abandoned); a process that is gone stops beating at once.
        threading.Thread(target=self._beat_forever, name="heartbeat", daemon=True).start()
        while self.running:
            if parent_pid is not None and os.getppid() != parent_pid:
                logger.info("worker %s: the process that started it is gone; stopping", self.worker_id)
                return
            close_old_connections()
            try:
                self.schedule()
                self.drain()
            except OperationalError:
                # A database that is briefly away (restart, failover): log, and try again shortly.
                logger.exception("worker %s: database error", self.worker_id)
            close_old_connections()
            if self.running:
                time.sleep(self.interval)

    def _beat_forever(self) -> None:
        while self.running:
            try:
                services.beat(worker_id=self.worker_id, started_at=self.started_at)
            except OperationalError:
                logger.exception("worker %s: heartbeat not written", self.worker_id)
            finally:
                close_old_connections()
            time.sleep(TICK_SECONDS)


def run_due_tasks() -> int:
    """Run what is due in this process and return (``tsunagari worker --once``, and tests)."""
    worker = QueueWorker()
    worker.heartbeat()
    return worker.drain()
