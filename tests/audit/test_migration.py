"""The migration that keys the chain re-keys an intact unkeyed chain and leaves a broken one alone."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tsunagari.audit.chain import canonical_content
from tsunagari.audit.services import verify_chain


def _write_unkeyed_rows(apps, count: int, *, break_at: int | None = None) -> None:
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
        digest = hashlib.sha256(prev.encode() + b"\n" + canonical_content(**fields)).hexdigest()
        if seq == break_at:
            fields["action"] = "tampered"
        ActivityLog.objects.create(prev_hash=prev, hash=digest, **fields)
        prev = digest
    ChainHead.objects.filter(pk=1).update(seq=head.seq + count, hash=prev)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("break_at", [None, 2])
def test_migration_keys_an_intact_old_chain_only(break_at):
    executor = MigrationExecutor(connection)
    before = [("audit", "0002_chain_head_and_append_only")]
    after = [("audit", "0003_keyed_chain_and_protected_head")]
    executor.migrate(before)
    try:
        apps = executor.loader.project_state(before).apps
        if apps.get_model("audit", "ChainHead").objects.get(pk=1).seq == 0:
            _write_unkeyed_rows(apps, 3, break_at=break_at)
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
