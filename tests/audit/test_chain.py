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
from tsunagari.audit.services import _LANE_ATTRIBUTE, RecordedHead, log_action, verify_chain
from tsunagari.orgs.models import Role

LANE = 0  # where a single writer's rows go (the first free lane); the lane tests below use others


@pytest.fixture
def logged(org_a):
    """Five rows in lane 0; returns the lane's seq before them."""
    setattr(connection, _LANE_ATTRIBUTE, LANE)
    member = make_member(org_a, Role.STAFF)
    start = ChainHead.objects.get(pk=LANE).seq
    for i in range(5):
        entry = log_action(org_a, actor=member, action=f"test.action.{i}", data={"i": i, "note": "日本語"})
        assert entry.lane == LANE
    return start


def _head() -> ChainHead:
    return ChainHead.objects.get(pk=LANE)


def _row(seq: int, lane: int = LANE) -> ActivityLog:
    return ActivityLog.objects.get(lane=lane, seq=seq)


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
    rows = list(ActivityLog.objects.filter(lane=LANE).order_by("seq"))
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    for previous, row in zip(rows, rows[1:], strict=False):
        assert row.prev_hash == previous.hash
        assert row.id > previous.id
    assert _head().hash == rows[-1].hash
    assert rows[-1].organization_id == org_a.pk
    assert verify_chain().ok


def test_log_action_refuses_unknown_legal_basis(org_a):
    with pytest.raises(ValueError):
        log_action(org_a, actor=None, action="x", legal_basis="because")


def test_log_action_records_legal_basis(org_a):
    entry = log_action(
        org_a, actor=None, action="cases.person.viewed", legal_basis=LegalBasis.SUPPORT_MEETING
    )
    assert ActivityLog.objects.get(pk=entry.pk).legal_basis == "support_meeting"
    assert verify_chain().ok


def test_altered_row_is_found(logged):
    target = logged + 3
    _raw(
        "UPDATE audit_activitylog SET action = %s WHERE lane = %s AND seq = %s",
        ["test.innocent", LANE, target],
    )
    result = verify_chain()
    assert (result.ok, result.first_bad_lane, result.first_bad_seq) == (False, LANE, target)
    assert "altered" in result.problem


def test_altered_data_is_found(logged):
    target = logged + 2
    _raw(
        "UPDATE audit_activitylog SET data = %s WHERE lane = %s AND seq = %s",
        ['{"i": 99, "note": "日本語"}', LANE, target],
    )
    assert verify_chain().first_bad_seq == target


def test_removed_row_is_found(logged):
    target = logged + 2
    _raw("DELETE FROM audit_activitylog WHERE lane = %s AND seq = %s", [LANE, target])
    result = verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, target + 1)
    assert f"#{target} is missing" in result.problem


def test_removed_last_rows_are_found(logged):
    last = _head().seq
    _raw("DELETE FROM audit_activitylog WHERE lane = %s AND seq >= %s", [LANE, last - 1])
    result = verify_chain()
    assert result.ok is False and "removed from the end" in result.problem


def test_inserted_row_is_found(logged):
    target = logged + 3
    row = _row(target)
    # Make room by renumbering the tail, then insert a forged row with a self-consistent hash.
    _raw("UPDATE audit_activitylog SET seq = seq + 1000 WHERE lane = %s AND seq >= %s", [LANE, target])
    _insert_forged(target, row.prev_hash, "f" * 64)
    result = verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, target)


