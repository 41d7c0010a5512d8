"""Canonical content and hashing of activity-log rows (one place, used by writing and verifying)."""

from __future__ import annotations

import hashlib
import ipaddress
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_content(
    *,
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
    content = {
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
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def canonical_ip(value: str | None) -> str | None:
    """One spelling per address: databases print some addresses differently (e.g. IPv6 case,
    IPv4-mapped IPv6 on PostgreSQL), so the hash covers the fully written-out form."""
    if not value:
        return None
    return ipaddress.ip_address(value).exploded


def chain_hash(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + content).hexdigest()


def row_hash(row: Any) -> str:
    """Recompute the hash of a stored ActivityLog row."""
    content = canonical_content(
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
    return chain_hash(row.prev_hash, content)
