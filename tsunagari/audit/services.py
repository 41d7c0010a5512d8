"""Writing and verifying the activity log."""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from .chain import GENESIS_HASH, canonical_content, chain_hash, heads_digest, row_hash
from .context import current_client_address
from .models import ActivityLog, ChainHead, LegalBasis

if TYPE_CHECKING:
    from tsunagari.accounts.models import User
    from tsunagari.orgs.models import Membership, Organization


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. Behind trusted reverse proxies (TSUNAGARI_TRUSTED_PROXIES) it is the
    right-most X-Forwarded-For entry that is not itself a trusted proxy; anything else is ignored,
    because clients can write that header themselves."""
    if request is None:
        return None
    remote = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    trusted = settings.TSUNAGARI_TRUSTED_PROXIES
    if remote is None or remote not in trusted:
        return remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _valid_ip(hop)
        if address is not None and address not in trusted:
            return address
    return remote


def _reject_floats(value: Any) -> None:
    """Details hold ids and codes. Floats do not survive PostgreSQL's jsonb unchanged (1e16, -0.0),
    which would make an honest row look altered."""
    if isinstance(value, float):
        raise ValueError("Activity log details must not contain floats; store ids, codes or strings.")
    if isinstance(value, dict):
        for item in value.values():
            _reject_floats(item)
    elif isinstance(value, list):
        for item in value:
            _reject_floats(item)


def log_action(
    obj: models.Model | None,
    *,
    actor: Membership | User | None,
    action: str,
    organization: Organization | None = None,
    legal_basis: str = LegalBasis.NONE,
    data: dict[str, Any] | None = None,
) -> ActivityLog:
    """Append one row to a lane of the hash chain. Call it from services, inside their transaction, as
    late as the service allows: the lane stays locked until that transaction ends.

    ``actor`` may be a Membership (the usual case: the organisation is taken from it) or a User.
    ``data`` must not hold personal information beyond ids: the log is read by the secretariat.
    The client address comes from the request being served (``audit.context``), if any.
    """
    from tsunagari.orgs.models import Membership

    user_id: int | None
    if isinstance(actor, Membership):
        user_id = actor.user_id
        organization = organization or actor.organization
    else:
        user_id = actor.pk if actor is not None else None
    if legal_basis not in LegalBasis.values:
        raise ValueError(f"Unknown legal basis: {legal_basis!r}")
    # Round-trip through JSON so what is hashed is exactly what the database will give back.
    clean_data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    _reject_floats(clean_data)

    with transaction.atomic():
        head = _lock_a_lane()
        fields: dict[str, Any] = {
            "lane": head.pk,
            "seq": head.seq + 1,
            "created_at": timezone.now(),
            "actor_id": user_id,
            "organization_id": organization.pk if organization is not None else None,
            "action": action,
            "object_type": obj._meta.label_lower if obj is not None else "",
            "object_id": str(obj.pk) if obj is not None else "",
            "legal_basis": str(legal_basis),
            "data": clean_data,
            "ip_address": current_client_address(),
        }
        digest = chain_hash(head.hash, canonical_content(**fields))
        entry = ActivityLog.objects.create(prev_hash=head.hash, hash=digest, **fields)
        ChainHead.objects.filter(pk=head.pk).update(seq=entry.seq, hash=digest)
    return entry


# The lane this database connection wrote to last: tried first next time, so that each worker (thread or
# process) settles on a lane of its own, and a transaction that logs twice keeps the lane it holds.
_LANE_ATTRIBUTE = "tsunagari_audit_lane"


def _lock_a_lane() -> ChainHead:
    """Lock the head of a lane nobody else holds, so that writers in different transactions do not wait
    for each other (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite serialises writers anyway and ignores it).
    Only when every lane is held does the writer queue, on the lane it used last."""
    lanes = settings.TSUNAGARI_AUDIT_LANES
    preferred = getattr(connection, _LANE_ATTRIBUTE, 0)
    if preferred >= lanes:
        preferred = 0
    free = ChainHead.objects.select_for_update(skip_locked=True)
    head = free.filter(pk=preferred).first() or free.filter(pk__lt=lanes).order_by("pk").first()
    if head is None:
        head = ChainHead.objects.select_for_update().get(pk=preferred)
    setattr(connection, _LANE_ATTRIBUTE, head.pk)
    return head


def ensure_lanes() -> None:
    """Create the heads of lanes 0 … TSUNAGARI_AUDIT_LANES − 1 that do not exist yet (after `migrate`;
    the database lets a head be created only empty). Lanes beyond the setting keep their rows and are
    still verified; nothing writes to them."""
    ChainHead.objects.bulk_create(
        [ChainHead(pk=lane, seq=0, hash=GENESIS_HASH) for lane in range(settings.TSUNAGARI_AUDIT_LANES)],
        ignore_conflicts=True,
    )


HEAD_FORMAT = "SEQ.SEQ…:DIGEST"
_RECORDED_HEAD = re.compile(r"^(\d+(?:\.\d+)*):([0-9a-f]{64})$")


@dataclass(frozen=True)
class RecordedHead:
    """What `verify-audit` printed: every lane's last seq (lanes 0, 1, … in order) and ``heads_digest``.
    A head printed before there were lanes (``SEQ:HASH``) is the same thing for lane 0 alone."""

    seqs: tuple[int, ...]
    digest: str

    @classmethod
    def parse(cls, text: str) -> RecordedHead:
        match = _RECORDED_HEAD.match(text.strip().lower())
        if match is None:
            raise ValueError(f"a recorded head looks like {HEAD_FORMAT}, as printed by verify-audit")
        return cls(tuple(int(seq) for seq in match[1].split(".")), match[2])

    def __str__(self) -> str:
        return ".".join(str(seq) for seq in self.seqs) + ":" + self.digest


@dataclass(frozen=True)
class VerificationResult:
    ok: bool
    rows_checked: int
    head: RecordedHead | None = None
    first_bad_seq: int | None = None
    first_bad_lane: int | None = None
    problem: str = ""
    lanes: tuple[ChainHead, ...] = ()

    @property
    def where(self) -> str:
        """The bad row, for messages: lane and place in the lane."""
        if self.first_bad_seq is None:
            return "the recorded head"
        return f"lane {self.first_bad_lane} row #{self.first_bad_seq}"


class _Broken(Exception):
    def __init__(self, lane: int | None, seq: int | None, problem: str) -> None:
        super().__init__(problem)
        self.lane, self.seq, self.problem = lane, seq, problem


def _verify_lane(head: ChainHead, recorded_seq: int | None) -> tuple[int, str | None]:
    """Walk one lane up to its head; return the rows checked and the hash at ``recorded_seq`` (None if
    the lane does not reach it). Raises _Broken at the first altered, inserted or missing row."""
    lane = head.pk
    prev_hash = GENESIS_HASH
    recorded_hash = GENESIS_HASH if recorded_seq == 0 else None
    checked = 0
    rows = ActivityLog.objects.filter(lane=lane, seq__lte=head.seq).order_by("seq")
    for row in rows.iterator(chunk_size=2000):
        expected = checked + 1
        if row.seq != expected:
            raise _Broken(lane, row.seq, f"row #{expected} is missing (next row is #{row.seq}, id {row.id})")
        if row.prev_hash != prev_hash:
            raise _Broken(
                lane, row.seq, f"id {row.id} does not link to the row before it (inserted or reordered)"
            )
        try:
            digest = row_hash(row)
        except ValueError:
            raise _Broken(lane, row.seq, f"stored IP address {row.ip_address!r} is malformed") from None
        if digest != row.hash:
            raise _Broken(
                lane, row.seq, f"content of id {row.id} was altered (or hashed without the audit key)"
            )
        if row.seq == recorded_seq:
            recorded_hash = row.hash
        prev_hash = row.hash
        checked += 1
    if head.seq != checked or head.hash != prev_hash:
        raise _Broken(
            lane,
            checked + 1,
            f"lane {lane} ends at #{checked} but its head records #{head.seq}: rows were removed from the end",
        )
    beyond = ActivityLog.objects.filter(lane=lane, seq__gt=head.seq).order_by("seq").first()
    if beyond is not None:
        raise _Broken(
            lane,
            beyond.seq,
            f"row #{beyond.seq} (id {beyond.id}) lies beyond the head of lane {lane} (#{head.seq})",
        )
    return checked, recorded_hash


def verify_chain(*, expected_head: RecordedHead | None = None) -> VerificationResult:
    """Walk every lane up to its head as it is now; report the first row altered, inserted or removed.

    The heads are read first so that rows written while we walk are left for the next run instead of
    looking like rows removed from the end; rows beyond a head must still not exist at the end of the
    walk (the database refuses them, so one means someone wrote past the application), nor rows in a
    lane without a head. An empty log is intact only on a database that has never been used (no
    organisations: creating one is logged). Removing rows from the end of a lane and moving its head back
    leaves a consistent chain, so ``expected_head`` (printed with an earlier backup) must still be found:
    every lane must still reach the recorded seq, with the hashes there giving the recorded digest.
    """
    from tsunagari.orgs.models import Organization

    heads = tuple(ChainHead.objects.order_by("pk"))
    recorded = expected_head.seqs if expected_head is not None else ()
    checked = 0
    at_recorded: list[tuple[int, int, str]] = []
    try:
        if [head.pk for head in heads] != list(range(len(heads))):
            raise _Broken(
                None, None, "the lanes' heads are not numbered 0, 1, …: a head was added or removed"
            )
        if len(recorded) > len(heads):
            raise _Broken(
                len(heads), None, f"the recorded head has {len(recorded)} lanes, the log {len(heads)}"
            )
        for head in heads:
            recorded_seq = recorded[head.pk] if head.pk < len(recorded) else None
            rows, recorded_hash = _verify_lane(head, recorded_seq)
            checked += rows
            if recorded_seq is not None:
                if recorded_hash is None:
                    raise _Broken(
                        head.pk,
                        recorded_seq,
                        f"the recorded head of lane {head.pk} (#{recorded_seq}) is gone: the lane now ends at"
                        f" #{head.seq} (rows removed from the end)",
                    )
                at_recorded.append((head.pk, recorded_seq, recorded_hash))
        stray = ActivityLog.objects.filter(lane__gte=len(heads)).order_by("lane", "seq").first()
        if stray is not None:
            raise _Broken(stray.lane, stray.seq, f"id {stray.id} is in lane {stray.lane}, which has no head")
        if expected_head is not None and heads_digest(at_recorded) != expected_head.digest:
            single = len(recorded) == 1
            raise _Broken(
                0 if single else None,
                recorded[0] if single else None,
                "the chain differs from the recorded head (rows rewritten)",
            )
        if checked == 0 and Organization.objects.exists():
            raise _Broken(0, 1, "the log is empty although organisations exist: the log was emptied")
    except _Broken as broken:
        return VerificationResult(False, checked, None, broken.seq, broken.lane, broken.problem, heads)
    now = RecordedHead(tuple(h.seq for h in heads), heads_digest([(h.pk, h.seq, h.hash) for h in heads]))
    return VerificationResult(True, checked, now, lanes=heads)