def test_database_refuses_update_and_delete(logged):
    for sql in ("UPDATE audit_activitylog SET action = 'x'", "DELETE FROM audit_activitylog"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert verify_chain().ok


def test_orm_cannot_delete_log_rows(logged):
    with pytest.raises(DatabaseError), transaction.atomic():
        ActivityLog.objects.filter(lane=LANE, seq=logged + 1).delete()


def test_verify_audit_command_exit_codes(logged, capsys):
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out
    _raw(
        "UPDATE audit_activitylog SET ip_address = '10.0.0.1' WHERE lane = %s AND seq = %s",
        [LANE, logged + 4],
    )
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit")
    assert excinfo.value.returncode == 1
    assert f"lane {LANE} row #{logged + 4}" in str(excinfo.value)


@pytest.mark.parametrize("address", ["2001:DB8::1", "::ffff:1.2.3.4", "::102:304", "192.0.2.7"])
def test_addresses_in_any_spelling_keep_the_chain_valid(org_a, rf, address):
    def view(request):
        log_action(org_a, actor=None, action="test.ip")
        return HttpResponse()

    ClientAddressMiddleware(view)(rf.get("/", REMOTE_ADDR=address))
    assert ActivityLog.objects.latest("id").ip_address is not None
    assert verify_chain().ok


def test_the_log_records_the_address_of_the_request_being_served(org_a, rf, settings):
    settings.TSUNAGARI_TRUSTED_PROXIES = frozenset({"127.0.0.1"})

    def view(request):
        log_action(org_a, actor=None, action="test.ip")
        assert current_client_address() == "198.51.100.2"
        return HttpResponse()

    proxied = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 198.51.100.2")
    ClientAddressMiddleware(view)(proxied)
    assert ActivityLog.objects.latest("id").ip_address == "198.51.100.2"
    # Once the response is ready the address is gone: a later write outside a request has none.
    assert current_client_address() is None
    log_action(org_a, actor=None, action="test.ip")
    assert ActivityLog.objects.latest("id").ip_address is None
    with client_address("192.0.2.7"):
        log_action(org_a, actor=None, action="test.ip")
    assert ActivityLog.objects.latest("id").ip_address == "192.0.2.7"


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


INSERT_ROW = (
    "INSERT INTO audit_activitylog (lane, seq, created_at, action, object_type, object_id, legal_basis, data,"
    " prev_hash, hash) VALUES (%s, %s, %s, 'forged', '', '', '', '{}', %s, %s)"
)


def _insert_forged(seq: int, prev_hash: str, digest: str, lane: int = LANE) -> None:
    _raw(INSERT_ROW, [lane, seq, timezone.now(), prev_hash, digest])


def test_row_inserted_after_the_head_is_reported(logged):
    head = _head()
    _insert_forged(head.seq + 1, head.hash, "e" * 64)
    result = verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, head.seq + 1)
    assert "beyond the head" in result.problem


def test_database_refuses_a_row_that_does_not_continue_the_head(logged):
    head = _head()
    other = ChainHead.objects.get(pk=1)
    attempts = [
        (LANE, head.seq + 2, head.hash),
        (LANE, head.seq + 1, "a" * 64),
        (1, other.seq + 1, head.hash),  # lane 0's head does not continue lane 1
        (999, 1, "0" * 64),  # a lane without a head
    ]
    for lane, seq, prev in attempts:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(INSERT_ROW, [lane, seq, timezone.now(), prev, "d" * 64])
    assert verify_chain().ok


def test_database_protects_the_head(logged):
    head = _head()
    previous = _row(head.seq - 1)
    statements = [
        ("UPDATE audit_chainhead SET seq = %s, hash = %s WHERE id = %s", [previous.seq, previous.hash, LANE]),
        ("UPDATE audit_chainhead SET seq = 0, hash = %s WHERE id = %s", ["0" * 64, LANE]),
        ("UPDATE audit_chainhead SET seq = seq + 1 WHERE id = %s", [LANE]),
        ("UPDATE audit_chainhead SET id = 99 WHERE id = %s", [LANE]),
        ("DELETE FROM audit_chainhead WHERE id = %s", [LANE]),
        ("DELETE FROM audit_chainhead WHERE id = 1", []),
        # A new lane starts empty: a head cannot be created part-way along a chain.
        ("INSERT INTO audit_chainhead (id, seq, hash) VALUES (200, %s, %s)", [previous.seq, previous.hash]),
    ]
    if connection.vendor == "postgresql":
        statements.append(("TRUNCATE audit_chainhead", []))
    for sql, params in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert _head().seq == head.seq
    # The application's own advance still works.
    log_action(None, actor=None, action="test.after")
    assert verify_chain().ok


def test_last_row_deleted_and_head_moved_differs_from_the_recorded_head(logged):
    recorded = verify_chain().head
    assert recorded is not None
    head = _head()
    previous = _row(head.seq - 1)
    _raw("DELETE FROM audit_activitylog WHERE lane = %s AND seq = %s", [LANE, head.seq])
    _raw("UPDATE audit_chainhead SET seq = %s, hash = %s WHERE id = %s", [previous.seq, previous.hash, LANE])
    assert verify_chain().ok  # undetectable from inside the database alone …
    result = verify_chain(expected_head=recorded)
    assert result.ok is False  # … but not against the head recorded with the last backup
    assert f"lane {LANE} (#{head.seq})" in result.problem


