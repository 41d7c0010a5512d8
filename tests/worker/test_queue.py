"""Background work on the queue: periodic runs queued once per period whoever schedules, e-mails that
survive a mail server outage, and /healthz telling monitoring when urgent work is not being done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tsunagari.audit.jobs import verify_audit_chain
from tsunagari.cli import worker
from tsunagari.jobs import discover
from tsunagari.notifications.models import EmailDelivery, Notification
from tsunagari.notifications.services import notify
from tsunagari.worker.models import JobStatus, PeriodicSlot, WorkerHeartbeat
from tsunagari.worker.runner import QueueWorker, run_due_tasks
from tsunagari.worker.services import claim_slot, period_start, schedule_due

BROKEN = "tests.accounts.broken_mail.BrokenBackend"
WORKING = "django.core.mail.backends.locmem.EmailBackend"
AUDIT_JOB = f"{verify_audit_chain.__module__}.{verify_audit_chain.__name__}"


def _queued(task_name: str) -> int:
    return DBTaskResult.objects.filter(task_path__endswith=task_name, status="READY").count()


def test_a_periodic_slot_is_queued_once_even_with_two_schedulers(db):
    now = datetime(2026, 12, 1, 3, 7, tzinfo=UTC)
    first = schedule_due(now=now)
    second = schedule_due(now=now + timedelta(seconds=20))  # another worker, same periods
    assert sorted(first) == sorted(job.name for job in discover()) and second == []
    assert _queued("run_periodic_job") == len(first)
    # Two schedulers that both read "free" before either wrote: the unique slot lets one of them win.
    start = period_start(timedelta(hours=1), now)
    assert claim_slot(job=AUDIT_JOB, start=start + timedelta(hours=1)) is True
    assert claim_slot(job=AUDIT_JOB, start=start + timedelta(hours=1)) is False
    assert PeriodicSlot.objects.filter(job=AUDIT_JOB).count() == 2


def test_a_scheduler_started_after_downtime_queues_the_current_period(db):
    """Slots are not kept in memory: a restart (or another worker) does not skip the current run."""
    before = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    schedule_due(now=before)
    DBTaskResult.objects.all().delete()
    after_downtime = before + timedelta(hours=5, minutes=30)
    queued = schedule_due(now=after_downtime)
    assert AUDIT_JOB in queued  # the hourly check runs at once for the current hour
    assert "tsunagari.watch.jobs.watch_over" in queued
    assert period_start(timedelta(days=1), after_downtime) == period_start(timedelta(days=1), before)
    assert "tsunagari.notifications.jobs.send_daily_digests" not in queued  # this day's run was queued


def test_running_a_periodic_job_records_the_audit_verification(db):
    schedule_due(now=timezone.now())
    assert run_due_tasks() >= len(discover())
    status = JobStatus.objects.get(job=AUDIT_JOB)
    assert status.last_ok is True and status.last_finished_at is not None
    assert "chain intact" in status.last_message


def test_worker_once_still_runs_every_check(db):
    assert worker(["--once"]) == 0
    assert JobStatus.objects.filter(last_ok=True).count() == len(discover())
    assert WorkerHeartbeat.objects.exists()


def test_an_email_outage_keeps_the_notification_visible_and_a_later_run_delivers_it(world, settings, login):
    coordinator = world["coordinator"]
    settings.EMAIL_BACKEND = BROKEN
    [notification] = notify([coordinator.user], subject="緊急: 見守り対象の方の応答がありません", urgent=True)
    run_due_tasks()
    delivery = EmailDelivery.objects.get(notifications=notification)
    assert delivery.status == EmailDelivery.Status.RETRYING and delivery.attempts == 1
    assert "connection refused" in delivery.last_error and delivery.next_attempt_at > timezone.now()
    assert not mail.outbox
    page = login(coordinator).get("/notifications/").content.decode()
    assert "緊急: 見守り対象の方の応答がありません" in page  # in the app whatever the mail server does
    assert "再送" in page and "connection refused" in page
    # The retry waits for its time; when it comes and the server is back, the e-mail goes out.
    assert run_due_tasks() == 0
    settings.EMAIL_BACKEND = WORKING
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))
    run_due_tasks()
    delivery.refresh_from_db()
    notification.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT and delivery.attempts == 2
    assert notification.emailed_at is not None
    assert [m.subject for m in mail.outbox] == ["緊急: 見守り対象の方の応答がありません"]


def test_after_the_last_attempt_the_delivery_is_failed_and_the_secretariat_sees_it(world, settings, login):
    settings.EMAIL_BACKEND = BROKEN
    settings.TSUNAGARI_EMAIL_MAX_ATTEMPTS = 3
    staff, coordinator = world["staff"], world["coordinator"]
    [notification] = notify([staff.user], subject="至急: 紹介への回答期限切れ", urgent=True)
    for _ in range(5):
        run_due_tasks()
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))
    delivery = EmailDelivery.objects.get(notifications=notification)
    assert delivery.status == EmailDelivery.Status.FAILED and delivery.attempts == 3  # bounded
    assert not DBTaskResult.objects.filter(status="READY").exists()
    own = login(staff).get("/notifications/").content.decode()
    assert "至急: 紹介への回答期限切れ" in own and "送信失敗" in own
    secretariat = login(coordinator).get("/notifications/").content.decode()
    assert staff.user.email in secretariat and "connection refused" in secretariat
    other = login(world["admin"]).get("/notifications/").content.decode()
    assert staff.user.email not in other  # only the secretariat sees others' deliveries
    assert login(world["admin"]).get("/healthz").json()["email"]["failed_last_7_days"] == 1


def test_a_rolled_back_change_sends_nothing(world):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        notify([world["staff"].user], subject="取り消される", urgent=True)
        raise RuntimeError
    assert not EmailDelivery.objects.exists() and not Notification.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_healthz_turns_503_when_the_worker_stops_and_200_when_it_runs(client, db, settings):
    assert client.get("/healthz").status_code == 503  # no worker has ever been seen
    run_due_tasks()
    answer = client.get("/healthz")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["worker"]["age_seconds"] <= 5
    WorkerHeartbeat.objects.update(
        last_seen=timezone.now() - timedelta(seconds=settings.TSUNAGARI_WORKER_STALE_SECONDS + 1)
    )
    stopped = client.get("/healthz")
    assert stopped.status_code == 503 and "worker" in stopped.json()["problems"]
    QueueWorker().heartbeat()
    assert client.get("/healthz").status_code == 200


def test_healthz_turns_503_when_due_tasks_wait_too_long(client, db, settings):
    run_due_tasks()
    schedule_due()  # tasks queued long ago that nobody ran
    DBTaskResult.objects.filter(status="READY").update(enqueued_at=timezone.now() - timedelta(hours=1))
    answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.json()["problems"] == ["queue"]
    assert answer.json()["queue"]["oldest_due_seconds"] >= 3600
    run_due_tasks()
    assert client.get("/healthz").status_code == 200


def test_healthz_turns_503_when_the_last_audit_verification_failed(client, db):
    from django.db import connection

    from tsunagari.audit.services import log_action
    from tsunagari.worker.services import run_job

    row = log_action(None, actor=None, action="test.row")
    run_due_tasks()
    assert run_job(AUDIT_JOB).startswith("chain intact")
    with connection.cursor() as cursor:  # someone with database access changes a row
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS audit_activitylog_no_update")
        else:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE audit_activitylog SET action = %s WHERE id = %s", ["test.innocent", row.id])
    with pytest.raises(Exception, match="chain broken"):
        run_job(AUDIT_JOB)
    answer = client.get("/healthz")
    assert answer.status_code == 503 and f"job:{AUDIT_JOB}" in answer.json()["problems"]
    assert answer.json()["audit"]["ok"] is False and answer.json()["audit"]["last_verified_at"]


def test_a_task_left_running_by_a_worker_that_is_gone_is_run_again(db, settings):
    from tsunagari.worker.services import requeue_abandoned

    schedule_due()
    task, other = DBTaskResult.objects.filter(status="READY")[:2]
    long_ago = timezone.now() - timedelta(seconds=settings.TSUNAGARI_WORKER_STALE_SECONDS + 60)
    task.claim("killed-worker")  # its process died mid-task: no heartbeat any more
    other.claim("busy-worker")  # alive, just slow
    DBTaskResult.objects.filter(pk__in=[task.pk, other.pk]).update(started_at=long_ago)
    WorkerHeartbeat.objects.create(worker_id="busy-worker", last_seen=timezone.now())
    assert requeue_abandoned() == 1
    assert DBTaskResult.objects.get(pk=task.pk).status == "READY"
    assert DBTaskResult.objects.get(pk=other.pk).status == "RUNNING"


def test_old_email_records_are_forgotten_but_notifications_stay(world):
    from tsunagari.notifications.jobs import forget_old_email_deliveries

    [notification] = notify([world["staff"].user], subject="古いお知らせ", urgent=True)
    run_due_tasks()
    EmailDelivery.objects.update(created_at=timezone.now() - timedelta(days=91))
    notify([world["staff"].user], subject="新しいお知らせ", urgent=True)
    forget_old_email_deliveries()
    assert list(EmailDelivery.objects.values_list("subject", flat=True)) == ["新しいお知らせ"]
    assert Notification.objects.filter(pk=notification.pk).exists()
