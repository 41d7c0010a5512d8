"""The activity log is hash-chained and append-only; verification names the first bad row."""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse
from django.utils import timezone

from tests.factories import make_member
from tsunagari.audit.chain import chain_hash, row_content
from tsunagari.audit.context import client_address, current_client_address
from tsunagari.audit.middleware import ClientAddressMiddleware
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
    """Change the tables behind the application's back, as someone with database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit_%%'"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER {name}")
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
    def view(request):
        log_action(org_a, actor=None, action="test.ip")
        return HttpResponse()

    ClientAddressMiddleware(view)(rf.get("/", REMOTE_ADDR=address))
    assert ActivityLog.objects.latest("seq").ip_address is not None
    assert verify_chain().ok


def test_the_log_records_the_address_of_the_request_being_served(org_a, rf, settings):
    settings.TSUNAGARI_TRUSTED_PROXIES = frozenset({"127.0.0.1"})

    def view(request):
        log_action(org_a, actor=None, action="test.ip")
        assert current_client_address() == "198.51.100.2"
        return HttpResponse()

    proxied = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 198.51.100.2")
    ClientAddressMiddleware(view)(proxied)
    assert ActivityLog.objects.latest("seq").ip_address == "198.51.100.2"
    # Once the response is ready the address is gone: a later write outside a request has none.
    assert current_client_address() is None
    log_action(org_a, actor=None, action="test.ip")
    assert ActivityLog.objects.latest("seq").ip_address is None
    with client_address("192.0.2.7"):
        log_action(org_a, actor=None, action="test.ip")
    assert ActivityLog.objects.latest("seq").ip_address == "192.0.2.7"


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


# Gaps found by the outside review (issue 15, finding 7), each on both databases.


def _insert_forged(seq: int, prev_hash: str, digest: str) -> None:
    _raw(
        "INSERT INTO audit_activitylog (seq, created_at, action, object_type, object_id, legal_basis, data, prev_hash, hash)"
        " VALUES (%s, %s, 'forged', '', '', '', '{}', %s, %s)",
        [seq, timezone.now(), prev_hash, digest],
    )


def test_row_inserted_after_the_head_is_reported(logged):
    head = ChainHead.objects.get()
    _insert_forged(head.seq + 1, head.hash, "e" * 64)
    result = verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, head.seq + 1)
    assert "beyond the head" in result.problem


def test_database_refuses_a_row_that_does_not_continue_the_head(logged):
    head = ChainHead.objects.get()
    for seq, prev in ((head.seq + 2, head.hash), (head.seq + 1, "a" * 64)):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO audit_activitylog (seq, created_at, action, object_type, object_id, legal_basis,"
                " data, prev_hash, hash) VALUES (%s, %s, 'forged', '', '', '', '{}', %s, %s)",
                [seq, timezone.now(), prev, "d" * 64],
            )
    assert verify_chain().ok


def test_database_protects_the_head(logged):
    head = ChainHead.objects.get()
    previous = ActivityLog.objects.get(seq=head.seq - 1)
    statements = [
        ("UPDATE audit_chainhead SET seq = %s, hash = %s", [previous.seq, previous.hash]),
        ("UPDATE audit_chainhead SET seq = 0, hash = %s", ["0" * 64]),
        ("UPDATE audit_chainhead SET seq = seq + 1", []),
        ("DELETE FROM audit_chainhead", []),
    ]
    if connection.vendor == "postgresql":
        statements.append(("TRUNCATE audit_chainhead", []))
    for sql, params in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert ChainHead.objects.get().seq == head.seq
    # The application's own advance still works.
    log_action(None, actor=None, action="test.after")
    assert verify_chain().ok


def test_last_row_deleted_and_head_moved_differs_from_the_recorded_head(logged):
    recorded = ChainHead.objects.get()
    previous = ActivityLog.objects.get(seq=recorded.seq - 1)
    _raw("DELETE FROM audit_activitylog WHERE seq = %s", [recorded.seq])
    _raw("UPDATE audit_chainhead SET seq = %s, hash = %s", [previous.seq, previous.hash])
    assert verify_chain().ok  # undetectable from inside the database alone …
    result = verify_chain(expected_seq=recorded.seq, expected_hash=recorded.hash)
    assert result.ok is False  # … but not against the head recorded with the last backup
    assert f"#{recorded.seq}" in result.problem


def test_recorded_head_that_was_rewritten_is_reported(logged):
    recorded = ChainHead.objects.get()
    result = verify_chain(expected_seq=recorded.seq, expected_hash="b" * 64)
    assert (result.ok, result.first_bad_seq) == (False, recorded.seq)
    assert verify_chain(
        expected_seq=recorded.seq - 2, expected_hash=ActivityLog.objects.get(seq=recorded.seq - 2).hash
    ).ok


def test_emptied_log_with_reset_head_is_not_intact(logged):
    _raw("DELETE FROM audit_activitylog", [])
    _raw("UPDATE audit_chainhead SET seq = 0, hash = %s", ["0" * 64])
    result = verify_chain()
    assert result.ok is False
    assert "empty" in result.problem


def test_empty_log_of_an_unused_database_is_intact(db):
    assert ChainHead.objects.get().seq == 0
    assert verify_chain().ok


def test_rows_recomputed_without_the_key_are_found(logged, settings):
    """Someone with the database but not the key rewrites a row and re-chains everything after it."""
    target = logged + 2
    _raw("UPDATE audit_activitylog SET action = %s WHERE seq = %s", ["test.innocent", target])
    prev = ActivityLog.objects.get(seq=target - 1).hash
    for row in ActivityLog.objects.filter(seq__gte=target).order_by("seq"):
        row.prev_hash = prev
        forged = chain_hash(prev, row_content(row), key=b"guessed-key")
        _raw("UPDATE audit_activitylog SET prev_hash = %s, hash = %s WHERE seq = %s", [prev, forged, row.seq])
        prev = forged
    _raw("UPDATE audit_chainhead SET hash = %s", [prev])
    result = verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, target)
    # And a plain SHA-256 chain (the old format) does not pass either.
    assert hashlib.sha256(b"x").hexdigest() != chain_hash("0" * 64, b"x")


def test_chain_depends_on_the_key(logged, settings):
    assert verify_chain().ok
    settings.TSUNAGARI_AUDIT_KEY = "another-key-" + "x" * 40
    assert verify_chain().ok is False


def test_malformed_stored_address_names_the_row(logged):
    target = logged + 1
    bad = "not-an-address" if connection.vendor == "sqlite" else "10.0.0.0/8"
    _raw("UPDATE audit_activitylog SET ip_address = %s WHERE seq = %s", [bad, target])
    result = verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, target)
    assert "address" in result.problem


def test_verify_audit_prints_and_compares_the_head(logged, capsys):
    head = ChainHead.objects.get()
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert f"head #{head.seq} {head.hash}" in out
    call_command("verify_audit", expect_head=f"{head.seq}:{head.hash}")
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit", expect_head=f"{head.seq + 1}:{head.hash}")
    assert excinfo.value.returncode == 1
    with pytest.raises(CommandError):
        call_command("verify_audit", expect_head="garbage")