def test_recorded_head_that_was_rewritten_is_reported(logged):
    recorded = verify_chain().head
    assert recorded is not None and verify_chain(expected_head=recorded).ok
    result = verify_chain(expected_head=RecordedHead(recorded.seqs, "b" * 64))
    assert result.ok is False and "differs from the recorded head" in result.problem
    # A head recorded before there were lanes (SEQ:HASH of the one chain) is lane 0's head.
    earlier = _row(_head().seq - 2)
    assert verify_chain(expected_head=RecordedHead.parse(f"{earlier.seq}:{earlier.hash}")).ok
    result = verify_chain(expected_head=RecordedHead.parse(f"{earlier.seq}:{'b' * 64}"))
    assert (result.ok, result.first_bad_lane, result.first_bad_seq) == (False, LANE, earlier.seq)


def test_emptied_log_with_reset_head_is_not_intact(logged):
    _raw("DELETE FROM audit_activitylog", [])
    _raw("UPDATE audit_chainhead SET seq = 0, hash = %s", ["0" * 64])
    assert not ActivityLog.objects.exists()
    result = verify_chain()
    assert result.ok is False
    assert "empty" in result.problem


def test_empty_log_of_an_unused_database_is_intact(db):
    assert not ChainHead.objects.exclude(seq=0).exists()
    assert verify_chain().ok


def test_rows_recomputed_without_the_key_are_found(logged, settings):
    """Someone with the database but not the key rewrites a row and re-chains everything after it."""
    target = logged + 2
    _raw(
        "UPDATE audit_activitylog SET action = %s WHERE lane = %s AND seq = %s",
        ["test.innocent", LANE, target],
    )
    prev = _row(target - 1).hash
    for row in ActivityLog.objects.filter(lane=LANE, seq__gte=target).order_by("seq"):
        row.prev_hash = prev
        forged = chain_hash(prev, row_content(row), key=b"guessed-key")
        _raw("UPDATE audit_activitylog SET prev_hash = %s, hash = %s WHERE id = %s", [prev, forged, row.id])
        prev = forged
    _raw("UPDATE audit_chainhead SET hash = %s WHERE id = %s", [prev, LANE])
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
    _raw("UPDATE audit_activitylog SET ip_address = %s WHERE lane = %s AND seq = %s", [bad, LANE, target])
    result = verify_chain()
    assert (result.ok, result.first_bad_seq) == (False, target)
    assert "address" in result.problem


def test_verify_audit_prints_and_compares_the_head(logged, capsys):
    head = _head()
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert f"lane {LANE}: head #{head.seq} {head.hash}" in out
    recorded = out.split("--expect-head ")[1].split()[0]
    call_command("verify_audit", expect_head=recorded)
    call_command("verify_audit", expect_head=f"{head.seq}:{head.hash}")  # as printed before there were lanes
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit", expect_head=f"{head.seq + 1}:{head.hash}")
    assert excinfo.value.returncode == 1
    for garbage in ("garbage", "1.x:" + "a" * 64, f"{head.seq}:{head.hash[:-1]}"):
        with pytest.raises(CommandError) as excinfo:
            call_command("verify_audit", expect_head=garbage)
        assert excinfo.value.returncode == 2


# Lanes: independent chains, verified together (the PostgreSQL race is in tests/audit/test_lanes_pg.py).


def _log_in_lane(lane: int, count: int, org) -> list[ActivityLog]:
    """Rows written by a connection that last wrote to ``lane`` (on SQLite nothing else holds a lane)."""
    setattr(connection, _LANE_ATTRIBUTE, lane)
    return [log_action(org, actor=None, action="test.lane", data={"n": n}) for n in range(count)]


@pytest.fixture
def two_lanes(logged, org_a):
    rows = _log_in_lane(3, 4, org_a)
    setattr(connection, _LANE_ATTRIBUTE, LANE)
    return rows


