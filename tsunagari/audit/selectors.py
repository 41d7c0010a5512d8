"""Who may read the activity log."""

from __future__ import annotations

from django.db.models import QuerySet

from tsunagari.orgs.models import Membership

from .models import ActivityLog


def activity_visible_to(membership: Membership) -> QuerySet[ActivityLog]:
    """The whole log for a secretariat coordinator; nothing for anyone else."""
    if not membership.is_coordinator:
        return ActivityLog.objects.none()
    return ActivityLog.objects.select_related("actor", "organization")
