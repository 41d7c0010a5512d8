"""The migration that keys the chain re-keys an intact unkeyed chain and leaves a broken one alone; the
migration to lanes keeps an existing chain, and the head recorded for it, valid as lane 0."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tsunagari.audit.chain import canonical_content, chain_hash
from tsunagari.audit.services import RecordedHead, verify_chain

LATEST = [("audit", "0004_lanes")]


def _write_rows(apps, count: int, *, break_at: int | None = None, key: bytes | None = None) -> None:
    """Rows as written before there were lanes: plain SHA-256 (before 0003) or keyed (``key``)."""
    from django.utils import timezone

    ActivityLog = apps.get_model("audit", "ActivityLog")
    ChainHead = apps.get_model("audit", "ChainHead")
    head = ChainHead.objects.get(pk=1)
    prev = head.hash
    for seq in range(head.seq + 1, head.seq + count + 1):
        fields = {
            "seq": seq,
            "created_at": timezone.now(),
            "actor_id": None,
            "organization_id": None,
            "action": f"old.{seq}",
            "object_type": "",
            "object_id": "",
            "legal_basis": "",
            "data": {"n": seq},
            "ip_address": "192.0.2.1",
        }
        content = canonical_content(**fields)
        if key is None:
            digest = hashlib.sha256(prev.encode() + b"\n" + content).hexdigest()
        else:
            digest = chain_hash(prev, content, key=key)
        if seq == break_at:
            fields["action"] = "tampered"
        ActivityLog.objects.create(prev_hash=prev, hash=digest, **fields)
        ChainHead.objects.filter(pk=1).update(seq=seq, hash=digest)  # after 0003 the head moves row by row
        prev = digest


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("break_at", [None, 2])
def test_migration_keys_an_intact_old_chain_only(break_at):
    executor = MigrationExecutor(connection)
    before = [("audit", "0002_chain_head_and_append_only")]
    after = LATEST
    executor.migrate(before)
    try:
        apps = executor.loader.project_state(before).apps
        if apps.get_model("audit", "ChainHead").objects.get(pk=1).seq == 0:
            _write_rows(apps, 3, break_at=break_at)
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
    finally:
        executor.migrate(after)
    result = verify_chain()
    if break_at is None:
        assert result.ok, result.problem
        assert result.rows_checked == 3
    else:
        # Left unkeyed rather than laundered: it keeps failing verification (from its first row on).
        assert (result.ok, result.first_bad_seq) == (False, 1)


@pytest.mark.django_db(transaction=True)
def test_an_existing_chain_becomes_lane_0_unchanged(settings):
    executor = MigrationExecutor(connection)
    before = [("audit", "0003_keyed_chain_and_protected_head")]
    executor.migrate(before)
    try:
        apps = executor.loader.project_state(before).apps
        ActivityLog = apps.get_model("audit", "ActivityLog")
        _write_rows(apps, 4, key=settings.TSUNAGARI_AUDIT_KEY.encode())
        old = {row.seq: row.hash for row in ActivityLog.objects.all()}
        head = apps.get_model("audit", "ChainHead").objects.get(pk=1)
        recorded = f"{head.seq}:{head.hash}"  # what verify-audit printed before lanes
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
    finally:
        executor.migrate(LATEST)
    from tsunagari.audit.models import ActivityLog as Current
    from tsunagari.audit.services import ensure_lanes, log_action

    rows = list(Current.objects.order_by("id"))
    assert [(row.id, row.lane, row.seq) for row in rows] == [(seq, 0, seq) for seq in sorted(old)]
    assert {row.seq: row.hash for row in rows} == old
    assert verify_chain(expected_head=RecordedHead.parse(recorded)).ok
    # New rows continue the same chain, and other lanes open beside it.
    ensure_lanes()
    entry = log_action(None, actor=None, action="test.after")
    assert (entry.lane, entry.seq, entry.id) == (0, len(old) + 1, max(old) + 1)
    assert verify_chain(expected_head=RecordedHead.parse(recorded)).ok
