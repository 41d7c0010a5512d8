"""On PostgreSQL, writers of the activity log in different transactions take different lanes and do not
wait for each other; the chains they write verify together. SQLite serialises writers (IMMEDIATE), so
these run on PostgreSQL only; tests/audit/test_chain.py covers lanes on both databases."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from tsunagari.audit.models import ActivityLog, ChainHead
from tsunagari.audit.services import log_action, verify_chain

pytestmark = pytest.mark.django_db(transaction=True)


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (IMMEDIATE); tests/audit/test_chain.py covers lanes there")


def _hold_a_lane_together(timeout: float) -> list[object]:
    """Two threads, each with its own connection, log a row and then wait for each other *inside* their
    transactions, i.e. while holding their lanes. If the second writer had to wait for the first's lane,
    neither would reach the barrier and it breaks after ``timeout``. Returns each lane or exception."""
    barrier = threading.Barrier(2, timeout=timeout)
    results: list[object] = [None, None]

    def run(i: int) -> None:
        try:
            with transaction.atomic():
                entry = log_action(None, actor=None, action="test.lane", data={"thread": i})
                barrier.wait()
            results[i] = entry.lane
        except Exception as error:  # reported to the test, not swallowed
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_writers_in_different_lanes_do_not_wait_for_each_other():
    _postgresql_only()
    results = _hold_a_lane_together(timeout=30)
    assert all(isinstance(lane, int) for lane in results), results
    assert results[0] != results[1]
    assert verify_chain().ok


def test_with_one_lane_the_second_writer_waits(settings):
    """The old behaviour, which the test above would catch coming back: one writer holds the only lane,
    so the other cannot log until it commits, and the barrier inside both transactions breaks."""
    _postgresql_only()
    settings.TSUNAGARI_AUDIT_LANES = 1
    results = _hold_a_lane_together(timeout=3)
    assert any(isinstance(result, threading.BrokenBarrierError) for result in results), results
    assert verify_chain().ok


def test_many_concurrent_writers_leave_chains_that_verify():
    _postgresql_only()
    writers, rows_each = 8, 25
    start = threading.Barrier(writers)
    errors: list[Exception] = []

    def run() -> None:
        try:
            start.wait(timeout=30)
            for n in range(rows_each):
                with transaction.atomic():
                    log_action(None, actor=None, action="test.lane", data={"n": n})
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = verify_chain()
    assert result.ok, result.problem
    assert result.rows_checked == ActivityLog.objects.count() == writers * rows_each
    assert sum(head.seq for head in ChainHead.objects.all()) == writers * rows_each