def test_each_lane_is_its_own_chain(two_lanes):
    assert [row.lane for row in two_lanes] == [3, 3, 3, 3]
    assert [row.seq for row in two_lanes] == [1, 2, 3, 4]
    assert two_lanes[0].prev_hash == "0" * 64
    assert ChainHead.objects.get(pk=3).hash == two_lanes[-1].hash
    # One order across lanes for the log page.
    assert two_lanes[0].id > _row(_head().seq).id
    result = verify_chain()
    assert result.ok and result.head is not None
    assert result.head.seqs[LANE] == _head().seq and result.head.seqs[3] == 4
    assert len(result.head.seqs) == ChainHead.objects.count()


def test_one_transaction_keeps_its_lane(org_a):
    setattr(connection, _LANE_ATTRIBUTE, 5)
    with transaction.atomic():
        first = log_action(org_a, actor=None, action="test.lane")
        second = log_action(org_a, actor=None, action="test.lane")
    assert (first.lane, second.lane) == (5, 5)
    assert second.prev_hash == first.hash


def test_a_single_lane_is_the_old_chain(org_a, settings):
    settings.TSUNAGARI_AUDIT_LANES = 1
    rows = _log_in_lane(7, 2, org_a)
    assert {row.lane for row in rows} == {0}


def test_a_row_moved_to_another_lane_is_found(two_lanes):
    """Lane 0's content does not name its lane (so old rows keep their hashes); others' does."""
    moved = two_lanes[-1]
    _raw("UPDATE audit_activitylog SET lane = %s, seq = %s WHERE id = %s", [LANE, _head().seq + 1, moved.id])
    _raw("UPDATE audit_chainhead SET seq = seq + 1, hash = %s WHERE id = %s", [moved.hash, LANE])
    _raw("UPDATE audit_chainhead SET seq = 3, hash = %s WHERE id = 3", [two_lanes[2].hash])
    _raw("UPDATE audit_activitylog SET prev_hash = %s WHERE id = %s", [_row(_head().seq - 1).hash, moved.id])
    result = verify_chain()
    assert (result.ok, result.first_bad_lane) == (False, LANE)
    assert "altered" in result.problem


def test_altered_row_in_another_lane_is_named(two_lanes):
    target = two_lanes[1]
    _raw("UPDATE audit_activitylog SET action = 'test.innocent' WHERE id = %s", [target.id])
    result = verify_chain()
    assert (result.ok, result.first_bad_lane, result.first_bad_seq) == (False, 3, 2)
    assert f"id {target.id}" in result.problem


def test_one_recorded_string_catches_a_lane_cut_back(two_lanes, capsys):
    call_command("verify_audit")
    recorded = capsys.readouterr().out.split("--expect-head ")[1].split()[0]
    _raw("DELETE FROM audit_activitylog WHERE id = %s", [two_lanes[-1].id])
    _raw("UPDATE audit_chainhead SET seq = 3, hash = %s WHERE id = 3", [two_lanes[2].hash])
    call_command("verify_audit")  # consistent on its own …
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit", expect_head=recorded)  # … but lane 3 no longer reaches what was recorded
    assert excinfo.value.returncode == 1
    assert "lane 3 (#4) is gone" in str(excinfo.value)


def test_the_recorded_string_covers_every_lane_hash(two_lanes):
    recorded = verify_chain().head
    assert recorded is not None
    # Lane 3 cut back by one and re-grown by one honest row: every seq is reached again, but the row at
    # lane 3 #4 is not the one recorded.
    _raw("DELETE FROM audit_activitylog WHERE id = %s", [two_lanes[-1].id])
    _raw("UPDATE audit_chainhead SET seq = 3, hash = %s WHERE id = 3", [two_lanes[2].hash])
    _log_in_lane(3, 1, None)
    assert verify_chain().ok
    result = verify_chain(expected_head=recorded)
    assert result.ok is False and "differs from the recorded head" in result.problem


def test_a_row_in_a_lane_without_a_head_is_reported(logged):
    _insert_forged(1, "0" * 64, "c" * 64, lane=999)
    result = verify_chain()
    assert (result.ok, result.first_bad_lane) == (False, 999)
    assert "no head" in result.problem


def test_a_head_added_out_of_order_is_reported(logged):
    """The database lets a lane be created empty (raising the setting); one far beyond the others is not ours."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_chainhead (id, seq, hash) VALUES (250, 0, %s)", ["0" * 64])
    result = verify_chain()
    assert result.ok is False and "numbered" in result.problem
