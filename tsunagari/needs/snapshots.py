"""Public snapshots of the needs picture (「まちの姿」): taken from the same suppressed table members see
(aggregates.city_table → spreadsheet.aggregate_rows), stored as they were, published and withdrawn by
the secretariat's coordinators. The public site never computes the picture live."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tsunagari.audit.services import log_action
from tsunagari.orgs.models import Membership

from . import aggregates
from .models import PublicSnapshot
from .spreadsheet import aggregate_rows


def public_snapshots() -> QuerySet[PublicSnapshot]:
    """What the public sees: published and not withdrawn, newest first."""
    return PublicSnapshot.objects.filter(published_at__isnull=False, withdrawn_at__isnull=True).order_by(
        "-published_at"
    )


def snapshots_visible_to(membership: Membership) -> QuerySet[PublicSnapshot]:
    """Every snapshot, to the secretariat's coordinators; nothing to anyone else."""
    if not membership.is_coordinator:
        return PublicSnapshot.objects.none()
    return PublicSnapshot.objects.all()


@transaction.atomic
def take_snapshot(*, by: Membership, title: str, licence: str) -> PublicSnapshot:
    if not by.is_coordinator:
        raise PermissionDenied
    header, rows = aggregate_rows(aggregates.city_table())
    snapshot = PublicSnapshot.objects.create(
        title=title,
        licence=licence,
        header=[str(h) for h in header],
        rows=[[v if isinstance(v, int) else str(v) for v in row] for row in rows],
        k=aggregates.k_threshold(),
    )
    log_action(snapshot, actor=by, action="needs.snapshot.taken")
    return snapshot


@transaction.atomic
def publish_snapshot(*, snapshot: PublicSnapshot, by: Membership) -> PublicSnapshot:
    if not by.is_coordinator:
        raise PermissionDenied
    snapshot.published_at = timezone.now()
    snapshot.withdrawn_at = None
    snapshot.save(update_fields=["published_at", "withdrawn_at"])
    log_action(snapshot, actor=by, action="needs.snapshot.published")
    return snapshot


@transaction.atomic
def withdraw_snapshot(*, snapshot: PublicSnapshot, by: Membership) -> PublicSnapshot:
    if not by.is_coordinator:
        raise PermissionDenied
    snapshot.withdrawn_at = timezone.now()
    snapshot.save(update_fields=["withdrawn_at"])
    log_action(snapshot, actor=by, action="needs.snapshot.withdrawn")
    return snapshot
