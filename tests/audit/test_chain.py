"""The activity log is hash-chained and append-only; verification names the first bad row."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from tests.factories import make_member
from tsunagari.audit.models import ActivityLog, ChainHead, LegalBasis
from tsunagari.audit.services import log_action, verify_chain
from tsunagari.orgs.models import Role


@pytest.fixture
def logged(org_a):
    member = make_member(org_a, Role.STAFF)
    start = ChainHead.objects.get().seq
    for i in range(5):
        log_action(org_a, actor=member, action=f"test.action.{i}", data={"i": i, "note": "日本語"})
    return start


def _raw(sql: str, params: list) -> None:
    """Change the table behind the application's back, as someone with database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS audit_activitylog_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_activitylog_no_delete")
        else:
            # A superuser can switch triggers off for the session; LOCAL ends with the test's transaction.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def test_log_action_chains_rows(logged, org_a):
    rows = list(ActivityLog.objects.order_by("seq"))
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    for previous, row in zip(rows, rows[1:], strict=False):
        assert row.prev_hash == previous.hash
    assert ChainHead.objects.get().hash == rows[-1].hash
    assert rows[-1].organization_id == org_a.pk
    assert verify_chain().ok


def test_log_action_refuses_unknown_legal_basis(org_a):
    with pytest.raises(ValueError):
        log_action(org_a, actor=None, action="x", legal_basis="because")


def test_log_action_records_legal_basis(org_a):
    entry = log_action(
        org_a, actor=None, action="cases.person.viewed", legal_basis=LegalBasis.SUPPORT_MEETING
    )
    assert ActivityLog.objects.get(seq=entry.seq).legal_basis == "support_meeting"
    assert verify_chain().ok


def test_altered_row_is_found(logged):
    target = logged + 3
    _raw("UPDATE audit_activitylog SET action = %s WHERE seq = %s", ["test.innocent", target])
    result = verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, target)
    assert "altered" in result.problem


def test_altered_data_is_found(logged):
    target = logged + 2
    _raw("UPDATE audit_activitylog SET data = %s WHERE seq = %s", ['{"i": 99, "note": "日本語"}', target])
    assert verify_chain().first_bad_seq == target


def test_removed_row_is_found(logged):
    target = logged + 2
    _raw("DELETE FROM audit_activitylog WHERE seq = %s", [target])
    result = verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, target + 1)
    assert f"#{target} is missing" in result.problem


def test_removed_last_rows_are_found(logged):
    last = ChainHead.objects.get().seq
    _raw("DELETE FROM audit_activitylog WHERE seq >= %s", [last - 1])
    result = verify_chain()
    assert result.ok is False and "removed from the end" in result.problem


def test_inserted_row_is_found(logged):
    target = logged + 3
    row = ActivityLog.objects.get(seq=target)
    # Make room by renumbering the tail, then insert a forged row with a self-consistent hash.
    _raw("UPDATE audit_activitylog SET seq = seq + 1000 WHERE seq >= %s", [target])
    _raw(
        "INSERT INTO audit_activitylog (seq, created_at, action, object_type, object_id, legal_basis, data, prev_hash, hash)"
        " VALUES (%s, %s, 'forged', '', '', '', '{}', %s, %s)",
        [target, row.created_at, row.prev_hash, "f" * 64],
    )
    result = verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, target)


def test_database_refuses_update_and_delete(logged):
    for sql in ("UPDATE audit_activitylog SET action = 'x'", "DELETE FROM audit_activitylog"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert verify_chain().ok


def test_orm_cannot_delete_log_rows(logged):
    with pytest.raises(DatabaseError), transaction.atomic():
        ActivityLog.objects.filter(seq=logged + 1).delete()


def test_verify_audit_command_exit_codes(logged, capsys):
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out
    _raw("UPDATE audit_activitylog SET ip_address = '10.0.0.1' WHERE seq = %s", [logged + 4])
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit")
    assert excinfo.value.returncode == 1
    assert f"#{logged + 4}" in str(excinfo.value)


@pytest.mark.parametrize("address", ["2001:DB8::1", "::ffff:1.2.3.4", "::102:304", "192.0.2.7"])
def test_addresses_in_any_spelling_keep_the_chain_valid(org_a, rf, address):
    request = rf.get("/", REMOTE_ADDR=address)
    log_action(org_a, actor=None, action="test.ip", request=request)
    assert verify_chain().ok


def test_floats_are_refused_in_details(org_a):
    with pytest.raises(ValueError):
        log_action(org_a, actor=None, action="test.float", data={"score": 1e16})


def test_forwarded_address_is_believed_only_from_trusted_proxies(rf, settings):
    from tsunagari.audit.services import client_ip

    spoofed = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(spoofed) == "203.0.113.9"
    settings.TSUNAGARI_TRUSTED_PROXIES = frozenset({"127.0.0.1"})
    proxied = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 198.51.100.2")
    assert client_ip(proxied) == "198.51.100.2"
    garbage = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(garbage) == "127.0.0.1"
