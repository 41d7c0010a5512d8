"""Canonical content and keyed hashing of activity-log rows (one place, used by writing and verifying).

Each row's hash is HMAC-SHA256, keyed with ``TSUNAGARI_AUDIT_KEY``, over the previous row's hash and the
row's canonical content. The key lives outside the database, so someone who can write to the database
can neither forge a row nor recompute the chain after changing one.

The log is several independent chains (lanes). A row's content names its lane, except in lane 0: lane 0
is the chain written before there were lanes, and leaving the lane out there keeps those rows' hashes,
and the heads recorded with old backups, valid as they are.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_content(
    *,
    lane: int = 0,
    seq: int,
    created_at: datetime,
    actor_id: int | None,
    organization_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    legal_basis: str,
    data: dict[str, Any],
    ip_address: str | None,
) -> bytes:
    """The bytes a row's hash covers: sorted-key compact JSON, times in UTC with microseconds."""
    content: dict[str, Any] = {
        "seq": seq,
        "created_at": created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": actor_id,
        "organization": organization_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "legal_basis": legal_basis,
        "data": data,
        "ip": canonical_ip(ip_address),
    }
    if lane:
        content["lane"] = lane
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def canonical_ip(value: str | None) -> str | None:
    """One spelling per address: databases print some addresses differently (e.g. IPv6 case,
    IPv4-mapped IPv6 on PostgreSQL), so the hash covers the fully written-out form."""
    if not value:
        return None
    return ipaddress.ip_address(value).exploded


def chain_hash(prev_hash: str, content: bytes, *, key: bytes | None = None) -> str:
    """HMAC-SHA256 of the previous hash and a row's content, with the audit key from settings unless
    ``key`` is given (the migration that keyed an existing chain passes it explicitly)."""
    if key is None:
        from django.conf import settings

        key = settings.TSUNAGARI_AUDIT_KEY.encode()
    return hmac.new(key, prev_hash.encode("ascii") + b"\n" + content, hashlib.sha256).hexdigest()


def row_content(row: Any) -> bytes:
    """The canonical content of a stored ActivityLog row (ValueError if a stored value cannot be
    canonicalised, e.g. an IP address written behind the application's back)."""
    return canonical_content(
        lane=row.lane,
        seq=row.seq,
        created_at=row.created_at,
        actor_id=row.actor_id,
        organization_id=row.organization_id,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        legal_basis=row.legal_basis,
        data=row.data,
        ip_address=row.ip_address,
    )


def row_hash(row: Any) -> str:
    """Recompute the hash of a stored ActivityLog row."""
    return chain_hash(row.prev_hash, row_content(row))


def heads_digest(heads: list[tuple[int, int, str]]) -> str:
    """One string standing for the heads of all lanes (``(lane, seq, hash)``, lanes 0, 1, … in order), to
    record with a backup. With one lane it is that lane's head hash, so a head recorded before there
    were lanes reads the same; each further lane is folded in with the key."""
    digest = heads[0][2]
    for lane, seq, hash_ in heads[1:]:
        digest = chain_hash(digest, f"{lane}:{seq}:{hash_}".encode("ascii"))
    return digest
