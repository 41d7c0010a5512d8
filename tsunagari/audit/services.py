"""Writing and verifying the activity log."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from .chain import GENESIS_HASH, canonical_content, chain_hash, row_hash
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
    """Append one row to the hash chain. Call it from services, inside their transaction.

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
        head = ChainHead.objects.select_for_update().get(pk=1)
        fields: dict[str, Any] = {
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
        ChainHead.objects.filter(pk=1).update(seq=entry.seq, hash=digest)
    return entry


@dataclass(frozen=True)
class VerificationResult:
    ok: bool
    rows_checked: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str = ""
    head_seq: int = 0


def _rows_in_order(last_seq: int) -> Iterator[ActivityLog]:
    return ActivityLog.objects.filter(seq__lte=last_seq).order_by("seq").iterator(chunk_size=2000)


def verify_chain(*, expected_seq: int | None = None, expected_hash: str | None = None) -> VerificationResult:
    """Walk the chain up to the head as it is now; report the first row altered, inserted or removed.

    The head is read first so that rows written while we walk are left for the next run instead of
    looking like rows removed from the end; rows beyond the head must still not exist at the end of the
    walk (the database refuses them, so one means someone wrote past the application). An empty log is
    intact only on a database that has never been used (no organisations: creating one is logged).
    Removing rows from the end and moving the head back leaves a consistent chain, so ``expected_seq``
    and ``expected_hash`` (the head recorded with an earlier backup) must still be found in it.
    """
    from tsunagari.orgs.models import Organization

    head = ChainHead.objects.get(pk=1)

    def broken(checked: int, prev_hash: str, seq: int | None, problem: str) -> VerificationResult:
        return VerificationResult(False, checked, prev_hash, seq, problem, head.seq)

    expected_seq_ok = 1
    prev_hash = GENESIS_HASH
    checked = 0
    recorded_found = expected_seq is None
    for row in _rows_in_order(head.seq):
        if row.seq != expected_seq_ok:
            return broken(
                checked, prev_hash, row.seq, f"row #{expected_seq_ok} is missing (next row is #{row.seq})"
            )
        if row.prev_hash != prev_hash:
            return broken(
                checked, prev_hash, row.seq, "does not link to the row before it (inserted or reordered)"
            )
        try:
            digest = row_hash(row)
        except ValueError:
            return broken(checked, prev_hash, row.seq, f"stored IP address {row.ip_address!r} is malformed")
        if digest != row.hash:
            return broken(
                checked, prev_hash, row.seq, "content was altered (or hashed without the audit key)"
            )
        if row.seq == expected_seq:
            if row.hash != expected_hash:
                return broken(checked, prev_hash, row.seq, f"row #{row.seq} differs from the recorded head")
            recorded_found = True
        prev_hash = row.hash
        expected_seq_ok += 1
        checked += 1
    if head.seq != checked or head.hash != prev_hash:
        return broken(
            checked,
            prev_hash,
            checked + 1,
            f"the chain ends at #{checked} but the head records #{head.seq}: rows were removed from the end",
        )
    beyond = (
        ActivityLog.objects.filter(seq__gt=head.seq).order_by("seq").values_list("seq", flat=True).first()
    )
    if beyond is not None:
        return broken(checked, prev_hash, beyond, f"row #{beyond} lies beyond the head (#{head.seq})")
    if not recorded_found:
        return broken(
            checked,
            prev_hash,
            expected_seq,
            f"the recorded head #{expected_seq} is gone: the chain now ends at #{head.seq} (rows removed from the end)",
        )
    if checked == 0 and Organization.objects.exists():
        return broken(0, prev_hash, 1, "the log is empty although organisations exist: the log was emptied")
    return VerificationResult(True, checked, prev_hash, head_seq=head.seq)
