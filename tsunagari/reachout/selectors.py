from __future__ import annotations

from django.db.models import QuerySet

from tsunagari.orgs.models import Membership, Role

from .models import ContactRequest


def requests_visible_to(membership: Membership) -> QuerySet[ContactRequest]:
    """Every contact request to the secretariat's coordinators; to the staff (and up) of another member
    organisation, the requests assigned to it; nothing to anyone else."""
    if membership.is_coordinator:
        return ContactRequest.objects.all()
    if membership.has_role(Role.STAFF):
        return ContactRequest.objects.filter(assigned_to=membership.organization_id)
    return ContactRequest.objects.none()


def waiting_requests(membership: Membership) -> QuerySet[ContactRequest]:
    """What waits for this member's action: for coordinators, requests nobody has taken yet; for an
    organisation's staff, the requests assigned to it that are not marked contacted."""
    visible = requests_visible_to(membership)
    if membership.is_coordinator:
        return visible.filter(status=ContactRequest.Status.RECEIVED)
    return visible.filter(status=ContactRequest.Status.ASSIGNED)
